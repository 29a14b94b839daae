//! The real kube-rs client, configured from a real kubeconfig, against the fake API server:
//! authentication, discovery, pagination, faults and what is kept of each object.

use std::time::{Duration, Instant};

use palisade_cluster::testing::{Auth, FakeCluster, Fault, TestServer, write_kubeconfig};
use palisade_cluster::{
    ClusterError, CollectOptions, Collection, ResourceState, Retry, Target, collect, connect,
    contexts,
};
use serde_json::{Value, json};

fn deployment(ns: &str, name: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "uid": format!("uid-{ns}-{name}"),
            "managedFields": [{"manager": "kubectl"}]},
        "spec": {"selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}})
}

fn fixture() -> FakeCluster {
    let mut cluster = FakeCluster::new();
    cluster.add((0..7).map(|i| deployment(if i < 4 { "a" } else { "b" }, &format!("d{i}"))));
    cluster.add([
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "a",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"password\":\"c2VjcmV0LXZhbHVl\"}}"}},
            "type": "Opaque", "data": {"password": "c2VjcmV0LXZhbHVl"}}),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}}),
    ]);
    cluster
}

/// What came of listing `resource`.
fn status_of(c: &Collection, resource: &str) -> palisade_cluster::ResourceStatus {
    c.resources
        .iter()
        .find(|r| r.resource == resource)
        .unwrap_or_else(|| panic!("{resource} was not asked for"))
        .clone()
}

/// Deployments collected.
fn deployments(c: &Collection) -> usize {
    c.objects
        .iter()
        .filter(|o| o.contains("\"Deployment\""))
        .count()
}

fn options() -> CollectOptions {
    CollectOptions {
        page_size: 3,
        concurrency: 2,
        retry: Retry {
            retries: 3,
            backoff: Duration::from_millis(10),
            max_backoff: Duration::from_secs(2),
            timeout: Duration::from_secs(2),
        },
        ..CollectOptions::default()
    }
}

async fn run(
    server: &TestServer,
    auth: Auth,
    opts: &CollectOptions,
) -> Result<Collection, ClusterError> {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(&dir.path().join("config"), &[("test", server, auth)]);
    let target = Target {
        kubeconfig: Some(kubeconfig),
        context: None,
    };
    let connection = connect(&target, Duration::from_secs(5)).await?;
    collect(&connection, opts, &|_| {}).await
}

