//! `palisade policy test`: Gatekeeper suites and Kyverno tests, judged by the same compiled
//! policies `scan` and `admission serve` run.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use palisade_policy::gatekeeper::EngineChoice;
use palisade_policy::gatekeeper::rego::DEFAULT_TIME_LIMIT;
use palisade_policy::suite::{CaseResult, find_test_files, run_test_file};
use serde::Serialize;

use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// `palisade policy`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run policy tests: Gatekeeper `Suite` files (as `gator verify`) and Kyverno `Test`
    /// files (as `kyverno test`). Directories are searched for `suite.yaml` and
    /// `kyverno-test.yaml`.
    Test(TestArgs),
}

/// `palisade policy test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Test files or directories.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// Which engines of Gatekeeper templates run: auto (CEL where a template has it, else
    /// Rego), rego, cel (templates without CEL are left out) or both.
    #[arg(
        long,
        env = "PALISADE_POLICY_ENGINE",
        value_name = "ENGINE",
        default_value = "auto"
    )]
    pub policy_engine: String,

    /// Output format: text or json (one record per case).
    #[arg(short, long, value_name = "FORMAT", default_value = "text")]
    pub format: String,

    /// List passing cases too (text).
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    cases: &'a [CaseResult],
    errors: Vec<String>,
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    passed: usize,
    failed: usize,
    errors: usize,
}

/// Run `palisade policy`.
pub fn command(cmd: &PolicyCommand) -> Result<u8> {
    match cmd {
        PolicyCommand::Test(args) => test(args),
    }
}

fn test(args: &TestArgs) -> Result<u8> {
    let engines = EngineChoice::parse(&args.policy_engine).ok_or_else(|| {
        anyhow::anyhow!(
            "--policy-engine: unknown engine `{}` (expected auto, rego, cel or both)",
            args.policy_engine
        )
    })?;
    if !matches!(args.format.as_str(), "text" | "json") {
        anyhow::bail!(
            "--format: unknown format `{}` (expected text or json)",
            args.format
        );
    }
    let files = find_test_files(&args.paths).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for file in &files {
        match run_test_file(file, engines, DEFAULT_TIME_LIMIT) {
            Ok(r) => cases.extend(r),
            Err(e) => errors.push(crate::printable_error(&e.to_string())),
        }
    }
    let failed = cases.iter().filter(|c| !c.pass).count();
    let passed = cases.len() - failed;
    let mut out = std::io::stdout().lock();
    if args.format == "json" {
        let report = JsonReport {
            cases: &cases,
            errors: errors.clone(),
            summary: Summary {
                files: files.len(),
                passed,
                failed,
                errors: errors.len(),
            },
        };
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        for c in &cases {
            if c.pass && !args.verbose {
                continue;
            }
            let status = if c.pass { "ok  " } else { "FAIL" };
            writeln!(
                out,
                "{status} {} {} {}: expected {}, got {}",
                crate::printable_error(&c.suite),
                crate::printable_error(&c.test),
                crate::printable_error(&c.case),
                crate::printable_error(&c.expected),
                crate::printable_error(&c.got)
            )?;
        }
        for e in &errors {
            writeln!(out, "error: {e}")?;
        }
        writeln!(
            out,
            "{} test file{}, {} case{}: {passed} passed, {failed} failed{}",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            cases.len(),
            if cases.len() == 1 { "" } else { "s" },
            if errors.is_empty() {
                String::new()
            } else {
                format!(", {} errors", errors.len())
            }
        )?;
    }
    Ok(if !errors.is_empty() || files.is_empty() {
        EXIT_ERROR
    } else if failed > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}
