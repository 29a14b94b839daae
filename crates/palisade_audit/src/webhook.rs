//! The audit webhook backend: the HTTPS endpoint the API server posts `EventList` batches to
//! (`--audit-webhook-config-file`). It answers at once and hands each batch to the
//! detections through a bounded queue; when the queue is full it answers 429 with
//! `Retry-After`, which the API server's webhook client retries with backoff, so a slow
//! consumer slows the sender down instead of losing events. Bodies are bounded and never
//! logged (they can hold request objects).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_server::Handle;
use palisade_https::{CertReload, HttpsError, TlsFiles};
use tokio::sync::mpsc;

use crate::Event;
use crate::metrics::{AuditMetrics, BatchResult};
use crate::read::{Parsed, parse};

/// How the backend listens and what it bounds.
#[derive(Debug, Clone)]
pub struct WebhookOptions {
    /// HTTPS address.
    pub listen: SocketAddr,
    /// Certificate and key.
    pub tls: TlsFiles,
    /// Largest request body (an `EventList` batch).
    pub max_body: usize,
    /// Batches queued for the detections before senders are asked to retry.
    pub queue: usize,
    /// Deadline for a request's headers and body.
    pub timeout: Duration,
    /// How often the certificate files are checked for changes.
    pub reload_interval: Duration,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub grace: Duration,
}

impl WebhookOptions {
    /// Defaults for everything but the certificate and key: port 8444, 64 MiB bodies (the
    /// API server's batches are 400 events by default), 64 queued batches (about 25,000
    /// events: tens of MiB).
    pub fn new(tls: TlsFiles) -> WebhookOptions {
        WebhookOptions {
            listen: SocketAddr::from(([0, 0, 0, 0], 8444)),
            tls,
            max_body: 64 << 20,
            queue: 64,
            timeout: Duration::from_secs(10),
            reload_interval: Duration::from_secs(2),
            grace: Duration::from_secs(10),
        }
    }
}

/// A batch of events, as one request brought them.
#[derive(Debug)]
pub struct Batch {
    /// The events, in order.
    pub events: Vec<Event>,
    /// When the request arrived.
    pub received: Instant,
}

struct Shared {
    queue: mpsc::Sender<Batch>,
    metrics: Arc<AuditMetrics>,
    max_body: usize,
    timeout: Duration,
    ready: AtomicBool,
}

/// The backend with its listener bound and its certificate loaded, ready to run.
pub struct WebhookBackend {
    opts: WebhookOptions,
    tls: axum_server::tls_rustls::RustlsConfig,
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for WebhookBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookBackend")
            .field("listen", &self.listener.local_addr().ok())
            .finish_non_exhaustive()
    }
}

impl WebhookBackend {
    /// Load the certificate and bind the listener; the batches it accepts arrive on the
    /// receiver, at most `opts.queue` at a time.
    pub async fn bind(
        opts: WebhookOptions,
        metrics: Arc<AuditMetrics>,
    ) -> Result<(WebhookBackend, mpsc::Receiver<Batch>), HttpsError> {
        let tls = opts.tls.load().await?;
        let listener = palisade_https::bind(opts.listen)?;
        let (queue, batches) = mpsc::channel(opts.queue.max(1));
        let shared = Arc::new(Shared {
            queue,
            metrics,
            max_body: opts.max_body,
            timeout: opts.timeout,
            ready: AtomicBool::new(true),
        });
        Ok((
            WebhookBackend {
                opts,
                tls,
                listener,
                shared,
            },
            batches,
        ))
    }

    /// The HTTPS address (with the port chosen when 0 was asked).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serve until `shutdown` completes, then let in-flight requests finish (at most the
    /// grace period). The queue's sender is dropped on return, so the consumer sees the end.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let WebhookBackend {
            opts,
            tls,
            listener,
            shared,
        } = self;
        let handle: Handle<SocketAddr> = Handle::new();
        let reload = {
            let tls = tls.clone();
            let mut certs = CertReload::new(opts.tls.clone());
            let every = opts.reload_interval;
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                loop {
                    tick.tick().await;
                    certs.check(&tls).await;
                }
            })
        };
        {
            let handle = handle.clone();
            let shared = shared.clone();
            let grace = opts.grace;
            tokio::spawn(async move {
                shutdown.await;
                shared.ready.store(false, Ordering::Release);
                handle.graceful_shutdown(Some(grace));
            });
        }
        let app = router(shared);
        let served = palisade_https::serve(listener, tls, app, handle, opts.timeout).await;
        reload.abort();
        served
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .fallback(receive)
        .with_state(shared)
}

async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    if shared.ready.load(Ordering::Acquire) {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
    }
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        shared.metrics.render(),
    )
        .into_response()
}

