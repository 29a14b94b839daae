//! The HTTPS server: `POST /validate`, `GET /healthz`, `GET /readyz`, `GET /metrics`.
//!
//! The request path: check the content type and size, read the body within the deadline,
//! wait for one of a bounded number of evaluation slots, evaluate on the blocking pool (rule
//! evaluation is CPU-bound and must not stall the executor), count, answer. Request bodies
//! are never logged: they can hold Secrets.

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use tokio::sync::Semaphore;

use crate::metrics::{ErrorReason, Metrics};
use crate::namespaces::{NamespaceModes, Namespaces, read_namespace_file};
use crate::review::{Decision, Reviewed, Reviewer};

/// The API server's own limit on request bodies.
pub const DEFAULT_MAX_BODY: usize = 3 * 1024 * 1024;

/// How the server listens and what it bounds.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// HTTPS address of the webhook (and of `/metrics` unless `metrics_listen` is set).
    pub listen: SocketAddr,
    /// Plain-HTTP address serving only `/metrics`, `/healthz` and `/readyz`.
    pub metrics_listen: Option<SocketAddr>,
    /// PEM certificate chain.
    pub tls_cert: PathBuf,
    /// PEM private key.
    pub tls_key: PathBuf,
    /// Largest request body.
    pub max_body: usize,
    /// Deadline of one request, from its headers to its answer.
    pub timeout: Duration,
    /// Reviews evaluated at once; more wait (within their deadline) for a slot.
    pub concurrency: usize,
    /// How often the certificate, key and namespace labels files are checked for changes.
    pub reload_interval: Duration,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub grace: Duration,
    /// A file of Namespace objects whose labels set each namespace's levels; re-read when
    /// it changes.
    pub namespace_labels: Option<PathBuf>,
}

