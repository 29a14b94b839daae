//! A fake API server for tests and benchmarks: HTTPS on loopback (a CA made per server),
//! serving `/version`, discovery documents and paged lists (`limit` and `continue`) of the
//! objects it is given, with the faults a real one shows: 403 for a resource, 410 Gone for an
//! expired continue token, 429 with `Retry-After`, 5xx, slow answers and connections dropped
//! mid-body. It checks a bearer token or a client certificate, logs every request, and writes
//! kubeconfigs that point the real kube-rs client at it.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};
use axum_server::tls_rustls::RustlsConfig;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use serde_json::{Value, json};

use crate::wanted::WANTED;

/// A fault the server answers a list request of one resource with, once (except
/// [`Fault::Forbidden`], which lasts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 403 Forbidden, every time.
    Forbidden,
    /// 410 Gone for the next request that carries a continue token.
    Gone,
    /// 429 Too Many Requests with `Retry-After: seconds`.
    TooManyRequests(u64),
    /// This status (a 5xx) once.
    Status(u16),
    /// Answer after this long.
    Slow(Duration),
    /// Start the body, then drop the connection.
    Drop,
    /// Answer with this status and body, as they are.
    Raw(u16, String),
}

/// How clients must authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// A bearer token (the server's [`TestServer::token`]).
    Token,
    /// A client certificate signed by the server's CA.
    ClientCertificate,
}

/// One resource the server holds.
#[derive(Debug, Clone)]
struct Resource {
    group: String,
    version: String,
    resource: String,
    kind: String,
    namespaced: bool,
    /// `(namespace, JSON text)`: serialized once, as a page of a large cluster is most of the
    /// server's work in a benchmark.
    items: Vec<(Option<String>, String)>,
}

/// What the fake cluster holds and how it misbehaves.
#[derive(Debug, Clone, Default)]
pub struct FakeCluster {
    resources: BTreeMap<(String, String), Resource>,
    faults: HashMap<String, VecDeque<Fault>>,
    forbidden: Vec<String>,
    version: String,
}

impl FakeCluster {
    /// A cluster serving every resource a scan lists that Kubernetes itself serves (empty),
    /// at Kubernetes `v1.35.0`.
    pub fn new() -> FakeCluster {
        let mut cluster = FakeCluster {
            version: "v1.35.0".into(),
            ..FakeCluster::default()
        };
        for w in WANTED.iter().filter(|w| w.core) {
            let namespaced = palisade_model::resources::builtin_kind_scope(w.group, w.kind)
                == Some(palisade_model::resources::ResourceScope::Namespaced);
            cluster.serve(w.group, "v1", w.resource, w.kind, namespaced);
        }
        cluster
    }

    /// Serve a resource (a CRD, say), empty.
    pub fn serve(
        &mut self,
        group: &str,
        version: &str,
        resource: &str,
        kind: &str,
        namespaced: bool,
    ) {
        self.resources.insert(
            (group.to_string(), resource.to_string()),
            Resource {
                group: group.into(),
                version: version.into(),
                resource: resource.into(),
                kind: kind.into(),
                namespaced,
                items: Vec::new(),
            },
        );
    }

    /// Stop serving a resource (as an older cluster).
    pub fn unserve(&mut self, group: &str, resource: &str) {
        self.resources
            .remove(&(group.to_string(), resource.to_string()));
    }

