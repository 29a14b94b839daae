//! `palisade audit scan`: the audit detections of the one rule catalog over Kubernetes audit
//! logs (JSON lines or `EventList` objects, plain or gzip, files or standard input), one alert
//! per line as text or JSON.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use palisade_audit::Event;
use palisade_config::{FailOn, Overrides};
use palisade_diagnostics::{Finding, Input};
use palisade_engine::RuleSet;
use palisade_report::audit::{
    AuditSummary, EventContext, ReadAt, audit_summary_line, write_alert_json, write_alert_text,
};
use palisade_report::terminal::{TerminalWriter, printable};

use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// `palisade audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Run the audit detections over audit logs (files or `-` for standard input) and print
    /// one alert per line.
    Scan(ScanArgs),
}

/// `palisade audit scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Audit logs: JSON lines (the log backend's files) or EventList objects, plain or
    /// gzip-compressed; `-` for standard input.
    #[arg(value_name = "FILE", required = true)]
    paths: Vec<PathBuf>,

    /// Output: text (one line per alert, then a summary) or json (one JSON object per alert
    /// per line; the summary goes to standard error).
    #[arg(short, long, default_value = "text", value_parser = ["text", "json"])]
    format: String,

    /// Exit 1 when an alert is at least this severe: info, low (default), medium, high,
    /// critical, or never.
    #[arg(long, env = "PALISADE_FAIL_ON", value_name = "SEVERITY")]
    fail_on: Option<String>,

    /// Only run detections matching these selectors (ids, names, prefixes such as
    /// `AUDIT-D1`); comma-separated, repeatable.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Vec<String>,

    /// Never run detections matching these selectors; comma-separated, repeatable.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,

    /// Use this configuration file instead of searching for palisade.toml (its
    /// `[rule-options]` hold the detections' allow-lists).
    #[arg(long, value_name = "FILE", env = "PALISADE_CONFIG")]
    config: Option<PathBuf>,

    /// Use no configuration file.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,

    /// Print only the summary line.
    #[arg(short, long)]
    quiet: bool,
}

/// Run a subcommand.
pub fn command(cmd: &AuditCommand) -> Result<u8> {
    match cmd {
        AuditCommand::Scan(args) => scan(args),
    }
}

/// The detections the configuration selects.
fn rules(args: &ScanArgs) -> Result<(RuleSet, FailOn)> {
    let overrides = Overrides {
        config: args.config.clone(),
        no_config: args.no_config,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.clone(),
        ..Overrides::default()
    };
    let mut resolved = palisade_config::resolve(&overrides).map_err(crate::config::error)?;
    resolved.settings.input = Input::Audit;
    let rules = RuleSet::new(palisade_rules::registry(), resolved.settings.clone())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((rules, resolved.fail_on))
}

/// What an alert shows of its event.
pub fn context<'e>(event: &'e Event, uri: &'e str) -> EventContext<'e> {
    EventContext {
        timestamp: if event.stage_timestamp.is_empty() {
            &event.request_received_timestamp
        } else {
            &event.stage_timestamp
        },
        stage: &event.stage,
        request_uri: uri,
        groups: &event.user.groups,
        impersonated_user: event
            .impersonated_user
            .as_ref()
            .map(|u| u.username.as_str()),
        source_ips: &event.source_ips,
        user_agent: &event.user_agent,
        code: event.code(),
    }
}

fn scan(args: &ScanArgs) -> Result<u8> {
    let (rules, fail_on) = rules(args)?;
    let mut run = rules.audit_run();
    let mut summary = AuditSummary::default();
    let mut failing = false;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr().lock();
    let mut unreadable = false;
    for path in &args.paths {
        let display = path.display().to_string();
        let reader: Box<dyn BufRead> = if display == "-" {
            Box::new(std::io::BufReader::with_capacity(1 << 16, std::io::stdin()))
        } else {
            match palisade_audit::open(path) {
                Ok(r) => r,
                Err(e) => {
                    writeln!(err, "error: {}: {e}", printable(&display))?;
                    unreadable = true;
                    continue;
                }
            }
        };
        summary.sources += 1;
        let mut events = palisade_audit::read_events(reader);
        while let Some(next) = events.next() {
            let event = match next {
                Ok(event) => event,
                Err(e) => {
                    summary.malformed += 1;
                    writeln!(
                        err,
                        "error: {}:{}: {}",
                        printable(&display),
                        e.line,
                        printable(&e.message)
                    )?;
                    continue;
                }
            };
            summary.events += 1;
            let findings: Vec<Finding> = run.observe(&event);
            if findings.is_empty() {
                continue;
            }
            let at = ReadAt {
                path: &display,
                line: events.event_line(),
            };
            let uri = event.masked_uri();
            let ctx = context(&event, &uri);
            for f in &findings {
                summary.alert(f.severity);
                failing |= fail_on.threshold().is_some_and(|t| f.severity >= t);
                if args.quiet {
                    continue;
                }
                if args.format == "json" {
                    write_alert_json(&mut out, f, &ctx, &at)?;
                } else {
                    write_alert_text(&mut TerminalWriter::new(&mut out), f, &ctx, &at)?;
                }
            }
        }
    }
    let line = audit_summary_line(&summary);
    if args.format == "json" {
        out.flush()?;
        writeln!(err, "{line}")?;
    } else {
        writeln!(out, "{line}")?;
        out.flush()?;
    }
    Ok(if unreadable || summary.malformed > 0 {
        EXIT_ERROR
    } else if failing {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}
