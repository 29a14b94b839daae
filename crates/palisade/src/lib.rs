//! The `palisade` command line: argument parsing, configuration resolution
//! (flag > `PALISADE_*` environment > `palisade.toml` > default), the scan pipeline that ties
//! discovery, loading, the engine and the renderers together, and exit codes. This is the only
//! crate that prints.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod admission_cmd;
pub mod audit_cmd;
pub mod cli;
pub mod cluster_cmd;
pub mod config;
pub mod daemon;
pub mod fix;
pub mod netpol_cmd;
pub mod node_cmd;
pub mod policy_cmd;
pub mod probe_cmd;
pub mod progress;
pub mod rbac_cmd;
pub mod rules_cmd;
pub mod scan;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use palisade_model::secrets::mask_credentials;
use palisade_report::terminal::printable;

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: a usage, configuration or input error.
pub const EXIT_ERROR: u8 = 2;
/// Exit code of `rbac can-i` and `rbac who-can`: the answer depends on roles that are neither
/// in the input nor built in.
pub const EXIT_UNKNOWN: u8 = 3;

/// Parse arguments and run; returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            });
        }
    };
    let result = match cli.command {
        cli::Command::Scan(args) => scan::command(&args),
        cli::Command::Fix(args) => fix::command(&args, true),
        cli::Command::Cluster(cmd) => cluster_cmd::command(&cmd),
        cli::Command::Rbac(cmd) => rbac_cmd::command(&cmd),
        cli::Command::Netpol(cmd) => netpol_cmd::command(&cmd),
        cli::Command::Admission(cmd) => admission_cmd::command(&cmd),
        cli::Command::Audit(cmd) => audit_cmd::command(&cmd),
        cli::Command::Node(args) => node_cmd::command(&args),
        cli::Command::Probe(cmd) => probe_cmd::command(&cmd),
        cli::Command::Policy(cmd) => policy_cmd::command(&cmd),
        cli::Command::Rules(args) => rules_cmd::list(&args),
        cli::Command::Rule(args) => rules_cmd::show(&args),
        cli::Command::Completions(args) => completions(args.shell),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // A reader that stops early (`| head`) is not an error of ours.
        Err(e) if is_broken_pipe(&e) => ExitCode::from(EXIT_CLEAN),
        Err(e) => {
            // Messages quote paths and values from the input.
            let message = format!("{e:#}");
            eprintln!("error: {}", printable(&mask_credentials(&message)));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// `palisade completions SHELL`: the completion script on standard output.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<u8> {
    use clap::CommandFactory;
    // Generated into memory first: the generator panics when its writer fails, and a closed
    // pipe (`| head`) is not an error worth a panic.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cli::Cli::command(), "palisade", &mut script);
    let mut out = std::io::stdout().lock();
    std::io::Write::write_all(&mut out, &script)?;
    std::io::Write::flush(&mut out)?;
    Ok(EXIT_CLEAN)
}

/// `path[:line]: message` of an input error, credentials masked and escaped for a terminal:
/// what the commands that print input errors themselves (rbac, netpol, fix) write after
/// `error: `.
pub(crate) fn input_error_line(e: &palisade_diagnostics::InputError) -> String {
    let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
    let message = mask_credentials(&e.message);
    format!("{}{at}: {}", printable(&e.path), printable(&message))
}

/// Text from the input for a terminal: credentials masked, control characters escaped.
pub(crate) fn printable_error(text: &str) -> String {
    printable(&mask_credentials(text)).to_string()
}

/// Whether an error comes from writing to a closed pipe.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let pipe = Some(std::io::ErrorKind::BrokenPipe);
    e.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().map(|io| io.kind()) == pipe
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == pipe
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipes_are_told_apart() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(
            &anyhow::Error::from(pipe).context("writing")
        ));
        let json = serde_json::Error::io(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(&anyhow::Error::from(json)));
        let other = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(!is_broken_pipe(&anyhow::Error::from(other)));
    }
}
