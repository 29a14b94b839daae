//! What the long-running commands (admission and audit servers, log following) share: logs,
//! durations on the command line, and the signal that stops them.

use anyhow::Result;

/// Log to standard error at the level `PALISADE_LOG` sets (info by default), in colour only
/// on a terminal: logs collected from a pipe stay plain text.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PALISADE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none(),
        )
        .try_init();
}

/// A duration flag (`250ms`, `10s`, `2m`).
pub fn duration(flag: &str, value: &str) -> Result<std::time::Duration> {
    palisade_config::parse_duration(value).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))
}

/// SIGTERM (what the kubelet sends) or Ctrl-C.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// A flag that SIGTERM or SIGINT raises, for a loop that runs outside the async runtime. The
/// handlers are installed before this returns, so a signal that arrives at once is not lost;
/// `runtime` must have a worker thread of its own to run them.
pub fn stop_flag(
    runtime: &tokio::runtime::Runtime,
) -> Result<std::sync::Arc<std::sync::atomic::AtomicBool>> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::signal::unix::{SignalKind, signal};
    let flag = std::sync::Arc::new(AtomicBool::new(false));
    let raised = flag.clone();
    runtime.block_on(async {
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        tokio::spawn(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            raised.store(true, Ordering::Release);
        });
        Ok::<_, std::io::Error>(())
    })?;
    Ok(flag)
}
