//! Probes of a node's components over the network, as nobody: does the kubelet answer
//! anonymous requests on 10250, is its read-only port 10255 open, what does the API server
//! tell an unauthenticated client. Probes only read (GET), go only to the addresses given,
//! and each request is bounded by the timeout. The server's certificate is not verified:
//! the question is what it answers, not who it is.

use std::time::Duration;

use palisade_model::node::{Answer, Endpoint};

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
