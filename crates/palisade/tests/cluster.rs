//! `palisade cluster` end to end: the binary reads the fake API server through a real
//! kubeconfig, as it would read a cluster.

mod common;

use std::path::Path;

use common::{palisade, run};
use palisade_cluster::testing::{Auth, FakeCluster, Fault, TestServer, write_kubeconfig};
use serde_json::{Value, json};

fn shop() -> FakeCluster {
    let mut c = FakeCluster::new();
    c.add(shop_objects());
    c
}

/// A Deployment (privileged) with its ReplicaSet and Pod, a bare Pod, cluster-admin for
/// every authenticated user, a Secret.
fn shop_objects() -> Vec<Value> {
    let labels = json!({"app": "api"});
    let spec = json!({"serviceAccountName": "api", "containers": [{"name": "api", "image": "registry.example.com/api:1.0",
        "securityContext": {"privileged": true}}]});
    vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "uid": "ns-shop"}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "shop", "uid": "d-api",
            "managedFields": [{"manager": "kubectl"}]},
            "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": spec}}}),
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "api-7c9", "namespace": "shop", "uid": "rs-api",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "api", "uid": "d-api", "controller": true}]},
            "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": spec}}}),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api-7c9-x1", "namespace": "shop", "uid": "p-1", "labels": labels,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-7c9", "uid": "rs-api", "controller": true}]},
            "spec": spec}),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "debug", "namespace": "shop", "uid": "p-debug"},
            "spec": {"hostPID": true, "containers": [{"name": "sh", "image": "busybox:1.36"}]}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api", "namespace": "shop", "uid": "sa-api"}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "everyone-admin", "uid": "crb-1"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "cluster-admin", "uid": "cr-admin"},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop", "uid": "s-db"},
            "type": "Opaque", "data": {"password": "dG9wLXNlY3JldC12YWx1ZQ=="}}),
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "worker-1", "uid": "n-1"},
            "status": {"nodeInfo": {"osImage": "Ubuntu 22.04.4 LTS", "kubeletVersion": "v1.30.2",
                "containerRuntimeVersion": "containerd://1.7.20", "operatingSystem": "linux"},
                "addresses": [{"type": "InternalIP", "address": "10.0.1.12"}]}}),
    ]
}

/// A fake cluster served over HTTPS, and a directory whose `kubeconfig` names it `prod`.
async fn serve(cluster: FakeCluster, auth: Auth) -> (TestServer, tempfile::TempDir) {
    let server = TestServer::start(cluster, auth).await;
    let dir = tempfile::tempdir().unwrap();
    write_kubeconfig(&dir.path().join("kubeconfig"), &[("prod", &server, auth)]);
    (server, dir)
}

/// Run the binary on another thread: the fake servers run on this test's runtime.
async fn palisade_in(dir: &Path, args: &[&str]) -> common::Run {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        run(palisade()
            .current_dir(&dir)
            .env_remove("KUBECONFIG")
            .env("HOME", &dir)
            .args(&args))
    })
    .await
    .unwrap()
}

/// `palisade cluster scan` of the contexts of `dir/kubeconfig`, as JSON, with `extra` flags.
async fn scan_json(dir: &Path, extra: &[&str]) -> (common::Run, Value) {
    let mut args = vec![
        "cluster",
        "scan",
        "--kubeconfig",
        "kubeconfig",
        "--no-config",
    ];
    args.extend(["--format", "json"]);
    args.extend(extra);
    let r = palisade_in(dir, &args).await;
    let json = json_of(&r);
    (r, json)
}

