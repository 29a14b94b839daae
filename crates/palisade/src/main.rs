//! The `palisade` command.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    palisade::run(std::env::args_os())
}