impl ServerOptions {
    /// Defaults for everything but the certificate and key.
    pub fn new(tls_cert: PathBuf, tls_key: PathBuf) -> ServerOptions {
        ServerOptions {
            listen: SocketAddr::from(([0, 0, 0, 0], 8443)),
            metrics_listen: None,
            tls_cert,
            tls_key,
            max_body: DEFAULT_MAX_BODY,
            timeout: Duration::from_secs(8),
            concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()) * 4,
            reload_interval: Duration::from_secs(2),
            grace: Duration::from_secs(25),
            namespace_labels: None,
        }
    }
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// A listener or the certificate.
    #[error(transparent)]
    Https(#[from] palisade_https::HttpsError),
    /// The namespace labels file cannot be used.
    #[error(transparent)]
    Namespaces(#[from] crate::namespaces::NamespaceFileError),
    /// Serving failed.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// What the handlers share.
#[derive(Debug)]
pub struct AppState {
    reviewer: Arc<Reviewer>,
    namespaces: Arc<Namespaces>,
    metrics: Arc<Metrics>,
    permits: Arc<Semaphore>,
    max_body: usize,
    timeout: Duration,
    ready: AtomicBool,
}

impl AppState {
    /// State for a reviewer and its namespace cache.
    pub fn new(reviewer: Arc<Reviewer>, namespaces: Arc<Namespaces>, opts: &ServerOptions) -> Self {
        AppState {
            reviewer,
            namespaces,
            metrics: Arc::new(Metrics::new()),
            permits: Arc::new(Semaphore::new(opts.concurrency.max(1))),
            max_body: opts.max_body,
            timeout: opts.timeout,
            ready: AtomicBool::new(true),
        }
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }
}

/// The webhook's routes; `/metrics` too when `with_metrics`.
pub fn router(state: Arc<AppState>, with_metrics: bool) -> Router {
    let router = Router::new()
        .route("/validate", post(validate))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    let router = if with_metrics {
        router.route("/metrics", get(metrics))
    } else {
        router
    };
    router.with_state(state)
}

fn probes_and_metrics(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.ready.load(Ordering::Acquire) && state.namespaces.synced() {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// An HTTP error instead of a review.
struct Failure {
    status: StatusCode,
    reason: ErrorReason,
    message: String,
}

impl Failure {
    fn new(status: StatusCode, reason: ErrorReason, message: impl Into<String>) -> Failure {
        Failure {
            status,
            reason,
            message: message.into(),
        }
    }
}

/// Decrements the in-flight gauge however the request ends.
struct InFlight(Arc<Metrics>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight(-1);
    }
}

async fn validate(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    let start = Instant::now();
    state.metrics.in_flight(1);
    let _in_flight = InFlight(state.metrics.clone());
    match answer(&state, &headers, body, start + state.timeout).await {
        Ok(reviewed) => {
            let elapsed = start.elapsed();
            state.metrics.answered(&reviewed, elapsed.as_secs_f64());
            log(&reviewed, elapsed);
            match serde_json::to_vec(&reviewed.response) {
                Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
                Err(e) => {
                    state
                        .metrics
                        .failed(ErrorReason::Internal, start.elapsed().as_secs_f64());
                    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
                }
            }
        }
        Err(f) => {
            state
                .metrics
                .failed(f.reason, start.elapsed().as_secs_f64());
            tracing::warn!(status = f.status.as_u16(), reason = %f.message, "request refused");
            (f.status, f.message).into_response()
        }
    }
}

/// One line per decision, naming the object and the rules, never its content.
fn log(r: &Reviewed, elapsed: Duration) {
    let uid = r.response.response.as_ref().map_or("", |r| r.uid.as_str());
    let rules: Vec<&str> = r.hits.iter().map(|(_, id)| id.as_str()).collect();
    let micros = elapsed.as_micros() as u64;
    if r.decision == Decision::Denied {
        tracing::info!(uid, kind = %r.kind, namespace = %r.namespace, name = %r.name,
            operation = r.operation, dry_run = r.dry_run, decision = r.decision.as_str(),
            rules = ?rules, micros, "admission decision");
    } else {
        tracing::debug!(uid, kind = %r.kind, namespace = %r.namespace, name = %r.name,
            operation = r.operation, dry_run = r.dry_run, decision = r.decision.as_str(),
            rules = ?rules, micros, "admission decision");
    }
}

async fn answer(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    body: Body,
    deadline: Instant,
) -> Result<Reviewed, Failure> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorReason::MediaType,
            "expected an AdmissionReview as application/json",
        ));
    }
    let too_large = || {
        Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorReason::TooLarge,
            format!("request body over {} bytes", state.max_body),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > state.max_body as u64) {
        return Err(too_large());
    }
    let deadline = tokio::time::Instant::from_std(deadline);
    let bytes =
        match tokio::time::timeout_at(deadline, axum::body::to_bytes(body, state.max_body)).await {
            Err(_) => {
                return Err(Failure::new(
                    StatusCode::REQUEST_TIMEOUT,
                    ErrorReason::Timeout,
                    "the request body did not arrive before the deadline",
                ));
            }
            Ok(Err(e)) => {
                let limit = std::error::Error::source(&e)
                    .is_some_and(|s| s.to_string().contains("length limit"))
                    || e.to_string().contains("length limit");
                return Err(if limit {
                    too_large()
                } else {
                    Failure::new(
                        StatusCode::BAD_REQUEST,
                        ErrorReason::BadRequest,
                        format!("cannot read the request body: {e}"),
                    )
                });
            }
            Ok(Ok(bytes)) => bytes,
        };
    let busy = || {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorReason::Timeout,
            "the review did not finish before the deadline (server busy)",
        )
    };
    let permit = tokio::time::timeout_at(deadline, state.permits.clone().acquire_owned())
        .await
        .map_err(|_| busy())?
        .map_err(|_| busy())?;
    let reviewer = state.reviewer.clone();
    let namespaces = state.namespaces.clone();
    let work = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        reviewer.review_bytes(&bytes, namespaces.as_ref() as &dyn NamespaceModes)
    });
    match tokio::time::timeout_at(deadline, work).await {
        Err(_) => Err(busy()),
        Ok(Err(join)) => Err(Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorReason::Internal,
            format!("the review failed: {join}"),
        )),
        Ok(Ok(Err(e))) => Err(Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorReason::BadRequest,
            e.to_string(),
        )),
        Ok(Ok(Ok(reviewed))) => Ok(reviewed),
    }
}

/// A server with its listeners bound and its certificate loaded, ready to run.
pub struct Bound {
    opts: ServerOptions,
    state: Arc<AppState>,
    tls: RustlsConfig,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
}

impl std::fmt::Debug for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bound")
            .field("listen", &self.listener.local_addr().ok())
            .finish_non_exhaustive()
    }
}

