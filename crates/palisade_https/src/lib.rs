//! HTTPS serving for Palisade's servers (the admission webhook, the audit webhook backend):
//! one place that loads a certificate into rustls with ring, reloads it when its files
//! change, binds listeners, and serves an axum router until a graceful shutdown.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;

/// Why a server cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpsError {
    /// An address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The certificate or key cannot be loaded.
    #[error("cannot load the TLS certificate {cert} and key {key}: {source}")]
    Tls {
        /// The certificate file.
        cert: String,
        /// The key file.
        key: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Make ring the process's TLS provider: the only one compiled in (no C build of aws-lc).
/// rustls deprecates it for lacking post-quantum key exchange; the API server's webhook
/// client offers classical groups, which ring serves. Installing it twice is harmless.
#[allow(deprecated)]
pub fn install_ring() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A certificate chain and its private key, as PEM files (a mounted Secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

impl TlsFiles {
    /// Install ring and load the files into a server configuration.
    pub async fn load(&self) -> Result<RustlsConfig, HttpsError> {
        install_ring();
        RustlsConfig::from_pem_file(&self.cert, &self.key)
            .await
            .map_err(|source| HttpsError::Tls {
                cert: self.cert.display().to_string(),
                key: self.key.display().to_string(),
                source,
            })
    }

    fn read(&self) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
        (
            std::fs::read(&self.cert).ok(),
            std::fs::read(&self.key).ok(),
        )
    }
}

/// Reloads a certificate when its files' content changes. A Secret volume swaps a symbolic
/// link, so content is compared rather than file events watched. Connections already open
/// keep their session; new handshakes get the new certificate. A change that cannot be loaded
/// keeps the old one.
#[derive(Debug)]
pub struct CertReload {
    files: TlsFiles,
    seen: (Option<Vec<u8>>, Option<Vec<u8>>),
}

impl CertReload {
    /// Watch `files`, as loaded now.
    pub fn new(files: TlsFiles) -> Self {
        let seen = files.read();
        CertReload { files, seen }
    }

    /// Reload `tls` if both files are readable and either changed since last time: `None`
    /// when nothing changed, else whether the new pair loaded.
    pub async fn check(&mut self, tls: &RustlsConfig) -> Option<bool> {
        let now = self.files.read();
        if now == self.seen {
            return None;
        }
        let (Some(cert), Some(key)) = &now else {
            return None;
        };
        let loaded = match tls.reload_from_pem(cert.clone(), key.clone()).await {
            Ok(()) => {
                tracing::info!("reloaded the TLS certificate");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot reload the TLS certificate; keeping the old one");
                false
            }
        };
        self.seen = now;
        Some(loaded)
    }
}

/// Bind a non-blocking listener (for a server started later on the runtime).
pub fn bind(addr: SocketAddr) -> Result<TcpListener, HttpsError> {
    let l = TcpListener::bind(addr).map_err(|source| HttpsError::Bind { addr, source })?;
    l.set_nonblocking(true)
        .map_err(|source| HttpsError::Bind { addr, source })?;
    Ok(l)
}

/// Serve `app` over TLS on `listener` until `handle` shuts it down. Headers must arrive
/// within `header_timeout` (a slow client cannot hold a connection open).
pub async fn serve(
    listener: TcpListener,
    tls: RustlsConfig,
    app: Router,
    handle: Handle<SocketAddr>,
    header_timeout: Duration,
) -> std::io::Result<()> {
    // Small answers on kept-alive connections: without TCP_NODELAY, Nagle's algorithm and
    // the client's delayed acknowledgement hold some of them back by tens of milliseconds.
    let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(tls)
        .acceptor(axum_server::accept::NoDelayAcceptor::new());
    let mut server = axum_server::from_tcp(listener)?
        .acceptor(acceptor)
        .handle(handle);
    server
        .http_builder()
        .http1()
        .header_read_timeout(header_timeout);
    server.serve(app.into_make_service()).await
}
