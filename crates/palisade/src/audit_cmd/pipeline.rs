//! The one pipeline every audit front door feeds: each event through the detections, each
//! alert counted, written (text, JSON lines or OCSF) and handed to the alert sink.

use std::io::{BufRead, Write};
use std::sync::Arc;

use anyhow::Result;
use palisade_audit::Event;
use palisade_audit::metrics::{AuditMetrics, SinkResult};
use palisade_config::FailOn;
use palisade_engine::AuditRun;
use palisade_report::audit::{
    AuditSummary, EventContext, ReadAt, audit_summary_line, write_alert_json, write_alert_ocsf,
    write_alert_text,
};
use palisade_report::terminal::{TerminalWriter, printable};
use palisade_scan::posture::Posture;

use super::sink::AlertSink;
use super::{DetectArgs, ScanArgs};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

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

/// How alerts are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One line of text per alert, the summary last.
    Text,
    /// One JSON object per line; the summary on standard error.
    Json,
    /// One OCSF Detection Finding per line; the summary on standard error.
    Ocsf,
}

impl Format {
    fn of(name: &str) -> Format {
        match name {
            "json" => Format::Json,
            "ocsf" => Format::Ocsf,
            _ => Format::Text,
        }
    }
}

/// The detections over one stream of events, and where their alerts go.
pub struct Pipeline<'r> {
    run: AuditRun<'r>,
    format: Format,
    quiet: bool,
    fail_on: FailOn,
    /// Flush after every alert (a live stream), rather than when the buffer fills.
    live: bool,
    out: std::io::BufWriter<std::io::Stdout>,
    summary: AuditSummary,
    failing: bool,
    metrics: Arc<AuditMetrics>,
    sink: Option<AlertSink>,
    posture: Option<&'r Posture>,
}

