//! The namespace cache follows the API server: the real kube-rs client lists and watches
//! namespaces' metadata from a local HTTPS server that answers as the API server does.

mod common;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_server::tls_rustls::RustlsConfig;
use common::{ca, leaf};
use palisade_admission::server::install_ring;
use palisade_admission::watch::watch_namespaces;
use palisade_admission::{NamespaceModes, Namespaces};
use palisade_config::{Level, Modes};
use palisade_engine::{Profile, PssVersion};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// What the fake API server saw and sends.
#[derive(Default)]
struct Api {
    /// Query strings of the requests, in order.
    seen: Mutex<Vec<String>>,
    /// The watch stream's events, fed by the test; taken by the first watch.
    events: Mutex<Option<mpsc::UnboundedReceiver<String>>>,
}

fn meta(name: &str, labels: Value, rv: &str) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
           "metadata": {"name": name, "labels": labels, "resourceVersion": rv}})
}

async fn namespaces(
    State(api): State<Arc<Api>>,
    RawQuery(raw): RawQuery,
    headers: axum::http::HeaderMap,
) -> Response {
    let raw = raw.unwrap_or_default();
    api.seen.lock().unwrap().push(raw.clone());
    let query: Vec<(String, String)> = raw
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // The client asks for metadata only.
    assert!(accept.contains("as=PartialObjectMetadata"), "{accept}");
    if query.iter().any(|(k, v)| k == "watch" && v == "true") {
        let Some(rx) = api.events.lock().unwrap().take() else {
            // A second watch waits forever (the test is over by then).
            return Body::from_stream(futures_util::stream::pending::<Result<String, Infallible>>())
                .into_response();
        };
        let stream = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|line| (Ok::<_, Infallible>(line), rx))
        });
        return (
            [(header::CONTENT_TYPE, "application/json")],
            Body::from_stream(stream),
        )
            .into_response();
    }
    // The list, in two pages.
    let page = query
        .iter()
        .find(|(k, _)| k == "continue")
        .map(|(_, v)| v.as_str());
    let body = match page {
        None => json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": "100", "continue": "page2"},
            "items": [meta("shop", json!({"palisade.dev/enforce": "pss-baseline"}), "90")]}),
        Some(_) => json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": "100"},
            "items": [meta("old", json!({"palisade.dev/warn": "pss-restricted"}), "95"),
                      meta("typo", json!({"palisade.dev/enforce": "restrictd"}), "96")]}),
    };
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    for _ in 0..200 {
        if ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_lists_then_follows_namespace_labels() {
    install_ring();
    let ca = ca();
    let (cert, key, _) = leaf(&ca);
    let (tx, rx) = mpsc::unbounded_channel();
    let api = Arc::new(Api {
        events: Mutex::new(Some(rx)),
        ..Api::default()
    });
    let app = Router::new()
        .route("/api/v1/namespaces", get(namespaces))
        .with_state(api.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let tls = RustlsConfig::from_pem(cert.into_bytes(), key.into_bytes())
        .await
        .unwrap();
    let server = tokio::spawn(async move {
        axum_server::from_tcp_rustls(listener, tls)
            .unwrap()
            .serve(app.into_make_service())
            .await
            .unwrap();
    });

    let mut config = kube::Config::new(format!("https://localhost:{port}").parse().unwrap());
    config.root_cert = Some(vec![ca.der.clone()]);
    let client = kube::Client::try_from(config).unwrap();
    let latest = PssVersion::default();
    let defaults = Modes {
        enforce: Some(Level {
            profile: Profile::All,
            version: latest,
        }),
        ..Modes::default()
    };
    let cache = Arc::new(Namespaces::new(defaults, latest));
    let watch = tokio::spawn(watch_namespaces(client, cache.clone()));

    // Not ready before the first list is complete.
    wait_for("the first list", || cache.synced()).await;
    assert_eq!(cache.len(), 3);
    assert_eq!(
        cache.modes("shop").enforce.unwrap().profile,
        Profile::PssBaseline
    );
    assert_eq!(
        cache.modes("old").warn.unwrap().profile,
        Profile::PssRestricted
    );
    // An invalid level is the strictest, never nothing.
    assert_eq!(cache.modes("typo").enforce.unwrap().profile, Profile::All);
    assert_eq!(cache.modes("elsewhere"), defaults);

    // Changes arrive by the watch.
    let event =
        |kind: &str, object: Value| format!("{}\n", json!({"type": kind, "object": object}));
    tx.send(event(
        "MODIFIED",
        meta("shop", json!({"palisade.dev/enforce": "privileged"}), "101"),
    ))
    .unwrap();
    tx.send(event("DELETED", meta("old", json!({}), "102")))
        .unwrap();
    tx.send(event(
        "ADDED",
        meta("new", json!({"palisade.dev/audit": "cis"}), "103"),
    ))
    .unwrap();
    wait_for("the watched changes", || {
        cache.modes("shop").enforce.is_none() && cache.modes("new").audit.is_some()
    })
    .await;
    assert_eq!(cache.modes("old"), defaults);
    assert_eq!(cache.modes("new").audit.unwrap().profile, Profile::Cis);

    let seen = api.seen.lock().unwrap().clone();
    assert!(seen[0].contains("limit=500"), "{seen:?}");
    assert!(seen[1].contains("continue=page2"), "{seen:?}");
    assert!(
        seen.iter()
            .any(|q| q.contains("watch=true") && q.contains("resourceVersion=100")),
        "{seen:?}"
    );
    watch.abort();
    server.abort();
}
