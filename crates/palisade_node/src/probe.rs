//! Probes of a node's components over the network, as nobody: does the kubelet answer
//! anonymous requests on 10250, is its read-only port 10255 open, what does the API server
//! tell an unauthenticated client. Probes only read (GET), go only to the addresses given,
//! and each request is bounded by the timeout. The server's certificate is not verified:
//! the question is what it answers, not who it is.

use std::time::Duration;

use palisade_model::node::{Answer, Endpoint, SecretSample};

/// Paths of the kubelet API that must not answer anonymous requests.
pub const KUBELET_PATHS: [&str; 5] = ["/pods", "/configz", "/runningpods/", "/metrics", "/spec/"];

/// Paths of the API server asked anonymously: the public ones (health, version) and the
/// ones that must not be.
pub const APISERVER_PATHS: [&str; 8] = [
    "/healthz",
    "/livez",
    "/readyz",
    "/version",
    "/api",
    "/apis",
    "/metrics",
    "/api/v1/namespaces",
];

fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    palisade_https::install_ring();
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())
}

/// GET each path of `base` anonymously.
async fn ask(component: &str, base: &str, paths: &[&str], timeout: Duration) -> Endpoint {
    let mut endpoint = Endpoint {
        component: component.to_string(),
        address: base.to_string(),
        ..Endpoint::default()
    };
    let client = match client(timeout) {
        Ok(c) => c,
        Err(e) => {
            endpoint.error = Some(e);
            return endpoint;
        }
    };
    for path in paths {
        match client.get(format!("{base}{path}")).send().await {
            Ok(response) => endpoint.anonymous.push(Answer {
                path: path.to_string(),
                status: response.status().as_u16(),
            }),
            Err(e) => {
                // Unreachable: the rest of the paths would say the same.
                let why = if e.is_timeout() {
                    format!("no answer within {timeout:?}")
                } else if e.is_connect() {
                    "connection refused or unreachable".to_string()
                } else {
                    e.to_string()
                };
                endpoint.error = Some(why);
                break;
            }
        }
    }
    endpoint
}

/// Probe the kubelet at `host:port` (HTTPS) and its read-only port (plain HTTP) on the same
/// host, when `read_only_port` is given.
pub async fn probe_kubelet(
    host: &str,
    port: u16,
    read_only_port: Option<u16>,
    timeout: Duration,
) -> Vec<Endpoint> {
    let mut out = vec![
        ask(
            "kubelet",
            &format!("https://{host}:{port}"),
            &KUBELET_PATHS,
            timeout,
        )
        .await,
    ];
    if let Some(ro) = read_only_port {
        out.push(
            ask(
                "kubelet-read-only",
                &format!("http://{host}:{ro}"),
                &["/pods"],
                timeout,
            )
            .await,
        );
    }
    out
}

/// Probe the API server at `url` (`https://host:port`).
pub async fn probe_apiserver(url: &str, timeout: Duration) -> Endpoint {
    ask(
        "kube-apiserver",
        url.trim_end_matches('/'),
        &APISERVER_PATHS,
        timeout,
    )
    .await
}

/// The client credentials of an etcd probe (PEM texts).
#[derive(Debug, Clone, Default)]
pub struct EtcdCredentials {
    /// The CA that signed etcd's serving certificate.
    pub ca: Option<Vec<u8>>,
    /// A client certificate and its key, as the API server uses.
    pub identity: Option<(Vec<u8>, Vec<u8>)>,
}