    /// Add objects (each with `apiVersion` and `kind`): they are served, without those two
    /// fields as a real list serves its items, by the resource of their kind.
    pub fn add(&mut self, objects: impl IntoIterator<Item = Value>) {
        for mut object in objects {
            let kind = object["kind"].as_str().unwrap_or_default().to_string();
            let api_version = object["apiVersion"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let group = palisade_model::resources::group_of(&api_version).to_string();
            let Some(resource) = self
                .resources
                .values_mut()
                .find(|r| r.group == group && r.kind == kind)
            else {
                panic!("the fake cluster serves no {kind} of {api_version}: serve() it first");
            };
            if let Some(map) = object.as_object_mut() {
                map.remove("apiVersion");
                map.remove("kind");
            }
            let namespace = object["metadata"]["namespace"].as_str().map(str::to_string);
            resource.items.push((namespace, object.to_string()));
        }
    }

    /// Answer the lists of `resource` (`secrets`, `deployments.apps`) with `fault`, after the
    /// faults already queued for it.
    pub fn fault(&mut self, resource: &str, fault: Fault) {
        if fault == Fault::Forbidden {
            self.forbidden.push(resource.to_string());
        } else {
            self.faults
                .entry(resource.to_string())
                .or_default()
                .push_back(fault);
        }
    }

    /// The objects held of `resource` (`policyreports.wgpolicyk8s.io`), as served.
    pub fn objects(&self, resource: &str) -> Vec<Value> {
        self.resources
            .values()
            .filter(|r| {
                let name = if r.group.is_empty() {
                    r.resource.clone()
                } else {
                    format!("{}.{}", r.resource, r.group)
                };
                name == resource
            })
            .flat_map(|r| r.items.iter())
            .filter_map(|(_, text)| serde_json::from_str(text).ok())
            .collect()
    }

    /// Objects held.
    pub fn len(&self) -> usize {
        self.resources.values().map(|r| r.items.len()).sum()
    }

    /// Whether it holds no object.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

struct State {
    cluster: Mutex<FakeCluster>,
    log: Mutex<Vec<String>>,
    auth: Auth,
    token: String,
}

/// A running fake API server; it stops when dropped.
pub struct TestServer {
    /// Where it listens (loopback).
    pub addr: SocketAddr,
    /// The CA that signed its certificate (and client certificates), PEM.
    pub ca_pem: String,
    /// The bearer token it accepts with [`Auth::Token`].
    pub token: String,
    client_cert: (String, String),
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn status(code: StatusCode, reason: &str, message: &str) -> Response<Body> {
    let body = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
        "message": message, "reason": reason, "code": code.as_u16()});
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}

fn json_response(value: &Value) -> Response<Body> {
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(value.to_string()))
        .unwrap_or_default()
}

fn resource_list(group_version: &str, resources: &[&Resource]) -> Value {
    let resources: Vec<Value> = resources
        .iter()
        .map(|r| {
            json!({"name": r.resource, "singularName": "", "namespaced": r.namespaced,
                   "kind": r.kind, "verbs": ["get", "list", "watch"]})
        })
        .collect();
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
           "resources": resources})
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

/// `(group, version, namespace, resource)` of a list path.
fn list_path(path: &str) -> Option<(String, String, Option<String>, String)> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match parts.as_slice() {
        ["api", v, rest @ ..] => (String::new(), v.to_string(), rest),
        ["apis", g, v, rest @ ..] => (g.to_string(), v.to_string(), rest),
        _ => return None,
    };
    match rest {
        [resource] => Some((group, version, None, resource.to_string())),
        ["namespaces", ns, resource] => {
            Some((group, version, Some(ns.to_string()), resource.to_string()))
        }
        _ => None,
    }
}

async fn handle(state: Arc<State>, headers: HeaderMap, request: Request<Body>) -> Response<Body> {
    let uri = request.uri().clone();
    let method = request.method().clone();
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or("").to_string();
    let line = if query.is_empty() {
        format!("{method} {path}")
    } else {
        format!("{method} {path}?{query}")
    };
    if let Ok(mut log) = state.log.lock() {
        log.push(line);
    }
    if state.auth == Auth::Token {
        let expected = format!("Bearer {}", state.token);
        if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
            return status(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized");
        }
    }
    if method != axum::http::Method::GET {
        let Ok(body) = axum::body::to_bytes(request.into_body(), 4 << 20).await else {
            return status(StatusCode::BAD_REQUEST, "BadRequest", "body too large");
        };
        return match state.cluster.lock() {
            Ok(mut cluster) => write(&mut cluster, &method, &path, &body),
            Err(_) => not_found(),
        };
    }
    // Answered under the lock (nothing is awaited there); a slow answer waits after it.
    let (wait, response) = match state.cluster.lock() {
        Ok(mut cluster) => answer(&mut cluster, &path, &query),
        Err(_) => (None, not_found()),
    };
    if let Some(wait) = wait {
        tokio::time::sleep(wait).await;
    }
    response
}