fn lists_of<'a>(requests: &'a [String], resource: &str) -> Vec<&'a str> {
    requests
        .iter()
        .filter(|r| {
            r.split('?')
                .next()
                .is_some_and(|p| p.ends_with(&format!("/{resource}")))
        })
        .map(String::as_str)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_kubeconfig_lists_every_page_and_keeps_no_secret_value() {
    let server = TestServer::start(fixture(), Auth::Token).await;
    let c = run(&server, Auth::Token, &options()).await.unwrap();
    assert_eq!(c.cluster.name, "test");
    assert_eq!(c.cluster.version, "v1.35.0");
    assert_eq!(c.cluster.server, server.url());
    let requests = server.requests();
    assert_eq!(
        lists_of(&requests, "deployments"),
        [
            "GET /apis/apps/v1/deployments?limit=3",
            "GET /apis/apps/v1/deployments?limit=3&continue=offset%2D3",
            "GET /apis/apps/v1/deployments?limit=3&continue=offset%2D6",
        ]
    );
    // Discovery asks only about groups that hold wanted resources.
    assert!(requests.iter().any(|r| r == "GET /apis"));
    assert!(requests.iter().any(|r| r == "GET /apis/apps/v1"));
    let deployments: Vec<Value> = c
        .objects
        .iter()
        .map(|o| serde_json::from_str::<Value>(o).unwrap())
        .filter(|o| o["kind"] == "Deployment")
        .collect();
    assert_eq!(deployments.len(), 7);
    assert_eq!(deployments[0]["apiVersion"], "apps/v1");
    assert!(deployments[0]["metadata"].get("managedFields").is_none());
    let all = c.objects.join("\n");
    assert!(!all.contains("c2VjcmV0LXZhbHVl"), "a Secret value was kept");
    assert!(all.contains("\"password\":\"\""), "the Secret's keys stay");
    let deployments_status = &status_of(&c, "deployments");
    assert_eq!(
        (deployments_status.state, deployments_status.objects),
        (ResourceState::Listed, 7)
    );
    // Owners first: Deployments before Pods, whatever order the lists finished in.
    let kinds: Vec<String> = c
        .objects
        .iter()
        .map(|o| {
            serde_json::from_str::<Value>(o).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let first_ns = kinds.iter().position(|k| k == "Namespace").unwrap();
    assert!(kinds.iter().rposition(|k| k == "Deployment").unwrap() < first_ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_certificate_kubeconfig_is_accepted_and_a_bad_token_is_not() {
    let server = TestServer::start(fixture(), Auth::ClientCertificate).await;
    let c = run(&server, Auth::ClientCertificate, &options())
        .await
        .unwrap();
    assert_eq!(deployments(&c), 7);

    let server = TestServer::start(fixture(), Auth::Token).await;
    let dir = tempfile::tempdir().unwrap();
    let path = write_kubeconfig(
        &dir.path().join("config"),
        &[("test", &server, Auth::Token)],
    );
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace(&server.token, "wrong");
    std::fs::write(&path, text).unwrap();
    let target = Target {
        kubeconfig: Some(path),
        context: Some("test".into()),
    };
    let connection = connect(&target, Duration::from_secs(5)).await.unwrap();
    let e = collect(&connection, &options(), &|_| {}).await.unwrap_err();
    assert!(e.to_string().contains("401"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_and_missing_resources_are_statuses_not_failures() {
    let mut cluster = fixture();
    cluster.fault("secrets", Fault::Forbidden);
    cluster.unserve(
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
    );
    let server = TestServer::start(cluster, Auth::Token).await;
    let c = run(&server, Auth::Token, &options()).await.unwrap();
    let state = |name: &str| status_of(&c, name);
    let secrets = state("secrets");
    assert_eq!(secrets.state, ResourceState::Forbidden);
    assert!(secrets.message.unwrap().contains("403 Forbidden"));
    assert_eq!(
        state("validatingadmissionpolicies").state,
        ResourceState::NotServed
    );
    assert_eq!(state("deployments").state, ResourceState::Listed);
    assert!(!c.objects.iter().any(|o| o.contains("\"Secret\"")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_continue_token_starts_the_list_again() {
    let mut cluster = fixture();
    cluster.fault("deployments.apps", Fault::Gone);
    let server = TestServer::start(cluster, Auth::Token).await;
    let c = run(&server, Auth::Token, &options()).await.unwrap();
    let requests = server.requests();
    assert_eq!(
        lists_of(&requests, "deployments"),
        [
            "GET /apis/apps/v1/deployments?limit=3",
            "GET /apis/apps/v1/deployments?limit=3&continue=offset%2D3",
            "GET /apis/apps/v1/deployments?limit=3",
            "GET /apis/apps/v1/deployments?limit=3&continue=offset%2D3",
            "GET /apis/apps/v1/deployments?limit=3&continue=offset%2D6",
        ]
    );
    // The first attempt's page is not kept twice.
    assert_eq!(deployments(&c), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_errors_timeouts_and_dropped_connections_are_retried() {
    let mut cluster = fixture();
    cluster.fault("deployments.apps", Fault::TooManyRequests(1));
    cluster.fault("deployments.apps", Fault::Status(503));
    cluster.fault("deployments.apps", Fault::Slow(Duration::from_secs(3)));
    cluster.fault("deployments.apps", Fault::Drop);
    let server = TestServer::start(cluster, Auth::Token).await;
    let started = Instant::now();
    let mut opts = options();
    opts.retry.retries = 4;
    let c = run(&server, Auth::Token, &opts).await.unwrap();
    // Retry-After: 1 was honoured, the slow answer cut at the 2 s timeout.
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let requests = server.requests();
    let lists = lists_of(&requests, "deployments");
    // Four failed attempts of the first page, then the three pages.
    assert_eq!(lists.len(), 7, "{lists:#?}");
    assert!(
        lists[..5]
            .iter()
            .all(|r| r.ends_with("deployments?limit=3"))
    );
    let status = &status_of(&c, "deployments");
    assert_eq!((status.state, status.objects), (ResourceState::Listed, 7));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_that_keeps_failing_is_reported_after_the_last_retry() {
    let mut cluster = fixture();
    for _ in 0..4 {
        cluster.fault("deployments.apps", Fault::Status(500));
    }
    let server = TestServer::start(cluster, Auth::Token).await;
    let c = run(&server, Auth::Token, &options()).await.unwrap();
    let status = &status_of(&c, "deployments");
    assert_eq!(status.state, ResourceState::Failed);
    assert!(
        status
            .message
            .as_ref()
            .unwrap()
            .contains("after 4 attempts"),
        "{status:?}"
    );
    assert!(!c.objects.iter().any(|o| o.contains("\"Deployment\"")));
    assert!(c.objects.iter().any(|o| o.contains("\"Namespace\"")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_limit_namespaced_lists_only() {
    let server = TestServer::start(fixture(), Auth::Token).await;
    let opts = CollectOptions {
        namespaces: vec!["b".into()],
        ..options()
    };
    let c = run(&server, Auth::Token, &opts).await.unwrap();
    let requests = server.requests();
    assert_eq!(
        lists_of(&requests, "deployments"),
        ["GET /apis/apps/v1/namespaces/b/deployments?limit=3"]
    );
    assert_eq!(
        lists_of(&requests, "namespaces"),
        ["GET /api/v1/namespaces?limit=3"]
    );
    assert_eq!(deployments(&c), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contexts_are_read_from_the_kubeconfig() {
    let a = TestServer::start(fixture(), Auth::Token).await;
    let b = TestServer::start(FakeCluster::new(), Auth::ClientCertificate).await;
    let dir = tempfile::tempdir().unwrap();
    let path = write_kubeconfig(
        &dir.path().join("config"),
        &[
            ("prod", &a, Auth::Token),
            ("staging", &b, Auth::ClientCertificate),
        ],
    );
    assert_eq!(contexts(Some(&path)).unwrap(), ["prod", "staging"]);
    let target = Target {
        kubeconfig: Some(path.clone()),
        context: Some("staging".into()),
    };
    let c = collect(
        &connect(&target, Duration::from_secs(5)).await.unwrap(),
        &options(),
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(c.cluster.name, "staging");
    assert!(c.objects.is_empty());
    let missing = Target {
        kubeconfig: Some(path),
        context: Some("nope".into()),
    };
    assert!(matches!(
        connect(&missing, Duration::from_secs(5)).await,
        Err(ClusterError::NoContext(c)) if c == "nope"
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collection_round_trips_through_a_snapshot() {
    let server = TestServer::start(fixture(), Auth::Token).await;
    let c = run(&server, Auth::Token, &options()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test.snapshot");
    c.write_snapshot(&path, "palisade test").unwrap();
    let mut reader =
        palisade_inputs::snapshot::SnapshotReader::open(&path, "test.snapshot", 1 << 20).unwrap();
    assert_eq!(reader.header().cluster, c.cluster);
    assert_eq!(reader.header().resources, c.resources);
    let lines: Vec<String> = reader
        .chunk(usize::MAX)
        .into_iter()
        .map(|(_, l)| l.unwrap())
        .collect();
    assert_eq!(lines, c.objects);
    let raw = std::fs::read(&path).unwrap();
    assert!(!String::from_utf8_lossy(&raw).contains("c2VjcmV0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_broken_answer_holds_is_never_repeated_in_an_error() {
    let mut cluster = fixture();
    // A proxy's error page, and a list whose metadata is a string: neither is repeated.
    for _ in 0..4 {
        cluster.fault(
            "secrets",
            Fault::Raw(502, "<html>token=hunter2-proxy</html>".into()),
        );
    }
    cluster.fault(
        "configmaps",
        Fault::Raw(200, r#"{"metadata":"hunter2-data","items":[]}"#.into()),
    );
    let server = TestServer::start(cluster, Auth::Token).await;
    let c = run(&server, Auth::Token, &options()).await.unwrap();
    let state = |name: &str| status_of(&c, name);
    let secrets = state("secrets");
    assert_eq!(secrets.state, ResourceState::Failed);
    let message = secrets.message.unwrap();
    assert!(
        message.contains("502: an answer of 32 bytes that is not a Status"),
        "{message}"
    );
    let configmaps = state("configmaps");
    assert_eq!(configmaps.state, ResourceState::Failed);
    let message = configmaps.message.unwrap();
    assert!(
        message.starts_with("not a list: an unexpected value at line 1"),
        "{message}"
    );
    let all = format!("{:?}", c.resources);
    assert!(!all.contains("hunter2"), "{all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exec_credential_plugin_supplies_the_token() {
    let server = TestServer::start(fixture(), Auth::Token).await;
    let dir = tempfile::tempdir().unwrap();
    let path = write_kubeconfig(
        &dir.path().join("config"),
        &[("test", &server, Auth::Token)],
    );
    // The user's token comes from a command, as `aws eks get-token` gives it.
    let credential = json!({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
        "status": {"token": server.token}});
    let mut config: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["users"][0]["user"] = json!({"exec": {
        "apiVersion": "client.authentication.k8s.io/v1",
        "command": "/bin/sh",
        "args": ["-c", format!("printf '%s' '{credential}'")],
        "interactiveMode": "Never"}});
    std::fs::write(&path, config.to_string()).unwrap();
    let target = Target {
        kubeconfig: Some(path),
        context: None,
    };
    let c = collect(
        &connect(&target, Duration::from_secs(5)).await.unwrap(),
        &options(),
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(deployments(&c), 7);
}
