//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub fn palisade() -> Command {
    let mut cmd = Command::cargo_bin("palisade").unwrap();
    for (k, _) in std::env::vars() {
        if k.starts_with("PALISADE_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

pub fn dir_with(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn scan_json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let r = run(palisade()
        .current_dir(dir)
        .args(["scan", "--format", "json"])
        .args(extra));
    let json = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    (r.code, json)
}

/// A real external tool a test drives. `scripts/install-tools.sh` (run by the test command)
/// puts `helm` and `kubectl` in `.tools/bin`; a tool on `PATH` works too.
pub fn tool(name: &str) -> PathBuf {
    let local = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../.tools/bin")
        .join(name);
    if local.is_file() {
        return local;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` is needed by this test: run scripts/install-tools.sh (scripts/test.sh does)")
        })
}

/// The rule ids of a JSON report's findings, in order.
pub fn rules_of(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

/// The entry of rule `id` in `palisade rules --format json`.
pub fn rule_entry(id: &str) -> serde_json::Value {
    let r = run(palisade().args(["rules", "--format", "json"]));
    let rules: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no rule {id}"))
        .clone()
}

/// The `column`-th (0-based) whitespace-separated cell of rule `id`'s row in the table that
/// `palisade rules` prints.
pub fn rules_table_cell(table: &str, id: &str, column: usize) -> String {
    let row = table
        .lines()
        .find(|l| l.starts_with(&format!("{id} ")))
        .unwrap_or_else(|| panic!("no row for {id}"));
    row.split_whitespace().nth(column).unwrap().to_string()
}

/// A CA and a serving certificate for localhost, written to `dir` (`tls.crt`, `tls.key`, and
/// the CA as `ca.crt`): the CA's DER.
pub fn certificates(dir: &Path) -> Vec<u8> {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca = params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    std::fs::write(dir.join("tls.crt"), cert.pem()).unwrap();
    std::fs::write(dir.join("tls.key"), key.serialize_pem()).unwrap();
    std::fs::write(dir.join("ca.crt"), ca.pem()).unwrap();
    ca.der().to_vec()
}

/// Start `palisade` with `args` in `dir` (standard output and error piped), and wait for the
/// log line that says it is ready (`ready_word` in it): the child, its standard error so far,
/// and the rest of its standard error.
// The child is handed to the caller, who waits for it (`terminate`).
#[allow(clippy::zombie_processes)]
pub fn spawn_until(
    dir: &Path,
    args: &[&str],
    ready_word: &str,
) -> (
    std::process::Child,
    String,
    std::io::BufReader<std::process::ChildStderr>,
) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("PALISADE_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap_or(0) == 0 {
            let status = child.wait();
            panic!("palisade exited before it was ready ({status:?}): {log}");
        }
        log.push_str(&line);
        if line.contains(ready_word) {
            return (child, log, stderr);
        }
    }
}

/// The port of a `listen=ADDR` log line.
pub fn listen_port(log: &str) -> u16 {
    let rest = log.split("listen=").nth(1).expect("a listen= field");
    let addr = rest.split_whitespace().next().unwrap();
    addr.rsplit(':').next().unwrap().parse().unwrap()
}

/// Send SIGTERM to `child` and wait (at most 20 s) for it to exit: its status.
pub fn terminate(child: &mut std::process::Child) -> std::process::ExitStatus {
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "palisade did not stop"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The lines a child writes to standard output, as a channel read by a thread of its own, so
/// that a test can wait for each with a deadline.
pub fn lines_of(stdout: std::process::ChildStdout) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}
