//! The `palisade` command.
#![forbid(unsafe_code)]

// The system allocator: mimalloc was up to 10% faster on large RBAC models but tripled the
// resident memory of an ordinary scan (93 MiB against 30 MiB on the corpus), and peak memory
// is what bounds Palisade on hostile input and in small CI runners (docs/benchmarks.md).

fn main() -> std::process::ExitCode {
    palisade::run(std::env::args_os())
}
