//! SEC001 secret-in-env.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Secrets consumed as environment variables: `env[].valueFrom.secretKeyRef` and
    /// `envFrom[].secretRef`, in every container.
    ///
    /// ## Why is this bad?
    /// Environment variables leak: they are inherited by every child process, printed by crash
    /// reports and debug endpoints, visible in `/proc/<pid>/environ` to anything sharing the
    /// process namespace, and they cannot be rotated without a restart. Mounted Secret files
    /// avoid most of this and update in place.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: example.com/app:1.0
    ///     env:
    ///     - name: DB_PASSWORD
    ///       valueFrom:
    ///         secretKeyRef: # expect: SEC001
    ///           name: db
    ///           key: password
    /// ```
    ///
    /// ## Remediation
    /// Mount the Secret as a volume and have the application read the file (many accept a
    /// `*_FILE` variable that names it).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.4.1: Prefer using Secrets as files over Secrets as
    ///   environment variables
    /// - Kubernetes: Good practices for Kubernetes Secrets
    pub static RULE = {
        id: "SEC001",
        name: "secret-in-env",
        title: "Secret consumed as an environment variable",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("5.4.1")],
        remediation: "Mount the Secret as a volume and read it from a file.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for c in pod.containers() {
        if let Some(env) = c.node.get("env") {
            for (i, var) in env.items().enumerate() {
                if let Some(secret) = var
                    .path(&["valueFrom", "secretKeyRef"])
                    .filter(|s| !s.is_null())
                {
                    let name = var.get("name").and_then(|n| n.as_str()).unwrap_or("");
                    let from = secret.get("name").and_then(|n| n.as_str()).unwrap_or("");
                    ctx.report_container(
                        c,
                        &format!("env/{i}/valueFrom/secretKeyRef"),
                        format!("container {:?} reads Secret {from:?} into environment variable {name:?}", c.name),
                    );
                }
            }
        }
        if let Some(env_from) = c.node.get("envFrom") {
            for (i, source) in env_from.items().enumerate() {
                if let Some(secret) = source.get_some("secretRef") {
                    let from = secret.get("name").and_then(|n| n.as_str()).unwrap_or("");
                    ctx.report_container(
                        c,
                        &format!("envFrom/{i}/secretRef"),
                        format!("container {:?} loads every key of Secret {from:?} into its environment", c.name),
                    );
                }
            }
        }
    }
}
