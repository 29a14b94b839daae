//! `palisade node` over fake roots built in temporary directories: a kubeadm-like control
//! plane, a hardened worker, a misconfigured worker whose kubelet flags contradict its
//! configuration file, and roots that are not nodes.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{palisade, run};
use serde_json::Value;

/// Write `text` at the node path `path` under `root`, with `mode`.
fn put(root: &Path, path: &str, mode: u32, text: &str) {
    let host = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(host.parent().unwrap()).unwrap();
    std::fs::write(&host, text).unwrap();
    std::fs::set_permissions(&host, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A process of the node: `/proc/PID/cmdline`.
fn process(root: &Path, pid: u32, argv: &[&str]) {
    let mut cmdline = argv.join("\0");
    cmdline.push('\0');
    put(root, &format!("/proc/{pid}/cmdline"), 0o444, &cmdline);
}

const APISERVER: &str = "apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.35.0
    command:
    - kube-apiserver
    - --anonymous-auth=true
    - --authorization-mode=Node,RBAC
    - --profiling=false
";

const HARDENED_KUBELET: &str = "apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}
authorization: {mode: Webhook}
readOnlyPort: 0
rotateCertificates: true
serverTLSBootstrap: true
seccompDefault: true
protectKernelDefaults: true
podPidsLimit: 4096
tlsMinVersion: VersionTLS12
tlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
";

/// A kubelet configured by the book, with its kubeconfig.
fn hardened_kubelet(root: &Path) {
    put(
        root,
        "/var/lib/kubelet/config.yaml",
        0o600,
        HARDENED_KUBELET,
    );
    put(
        root,
        "/etc/kubernetes/kubelet.conf",
        0o600,
        "apiVersion: v1\nkind: Config\n",
    );
}

/// A kubeadm control-plane node with a few classic mistakes.
fn control_plane(root: &Path) {
    put(root, "/etc/hostname", 0o644, "cp-1\n");
    put(
        root,
        "/etc/os-release",
        0o644,
        "NAME=\"Ubuntu\"\nPRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\n",
    );
    put(
        root,
        "/etc/passwd",
        0o644,
        "root:x:0:0:root:/root:/bin/bash\netcd:x:998:998::/var/lib/etcd:/sbin/nologin\n",
    );
    put(root, "/etc/group", 0o644, "root:x:0:\netcd:x:998:\n");
    put(
        root,
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        0o644,
        APISERVER,
    );
    put(
        root,
        "/etc/kubernetes/admin.conf",
        0o644,
        "apiVersion: v1\nkind: Config\n",
    );
    put(root, "/etc/kubernetes/pki/ca.crt", 0o644, "cert\n");
    put(root, "/etc/kubernetes/pki/ca.key", 0o644, "key\n");
    put(root, "/etc/kubernetes/pki/apiserver.key", 0o600, "key\n");
    hardened_kubelet(root);
    std::fs::create_dir_all(root.join("var/lib/etcd")).unwrap();
    std::fs::set_permissions(
        root.join("var/lib/etcd"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    process(
        root,
        812,
        &[
            "/usr/bin/kubelet",
            "--config=/var/lib/kubelet/config.yaml",
            "--kubeconfig=/etc/kubernetes/kubelet.conf",
        ],
    );
}

fn node_json(root: &Path, extra: &[&str]) -> (i32, Value, String) {
    let r = run(palisade()
        .args(["node", "--no-config", "--format", "json", "--root"])
        .arg(root)
        .args(extra));
    let json = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    (r.code, json, r.stderr)
}

fn found(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = f["location"]["path"]
                .as_str()
                .or_else(|| f["subject"]["path"].as_str())
                .unwrap_or("");
            format!("{} {at}", f["rule"].as_str().unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_kubeadm_control_plane_is_checked_from_its_files_and_manifests() {
    let dir = tempfile::tempdir().unwrap();
    control_plane(dir.path());
    let (code, report, stderr) = node_json(dir.path(), &[]);
    assert_eq!(code, 1, "{stderr}");
    let found = found(&report);
    for expected in [
        "NODE001 /etc/kubernetes/manifests/kube-apiserver.yaml",
        "NODE006 /etc/kubernetes/admin.conf",
        "NODE011 /etc/kubernetes/pki/ca.key",
        "ETCD010 /var/lib/etcd",
        "CP001 /etc/kubernetes/manifests/kube-apiserver.yaml",
    ] {
        assert!(
            found.iter().any(|f| f == expected),
            "{expected} in {found:#?}"
        );
    }
    // A hardened kubelet and a locked-down key pass.
    assert!(
        !found.iter().any(|f| f.starts_with("KUBELET")),
        "{found:#?}"
    );
    assert!(
        !found.iter().any(|f| f.ends_with("apiserver.key")),
        "{found:#?}"
    );
    // The manifest's finding points at its line.
    let anonymous = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "CP001")
        .unwrap();
    assert_eq!(anonymous["location"]["line"], 10, "{anonymous}");
    // The etcd data directory: too open and not owned by etcd.
    let etcd = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ETCD010")
        .unwrap();
    let message = etcd["message"].as_str().unwrap();
    assert!(
        message.contains("permissions 755 (allowed: 700 or more restrictive) and owner ")
            && message.ends_with("(expected etcd:etcd)"),
        "{etcd}"
    );
}

#[test]
fn a_worker_takes_its_kubelet_flags_over_its_configuration_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    hardened_kubelet(root);
    put(root, "/etc/kubernetes/pki/ca.crt", 0o666, "cert\n");
    put(root, "/run/containerd/containerd.sock", 0o666, "");
    std::fs::create_dir_all(root.join("var")).unwrap();
    std::os::unix::fs::symlink("/run", root.join("var/run")).unwrap();
    process(
        root,
        1200,
        &[
            "/usr/bin/kubelet",
            "--config",
            "/var/lib/kubelet/config.yaml",
            "--anonymous-auth=true",
            "--read-only-port=10255",
        ],
    );
    let (code, report, stderr) = node_json(root, &[]);
    assert_eq!(code, 1, "{stderr}");
    let found = found(&report);
    assert!(found.iter().any(|f| f.starts_with("KUBELET001 kubelet configuration (/var/lib/kubelet/config.yaml + flags --anonymous-auth --read-only-port)")), "{found:#?}");
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("KUBELET") && f.contains("--read-only-port")),
        "{found:#?}"
    );
    assert!(
        found.contains(&"NODE015 /etc/kubernetes/pki/ca.crt".to_string()),
        "{found:#?}"
    );
    assert!(
        found.contains(&"NODE021 /run/containerd/containerd.sock".to_string()),
        "one socket behind two paths: {found:#?}"
    );
    assert!(
        !found
            .iter()
            .any(|f| f.starts_with("NODE001") || f.starts_with("ETCD")),
        "a worker: {found:#?}"
    );

    // The hardened worker, flags agreeing: nothing.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    put(
        root,
        "/var/lib/kubelet/config.yaml",
        0o600,
        HARDENED_KUBELET,
    );
    put(root, "/etc/kubernetes/pki/ca.crt", 0o644, "cert\n");
    process(
        root,
        1200,
        &["/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml"],
    );
    let (code, report, stderr) = node_json(root, &[]);
    assert_eq!(code, 0, "{stderr}: {report}");
}

#[test]
fn roots_that_are_not_nodes_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "/etc/hostname", 0o644, "laptop\n");
    let r = run(palisade()
        .args(["node", "--no-config", "--root"])
        .arg(dir.path()));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no Kubernetes node found there"),
        "{}",
        r.stderr
    );
    let r = run(palisade().args(["node", "--no-config", "--root", "/nonexistent/root"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a directory"), "{}", r.stderr);
    // An unreadable kubelet configuration is a note, and the rest is still checked.
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "/var/lib/kubelet/config.yaml",
        0o600,
        "- not\n- a config\n",
    );
    put(dir.path(), "/etc/kubernetes/kubelet.conf", 0o644, "x\n");
    let r = run(palisade()
        .args(["node", "--no-config", "--root"])
        .arg(dir.path()));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        format!("{}{}", r.stdout, r.stderr).contains("is not valid"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stdout.contains("NODE014"), "{}", r.stdout);
}

#[test]
fn a_running_component_whose_flags_differ_from_its_manifest_is_checked_as_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    control_plane(dir.path());
    // Restarted by hand with anonymous auth off and profiling on: the process is the truth.
    process(
        dir.path(),
        601,
        &[
            "/usr/local/bin/kube-apiserver",
            "--anonymous-auth=false",
            "--authorization-mode=Node,RBAC",
            "--profiling=true",
        ],
    );
    let (_, report, _) = node_json(dir.path(), &[]);
    let found = found(&report);
    assert!(!found.iter().any(|f| f.starts_with("CP001")), "{found:#?}");
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("CP0") && f.ends_with("/proc/601/cmdline (kube-apiserver)")),
        "{found:#?}"
    );
    let notes = report["notes"].to_string();
    assert!(notes.contains("kube-apiserver runs with flags that differ from /etc/kubernetes/manifests/kube-apiserver.yaml"), "{report}");
}