/// Make ring the process's TLS provider (see [`palisade_https::install_ring`]).
pub fn install_ring() {
    palisade_https::install_ring();
}

/// Read the namespace labels file into the cache.
fn load_namespaces(path: &std::path::Path, namespaces: &Namespaces) -> Result<(), ServerError> {
    let all = read_namespace_file(path)?;
    for problem in namespaces.replace_all(&all) {
        tracing::warn!(%problem, "invalid namespace label; the strictest level applies");
    }
    Ok(())
}

impl Bound {
    /// Install ring as the process's TLS provider, load the certificate, the namespace labels
    /// file, and bind the listeners.
    pub async fn new(
        opts: ServerOptions,
        reviewer: Arc<Reviewer>,
        namespaces: Arc<Namespaces>,
    ) -> Result<Bound, ServerError> {
        let tls = tls_files(&opts).load().await?;
        if let Some(path) = &opts.namespace_labels {
            load_namespaces(path, &namespaces)?;
        }
        let listener = palisade_https::bind(opts.listen)?;
        let metrics_listener = opts.metrics_listen.map(palisade_https::bind).transpose()?;
        let state = Arc::new(AppState::new(reviewer, namespaces, &opts));
        Ok(Bound {
            opts,
            state,
            tls,
            listener,
            metrics_listener,
        })
    }

    /// The HTTPS address (with the port chosen when 0 was asked).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The plain-HTTP metrics address, if any.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// The shared state (metrics, for tests and embedding).
    pub fn state(&self) -> Arc<AppState> {
        self.state.clone()
    }

    /// Serve until `shutdown` completes, then stop accepting, let in-flight requests finish
    /// (at most `grace`) and return.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let Bound {
            opts,
            state,
            tls,
            listener,
            metrics_listener,
        } = self;
        let handle: Handle<SocketAddr> = Handle::new();
        let reload = tokio::spawn(watch_files(opts.clone(), tls.clone(), state.clone()));
        let stop = Arc::new(tokio::sync::Notify::new());
        let metrics_task = match metrics_listener {
            Some(l) => {
                let l = tokio::net::TcpListener::from_std(l)?;
                let app = probes_and_metrics(state.clone());
                let stop = stop.clone();
                Some(tokio::spawn(async move {
                    let _ = axum::serve(l, app)
                        .with_graceful_shutdown(async move { stop.notified().await })
                        .await;
                }))
            }
            None => None,
        };
        {
            let handle = handle.clone();
            let state = state.clone();
            let stop = stop.clone();
            let grace = opts.grace;
            tokio::spawn(async move {
                shutdown.await;
                tracing::info!("shutting down: finishing in-flight requests");
                state.ready.store(false, Ordering::Release);
                handle.graceful_shutdown(Some(grace));
                stop.notify_one();
            });
        }
        let app = router(state.clone(), opts.metrics_listen.is_none());
        let served = palisade_https::serve(listener, tls, app, handle, opts.timeout).await;
        reload.abort();
        if let Some(task) = metrics_task {
            stop.notify_one();
            let _ = task.await;
        }
        served.map_err(ServerError::Io)
    }
}

/// The certificate and key files of the options.
fn tls_files(opts: &ServerOptions) -> palisade_https::TlsFiles {
    palisade_https::TlsFiles {
        cert: opts.tls_cert.clone(),
        key: opts.tls_key.clone(),
    }
}

/// Reload the certificate and key ([`palisade_https::CertReload`]), and the namespace labels
/// file, when their content changes.
async fn watch_files(opts: ServerOptions, tls: RustlsConfig, state: Arc<AppState>) {
    let read = |p: &PathBuf| std::fs::read(p).ok();
    let mut certs = palisade_https::CertReload::new(tls_files(&opts));
    let mut labels = opts.namespace_labels.as_ref().and_then(read);
    let mut tick = tokio::time::interval(opts.reload_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Some(loaded) = certs.check(&tls).await {
            state.metrics.reloaded(loaded);
        }
        if let Some(path) = &opts.namespace_labels {
            let now = read(path);
            if now.is_some() && now != labels {
                if let Err(e) = load_namespaces(path, &state.namespaces) {
                    tracing::warn!(error = %e, "cannot reload the namespace labels; keeping the old ones");
                }
                labels = now;
            }
        }
    }
}