impl<'r> Pipeline<'r> {
    /// A pipeline over `run`, writing as `args` asks; with a posture, each alert carries what
    /// it says, and the detections see its RBAC objects.
    pub fn new(
        run: AuditRun<'r>,
        posture: Option<&'r Posture>,
        args: &DetectArgs,
        fail_on: FailOn,
        live: bool,
        metrics: Arc<AuditMetrics>,
    ) -> Result<Pipeline<'r>> {
        let run = match posture {
            Some(posture) => run.with_rbac(posture.rbac()),
            None => run,
        };
        let sink = match &args.alert_webhook {
            Some(url) => Some(AlertSink::start(
                url,
                args.alert_webhook_ca.as_deref(),
                metrics.clone(),
            )?),
            None => None,
        };
        Ok(Pipeline {
            run,
            format: Format::of(&args.format),
            quiet: args.quiet,
            fail_on,
            live,
            out: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()),
            summary: AuditSummary::default(),
            failing: false,
            metrics,
            sink,
            posture,
        })
    }

    /// Count one more source read.
    pub fn source(&mut self) {
        self.summary.sources += 1;
    }

    /// Judge one event read at `at`.
    pub fn judge(&mut self, event: &Event, at: &ReadAt<'_>) -> std::io::Result<()> {
        self.summary.events += 1;
        let findings = self.run.observe(event);
        if findings.is_empty() {
            return Ok(());
        }
        let uri = event.masked_uri();
        let ctx = context(event, &uri);
        let note = self.posture.map(|p| p.note(event));
        for mut f in findings {
            let mut note = note.clone();
            if let Some(note) = &mut note {
                palisade_scan::posture::raise(&mut f, note);
            }
            let (f, note) = (&f, note.as_ref());
            self.summary.alert(f.severity);
            self.metrics.alert(&f.rule.id, f.severity.as_str());
            self.failing |= self.fail_on.threshold().is_some_and(|t| f.severity >= t);
            if let Some(sink) = &self.sink {
                let mut body = Vec::new();
                match self.format {
                    Format::Ocsf => write_alert_ocsf(&mut body, f, &ctx, at, note)?,
                    _ => write_alert_json(&mut body, f, &ctx, at, note)?,
                }
                sink.send(body);
            }
            if self.quiet {
                continue;
            }
            match self.format {
                Format::Json => write_alert_json(&mut self.out, f, &ctx, at, note)?,
                Format::Ocsf => write_alert_ocsf(&mut self.out, f, &ctx, at, note)?,
                Format::Text => {
                    write_alert_text(&mut TerminalWriter::new(&mut self.out), f, &ctx, at, note)?
                }
            }
        }
        if self.live {
            self.out.flush()?;
        }
        Ok(())
    }

    /// Record events judged elsewhere in time: how far behind the newest one is.
    pub fn judged(&mut self, events: u64, newest: Option<i64>) {
        self.metrics.judged(events);
        if let Some(at) = newest {
            let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000;
            self.metrics
                .lag((now as i64).saturating_sub(at) as f64 / 1e6);
        }
    }

    /// Count a line or body that was not an event, and say where it was.
    pub fn malformed(&mut self, path: &str, line: usize, message: &str) -> std::io::Result<()> {
        self.summary.malformed += 1;
        self.metrics.malformed();
        let mut err = std::io::stderr().lock();
        if line > 0 {
            writeln!(
                err,
                "error: {}:{line}: {}",
                printable(path),
                printable(message)
            )
        } else {
            writeln!(err, "error: {}: {}", printable(path), printable(message))
        }
    }

    /// Finish: deliver what the sink holds, print the summary, and say how the run ends.
    pub fn finish(mut self, unreadable: bool) -> Result<u8> {
        if let Some(sink) = self.sink.take() {
            sink.finish();
        }
        let mut line = audit_summary_line(&self.summary);
        let dropped = self.metrics.sink_count(SinkResult::Dropped);
        let alerts = |n: u64| {
            if n == 1 {
                "1 alert".to_string()
            } else {
                format!("{n} alerts")
            }
        };
        if dropped > 0 {
            line.push_str(&format!(
                " {} dropped: the alert webhook's queue was full.",
                alerts(dropped)
            ));
        }
        let failed = self.metrics.sink_count(SinkResult::Failed);
        if failed > 0 {
            line.push_str(&format!(
                " {} not delivered to the alert webhook.",
                alerts(failed)
            ));
        }
        let mut err = std::io::stderr().lock();
        if self.format == Format::Text {
            writeln!(self.out, "{line}")?;
            self.out.flush()?;
        } else {
            self.out.flush()?;
            writeln!(err, "{line}")?;
        }
        Ok(if unreadable || self.summary.malformed > 0 {
            EXIT_ERROR
        } else if self.failing {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        })
    }
}

/// `palisade audit scan`.
pub fn scan(args: &ScanArgs) -> Result<u8> {
    let (rules, fail_on) = super::rules(&args.detect)?;
    let posture = super::context::load(&args.detect)?;
    let metrics = Arc::new(AuditMetrics::new());
    let mut pipeline = Pipeline::new(
        rules.audit_run(),
        posture.as_ref(),
        &args.detect,
        fail_on,
        false,
        metrics,
    )?;
    let mut unreadable = false;
    for path in &args.paths {
        let display = path.display().to_string();
        let reader: Box<dyn BufRead> = if display == "-" {
            Box::new(std::io::BufReader::with_capacity(1 << 16, std::io::stdin()))
        } else {
            match palisade_audit::open(path) {
                Ok(r) => r,
                Err(e) => {
                    writeln!(std::io::stderr(), "error: {}: {e}", printable(&display))?;
                    unreadable = true;
                    continue;
                }
            }
        };
        pipeline.source();
        let mut events = palisade_audit::read_events(reader);
        while let Some(next) = events.next() {
            match next {
                Ok(event) => {
                    let at = ReadAt {
                        path: &display,
                        line: events.event_line(),
                    };
                    pipeline.judge(&event, &at)?;
                }
                Err(e) => pipeline.malformed(&display, e.line, &e.message)?,
            }
        }
    }
    pipeline.finish(unreadable)
}