fn json_of(r: &common::Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}\n{}\n{}", r.stdout, r.stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_scan_reports_findings_with_their_cluster_and_what_it_could_not_read() {
    let mut cluster = shop();
    cluster.fault("secrets", Fault::Forbidden);
    let (server, dir) = serve(cluster, Auth::Token).await;
    let (r, out) = scan_json(dir.path(), &[]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    let findings = out["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f["object"]["cluster"], "prod", "{f}");
        assert!(f["location"].get("path").is_none(), "no file: {f}");
        // ReplicaSets and Pods fold into the Deployment that controls them.
        assert_ne!(f["object"]["kind"], "ReplicaSet", "{f}");
        assert_ne!(f["object"]["name"], "api-7c9-x1", "{f}");
    }
    let has = |rule: &str, kind: &str, name: &str| {
        findings.iter().any(|f| {
            f["rule"] == rule && f["object"]["kind"] == kind && f["object"]["name"] == name
        })
    };
    assert!(has("PSS003", "Deployment", "api"), "privileged Deployment");
    assert!(has("PSS002", "Pod", "debug"), "a bare Pod is scanned");
    // Nodes feed the node rules.
    assert!(has("NODE017", "Node", "worker-1"), "general-purpose OS");
    assert!(has("NODE018", "Node", "worker-1"), "kubelet out of support");
    let rbac = findings.iter().any(|f| {
        f["rule"].as_str().unwrap().starts_with("RBAC") && f["object"]["name"] == "everyone-admin"
    });
    assert!(rbac, "the RBAC analysis ran on the listed bindings");
    let secrets = out["clusters"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "secrets")
        .unwrap();
    assert_eq!(secrets["state"], "forbidden");
    // The rules that read Secrets are named as not evaluated on them.
    let unread: Vec<&str> = secrets["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(unread.contains(&"SEC002"), "{unread:?}");
    assert!(unread.iter().all(|r| r.starts_with("SEC")), "{unread:?}");
    let notes = out["notes"].to_string();
    assert!(
        notes.contains("not evaluated, forbidden (403): secrets"),
        "{notes}"
    );
    assert!(notes.contains("folded into"), "{notes}");
    assert_eq!(out["summary"]["clusters"], 1);
    assert_eq!(out["clusters"][0]["name"], "prod");
    assert_eq!(out["clusters"][0]["version"], "v1.35.0");
    assert!(
        out["fleet"]["by_cluster"]["prod"]["critical"]
            .as_u64()
            .unwrap()
            >= 1
    );
    // The server saw only reads.
    assert!(server.requests().iter().all(|r| r.starts_with("GET ")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_scanned_offline_gives_the_live_scan_s_findings() {
    let (_server, dir) = serve(shop(), Auth::ClientCertificate).await;
    let (_, live) = scan_json(dir.path(), &[]).await;
    let snap = palisade_in(
        dir.path(),
        &[
            "cluster",
            "snapshot",
            "--kubeconfig",
            "kubeconfig",
            "-o",
            "prod.snapshot",
        ],
    )
    .await;
    assert_eq!(snap.code, 0, "{}", snap.stderr);
    assert!(
        snap.stderr.contains("Wrote prod.snapshot"),
        "{}",
        snap.stderr
    );
    let raw = std::fs::read(dir.path().join("prod.snapshot")).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&raw[..]), &mut text).unwrap();
    assert!(
        !text.contains("dG9wLXNlY3JldC12YWx1ZQ"),
        "a Secret value reached the snapshot"
    );
    assert!(!text.contains("managedFields"));
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("\"kind\":\"ClusterSnapshot\"")
    );

    let offline = palisade_in(
        dir.path(),
        &["scan", "prod.snapshot", "--format", "json", "--no-config"],
    )
    .await;
    let offline = json_of(&offline);
    assert!(!live["findings"].as_array().unwrap().is_empty());
    assert_eq!(live["findings"], offline["findings"]);
    assert_eq!(live["summary"]["objects"], offline["summary"]["objects"]);
    assert_eq!(live["notes"], offline["notes"]);

    // The analyses read it too, and find in it what they find in the same objects as
    // `kubectl get -o json` writes them.
    let list = json!({"apiVersion": "v1", "kind": "List", "items": shop_objects()});
    std::fs::write(dir.path().join("objects.json"), list.to_string()).unwrap();
    let risks_of = |path: &'static str| {
        let dir = dir.path().to_path_buf();
        async move {
            let r = palisade_in(&dir, &["rbac", "risks", path, "--format", "json"]).await;
            json_of(&r)["findings"].as_array().unwrap().clone()
        }
    };
    let (from_snapshot, from_file) = (
        risks_of("prod.snapshot").await,
        risks_of("objects.json").await,
    );
    let key = |f: &Value| {
        let o = &f["object"];
        (
            f["rule"].clone(),
            o["kind"].clone(),
            o["namespace"].clone(),
            o["name"].clone(),
            f["message"].clone(),
        )
    };
    assert!(!from_snapshot.is_empty());
    assert_eq!(
        from_snapshot.iter().map(key).collect::<Vec<_>>(),
        from_file.iter().map(key).collect::<Vec<_>>()
    );
    for f in &from_snapshot {
        assert_eq!(f["object"]["cluster"], "prod", "{f}");
        assert!(f["location"].get("path").is_none(), "{f}");
    }
    let who = palisade_in(
        dir.path(),
        &["rbac", "who-can", "delete", "nodes", "prod.snapshot"],
    )
    .await;
    assert_eq!(who.code, 0, "{}", who.stderr);
    assert!(
        who.stdout.contains("system:authenticated"),
        "{}",
        who.stdout
    );
    let coverage = palisade_in(dir.path(), &["netpol", "coverage", "prod.snapshot"]).await;
    assert!(
        coverage.stdout.contains("shop"),
        "{}\n{}",
        coverage.stdout,
        coverage.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_contexts_scan_concurrently_into_cluster_sections_and_a_fleet_summary() {
    let prod = TestServer::start(shop(), Auth::Token).await;
    let mut quiet = FakeCluster::new();
    quiet.add([json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "empty"}})]);
    let staging = TestServer::start(quiet, Auth::ClientCertificate).await;
    let dir = tempfile::tempdir().unwrap();
    write_kubeconfig(
        &dir.path().join("kubeconfig"),
        &[
            ("prod", &prod, Auth::Token),
            ("staging", &staging, Auth::ClientCertificate),
        ],
    );
    let every_context = [
        "cluster",
        "scan",
        "--kubeconfig",
        "kubeconfig",
        "--all-contexts",
        "--no-config",
    ];
    let r = palisade_in(
        dir.path(),
        &[&every_context[..], &["--color", "never"]].concat(),
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    let prod_at = r.stdout.find("== cluster prod (").expect(&r.stdout);
    let staging_at = r.stdout.find("== cluster staging (").expect(&r.stdout);
    assert!(prod_at < staging_at);
    assert!(
        r.stdout.contains("Fleet summary (2 clusters)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Scanned 2 clusters"), "{}", r.stdout);
    assert!(!r.stdout.contains("dG9wLXNlY3JldC12YWx1ZQ"));

    let (_, out) = scan_json(dir.path(), &["--context", "prod", "--context", "staging"]).await;
    assert_eq!(out["clusters"].as_array().unwrap().len(), 2);
    assert!(
        !out["fleet"]["by_cluster"]["prod"]
            .as_object()
            .unwrap()
            .is_empty()
    );
    let clusters: Vec<&str> = out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["object"]["cluster"].as_str().unwrap())
        .collect();
    assert!(clusters.contains(&"prod"));
    assert!(out["fleet"]["rules"]["PSS003"].as_array().unwrap() == &[json!("prod")]);

    // The page: a row per cluster, each cluster's risk paths and coverage named by it.
    let r = palisade_in(
        dir.path(),
        &[&every_context[..], &["--format", "html"]].concat(),
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    let html = &r.stdout;
    assert!(html.contains("<h2 id=\"h-clusters\">Clusters</h2>"));
    assert!(html.contains("<tr><th scope=\"row\">prod</th>"), "{html}");
    assert!(
        html.contains("<tr><th scope=\"row\">staging</th>"),
        "{html}"
    );
    assert!(
        html.contains("<th scope=\"col\">Cluster</th>"),
        "a cluster column in the risk table"
    );
    assert!(
        html.contains(
            "<td>prod</td><th scope=\"row\">Group system:authenticated</th><td>do anything"
        ),
        "{html}"
    );
    assert!(
        html.contains("NetworkPolicy coverage: cluster prod"),
        "{html}"
    );
    assert!(!html.contains("dG9wLXNlY3JldC12YWx1ZQ"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_cluster_is_an_input_error_and_the_others_are_still_scanned() {
    let prod = TestServer::start(shop(), Auth::Token).await;
    let gone = TestServer::start(FakeCluster::new(), Auth::Token).await;
    let dir = tempfile::tempdir().unwrap();
    write_kubeconfig(
        &dir.path().join("kubeconfig"),
        &[("prod", &prod, Auth::Token), ("gone", &gone, Auth::Token)],
    );
    drop(gone);
    let flags = [
        "--all-contexts",
        "--request-timeout",
        "2s",
        "--retries",
        "1",
    ];
    let (r, out) = scan_json(dir.path(), &flags).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        out["errors"][0]["path"] == "cluster gone",
        "{}",
        out["errors"]
    );
    assert!(out["clusters"][1]["error"].is_string());
    assert!(
        out["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["object"]["cluster"] == "prod")
    );
}

#[test]
fn the_rbac_manifest_grants_reads_only() {
    let r = run(palisade().args(["cluster", "rbac-manifest", "--without-secrets"]));
    assert_eq!(r.code, 0);
    let docs: Vec<Value> = r
        .stdout
        .split("\n---\n")
        .map(|d| serde_saphyr::from_str(d).unwrap())
        .collect();
    assert_eq!(docs[0]["kind"], "ClusterRole");
    assert_eq!(docs[1]["kind"], "ClusterRoleBinding");
    for rule in docs[0]["rules"].as_array().unwrap() {
        let verbs: Vec<&str> = rule["verbs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            verbs.iter().all(|v| *v == "get" || *v == "list"),
            "{verbs:?}"
        );
        assert!(!rule["resources"].to_string().contains("secrets"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_that_cannot_be_listed_makes_the_scan_incomplete_live_and_offline() {
    let mut cluster = shop();
    for _ in 0..4 {
        cluster.fault(
            "clusterrolebindings.rbac.authorization.k8s.io",
            Fault::Status(503),
        );
    }
    let (_server, dir) = serve(cluster, Auth::Token).await;
    let (r, out) = scan_json(dir.path(), &["--retries", "1"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    let message = out["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("clusterrolebindings.rbac.authorization.k8s.io could not be listed"),
        "{message}"
    );
    assert!(message.contains("503"), "{message}");
    // What was not listed is not judged: no finding about the binding.
    assert!(!out["findings"].to_string().contains("everyone-admin"));
    // The snapshot records it, and its scan says so too.
    let args = [
        "cluster",
        "snapshot",
        "--kubeconfig",
        "kubeconfig",
        "--retries",
        "1",
    ];
    let snap = palisade_in(dir.path(), &[&args[..], &["-o", "s.snapshot"]].concat()).await;
    assert_eq!(snap.code, 0, "{}", snap.stderr);
    assert!(
        snap.stderr
            .contains("clusterrolebindings.rbac.authorization.k8s.io not read"),
        "{}",
        snap.stderr
    );
    let offline = palisade_in(
        dir.path(),
        &["scan", "s.snapshot", "--format", "json", "--no-config"],
    )
    .await;
    assert_eq!(offline.code, 2);
    assert_eq!(json_of(&offline)["errors"][0]["message"], message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_scan_writes_policy_reports_per_namespace() {
    let (_server, dir) = serve(shop(), Auth::Token).await;
    let args = [
        "cluster",
        "scan",
        "--kubeconfig",
        "kubeconfig",
        "--no-config",
    ];
    let r = palisade_in(
        dir.path(),
        &[&args[..], &["--format", "policyreport"]].concat(),
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    let list = json_of(&r);
    let items = list["items"].as_array().unwrap();
    let shop = items
        .iter()
        .find(|i| i["kind"] == "PolicyReport" && i["metadata"]["namespace"] == "shop")
        .expect("a PolicyReport for the namespace shop");
    assert_eq!(shop["metadata"]["labels"]["palisade.dev/cluster"], "prod");
    let results = shop["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["policy"] == "PSS003" && r["resources"][0]["name"] == "api")
    );
    assert!(items.iter().any(|i| i["kind"] == "ClusterPolicyReport"));
    assert!(!r.stdout.contains("dG9wLXNlY3JldC12YWx1ZQ"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_reports_writes_them_server_side_and_deletes_stale_ones_it_owns() {
    let mut cluster = shop();
    let group = "wgpolicyk8s.io";
    cluster.serve(group, "v1alpha2", "policyreports", "PolicyReport", true);
    cluster.serve(
        group,
        "v1alpha2",
        "clusterpolicyreports",
        "ClusterPolicyReport",
        false,
    );
    let ours = json!({"app.kubernetes.io/managed-by": "palisade", "palisade.dev/cluster": "prod"});
    cluster.add([
        // Written by an earlier scan, for a namespace that has no finding any more.
        json!({"apiVersion": "wgpolicyk8s.io/v1alpha2", "kind": "PolicyReport",
            "metadata": {"name": "palisade", "namespace": "gone", "labels": ours}, "results": []}),
        // Someone else's.
        json!({"apiVersion": "wgpolicyk8s.io/v1alpha2", "kind": "PolicyReport",
            "metadata": {"name": "kyverno-abc", "namespace": "shop"}, "results": []}),
    ]);
    let (server, dir) = serve(cluster, Auth::Token).await;
    let (r, _) = scan_json(dir.path(), &["--apply-reports"]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("cluster prod: applied 2 reports, deleted 1 stale"),
        "{}",
        r.stderr
    );
    let requests = server.requests();
    // Server-side apply, forced, as the field manager `palisade`.
    let patched = requests.iter().any(|q| {
        q.starts_with("PATCH /apis/wgpolicyk8s.io/v1alpha2/namespaces/shop/policyreports/palisade?")
            && q.contains("fieldManager=palisade")
            && q.contains("force=true")
    });
    assert!(patched, "{requests:#?}");
    assert!(
        requests
            .iter()
            .any(|q| q
                == "DELETE /apis/wgpolicyk8s.io/v1alpha2/namespaces/gone/policyreports/palisade"),
        "{requests:#?}"
    );
    let reports = server.objects("policyreports.wgpolicyk8s.io");
    let names: Vec<(&str, &str)> = reports
        .iter()
        .map(|r| {
            (
                r["metadata"]["namespace"].as_str().unwrap(),
                r["metadata"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("shop", "kyverno-abc"), ("shop", "palisade")]);
    let written = &reports[1];
    assert!(
        written["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["policy"] == "PSS003")
    );
    assert_eq!(
        server.objects("clusterpolicyreports.wgpolicyk8s.io").len(),
        1
    );

    // A cluster without the CRD: the scan reports it, as an input error.
    let plain = TestServer::start(shop(), Auth::Token).await;
    write_kubeconfig(
        &dir.path().join("kubeconfig"),
        &[("prod", &plain, Auth::Token)],
    );
    let (r, out) = scan_json(dir.path(), &["--apply-reports"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        out["errors"]
            .to_string()
            .contains("the report CRD is not installed"),
        "{}",
        out["errors"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_rescans_and_serves_metrics_a_prometheus_parser_reads() {
    let mut cluster = shop();
    cluster.fault("secrets", Fault::Forbidden);
    let (_server, dir) = serve(cluster, Auth::Token).await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env_remove("KUBECONFIG")
        .args([
            "cluster",
            "watch",
            "--kubeconfig",
            "kubeconfig",
            "--no-config",
        ])
        .args(["--listen", "127.0.0.1:0", "--interval", "1s"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let url = loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the watch says where it serves");
        if let Some(url) = line.strip_prefix("palisade cluster watch: serving /metrics on ") {
            break format!("{url}/metrics");
        }
    };
    let client = reqwest::Client::new();
    // Ready only once a scan has finished; two scans are counted.
    let mut text = String::new();
    for _ in 0..100 {
        text = match client.get(&url).send().await {
            Ok(r) => r.text().await.unwrap(),
            Err(_) => String::new(),
        };
        if text.contains("palisade_scans_total{cluster=\"prod\",result=\"success\"} 2") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let healthz = client
        .get(url.replace("/metrics", "/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(healthz.status(), 200);
    let readyz = client
        .get(url.replace("/metrics", "/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(readyz.status(), 200);
    let _ = child.kill();
    let _ = child.wait();
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("the metrics parse");
    let value = |name: &str, labels: &[(&str, &str)]| -> Option<f64> {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
    };
    let prod = ("cluster", "prod");
    assert_eq!(
        value("palisade_scans_total", &[prod, ("result", "success")]),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        value(
            "palisade_findings",
            &[prod, ("severity", "critical"), ("layer", "container")]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(
            "palisade_rule_findings",
            &[prod, ("rule", "PSS003"), ("severity", "critical")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            "palisade_unread_resources",
            &[prod, ("resource", "secrets"), ("state", "forbidden")]
        ),
        Some(1.0)
    );
    let ratio = value("palisade_compliance_ratio", &[prod, ("framework", "cis")]).unwrap();
    assert!((0.0..1.0).contains(&ratio), "{ratio}");
    assert!(value("palisade_last_success_timestamp_seconds", &[prod]).unwrap() > 1.7e9);
    assert!(value("palisade_objects", &[prod]).unwrap() >= 5.0);
}

#[test]
fn the_watch_manifests_pass_the_restricted_profile_and_every_high_rule() {
    let dir = tempfile::tempdir().unwrap();
    for extra in [&[][..], &["--apply-reports", "--read-secrets"][..]] {
        let r = run(palisade().args(["cluster", "watch-manifests"]).args(extra));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("kind: ServiceMonitor"));
        assert!(r.stdout.contains("- watch"));
        let file = dir.path().join("watch.yaml");
        std::fs::write(&file, &r.stdout).unwrap();
        let path = file.to_str().unwrap();
        let restricted =
            run(palisade().args(["scan", path, "--no-config", "--profile", "pss-restricted"]));
        assert_eq!(restricted.code, 0, "{extra:?}: {}", restricted.stdout);
        if extra.is_empty() {
            // Without Secrets and report writes, nothing of high severity or above.
            let all = run(palisade().args(["scan", path, "--no-config", "--fail-on", "high"]));
            assert_eq!(all.code, 0, "{}", all.stdout);
            let reads_secrets = r
                .stdout
                .lines()
                .any(|l| l.contains("resources:") && l.contains("secrets"));
            assert!(!reads_secrets, "Secrets are opt-in");
        } else {
            assert!(r.stdout.contains("--apply-reports"));
            assert!(
                r.stdout
                    .contains("resources: [policyreports, clusterpolicyreports]")
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_alerts_take_their_context_from_the_live_cluster_read_only() {
    let (server, dir) = serve(shop(), Auth::Token).await;
    let exec = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"e1","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/shop/pods/api-7c9-x1/exec?command=sh","user":{"username":"bob","groups":["devs"]},"objectRef":{"resource":"pods","subresource":"exec","namespace":"shop","name":"api-7c9-x1","apiVersion":"v1"},"responseStatus":{"code":101},"stageTimestamp":"2026-12-05T10:00:00.000000Z"}"#;
    std::fs::write(dir.path().join("audit.log"), format!("{exec}\n")).unwrap();
    let r = palisade_in(
        dir.path(),
        &[
            "audit",
            "scan",
            "audit.log",
            "--no-config",
            "--format",
            "json",
            "--select",
            "exec-into-pod",
            "--context-cluster",
            "--kubeconfig",
            "kubeconfig",
        ],
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    let alert: Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(alert["severity"], "medium", "{alert}");
    let context = &alert["context"];
    assert_eq!(context["raisedFrom"], "low");
    assert!(
        context["object"].as_str().unwrap().contains("/shop/api"),
        "{context}"
    );
    assert!(
        context["powers"][0].as_str().unwrap().contains(
            "cluster-wide (via ClusterRoleBinding/everyone-admin -> ClusterRole/cluster-admin)"
        ),
        "{context}"
    );
    assert!(!r.stdout.contains("dG9wLXNlY3JldC12YWx1ZQ") && !r.stdout.contains("top-secret"));
    let writes: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| !r.starts_with("GET "))
        .collect();
    assert!(writes.is_empty(), "the context is read only: {writes:?}");
}
