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

/// Keys whose values are settings or pointers, never the credential itself, even inside a
/// credential-like block (`tlsSecret: {enabled: true, prefix: prometheus}`,
/// `existingSecret: name`): masking them would only garble the message.
fn setting_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "enabled",
        "create",
        "prefix",
        "suffix",
        "type",
        "name",
        "mountpath",
        "path",
        "annotations",
        "labels",
        "existingsecret",
    ]
    .iter()
    .any(|k| key == *k || (k.len() > 4 && key.ends_with(k)))
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

    /// Mask every line of a file handed to a tool (a Secret generator's env or data file).
    /// Only a regular file of at most `max` bytes is read.
    pub fn add_file_lines(&mut self, path: &Path, max: u64) {
        if let Ok(text) = crate::read::read_regular(path, max) {
            for line in text.lines() {
                self.add(line.split_once('=').map_or(line, |(_, v)| v));
            }
        }
    }

    /// Mask the values of `KEY=value` lines whose key is credential-like, in a file handed to
    /// a tool as non-secret data (a ConfigMap generator's env file): the rest of such a file
    /// is configuration, which tool errors may quote.
    pub fn add_sensitive_assignments(&mut self, path: &Path, max: u64) {
        if let Ok(text) = crate::read::read_regular(path, max) {
            for line in text.lines() {
                self.add_sensitive_literal(line);
            }
        }
    }

    /// Mask the value of a `KEY=value` literal whose key is credential-like.
    pub fn add_sensitive_literal(&mut self, literal: &str) {
        if let Some((key, value)) = literal.split_once('=')
            && sensitive_key(key.trim())
        {
            self.add(value);
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
        // Strings only: `enabled: false` or `replicas: 3` under a secret-like key would mask
        // every `false` or `3` in the message.
        if let Some(text) = node.as_str()
            && sensitive
        {
            self.add(text);
        }
        for (key, value) in node.entries() {
            let here = (sensitive || sensitive_key(key)) && !setting_key(key);
            if value.is_map() || value.is_seq() {
                // A block under a secret-like key stays secret-like below (`auth: {pass: …}`).
                self.walk(value, sensitive || sensitive_key(key), depth + 1);
            } else {
                self.walk(value, here, depth + 1);
            }
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
            "invalid literal source password:****; admin **** **** nginx 3"
        );
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join("secret.env");
        std::fs::write(&env, "API_KEY=abcd-1234-efgh\n").unwrap();
        r.add_file_lines(&env, 1 << 20);
        assert_eq!(r.redact("bad abcd-1234-efgh"), "bad ****");
    }

    #[test]
    fn settings_and_names_inside_secret_blocks_are_not_masked() {
        // kube-prometheus-stack: a prefix under `tlsSecretPerReplica` masked every
        // "prometheus" of a dependency error, and `enabled: false` every "false".
        let mut r = Redactor::default();
        r.add_yaml_secrets("prometheus:\n  tlsSecretPerReplica:\n    enabled: false\n    prefix: prometheus\n  existingSecret: prometheus-creds\ngrafana:\n  adminPassword: prom-operator\n");
        let message =
            "missing in charts/: prometheus-node-exporter (enabled: false), password prom-operator";
        assert_eq!(
            r.redact(message),
            "missing in charts/: prometheus-node-exporter (enabled: false), password ****"
        );
        // ConfigMap generator files are configuration: only credential-like keys are masked.
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join("app.env");
        std::fs::write(
            &env,
            "resources:\nLOG_LEVEL=debug\nDB_PASSWORD=pg-s3cr3t-42\n",
        )
        .unwrap();
        r.add_sensitive_assignments(&env, 1 << 20);
        r.add_sensitive_literal("API_TOKEN=tok-123456");
        r.add_sensitive_literal("mode=debug-verbose");
        assert_eq!(
            r.redact("accumulating resources: debug pg-s3cr3t-42 tok-123456 debug-verbose"),
            "accumulating resources: debug **** **** debug-verbose"
        );
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