#[test]
fn kube_bench_json_keeps_kube_bench_consumers_working() {
    let dir = tempfile::tempdir().unwrap();
    control_plane(dir.path());
    let r = run(palisade()
        .args([
            "node",
            "--no-config",
            "--format",
            "kube-bench-json",
            "--root",
        ])
        .arg(dir.path()));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    let controls = doc["Controls"].as_array().unwrap();
    let ids: Vec<&str> = controls.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "4"]);
    assert_eq!(controls[0]["node_type"], "master");
    assert_eq!(controls[0]["version"], "cis-1.12");
    let status = |number: &str| -> String {
        controls
            .iter()
            .flat_map(|c| c["tests"].as_array().unwrap())
            .flat_map(|g| g["results"].as_array().unwrap())
            .find(|r| r["test_number"] == number)
            .map(|r| r["status"].as_str().unwrap().to_string())
            .unwrap_or_else(|| format!("no {number}"))
    };
    assert_eq!(status("1.1.1"), "FAIL", "the API server manifest is 644");
    assert_eq!(status("1.1.13"), "FAIL", "admin.conf is 644");
    assert_eq!(status("1.2.1"), "FAIL", "anonymous auth");
    assert_eq!(status("4.1.9"), "PASS", "the kubelet config is 600");
    assert_eq!(
        status("4.2.1"),
        "PASS",
        "the kubelet refuses anonymous requests"
    );
    assert_eq!(
        status("4.1.3"),
        "INFO",
        "no kube-proxy kubeconfig on this node"
    );
    let result = controls[0]["tests"][0]["results"][0].as_object().unwrap();
    for key in [
        "test_number",
        "test_desc",
        "audit",
        "AuditEnv",
        "AuditConfig",
        "type",
        "remediation",
        "test_info",
        "status",
        "actual_value",
        "scored",
        "IsMultiple",
        "expected_result",
    ] {
        assert!(result.contains_key(key), "{key} in {result:?}");
    }
    let sum = |key: &str| {
        controls
            .iter()
            .map(|c| c[key].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(
        doc["Totals"]["total_fail"].as_u64().unwrap(),
        sum("total_fail")
    );
    assert_eq!(
        doc["Totals"]["total_pass"].as_u64().unwrap(),
        sum("total_pass")
    );
    let group = &controls[0]["tests"][0];
    assert_eq!(group["section"], "1.1");
    assert_eq!(
        group["fail"].as_u64().unwrap()
            + group["pass"].as_u64().unwrap()
            + group["info"].as_u64().unwrap(),
        group["results"].as_array().unwrap().len() as u64
    );
}

/// A server on loopback that answers `open` paths with 200 and the rest with 401: over TLS
/// (with a certificate in `dir`) or plain HTTP. Its port.
fn fake_endpoint(
    runtime: &tokio::runtime::Runtime,
    dir: &Path,
    tls: bool,
    open: &'static [&'static str],
) -> u16 {
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| async move {
        if open.contains(&uri.path()) {
            (axum::http::StatusCode::OK, "{}")
        } else {
            (axum::http::StatusCode::UNAUTHORIZED, "Unauthorized")
        }
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    if tls {
        common::certificates(dir);
        let files = palisade_https::TlsFiles {
            cert: dir.join("tls.crt"),
            key: dir.join("tls.key"),
        };
        runtime.spawn(async move {
            let config = files.load().await.unwrap();
            let handle = axum_server::Handle::new();
            let _ = palisade_https::serve(
                listener,
                config,
                app,
                handle,
                std::time::Duration::from_secs(5),
            )
            .await;
        });
    } else {
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let _ = axum::serve(listener, app).await;
        });
    }
    port
}

