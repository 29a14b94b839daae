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
