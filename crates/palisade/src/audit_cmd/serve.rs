//! `palisade audit serve`: the webhook backend on the async runtime, the detections on this
//! thread, a bounded queue between them.

use std::sync::Arc;

use anyhow::{Context, Result};
use palisade_audit::metrics::AuditMetrics;
use palisade_audit::webhook::{WebhookBackend, WebhookOptions};
use palisade_https::TlsFiles;
use palisade_report::audit::ReadAt;

use super::ServeArgs;
use super::pipeline::Pipeline;

/// Serve until SIGTERM or Ctrl-C; then finish the batches already accepted and stop.
pub fn serve(args: &ServeArgs) -> Result<u8> {
    crate::daemon::init_logging();
    let (rules, fail_on) = super::rules(&args.detect)?;
    let posture = super::context::load(&args.detect)?;
    let metrics = Arc::new(AuditMetrics::new());
    let mut pipeline = Pipeline::new(
        rules.audit_run(),
        posture.as_ref(),
        &args.detect,
        fail_on,
        true,
        metrics.clone(),
    )?;
    let mut opts = WebhookOptions::new(TlsFiles {
        cert: args.tls_cert_file.clone(),
        key: args.tls_key_file.clone(),
    });
    opts.listen = args.listen;
    opts.max_body = args.max_body_bytes;
    opts.queue = args.queue;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let (backend, mut batches) = runtime.block_on(WebhookBackend::bind(opts, metrics.clone()))?;
    tracing::info!(listen = %backend.local_addr()?, "palisade audit webhook backend ready");
    let server = runtime.spawn(backend.run(crate::daemon::shutdown_signal()));
    pipeline.source();
    while let Some(batch) = batches.blocking_recv() {
        metrics.queued(batches.len() as i64);
        let mut newest = None;
        for event in &batch.events {
            newest = event.at_micros().or(newest);
            pipeline.judge(
                event,
                &ReadAt {
                    path: "webhook",
                    line: 0,
                },
            )?;
        }
        pipeline.judged(batch.events.len() as u64, newest);
    }
    runtime
        .block_on(server)
        .context("the webhook backend stopped")?
        .context("the webhook backend failed")?;
    tracing::info!("stopped");
    // A daemon stopped on purpose ends cleanly; what it found went out as it found it.
    pipeline.finish(false)?;
    Ok(crate::EXIT_CLEAN)
}
