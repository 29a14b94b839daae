//! Hostile inputs that must neither hang Palisade nor make it read, print or fetch what lies
//! outside the scanned tree: named pipes, standard input that never ends, slow renderers,
//! symbolic links out of the tree, and kustomizations with remote bases. Every hostile input is
//! made by the test itself.
#![cfg(unix)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{dir_with, palisade, rules_of, run, tool};
use serde_json::Value;

const PRIVILEGED_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
  - name: app
    image: nginx:1.27.2
    securityContext:
      privileged: true
";

/// A file outside the scanned tree that must never be read through a link: a Secret with a
/// value, and a privileged Pod whose name only this file holds.
const FAKE_SECRET: &str = "FAKE-SECRET-VALUE-3f9a1c";
const OUTSIDE_NAME: &str = "exfiltrated-pod";

fn outside_manifest() -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: shop\nstringData:\n  password: {FAKE_SECRET}\n---\n{}",
        PRIVILEGED_POD.replace("name: web", &format!("name: {OUTSIDE_NAME}"))
    )
}

/// A named pipe made with the system's `mkfifo`.
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// An executable shell script standing in for `helm` or `kubectl`.
fn script(path: &Path, body: &str) -> PathBuf {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

/// An empty Helm chart `web` in `parent`, with its `templates/` directory.
fn chart_in(parent: &Path) -> PathBuf {
    let chart = parent.join("web");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    )
    .unwrap();
    chart
}

/// The binary, as a plain process (for standard input kept open), without `PALISADE_*`
/// variables from the environment.
fn spawn_palisade(dir: &Path, args: &[&str]) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_palisade"));
    for (key, _) in std::env::vars() {
        if key.starts_with("PALISADE_") {
            command.env_remove(key);
        }
    }
    command
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("palisade starts")
}