/// `POST` of an `EventList` (any path: the one in the API server's webhook configuration).
async fn receive(
    State(shared): State<Arc<Shared>>,
    method: axum::http::Method,
    body: Body,
) -> Response {
    if method != axum::http::Method::POST {
        return (StatusCode::METHOD_NOT_ALLOWED, "POST an audit EventList\n").into_response();
    }
    let received = Instant::now();
    let bytes =
        match tokio::time::timeout(shared.timeout, axum::body::to_bytes(body, shared.max_body))
            .await
        {
            Err(_) => return (StatusCode::REQUEST_TIMEOUT, "body too slow\n").into_response(),
            Ok(Err(_)) => {
                shared.metrics.batch(BatchResult::TooLarge, 0);
                return (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("body larger than {} bytes\n", shared.max_body),
                )
                    .into_response();
            }
            Ok(Ok(bytes)) => bytes,
        };
    let events = match parse(&bytes) {
        Ok(Parsed::Many(events)) => events,
        Ok(Parsed::One(event)) => vec![*event],
        Err(message) => {
            shared.metrics.batch(BatchResult::BadRequest, 0);
            shared.metrics.malformed();
            return (StatusCode::BAD_REQUEST, format!("{message}\n")).into_response();
        }
    };
    let count = events.len() as u64;
    match shared.queue.try_send(Batch { events, received }) {
        Ok(()) => {
            shared.metrics.batch(BatchResult::Accepted, count);
            shared
                .metrics
                .queued((shared.queue.max_capacity() - shared.queue.capacity()) as i64);
            StatusCode::OK.into_response()
        }
        Err(mpsc::error::TrySendError::Full(_)) => {
            shared.metrics.batch(BatchResult::Throttled, 0);
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "1")],
                "detections are behind; retry\n",
            )
                .into_response()
        }
        Err(mpsc::error::TrySendError::Closed(_)) => {
            (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response()
        }
    }
}

/// The kubeconfig-format file the API server reads with `--audit-webhook-config-file`: the
/// backend's URL and the CA that signed its certificate (PEM, embedded).
pub fn webhook_config(server: &str, ca_pem: &[u8]) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
  - name: palisade-audit
    cluster:
      server: {server}
      certificate-authority-data: {}
contexts:
  - name: palisade-audit
    context:
      cluster: palisade-audit
      user: kube-apiserver
current-context: palisade-audit
users:
  - name: kube-apiserver
    user: {{}}
",
        data_encoding::BASE64.encode(ca_pem)
    )
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// The router over plain TCP on loopback (TLS is the shared server's, tested end to end).
    async fn serve(
        queue: usize,
        max_body: usize,
    ) -> (SocketAddr, mpsc::Receiver<Batch>, Arc<AuditMetrics>) {
        let (tx, rx) = mpsc::channel(queue);
        let metrics = Arc::new(AuditMetrics::new());
        let shared = Arc::new(Shared {
            queue: tx,
            metrics: metrics.clone(),
            max_body,
            timeout: Duration::from_secs(5),
            ready: AtomicBool::new(true),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router(shared)).await });
        (addr, rx, metrics)
    }

    async fn post(addr: SocketAddr, body: &str) -> String {
        let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "POST /audit HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        tcp.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).await.unwrap();
        answer
    }

    const LIST: &str = r#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"kind":"Event","auditID":"a","stage":"ResponseComplete","verb":"get","requestURI":"/api","user":{"username":"alice"}},{"kind":"Event","auditID":"b","stage":"ResponseComplete","verb":"get","requestURI":"/api","user":{"username":"bob"}}]}"#;

    #[tokio::test]
    async fn a_full_queue_asks_the_sender_to_retry_and_loses_nothing() {
        let (addr, mut rx, metrics) = serve(1, 1 << 20).await;
        assert!(post(addr, LIST).await.starts_with("HTTP/1.1 200"));
        let throttled = post(addr, LIST).await;
        assert!(throttled.starts_with("HTTP/1.1 429"), "{throttled}");
        assert!(
            throttled.to_ascii_lowercase().contains("retry-after: 1"),
            "{throttled}"
        );
        // The consumer catches up; the retried batch is accepted.
        let first = rx.recv().await.unwrap();
        assert_eq!(first.events.len(), 2);
        assert_eq!(first.events[1].audit_id, "b");
        assert!(post(addr, LIST).await.starts_with("HTTP/1.1 200"));
        assert_eq!(rx.recv().await.unwrap().events.len(), 2);
        let text = metrics.render();
        assert!(
            text.contains("palisade_audit_batches_total{result=\"throttled\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("palisade_audit_received_events_total 4"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn bodies_are_bounded_and_must_be_events() {
        let (addr, mut rx, _) = serve(4, 100).await;
        assert!(post(addr, LIST).await.starts_with("HTTP/1.1 413"));
        let bad = post(addr, "{\"kind\":").await;
        assert!(bad.starts_with("HTTP/1.1 400"), "{bad}");
        assert!(bad.contains("not an audit event"), "{bad}");
        assert!(rx.try_recv().is_err(), "nothing was queued");
    }

    #[test]
    fn the_webhook_configuration_embeds_the_ca() {
        let config = webhook_config(
            "https://audit.example:8444/audit",
            b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        );
        assert!(config.contains("server: https://audit.example:8444/audit\n"));
        let data = config
            .lines()
            .find_map(|l| l.trim().strip_prefix("certificate-authority-data: "))
            .unwrap();
        assert_eq!(
            data_encoding::BASE64.decode(data.as_bytes()).unwrap(),
            b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        );
    }
}
