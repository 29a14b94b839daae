//! `palisade audit follow`: live log files through the one pipeline, until interrupted.

use std::sync::Arc;

use anyhow::{Context, Result};
use palisade_audit::metrics::AuditMetrics;
use palisade_audit::{Follow, Followed};
use palisade_report::audit::ReadAt;

use super::FollowArgs;
use super::pipeline::Pipeline;

/// Follow the files, judging events as they are appended; on SIGTERM or Ctrl-C, read what is
/// left, print the summary and stop.
pub fn follow(args: &FollowArgs) -> Result<u8> {
    crate::daemon::init_logging();
    let interval = crate::daemon::duration("poll-interval", &args.poll_interval)?;
    let (rules, fail_on) = super::rules(&args.detect)?;
    let posture = super::context::load(&args.detect)?;
    let metrics = Arc::new(AuditMetrics::new());
    let mut pipeline = Pipeline::new(
        rules.audit_run(),
        posture.as_ref(),
        &args.detect,
        fail_on,
        true,
        metrics,
    )?;
    let mut follows = Vec::new();
    for path in &args.paths {
        let follow = Follow::new(path, args.from_start)
            .with_context(|| format!("cannot follow {}", path.display()))?;
        pipeline.source();
        follows.push((path.display().to_string(), follow));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let stop = crate::daemon::stop_flag(&runtime)?;
    tracing::info!(files = ?args.paths, "following");
    let mut warned = std::collections::HashSet::new();
    loop {
        let stopping = stop.load(std::sync::atomic::Ordering::Acquire);
        let mut read = 0;
        for (file, follow) in &mut follows {
            let items = match follow.poll() {
                Ok(items) => items,
                Err(e) => {
                    // Perhaps transient (a volume remounting): say so once, try again later.
                    if warned.insert(file.clone()) {
                        tracing::warn!(file = %file, error = %e, "cannot read; retrying");
                    }
                    continue;
                }
            };
            warned.remove(file.as_str());
            read += items.len();
            judge_all(&mut pipeline, file, items)?;
        }
        if stopping {
            break;
        }
        if read == 0 {
            std::thread::sleep(interval);
        }
    }
    // A daemon stopped on purpose ends cleanly; what it found went out as it found it.
    pipeline.finish(false)?;
    Ok(crate::EXIT_CLEAN)
}

fn judge_all(pipeline: &mut Pipeline<'_>, file: &str, items: Vec<Followed>) -> Result<()> {
    let mut judged = 0;
    let mut newest = None;
    for item in items {
        match item {
            Followed::Event(event, line) => {
                judged += 1;
                newest = event.at_micros().or(newest);
                pipeline.judge(&event, &ReadAt { path: file, line })?;
            }
            Followed::Malformed(e) => pipeline.malformed(file, e.line, &e.message)?,
            Followed::Rotated => tracing::info!(file, "log rotated; reading the new file"),
            Followed::Truncated => tracing::info!(file, "log truncated; reading from its start"),
        }
    }
    pipeline.judged(judged, newest);
    Ok(())
}
