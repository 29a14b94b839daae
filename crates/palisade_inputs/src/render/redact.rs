//! Masking values a tool may echo in its error messages.
//!
//! `helm` and `kubectl` quote input in their errors (`invalid literal source password:…`, a
//! chart's `fail` message built from a value). Palisade never prints a secret value, so before
//! a tool's message becomes an input error, every value the user handed the tool that could be
//! a secret is replaced with `****`, and so is every credential Palisade's own detectors
//! recognise in the message (a URL's password, a token, a private key), whatever key the value
//! came from: a chart can build its message from a value under an innocuous name.

use std::path::Path;

use palisade_model::secrets::mask_credentials;
use palisade_source::{Limits, NodeRef, parse_stream};

/// Values shorter than this are not masked: they are too common to be secrets and masking
/// them would garble the message.
const MIN_LEN: usize = 4;

/// Values to mask in tool output.
#[derive(Debug, Default, Clone)]
pub struct Redactor {
    values: Vec<String>,
}

/// Key names under which a value is treated as a credential.
fn sensitive_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "credential",
        "private",
        "auth",
    ]
    .iter()
    .any(|k| key.contains(k))
}

impl Redactor {
    /// Mask `value` wherever it appears.
    pub fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.len() >= MIN_LEN && !self.values.iter().any(|v| v == value) {
            self.values.push(value.to_string());
        }
    }

    /// Mask the values of `--set a=b,c=d` style assignments.
    pub fn add_assignments(&mut self, assignments: &str) {
        for part in assignments.split(',') {
            if let Some((_, value)) = part.split_once('=') {
                self.add(value);
            }
        }
    }

    /// Mask every line of a file handed to a tool (a generator's env or data file). Only a
    /// regular file of at most `max` bytes is read.
    pub fn add_file_lines(&mut self, path: &Path, max: u64) {
        if let Ok(text) = crate::read::read_regular(path, max) {
            for line in text.lines() {
                self.add(line.split_once('=').map_or(line, |(_, v)| v));
            }
        }
    }

    /// Mask the string values of a YAML file (Helm values) under credential-like keys.
    pub fn add_yaml_secrets(&mut self, text: &str) {
        for doc in parse_stream(text, &Limits::default()).iter().flatten() {
            if let Some(root) = doc.root() {
                self.walk(root, false, 0);
            }
        }
    }

    fn walk(&mut self, node: NodeRef<'_, '_>, sensitive: bool, depth: u32) {
        if depth > 64 {
            return;
        }
        if let Some(text) = node.scalar_text()
            && sensitive
        {
            self.add(&text);
        }
        for (key, value) in node.entries() {
            self.walk(value, sensitive || sensitive_key(key), depth + 1);
        }
        for item in node.items() {
            self.walk(item, sensitive, depth + 1);
        }
    }

    /// `message` with every known value replaced by `****` (longest first), then every
    /// credential in a well-known format.
    pub fn redact(&self, message: &str) -> String {
        let mut values: Vec<&String> = self.values.iter().collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        let mut out = message.to_string();
        for value in values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), "****");
            }
        }
        mask_credentials(&out).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_handed_to_tools_are_masked() {
        let mut r = Redactor::default();
        r.add_assignments("db.password=hunter2-TOPSECRET,replicas=3");
        r.add_yaml_secrets("image: nginx\nauth:\n  users:\n  - name: admin\n    pass: s3cr3t-value\nadminPassword: pw-0123\n");
        let message =
            "invalid literal source password:hunter2-TOPSECRET; admin s3cr3t-value pw-0123 nginx 3";
        assert_eq!(
            r.redact(message),
            "invalid literal source password:****; **** **** **** nginx 3"
        );
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join("secret.env");
        std::fs::write(&env, "API_KEY=abcd-1234-efgh\n").unwrap();
        r.add_file_lines(&env, 1 << 20);
        assert_eq!(r.redact("bad abcd-1234-efgh"), "bad ****");
    }

    #[test]
    fn credentials_the_tool_was_not_handed_as_secrets_are_masked_too() {
        // A chart's `fail` message quoting a DSN from a values key not named like a secret.
        let mut r = Redactor::default();
        r.add_yaml_secrets("database:\n  url: postgres://user:S3cr3t@db/x\n");
        let message = "execution error at (c/templates/x.yaml:1:3): cannot reach postgres://user:S3cr3t@db/x with ghp_0123456789abcdefghijABCDEFGHIJ012345 -----BEGIN EC PRIVATE KEY----- MHcCAQEE";
        assert_eq!(
            r.redact(message),
            "execution error at (c/templates/x.yaml:1:3): cannot reach postgres://user:****@db/x with **** ****"
        );
    }
}
