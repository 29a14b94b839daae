//! SEC002 hardcoded-credential.

use palisade_engine::prelude::*;

use palisade_model::secrets::credential;

declare_rule! {
    /// ## What it does
    /// Flags credentials written in plain configuration: container environment variable
    /// values, ConfigMap data (including `key = value` lines inside configuration files), and
    /// annotations of any object. A value counts as a credential when it contains a well-known
    /// format (private keys, AWS access key IDs, GitHub, GitLab, Slack and Stripe tokens, Google
    /// API keys, JSON Web Tokens, bearer tokens, passwords in URLs), or when it sits under a
    /// secret-like name (`password`, `token`, `secret`, `apikey`, `credential`, …) and is a
    /// literal with high entropy rather than a reference, a path or an identifier. The value is
    /// never printed: findings say what was found and how long it is.
    ///
    /// ## Why is this bad?
    /// ConfigMaps, environment variables and annotations are readable by far more people and
    /// tools than Secrets (any `get` on pods or ConfigMaps, `kubectl describe`, logs, CI output,
    /// the Git history of the manifests), and they are never encrypted at rest.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: app-config
    /// data:
    ///   LOG_LEVEL: info
    ///   AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE # expect: SEC002
    /// ```
    ///
    /// ## Remediation
    /// Rotate the credential, move it into a Secret (or an external secret store) and reference
    /// it with `valueFrom.secretKeyRef` or a mounted volume.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance: credentials in configuration files (C-0012)
    /// - Falco rules: Create/Modify Configmap With Private Credentials
    pub static RULE = {
        id: "SEC002",
        name: "hardcoded-credential",
        title: "Hard-coded credential",
        severity: High,
        layer: Code,
        frameworks: [Nsa("C-0012"), Mitre("T1552.001")],
        remediation: "Rotate the credential, store it in a Secret or external secret store, and reference it.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    // Every object has annotations this rule reads.
    ctx.applicable();
    if object.kind == "ConfigMap"
        && let Some(data) = object.root.get("data")
    {
        for (key, value) in data.entries() {
            if let Some(why) = value.as_str().and_then(|v| credential(key, v)) {
                ctx.report_redacted(
                    format!("/data/{}", escape_pointer_segment(key)),
                    format!("ConfigMap key {key:?} {why}"),
                );
            }
        }
    }
    if let Some(annotations) = object.root.path(&["metadata", "annotations"]) {
        for (key, value) in annotations.entries() {
            let name = key.rsplit('/').next().unwrap_or(key);
            if let Some(why) = value.as_str().and_then(|v| credential(name, v)) {
                ctx.report_redacted(
                    format!("/metadata/annotations/{}", escape_pointer_segment(key)),
                    format!("annotation {key:?} {why}"),
                );
            }
        }
    }
    let Some(pod) = object.pod_spec() else { return };
    for c in pod.containers() {
        let Some(env) = c.node.get("env") else {
            continue;
        };
        for (i, var) in env.items().enumerate() {
            let name = var.get("name").and_then(|n| n.as_str()).unwrap_or("");
            if let Some(why) = var
                .get("value")
                .and_then(|v| v.as_str())
                .and_then(|v| credential(name, v))
            {
                ctx.report_redacted(
                    c.ptr(&format!("env/{i}/value")),
                    format!("container {:?} environment variable {name:?} {why}", c.name),
                );
            }
        }
    }
}