/// A server-side apply (PATCH) or a DELETE of one object of a served resource.
fn write(
    cluster: &mut FakeCluster,
    method: &axum::http::Method,
    path: &str,
    body: &[u8],
) -> Response<Body> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, namespace, plural, name) = match parts.as_slice() {
        ["apis", g, v, "namespaces", ns, res, name] => (*g, *v, Some(*ns), *res, *name),
        ["apis", g, v, res, name] => (*g, *v, None, *res, *name),
        ["api", v, "namespaces", ns, res, name] => ("", *v, Some(*ns), *res, *name),
        ["api", v, res, name] => ("", *v, None, *res, *name),
        _ => return not_found(),
    };
    let Some(resource) = cluster
        .resources
        .values_mut()
        .find(|r| r.group == group && r.version == version && r.resource == plural)
    else {
        return not_found();
    };
    let at = resource.items.iter().position(|(ns, text)| {
        ns.as_deref() == namespace
            && serde_json::from_str::<Value>(text)
                .is_ok_and(|o| o["metadata"]["name"].as_str() == Some(name))
    });
    let api_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    if method == axum::http::Method::DELETE {
        let Some(at) = at else {
            return not_found();
        };
        let (_, text) = resource.items.remove(at);
        let mut object: Value = serde_json::from_str(&text).unwrap_or_default();
        object["apiVersion"] = json!(api_version);
        object["kind"] = json!(resource.kind);
        return json_response(&object);
    }
    if method != axum::http::Method::PATCH {
        return status(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "not allowed",
        );
    }
    let Ok(mut object) = serde_json::from_slice::<Value>(body) else {
        return status(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "the body is not JSON",
        );
    };
    if object["apiVersion"] != json!(api_version) || object["kind"] != json!(resource.kind) {
        return status(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "apiVersion or kind does not match the path",
        );
    }
    if let Some(map) = object.as_object_mut() {
        map.remove("apiVersion");
        map.remove("kind");
    }
    let text = object.to_string();
    match at {
        Some(at) => resource.items[at] = (namespace.map(str::to_string), text),
        None => resource.items.push((namespace.map(str::to_string), text)),
    }
    object["apiVersion"] = json!(api_version);
    object["kind"] = json!(resource.kind);
    json_response(&object)
}

/// Whether an object's labels match a `k=v,k2=v2` selector.
fn selected(text: &str, selector: Option<&str>) -> bool {
    let Some(selector) = selector.filter(|s| !s.is_empty()) else {
        return true;
    };
    let Ok(object) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    selector.split(',').all(|term| match term.split_once('=') {
        Some((k, v)) => object["metadata"]["labels"][k].as_str() == Some(v),
        None => false,
    })
}

fn not_found() -> Response<Body> {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        "the server could not find the requested resource",
    )
}

