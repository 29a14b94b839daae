//! The `palisade` command.
#![forbid(unsafe_code)]

// Building an RBAC model of a large cluster makes millions of small allocations; mimalloc
// makes that about 10% faster than the system allocator (`cargo bench --bench rbac`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    palisade::run(std::env::args_os())
}