/// Wait for a child at most `limit`; kill it and fail when it is still running. Returns the
/// exit code, standard output and standard error.
fn wait_within(child: &mut Child, limit: Duration) -> (i32, String, String) {
    // The caller keeps standard input open: only the output is read here.
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let read = |pipe: Option<&mut dyn Read>| {
                let mut text = String::new();
                pipe.unwrap().read_to_string(&mut text).unwrap();
                text
            };
            let out = read(child.stdout.as_mut().map(|p| p as &mut dyn Read));
            let err = read(child.stderr.as_mut().map(|p| p as &mut dyn Read));
            return (status.code().unwrap_or(-1), out, err);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("palisade did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn json_of(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn messages(json: &Value, key: &str) -> Vec<String> {
    json[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| match e {
            Value::String(s) => s.clone(),
            other => format!("{}: {}", other["path"], other["message"].as_str().unwrap()),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Special files and standard input

#[test]
fn a_named_pipe_met_in_a_walk_is_skipped_with_a_note() {
    let dir = dir_with(&[("good.yaml", PRIVILEGED_POD.as_bytes())]);
    mkfifo(&dir.path().join("pipe.yaml"));
    let started = Instant::now();
    let r = run(palisade()
        .current_dir(dir.path())
        .timeout(Duration::from_secs(60))
        .args(["scan", ".", "--format", "json"]));
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let json = json_of(&r.stdout);
    assert_eq!(json["summary"]["files"], 1);
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
    assert_eq!(
        messages(&json, "notes"),
        vec!["skipped ./pipe.yaml: a named pipe (FIFO), not a regular file"]
    );
    assert!(rules_of(&json).contains(&"PSS003".to_string()));
}

#[test]
fn a_named_pipe_given_as_a_path_is_read_as_a_bounded_stream() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("pipe.yaml");
    mkfifo(&pipe);
    // Nobody ever writes: the scan ends after --stdin-timeout with a clear input error.
    let r = run(palisade()
        .current_dir(dir.path())
        .timeout(Duration::from_secs(60))
        .args([
            "scan",
            "pipe.yaml",
            "--format",
            "json",
            "--stdin-timeout",
            "1s",
        ]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let json = json_of(&r.stdout);
    assert_eq!(
        messages(&json, "errors"),
        vec!["\"pipe.yaml\": a named pipe (FIFO) did not end within 1s (stdin-timeout)"]
    );
    // With a writer (as `palisade scan <(helm template …)` has), it is scanned.
    let writer = std::thread::spawn(move || std::fs::write(pipe, PRIVILEGED_POD));
    let r = run(palisade()
        .current_dir(dir.path())
        .timeout(Duration::from_secs(60))
        .args(["scan", "pipe.yaml", "--format", "json"]));
    writer.join().unwrap().unwrap();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let json = json_of(&r.stdout);
    assert_eq!(json["findings"][0]["location"]["path"], "pipe.yaml");
    assert!(rules_of(&json).contains(&"PSS003".to_string()));
}

#[test]
fn fixes_leave_named_pipes_alone_and_keep_links() {
    let dir = dir_with(&[("base/pod.yaml", PRIVILEGED_POD.as_bytes())]);
    let pipe = dir.path().join("pipe.yaml");
    mkfifo(&pipe);
    let r = run(palisade()
        .current_dir(dir.path())
        .timeout(Duration::from_secs(60))
        .args(["fix", "pipe.yaml"]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("fixes rewrite files, and pipe.yaml is not a regular file"),
        "{}",
        r.stderr
    );
    // A link inside the tree: the file it points to is fixed, the link stays a link.
    std::fs::remove_file(&pipe).unwrap();
    symlink("base/pod.yaml", dir.path().join("alias.yaml")).unwrap();
    let r = run(palisade().current_dir(dir.path()).args([
        "fix",
        ".",
        "--unsafe-fixes",
        "--select",
        "PSS003",
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let alias = dir.path().join("alias.yaml");
    assert!(alias.symlink_metadata().unwrap().file_type().is_symlink());
    let fixed = std::fs::read_to_string(dir.path().join("base/pod.yaml")).unwrap();
    assert!(fixed.contains("privileged: false"), "{fixed}");
}

#[test]
fn standard_input_that_never_closes_ends_the_scan_after_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut child = spawn_palisade(
        dir.path(),
        &["scan", "-", "--format", "json", "--stdin-timeout", "1s"],
    );
    // Half a manifest, and the pipe stays open.
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"apiVersion: v1\nkind: Pod\n").unwrap();
    stdin.flush().unwrap();
    let (code, stdout, _) = wait_within(&mut child, Duration::from_secs(30));
    drop(stdin);
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(code, 2, "{stdout}");
    let json = json_of(&stdout);
    assert_eq!(
        messages(&json, "errors"),
        vec!["\"-\": standard input did not end within 1s (stdin-timeout)"]
    );

    // The limit comes from palisade.toml too (found from the working directory for `-`).
    std::fs::write(dir.path().join("palisade.toml"), "stdin-timeout = \"1s\"\n").unwrap();
    let mut child = spawn_palisade(dir.path(), &["scan", "-", "--format", "json"]);
    let stdin = child.stdin.take().unwrap();
    let (code, stdout, _) = wait_within(&mut child, Duration::from_secs(30));
    drop(stdin);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("did not end within 1s"), "{stdout}");
}

#[test]
fn an_audit_log_on_standard_input_that_never_closes_ends_after_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut child = spawn_palisade(
        dir.path(),
        &[
            "rbac",
            "generate",
            "--from-audit",
            "-",
            "--user",
            "alice",
            "--stdin-timeout",
            "1s",
        ],
    );
    // One complete event, and the pipe stays open: it is used, and the run still ends.
    let event = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"1","stage":"ResponseComplete","verb":"get","user":{"username":"alice"},"objectRef":{"resource":"pods","namespace":"web","apiVersion":"v1"},"responseStatus":{"code":200}}"#;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(event.as_bytes()).unwrap();
    stdin.write_all(b"\n").unwrap();
    stdin.flush().unwrap();
    let (code, stdout, stderr) = wait_within(&mut child, Duration::from_secs(30));
    drop(stdin);
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("standard input did not end within 1s (stdin-timeout)"),
        "{stderr}"
    );
    assert!(stdout.contains("kind: Role"), "{stdout}");
    assert!(stdout.contains("verbs:\n  - get\n"), "{stdout}");
}

#[test]
fn standard_input_that_never_ends_is_cut_at_the_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn_palisade(
        dir.path(),
        &["scan", "-", "--format", "json", "--max-file-size", "1KiB"],
    );
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let line = b"# more and more\n".repeat(64);
        // Ends when Palisade stops reading and exits (a broken pipe).
        while stdin.write_all(&line).is_ok() {}
    });
    let (code, stdout, _) = wait_within(&mut child, Duration::from_secs(30));
    writer.join().unwrap();
    assert_eq!(code, 2, "{stdout}");
    let json = json_of(&stdout);
    assert_eq!(
        messages(&json, "errors"),
        vec!["\"-\": input is over the max-file-size limit of 1024 bytes"]
    );
}