/// Probe etcd at `endpoint` (`host:port`, or a URL whose scheme is ignored): does it serve
/// plaintext clients, TLS clients without a certificate, and — with a client that it serves —
/// how are at most `sample` Secrets stored under `/registry/secrets/`. Only reads; values are
/// classified and dropped.
pub async fn probe_etcd(
    endpoint: &str,
    credentials: &EtcdCredentials,
    sample: usize,
    timeout: Duration,
) -> Endpoint {
    palisade_https::install_ring();
    let address = endpoint
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let host = address
        .rsplit_once(':')
        .map_or(address.as_str(), |(h, _)| h)
        .trim_matches(['[', ']'])
        .to_string();
    let mut out = Endpoint {
        component: "etcd".into(),
        address: address.clone(),
        ..Endpoint::default()
    };
    let options = || {
        etcd_client::ConnectOptions::new()
            .with_timeout(timeout)
            .with_connect_timeout(timeout)
    };
    let status = |url: String, opts: etcd_client::ConnectOptions| async move {
        let mut client =
            tokio::time::timeout(timeout, etcd_client::Client::connect([url], Some(opts)))
                .await
                .map_err(|_| format!("no answer within {timeout:?}"))?
                .map_err(|e| e.to_string())?;
        tokio::time::timeout(timeout, client.status())
            .await
            .map_err(|_| format!("no answer within {timeout:?}"))?
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(client)
    };
    let tls = |identity: bool| {
        let mut tls = etcd_client::TlsOptions::new().domain_name(host.clone());
        if let Some(ca) = &credentials.ca {
            tls = tls.ca_certificate(etcd_client::Certificate::from_pem(ca));
        }
        if identity && let Some((cert, key)) = &credentials.identity {
            tls = tls.identity(etcd_client::Identity::from_pem(cert, key));
        }
        tls
    };
    let plain = status(format!("http://{address}"), options()).await;
    out.plaintext = Some(plain.is_ok());
    let anonymous_tls = if credentials.ca.is_some() {
        let r = status(format!("https://{address}"), options().with_tls(tls(false))).await;
        out.without_client_certificate = Some(r.is_ok());
        r
    } else {
        Err("no CA given".to_string())
    };
    let mut client = match (&credentials.identity, plain, anonymous_tls) {
        (Some(_), _, _) if credentials.ca.is_some() => {
            match status(format!("https://{address}"), options().with_tls(tls(true))).await {
                Ok(c) => Some(c),
                Err(e) => {
                    out.error = Some(format!("with the client certificate: {e}"));
                    None
                }
            }
        }
        (_, Ok(c), _) => Some(c),
        (_, _, Ok(c)) => Some(c),
        (_, Err(e), _) => {
            out.error = Some(e);
            None
        }
    };
    if let Some(client) = client.as_mut() {
        out.secrets = sample_secrets(client, sample, timeout).await;
    }
    out
}

/// How at most `sample` Secrets are stored.
async fn sample_secrets(
    client: &mut etcd_client::Client,
    sample: usize,
    timeout: Duration,
) -> Option<SecretSample> {
    let keys = tokio::time::timeout(
        timeout,
        client.get(
            "/registry/secrets/",
            Some(
                etcd_client::GetOptions::new()
                    .with_prefix()
                    .with_keys_only()
                    .with_limit(sample as i64),
            ),
        ),
    )
    .await
    .ok()?
    .ok()?;
    let mut out = SecretSample::default();
    for kv in keys.kvs().iter().take(sample) {
        let Ok(Ok(value)) = tokio::time::timeout(timeout, client.get(kv.key(), None)).await else {
            continue;
        };
        let Some(stored) = value.kvs().first() else {
            continue;
        };
        out.sampled += 1;
        match envelope(stored.value()) {
            Some((provider, key)) => {
                out.providers.entry(provider).or_default().insert(key);
            }
            None => out.plaintext += 1,
        }
    }
    Some(out)
}

/// The provider and key name of a value encrypted by the API server
/// (`k8s:enc:aescbc:v1:key1:…`, `k8s:enc:kms:v2:name:…`), or `None` for a plaintext one.
pub fn envelope(value: &[u8]) -> Option<(String, String)> {
    let rest = value.strip_prefix(b"k8s:enc:")?;
    let mut parts = rest.splitn(4, |&b| b == b':');
    let provider = std::str::from_utf8(parts.next()?).ok()?;
    let version = std::str::from_utf8(parts.next()?).ok()?;
    let key = std::str::from_utf8(parts.next()?).ok()?;
    let provider = if provider == "kms" {
        format!("kms {version}")
    } else {
        provider.to_string()
    };
    Some((provider, key.to_string()))
}

#[cfg(test)]
mod tests {
    use super::envelope;

    #[test]
    fn envelopes_name_their_provider_and_key() {
        assert_eq!(
            envelope(b"k8s:enc:aescbc:v1:key1:\x00\x01binary"),
            Some(("aescbc".into(), "key1".into()))
        );
        assert_eq!(
            envelope(b"k8s:enc:kms:v2:vault-prod:\x0a\x0b"),
            Some(("kms v2".into(), "vault-prod".into()))
        );
        assert_eq!(envelope(b"k8s\x00\x0a\x0cv1\x12\x06Secret"), None);
        assert_eq!(envelope(b"k8s:enc:"), None);
    }
}