#[test]
fn probes_report_what_endpoints_answer_anonymously() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubelet = fake_endpoint(&runtime, dir.path(), true, &["/pods", "/configz"]);
    let read_only = fake_endpoint(&runtime, dir.path(), false, &["/pods"]);
    let r = run(palisade().args([
        "probe",
        "kubelet",
        "--node",
        &format!("127.0.0.1:{kubelet}"),
        "--read-only-port",
        &read_only.to_string(),
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let found = found(&report);
    assert_eq!(found.len(), 2, "{found:#?}");
    let messages = report["findings"].to_string();
    assert!(
        messages.contains("answered anonymous requests for /pods, /configz"),
        "{messages}"
    );
    assert!(messages.contains("read-only port"), "{messages}");
    assert_eq!(
        report["findings"][0]["subject"]["type"], "endpoint",
        "{messages}"
    );

    // An API server that serves only public information: nothing.
    let apiserver = fake_endpoint(
        &runtime,
        dir.path(),
        true,
        &["/healthz", "/livez", "/readyz", "/version"],
    );
    let r = run(palisade().args([
        "probe",
        "apiserver",
        "--server",
        &format!("https://127.0.0.1:{apiserver}"),
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // One that serves discovery and namespaces to anyone: CP042.
    let open = fake_endpoint(
        &runtime,
        dir.path(),
        true,
        &["/healthz", "/api", "/api/v1/namespaces"],
    );
    let r = run(palisade().args([
        "probe",
        "apiserver",
        "--server",
        &format!("https://127.0.0.1:{open}"),
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("CP042") && r.stdout.contains("/api, /api/v1/namespaces"),
        "{}",
        r.stdout
    );

    // Nothing listening, and a hung endpoint: notes within the timeout, never a crash.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let hung = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hung_port = hung.local_addr().unwrap().port();
    let started = std::time::Instant::now();
    for node in [
        format!("127.0.0.1:{closed_port}"),
        format!("127.0.0.1:{hung_port}"),
    ] {
        let r = run(palisade().args([
            "probe",
            "kubelet",
            "--node",
            &node,
            "--read-only-port",
            "0",
            "--timeout",
            "1s",
        ]));
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains("connection refused") || r.stdout.contains("no answer within"),
            "{}",
            r.stdout
        );
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    drop(hung);
}

/// A free port on loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real etcd (Debian's `etcd-server`, which the test command installs) on loopback, with
/// `tls` flags; stopped when dropped.
struct Etcd {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_etcd(scheme: &str, tls: &[String]) -> Etcd {
    let dir = tempfile::tempdir().unwrap();
    let (port, peer) = (free_port(), free_port());
    let child = std::process::Command::new("etcd")
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args([
            "--listen-client-urls",
            &format!("{scheme}://127.0.0.1:{port}"),
            "--advertise-client-urls",
            &format!("{scheme}://127.0.0.1:{port}"),
            "--listen-peer-urls",
            &format!("http://127.0.0.1:{peer}"),
            "--initial-advertise-peer-urls",
            &format!("http://127.0.0.1:{peer}"),
            "--initial-cluster",
            &format!("default=http://127.0.0.1:{peer}"),
        ])
        .args(tls)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("etcd (Debian's etcd-server, installed by scripts/install-tools.sh)");
    // Wait for the client port.
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Etcd {
        child,
        port,
        _dir: dir,
    }
}

/// Store `values` under `/registry/secrets/`.
fn put_secrets(
    runtime: &tokio::runtime::Runtime,
    url: &str,
    options: Option<etcd_client::ConnectOptions>,
    values: &[(&str, &[u8])],
) {
    runtime.block_on(async {
        let mut client = etcd_client::Client::connect([url], options).await.unwrap();
        for (name, value) in values {
            client
                .put(
                    format!("/registry/secrets/shop/{name}"),
                    value.to_vec(),
                    None,
                )
                .await
                .unwrap();
        }
    });
}

#[test]
fn etcd_probes_against_a_real_etcd_plaintext_and_with_client_certificates() {
    palisade_https::install_ring();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Plaintext, with one Secret written before encryption was enabled.
    let plain = start_etcd("http", &[]);
    put_secrets(
        &runtime,
        &format!("http://127.0.0.1:{}", plain.port),
        None,
        &[
            ("db", b"k8s:enc:aescbc:v1:key1:\x8a\x11ciphertext"),
            ("old", b"k8s\x00\x0a\x0cv1\x12\x06Secret-top-secret-value"),
        ],
    );
    let r = run(palisade().args([
        "probe",
        "etcd",
        "--endpoints",
        &format!("127.0.0.1:{}", plain.port),
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let rules: Vec<String> = found(&report)
        .iter()
        .map(|f| f.split(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(rules, ["ETCD013", "ETCD015", "ETCD016"], "{report}");
    assert!(
        r.stdout.contains(
            "1 of 2 sampled Secrets are stored without encryption although others use aescbc"
        ),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("top-secret") && !r.stdout.contains("ciphertext"));
    drop(plain);

    // TLS with client-certificate authentication.
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let dir = tempfile::tempdir().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca = params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client = CertificateParams::new(vec!["kube-apiserver-etcd-client".to_string()])
        .unwrap()
        .signed_by(&client_key, &issuer)
        .unwrap();
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().to_string()
    };
    let ca_file = write("ca.crt", ca.pem());
    let server_cert = write("server.crt", server.pem());
    let server_key_file = write("server.key", server_key.serialize_pem());
    let client_cert = write("client.crt", client.pem());
    let client_key_file = write("client.key", client_key.serialize_pem());
    let tls = start_etcd(
        "https",
        &[
            "--cert-file".into(),
            server_cert,
            "--key-file".into(),
            server_key_file,
            "--client-cert-auth".into(),
            "--trusted-ca-file".into(),
            ca_file.clone(),
        ],
    );
    let identity = etcd_client::TlsOptions::new()
        .domain_name("127.0.0.1")
        .ca_certificate(etcd_client::Certificate::from_pem(ca.pem()))
        .identity(etcd_client::Identity::from_pem(
            client.pem(),
            client_key.serialize_pem(),
        ));
    put_secrets(
        &runtime,
        &format!("https://127.0.0.1:{}", tls.port),
        Some(etcd_client::ConnectOptions::new().with_tls(identity)),
        &[("db", b"k8s:enc:kms:v2:vault-prod:\x0a\x20sealed")],
    );
    let endpoint = format!("127.0.0.1:{}", tls.port);
    // With the CA only: refused, so no finding, and no sample.
    let r = run(palisade().args([
        "probe",
        "etcd",
        "--endpoints",
        &endpoint,
        "--cacert",
        &ca_file,
        "--timeout",
        "3s",
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // With the API server's client certificate: the Secret is sampled and is encrypted.
    let r = run(palisade().args([
        "probe",
        "etcd",
        "--endpoints",
        &endpoint,
        "--cacert",
        &ca_file,
        "--cert",
        &client_cert,
        "--key",
        &client_key_file,
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        report["findings"].as_array().unwrap().is_empty(),
        "{report}"
    );
}

#[test]
fn node_probe_reads_etcd_as_the_api_server_does_and_reconciles_encryption() {
    palisade_https::install_ring();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let etcd = start_etcd("http", &[]);
    put_secrets(
        &runtime,
        &format!("http://127.0.0.1:{}", etcd.port),
        None,
        &[("legacy", b"k8s\x00\x0a\x0cv1\x12\x06Secret-legacy-password")],
    );
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let manifest = APISERVER.replace(
        "    - --profiling=false\n",
        &format!(
            "    - --profiling=false\n    - --etcd-servers=http://127.0.0.1:{}\n    - --encryption-provider-config=/etc/kubernetes/enc.yaml\n",
            etcd.port
        ),
    );
    put(
        root,
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        0o600,
        &manifest,
    );
    put(
        root,
        "/etc/kubernetes/enc.yaml",
        0o600,
        "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - aescbc: {keys: [{name: key1, secret: c2VjcmV0}]}\n  - identity: {}\n",
    );
    let (code, report, stderr) = node_json(
        root,
        &[
            "--probe",
            "--probe-timeout",
            "2s",
            "--select",
            "ETCD013,ETCD015",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let found = found(&report);
    assert!(found.iter().any(|f| f.starts_with("ETCD013")), "{found:#?}");
    let messages = report["findings"].to_string();
    assert!(
        messages.contains("the EncryptionConfiguration encrypts Secrets with aescbc, yet 1 of 1 sampled Secrets are stored without encryption"),
        "{messages}"
    );
    assert!(!messages.contains("legacy-password") && !messages.contains("c2VjcmV0"));
}