#[test]
fn durations_are_checked_and_a_slow_renderer_is_stopped_at_the_render_timeout() {
    let r = run(palisade().args(["scan", "--stdin-timeout", "5d", "-"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--stdin-timeout: invalid duration unit `d` in `5d`"),
        "{}",
        r.stderr
    );
    let r = run(palisade()
        .env("PALISADE_RENDER_TIMEOUT", "0s")
        .args(["scan", "-"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("must be more than zero"), "{}", r.stderr);

    let dir = tempfile::tempdir().unwrap();
    chart_in(dir.path());
    let helm = script(&dir.path().join("slow-helm"), "exec sleep 30");
    let started = Instant::now();
    let r = run(palisade()
        .current_dir(dir.path())
        .timeout(Duration::from_secs(60))
        .env("PALISADE_HELM", &helm)
        .args(["scan", "web", "--format", "json", "--render-timeout", "1s"])
        .args(["--render-errors", "error"]));
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let errors = messages(&json_of(&r.stdout), "errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].ends_with("slow-helm did not finish within 1s (render-timeout)"),
        "{errors:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Symbolic links

/// `top/outside/secret.yaml` and a repository `top/repo` with `good.yaml`, a link to the
/// outside file and a link to the outside directory.
fn repo_with_links() -> (tempfile::TempDir, PathBuf) {
    let top = tempfile::tempdir().unwrap();
    let outside = top.path().join("outside");
    let repo = top.path().join("repo");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(outside.join("secret.yaml"), outside_manifest()).unwrap();
    std::fs::write(repo.join("good.yaml"), PRIVILEGED_POD).unwrap();
    symlink("../outside/secret.yaml", repo.join("leak.yaml")).unwrap();
    symlink("../outside", repo.join("shared")).unwrap();
    (top, repo)
}

#[test]
fn links_out_of_the_tree_are_not_read_in_any_format() {
    let (_top, repo) = repo_with_links();
    for &format in palisade_report::Format::NAMES {
        for extra in [&[][..], &["--show-suppressed"][..]] {
            let r = run(palisade()
                .current_dir(&repo)
                .args(["scan", ".", "--format", format])
                .args(extra));
            assert_eq!(r.code, 1, "{format}: {}{}", r.stdout, r.stderr);
            for text in [&r.stdout, &r.stderr] {
                assert!(!text.contains(FAKE_SECRET), "{format}: {text}");
                assert!(!text.contains(OUTSIDE_NAME), "{format}: {text}");
            }
        }
    }
    let r = run(palisade()
        .current_dir(&repo)
        .args(["scan", ".", "--format", "json"]));
    let json = json_of(&r.stdout);
    assert_eq!(json["summary"]["files"], 1, "{json:#}");
    let notes = messages(&json, "notes");
    assert_eq!(notes.len(), 2, "{notes:?}");
    let target = std::fs::canonicalize(repo.join("../outside")).unwrap();
    assert_eq!(
        notes[0],
        format!(
            "skipped ./leak.yaml: a symbolic link to {}, outside the scanned directories (follow-symlinks reads it)",
            target.join("secret.yaml").display()
        )
    );
    assert!(
        notes[1].starts_with("skipped ./shared: a symbolic link to"),
        "{notes:?}"
    );
    let r = run(palisade().current_dir(&repo).args(["scan", "."]));
    assert!(
        r.stdout
            .contains("note: skipped ./leak.yaml: a symbolic link to"),
        "{}",
        r.stdout
    );
}

#[test]
fn following_links_is_an_explicit_choice() {
    let (_top, repo) = repo_with_links();
    let names = |json: &Value| -> Vec<String> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["object"]["name"].as_str().map(str::to_string))
            .collect()
    };
    // The flag, its variable and a file named on the command line each read the outside file.
    let r = run(palisade().current_dir(&repo).args([
        "scan",
        ".",
        "--format",
        "json",
        "--follow-symlinks",
    ]));
    let json = json_of(&r.stdout);
    assert!(names(&json).contains(&OUTSIDE_NAME.to_string()), "{json:#}");
    assert_eq!(json["summary"]["files"], 3, "{json:#}");
    let r = run(palisade()
        .current_dir(&repo)
        .env("PALISADE_FOLLOW_SYMLINKS", "true")
        .args(["scan", ".", "--format", "json"]));
    assert!(names(&json_of(&r.stdout)).contains(&OUTSIDE_NAME.to_string()));
    let r = run(palisade()
        .current_dir(&repo)
        .args(["scan", "leak.yaml", "--format", "json"]));
    assert!(names(&json_of(&r.stdout)).contains(&OUTSIDE_NAME.to_string()));
    // A palisade.toml found in the scanned tree belongs to the change being scanned: it
    // cannot turn following on (a note says so); one named with --config can.
    std::fs::write(
        repo.join("palisade.toml"),
        "follow-symlinks = true\nallow-remote-bases = true\n",
    )
    .unwrap();
    let r = run(palisade()
        .current_dir(&repo)
        .args(["scan", ".", "--format", "json"]));
    assert!(!r.stdout.contains(OUTSIDE_NAME), "{}", r.stdout);
    let notes = messages(&json_of(&r.stdout), "notes");
    for key in ["follow-symlinks", "allow-remote-bases"] {
        assert!(
            notes.iter().any(|n| n.contains(&format!(
                "asks for {key} = true, which a configuration file found in the scanned tree cannot turn on"
            ))),
            "{notes:?}"
        );
    }
    let r = run(palisade().current_dir(&repo).args([
        "scan",
        ".",
        "--format",
        "json",
        "--config",
        "palisade.toml",
    ]));
    assert!(names(&json_of(&r.stdout)).contains(&OUTSIDE_NAME.to_string()));
    // A flag turns off what a named configuration turns on.
    let r = run(palisade().current_dir(&repo).args([
        "scan",
        ".",
        "--format",
        "json",
        "--config",
        "palisade.toml",
        "--follow-symlinks=false",
    ]));
    assert!(!r.stdout.contains(OUTSIDE_NAME), "{}", r.stdout);
}

#[test]
fn a_chart_with_a_link_out_of_the_tree_is_not_rendered() {
    let (_top, repo) = repo_with_links();
    let chart = chart_in(&repo);
    symlink(
        "../../../outside/secret.yaml",
        chart.join("templates/leak.yaml"),
    )
    .unwrap();
    for &format in palisade_report::Format::NAMES {
        let r = run(palisade()
            .current_dir(&repo)
            .env("PALISADE_HELM", tool("helm"))
            .env("PALISADE_RENDER_ERRORS", "error")
            .args(["scan", "web", "--format", format]));
        assert_eq!(r.code, 2, "{format}: {}{}", r.stdout, r.stderr);
        assert!(!r.stdout.contains(FAKE_SECRET), "{format}: {}", r.stdout);
        assert!(!r.stdout.contains(OUTSIDE_NAME), "{format}: {}", r.stdout);
    }
    // By default a refusal is a warning, with the same message.
    let r = run(palisade()
        .current_dir(&repo)
        .env("PALISADE_HELM", tool("helm"))
        .args(["scan", "web", "--format", "json"]));
    assert_ne!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains(FAKE_SECRET), "{}", r.stdout);
    let errors = messages(&json_of(&r.stdout), "warnings");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(
            "\"web\": refusing to render the Helm chart: web/templates/leak.yaml: a symbolic link to"
        ) && errors[0].ends_with("helm would read it (follow-symlinks allows it)"),
        "{errors:?}"
    );
    // Helm itself follows the link: opting in renders the outside file.
    let r = run(palisade()
        .current_dir(&repo)
        .env("PALISADE_HELM", tool("helm"))
        .args(["scan", "web", "--format", "json", "--follow-symlinks"]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(OUTSIDE_NAME), "{}", r.stdout);
}

#[test]
fn a_kustomization_that_reaches_out_through_a_link_is_not_built() {
    let (_top, repo) = repo_with_links();
    // The outside directory becomes a base that a link in the repository points at.
    std::fs::write(
        repo.join("../outside/kustomization.yaml"),
        "resources:\n- secret.yaml\n",
    )
    .unwrap();
    let overlay = repo.join("overlay");
    std::fs::create_dir_all(&overlay).unwrap();
    std::fs::write(
        overlay.join("kustomization.yaml"),
        "resources:\n- ../shared\n",
    )
    .unwrap();
    let kubectl = tool("kubectl");
    for &format in palisade_report::Format::NAMES {
        let r = run(palisade()
            .current_dir(&repo)
            .env("PALISADE_KUBECTL", &kubectl)
            .env("PALISADE_RENDER_ERRORS", "error")
            .args(["scan", "overlay", "--format", format]));
        assert_eq!(r.code, 2, "{format}: {}{}", r.stdout, r.stderr);
        assert!(!r.stdout.contains(FAKE_SECRET), "{format}: {}", r.stdout);
        assert!(!r.stdout.contains(OUTSIDE_NAME), "{format}: {}", r.stdout);
    }
    let r = run(palisade()
        .current_dir(&repo)
        .env("PALISADE_KUBECTL", &kubectl)
        .args(["scan", "overlay", "--format", "json"]));
    let errors = messages(&json_of(&r.stdout), "warnings");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("refusing to build the kustomization: ")
            && errors[0].contains("kustomization: shared: a symbolic link to")
            && errors[0].ends_with("kustomize would read it (follow-symlinks allows it)"),
        "{errors:?}"
    );
    // Kustomize follows a linked base wherever it leads: opting in builds it.
    let r = run(palisade()
        .current_dir(&repo)
        .env("PALISADE_KUBECTL", &kubectl)
        .args(["scan", "overlay", "--format", "json", "--follow-symlinks"]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(OUTSIDE_NAME), "{}", r.stdout);

    // A resource file linked out of the tree is refused too (before kubectl, which would
    // refuse it as well).
    std::fs::write(
        overlay.join("kustomization.yaml"),
        "resources:\n- ../leak.yaml\n",
    )
    .unwrap();
    let r = run(palisade()
        .current_dir(&repo)
        .env("PALISADE_KUBECTL", &kubectl)
        .args(["scan", "overlay", "--format", "json"]));
    let errors = messages(&json_of(&r.stdout), "warnings");
    assert!(
        errors.len() == 1 && errors[0].contains("kustomization: leak.yaml: a symbolic link to"),
        "{errors:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Rendering and the network

/// A local port that records whether anything connected to it.
struct Listener(TcpListener);

impl Listener {
    fn new() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Listener(listener)
    }

    fn port(&self) -> u16 {
        self.0.local_addr().unwrap().port()
    }

    fn contacted(&self) -> bool {
        self.0.accept().is_ok()
    }
}

#[test]
fn a_remote_base_is_refused_before_kubectl_runs() {
    let listener = Listener::new();
    let port = listener.port();
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("kubectl-ran");
    let kubectl = script(
        &dir.path().join("kubectl"),
        &format!("touch '{}'\necho 'apiVersion: v1'", marker.display()),
    );
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("base")).unwrap();
    std::fs::create_dir_all(repo.join("prod")).unwrap();
    std::fs::write(repo.join("base/pod.yaml"), PRIVILEGED_POD).unwrap();
    // The remote reference sits in a local base the overlay uses, with a token in it.
    std::fs::write(
        repo.join("base/kustomization.yaml"),
        format!("resources:\n- pod.yaml\n- https://user:tok3n-ABC@127.0.0.1:{port}/remote.yaml\n"),
    )
    .unwrap();
    std::fs::write(
        repo.join("prod/kustomization.yaml"),
        "resources:\n- ../base\ncomponents:\n- github.com/acme/k8s//components/x?ref=v1\n",
    )
    .unwrap();
    let r = run(palisade()
        .current_dir(&repo)
        .env("PALISADE_KUBECTL", &kubectl)
        .args([
            "scan",
            "prod",
            "--format",
            "json",
            "--render-errors",
            "error",
        ]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let errors = messages(&json_of(&r.stdout), "errors");
    assert_eq!(
        errors,
        vec![format!(
            "\"prod/kustomization.yaml\": refusing to build a kustomization with remote references: prod/kustomization.yaml names `github.com/acme/k8s//components/x?ref=v1` in `components`; base/kustomization.yaml names `https://****@127.0.0.1:{port}/remote.yaml` in `resources`; kubectl would fetch them over the network (allow-remote-bases allows it)"
        )]
    );
    assert!(!r.stdout.contains("tok3n"), "{}", r.stdout);
    assert!(!marker.exists(), "kubectl must not run");
    assert!(!listener.contacted(), "nothing may be fetched");
    // Walking the tree finds both kustomizations: each is refused, kubectl never runs, and
    // their files are scanned one by one, as for any kustomization that does not build.
    let r = run(palisade()
        .current_dir(&repo)
        .env("PALISADE_KUBECTL", &kubectl)
        .args(["scan", ".", "--format", "json"]));
    let json = json_of(&r.stdout);
    assert_eq!(messages(&json, "warnings").len(), 2, "{json:#}");
    assert!(rules_of(&json).contains(&"PSS003".to_string()), "{json:#}");
    assert!(!marker.exists() && !listener.contacted());
    // Opting in hands the kustomization to kubectl.
    let r = run(palisade()
        .current_dir(&repo)
        .env("PALISADE_KUBECTL", &kubectl)
        .args(["scan", "prod", "--format", "json", "--allow-remote-bases"]));
    assert!(marker.exists(), "{}{}", r.stdout, r.stderr);
}

/// Serve one HTTP response with `body`, for kustomize to fetch.
fn serve_once(body: String) -> (u16, std::thread::JoinHandle<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        listener.set_nonblocking(false).unwrap();
        let Ok((mut stream, _)) = listener.accept() else {
            return false;
        };
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(response.as_bytes()).is_ok()
    });
    (port, handle)
}

#[test]
fn with_allow_remote_bases_kubectl_fetches_the_remote_resource() {
    let remote = PRIVILEGED_POD.replace("name: web", "name: fetched-pod");
    let (port, server) = serve_once(remote);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        format!("resources:\n- http://127.0.0.1:{port}/pod.yaml\n"),
    )
    .unwrap();
    let r = run(palisade()
        .current_dir(dir.path())
        .timeout(Duration::from_secs(120))
        .env("PALISADE_KUBECTL", tool("kubectl"))
        .env("PALISADE_ALLOW_REMOTE_BASES", "true")
        .args(["scan", ".", "--format", "json"]));
    assert!(server.join().unwrap(), "kubectl fetched the resource");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("fetched-pod"), "{}", r.stdout);
}

#[test]
fn helm_runs_client_only_without_cluster_credentials_or_network() {
    let listener = Listener::new();
    let port = listener.port();
    let dir = tempfile::tempdir().unwrap();
    // A kubeconfig and an in-cluster service pointing at the local port: neither may be used.
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:{port}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: c\n  context: {{cluster: c, user: u}}\ncurrent-context: c\nusers:\n- name: u\n  user: {{token: cluster-token}}\n"
        ),
    )
    .unwrap();
    let chart = chart_in(dir.path());
    std::fs::write(
        chart.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: seen\ndata:\n  namespaces: {{ lookup \"v1\" \"Namespace\" \"\" \"\" | toJson | quote }}\n",
    )
    .unwrap();
    let r = run(palisade()
        .current_dir(dir.path())
        .env("PALISADE_HELM", tool("helm"))
        .env("KUBECONFIG", &kubeconfig)
        .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("KUBERNETES_SERVICE_PORT", port.to_string())
        .env("HELM_KUBEAPISERVER", format!("https://127.0.0.1:{port}"))
        .args(["scan", "web", "--format", "json"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(json_of(&r.stdout)["summary"]["objects"], 1);
    assert!(!listener.contacted(), "helm contacted the cluster");

    // What helm is given: `template` and the chart, nothing that reaches a cluster, and an
    // environment without cluster credentials or a usable proxy.
    let record = dir.path().join("helm-call");
    let fake = script(
        &dir.path().join("helm"),
        &format!(
            "echo \"$@\" > '{0}'\necho \"KUBECONFIG=$KUBECONFIG HOST=${{KUBERNETES_SERVICE_HOST-unset}} API=${{HELM_KUBEAPISERVER-unset}} PROXY=$HTTPS_PROXY\" >> '{0}'",
            record.display()
        ),
    );
    let r = run(palisade()
        .current_dir(dir.path())
        .env("PALISADE_HELM", &fake)
        .env("KUBECONFIG", &kubeconfig)
        .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("HELM_KUBEAPISERVER", format!("https://127.0.0.1:{port}"))
        .args(["scan", "web", "--format", "json"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let call = std::fs::read_to_string(&record).unwrap();
    let mut lines = call.lines();
    assert_eq!(lines.next(), Some("template web"));
    assert_eq!(
        lines.next(),
        Some(
            "KUBECONFIG=/dev/null/palisade-no-kubeconfig HOST=unset API=unset PROXY=http://127.0.0.1:9"
        )
    );
}
