//! `--alert-webhook`: each alert POSTed to a URL from a thread of its own, through a bounded
//! queue. A slow or failing receiver never slows the detections: past the queue's capacity,
//! alerts are dropped and counted (in the summary and on `/metrics`). Each delivery is retried
//! with exponential backoff on connection errors, 429 and 5xx.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

use anyhow::{Context, Result};
use palisade_audit::metrics::{AuditMetrics, SinkResult};

/// Alerts waiting for delivery before new ones are dropped.
const QUEUE: usize = 10_000;

/// Attempts per alert.
const ATTEMPTS: u32 = 5;

/// The alert webhook's sender.
pub struct AlertSink {
    queue: SyncSender<Vec<u8>>,
    worker: std::thread::JoinHandle<()>,
    metrics: Arc<AuditMetrics>,
}

impl AlertSink {
    /// Start delivering to `url`, trusting `ca` besides the system's roots.
    pub fn start(url: &str, ca: Option<&Path>, metrics: Arc<AuditMetrics>) -> Result<AlertSink> {
        let parsed: http::Uri = url
            .parse()
            .map_err(|e| anyhow::anyhow!("--alert-webhook {url:?}: {e}"))?;
        if !matches!(parsed.scheme_str(), Some("https" | "http")) || parsed.host().is_none() {
            anyhow::bail!("--alert-webhook {url:?}: not an http or https URL");
        }
        palisade_https::install_ring();
        let mut client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5));
        if let Some(ca) = ca {
            let pem = std::fs::read(ca).with_context(|| format!("{}", ca.display()))?;
            for cert in reqwest::Certificate::from_pem_bundle(&pem)
                .with_context(|| format!("{}: not a PEM certificate bundle", ca.display()))?
            {
                client = client.add_root_certificate(cert);
            }
        }
        let client = client
            .build()
            .context("cannot set up the alert webhook's HTTP client")?;
        let (queue, alerts) = sync_channel(QUEUE);
        let url = url.to_string();
        let worker_metrics = metrics.clone();
        let worker = std::thread::Builder::new()
            .name("alert-webhook".into())
            .spawn(move || deliver(client, &url, alerts, &worker_metrics))
            .context("cannot start the alert webhook's thread")?;
        Ok(AlertSink {
            queue,
            worker,
            metrics,
        })
    }

    /// Queue one alert (a JSON document); dropped and counted when the queue is full.
    pub fn send(&self, alert: Vec<u8>) {
        match self.queue.try_send(alert) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.metrics.sink(SinkResult::Dropped);
            }
        }
    }

    /// Deliver what is queued (each alert still gets its retries), then stop.
    pub fn finish(self) {
        drop(self.queue);
        let _ = self.worker.join();
    }
}

fn deliver(client: reqwest::Client, url: &str, alerts: Receiver<Vec<u8>>, metrics: &AuditMetrics) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        // Without a runtime nothing can be delivered: count every alert as failed.
        for _ in alerts {
            metrics.sink(SinkResult::Failed);
        }
        return;
    };
    for alert in alerts {
        let delivered = runtime.block_on(post(&client, url, alert));
        metrics.sink(if delivered {
            SinkResult::Sent
        } else {
            SinkResult::Failed
        });
    }
}

/// POST one alert, retrying what may succeed later.
async fn post(client: &reqwest::Client, url: &str, alert: Vec<u8>) -> bool {
    let mut backoff = Duration::from_millis(200);
    for attempt in 1..=ATTEMPTS {
        let sent = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(alert.clone())
            .send()
            .await;
        let retry = match sent {
            Ok(response) if response.status().is_success() => return true,
            Ok(response) => {
                let status = response.status();
                status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            }
            Err(_) => true,
        };
        if !retry || attempt == ATTEMPTS {
            break;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
    false
}