/// The answer to a GET of `path` with `query`, and how long to wait before sending it.
fn answer(
    cluster: &mut FakeCluster,
    path: &str,
    query: &str,
) -> (Option<Duration>, Response<Body>) {
    let now = |r| (None, r);
    match path {
        "/version" => {
            return now(json_response(
                &json!({"major": "1", "minor": "35", "gitVersion": cluster.version}),
            ));
        }
        "/api" => {
            return now(json_response(
                &json!({"kind": "APIVersions", "versions": ["v1"]}),
            ));
        }
        "/api/v1" => {
            let core: Vec<&Resource> = cluster
                .resources
                .values()
                .filter(|r| r.group.is_empty())
                .collect();
            return now(json_response(&resource_list("v1", &core)));
        }
        "/apis" => {
            let mut groups: BTreeMap<&str, &str> = BTreeMap::new();
            for r in cluster.resources.values().filter(|r| !r.group.is_empty()) {
                groups.insert(&r.group, &r.version);
            }
            let groups: Vec<Value> = groups
                .iter()
                .map(|(g, v)| {
                    let gv = json!({"groupVersion": format!("{g}/{v}"), "version": v});
                    json!({"name": g, "versions": [gv.clone()], "preferredVersion": gv})
                })
                .collect();
            return now(json_response(
                &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
            ));
        }
        _ => {}
    }
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if let ["apis", g, v] = parts.as_slice() {
        let held: Vec<&Resource> = cluster
            .resources
            .values()
            .filter(|r| r.group == *g && r.version == *v)
            .collect();
        if held.is_empty() {
            return now(not_found());
        }
        return now(json_response(&resource_list(&format!("{g}/{v}"), &held)));
    }
    let Some((group, version, namespace, plural)) = list_path(path) else {
        return now(not_found());
    };
    let name = if group.is_empty() {
        plural.clone()
    } else {
        format!("{plural}.{group}")
    };
    let token = query_param(query, "continue");
    if cluster.forbidden.contains(&name) {
        let msg = format!(
            "{name} is forbidden: User \"system:serviceaccount:palisade:palisade\" cannot list resource \"{plural}\" in API group \"{group}\" at the cluster scope"
        );
        return now(status(StatusCode::FORBIDDEN, "Forbidden", &msg));
    }
    // Take the next fault that applies to this request.
    let queue = cluster.faults.entry(name.clone()).or_default();
    let fault = match queue.front() {
        Some(Fault::Gone) if token.is_none() => None,
        Some(_) => queue.pop_front(),
        None => None,
    };
    let Some(resource) = cluster
        .resources
        .values()
        .find(|r| r.group == group && r.version == version && r.resource == plural)
    else {
        return now(not_found());
    };
    let mut wait = None;
    match fault {
        Some(Fault::Gone) => {
            return now(status(
                StatusCode::GONE,
                "Expired",
                "The provided continue parameter is too old to display a consistent list result.",
            ));
        }
        Some(Fault::TooManyRequests(after)) => {
            let mut r = status(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "too many requests, please try again later",
            );
            if let Ok(v) = after.to_string().parse() {
                r.headers_mut().insert("retry-after", v);
            }
            return now(r);
        }
        Some(Fault::Status(code)) => {
            let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return now(status(
                code,
                "InternalError",
                "an error on the server has prevented the request from succeeding",
            ));
        }
        Some(Fault::Slow(d)) => wait = Some(d),
        Some(Fault::Drop) => {
            let chunks: Vec<Result<&'static str, std::io::Error>> = vec![
                Ok("{\"kind\":\"List\",\"items\":["),
                Err(std::io::Error::other("connection dropped")),
            ];
            let r = Response::builder()
                .header("content-type", "application/json")
                .body(Body::from_stream(futures_util::stream::iter(chunks)))
                .unwrap_or_default();
            return now(r);
        }
        Some(Fault::Raw(code, body)) => {
            let r = Response::builder()
                .status(StatusCode::from_u16(code).unwrap_or(StatusCode::OK))
                .header("content-type", "application/json")
                .body(Body::from(body))
                .unwrap_or_default();
            return now(r);
        }
        Some(Fault::Forbidden) | None => {}
    }
    let selector = query_param(query, "labelSelector");
    let items: Vec<&str> = resource
        .items
        .iter()
        .filter(|(ns, _)| namespace.is_none() || ns.as_deref() == namespace.as_deref())
        .filter(|(_, text)| selected(text, selector.as_deref()))
        .map(|(_, text)| text.as_str())
        .collect();
    let limit: usize = query_param(query, "limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(usize::MAX);
    let start: usize = token
        .as_deref()
        .and_then(|t| t.strip_prefix("offset-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let end = start.saturating_add(limit).min(items.len());
    let page = &items[start.min(end)..end];
    let mut metadata = json!({"resourceVersion": "1000"});
    if end < items.len() {
        metadata["continue"] = Value::String(format!("offset-{end}"));
        metadata["remainingItemCount"] = json!(items.len() - end);
    }
    let api_version = if group.is_empty() {
        version.clone()
    } else {
        format!("{group}/{version}")
    };
    let mut body = format!(
        "{{\"kind\":\"{}List\",\"apiVersion\":\"{api_version}\",\"metadata\":{metadata},\"items\":[",
        resource.kind
    );
    body.push_str(&page.join(","));
    body.push_str("]}");
    let r = Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap_or_default();
    (wait, r)
}

struct Ca {
    pem: String,
    der: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

fn ca() -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "palisade test API server CA");
    let key = KeyPair::generate().expect("a key pair");
    let cert = params.self_signed(&key).expect("a self-signed CA");
    Ca {
        pem: cert.pem(),
        der: cert.der().to_vec(),
        issuer: Issuer::new(params, key),
    }
}

fn signed(ca: &Ca, names: Vec<String>, common_name: &str) -> (String, String) {
    let mut params = CertificateParams::new(names).expect("certificate parameters");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    let key = KeyPair::generate().expect("a key pair");
    let cert = params
        .signed_by(&key, &ca.issuer)
        .expect("a signed certificate");
    (cert.pem(), key.serialize_pem())
}

fn b64(text: &str) -> String {
    data_encoding::BASE64.encode(text.as_bytes())
}

impl TestServer {
    /// Start serving `cluster` on loopback, requiring `auth`. (ring is the only TLS provider
    /// compiled in; rustls deprecates it for lacking post-quantum key exchange.)
    #[allow(deprecated)]
    pub async fn start(cluster: FakeCluster, auth: Auth) -> TestServer {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let _ = rustls::crypto::ring::default_provider().install_default();
        let ca = ca();
        let (cert, key) = signed(
            &ca,
            vec!["localhost".into(), "127.0.0.1".into()],
            "kube-apiserver",
        );
        let client_cert = signed(&ca, Vec::new(), "palisade");
        let certs = vec![CertificateDer::from_pem_slice(cert.as_bytes()).expect("PEM certificate")];
        let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).expect("PEM key");
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("TLS versions");
        let builder = match auth {
            Auth::Token => builder.with_no_client_auth(),
            Auth::ClientCertificate => {
                let mut roots = rustls::RootCertStore::empty();
                roots
                    .add(CertificateDer::from(ca.der.clone()))
                    .expect("the CA as a root");
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                    Arc::new(roots),
                    provider,
                )
                .build()
                .expect("a client verifier");
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut config = builder
            .with_single_cert(certs, key)
            .expect("the server certificate");
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let token = format!("palisade-test-{}", std::process::id());
        let state = Arc::new(State {
            cluster: Mutex::new(cluster),
            log: Mutex::new(Vec::new()),
            auth,
            token: token.clone(),
        });
        let app = {
            let state = state.clone();
            axum::Router::new().fallback(move |headers: HeaderMap, request: Request<Body>| {
                let state = state.clone();
                async move { handle(state, headers, request).await }
            })
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let addr = listener.local_addr().expect("the listener's address");
        let tls = RustlsConfig::from_config(Arc::new(config));
        let task = tokio::spawn(async move {
            if let Ok(server) = axum_server::from_tcp_rustls(listener, tls) {
                let _ = server.serve(app.into_make_service()).await;
            }
        });
        TestServer {
            addr,
            ca_pem: ca.pem,
            token,
            client_cert,
            state,
            task,
        }
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The requests served so far (`GET /path?query`), in order.
    pub fn requests(&self) -> Vec<String> {
        self.state.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Forget the requests served so far.
    pub fn clear_requests(&self) {
        if let Ok(mut log) = self.state.log.lock() {
            log.clear();
        }
    }

    /// The objects the server holds of `resource` (`policyreports.wgpolicyk8s.io`).
    pub fn objects(&self, resource: &str) -> Vec<Value> {
        self.state
            .cluster
            .lock()
            .map(|c| c.objects(resource))
            .unwrap_or_default()
    }

    /// Change what the server holds or how it fails.
    pub fn change(&self, f: impl FnOnce(&mut FakeCluster)) {
        if let Ok(mut c) = self.state.cluster.lock() {
            f(&mut c);
        }
    }

    /// The kubeconfig `cluster`, `user` and `context` entries for this server as `name`,
    /// authenticated as `auth` says.
    fn entries(&self, name: &str, auth: Auth) -> (Value, Value, Value) {
        let cluster = json!({"name": name, "cluster": {
            "server": self.url(), "certificate-authority-data": b64(&self.ca_pem)}});
        let user = match auth {
            Auth::Token => json!({"name": name, "user": {"token": self.token}}),
            Auth::ClientCertificate => json!({"name": name, "user": {
                "client-certificate-data": b64(&self.client_cert.0),
                "client-key-data": b64(&self.client_cert.1)}}),
        };
        let context = json!({"name": name, "context": {"cluster": name, "user": name}});
        (cluster, user, context)
    }
}

/// Write a kubeconfig at `path` with one context per `(name, server, auth)`; the first is
/// the current context.
pub fn write_kubeconfig(path: &Path, contexts: &[(&str, &TestServer, Auth)]) -> PathBuf {
    let (mut clusters, mut users, mut ctxs) = (Vec::new(), Vec::new(), Vec::new());
    for (name, server, auth) in contexts {
        let (c, u, x) = server.entries(name, *auth);
        clusters.push(c);
        users.push(u);
        ctxs.push(x);
    }
    let config = json!({"apiVersion": "v1", "kind": "Config",
        "current-context": contexts.first().map(|c| c.0).unwrap_or_default(),
        "clusters": clusters, "users": users, "contexts": ctxs});
    std::fs::write(path, config.to_string()).expect("the kubeconfig is written");
    path.to_path_buf()
}

/// A generated cluster of `workloads` Deployments (each with a ReplicaSet and two Pods, a
/// Service, a ServiceAccount and, every tenth, a Role and RoleBinding), spread over
/// namespaces of 100 with a NetworkPolicy each: about five objects per workload.
pub fn generated_cluster(workloads: usize) -> FakeCluster {
    let mut cluster = FakeCluster::new();
    let mut objects = Vec::with_capacity(workloads * 6);
    let namespaces = workloads.div_ceil(100).max(1);
    for n in 0..namespaces {
        let ns = format!("team-{n}");
        objects.push(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "uid": format!("ns-{n}"),
            "labels": {"kubernetes.io/metadata.name": ns}}}));
        objects.push(
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny", "namespace": ns, "uid": format!("np-{n}")},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}),
        );
    }
    for i in 0..workloads {
        let ns = format!("team-{}", i / 100);
        let app = format!("app-{i}");
        let labels = json!({"app": app});
        let container = json!({"name": "app", "image": format!("registry.example.com/{app}:1.{i}"),
            "imagePullPolicy": "IfNotPresent", "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
            "securityContext": {"allowPrivilegeEscalation": i % 7 == 0},
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"});
        let spec = json!({"containers": [container], "serviceAccountName": app, "restartPolicy": "Always",
            "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler", "securityContext": {},
            "terminationGracePeriodSeconds": 30});
        let (d_uid, rs_uid) = (format!("d-{i}"), format!("rs-{i}"));
        objects.push(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": app, "namespace": ns, "uid": d_uid, "generation": 1, "labels": labels,
                "managedFields": [{"manager": "kubectl", "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}}]},
            "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": spec}},
            "status": {"replicas": 2, "readyReplicas": 2}}));
        objects.push(json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": format!("{app}-5d8f"), "namespace": ns, "uid": rs_uid, "labels": labels,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": app, "uid": d_uid, "controller": true}]},
            "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": spec}}}));
        for p in 0..2 {
            objects.push(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("{app}-5d8f-{p}"), "namespace": ns, "uid": format!("p-{i}-{p}"), "labels": labels,
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{app}-5d8f"), "uid": rs_uid, "controller": true}]},
                "spec": spec, "status": {"phase": "Running", "podIP": format!("10.{}.{}.{}", i / 65536 % 256, i / 256 % 256, i % 256)}}));
        }
        objects.push(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": app, "namespace": ns, "uid": format!("svc-{i}")},
            "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}], "type": "ClusterIP"}}));
        objects.push(json!({"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": app, "namespace": ns, "uid": format!("sa-{i}")}}));
        if i % 10 == 0 {
            objects.push(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": {"name": app, "namespace": ns, "uid": format!("r-{i}")},
                "rules": [{"apiGroups": [""], "resources": ["configmaps", "secrets"], "verbs": ["get", "list"]}]}));
            objects.push(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": app, "namespace": ns, "uid": format!("rb-{i}")},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": app},
                "subjects": [{"kind": "ServiceAccount", "name": app, "namespace": ns}]}),
            );
        }
    }
    cluster.add(objects);
    cluster
}
