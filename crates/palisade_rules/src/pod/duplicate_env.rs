//! POD022 duplicate-env.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags containers that define the same environment variable name twice in `env`.
    ///
    /// ## Why is this bad?
    /// Only the last definition takes effect, so a reviewer who reads the first one is misled,
    /// and a later patch can silently override a security setting (for example a TLS or debug
    /// switch).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: example.com/api:1.0
    ///     env:
    ///     - name: TLS_VERIFY
    ///       value: "true"
    ///     - name: TLS_VERIFY # expect: POD022
    ///       value: "false"
    /// ```
    ///
    /// ## Remediation
    /// Keep one definition per variable.
    ///
    /// ## References
    /// - kubescape C-0295 Duplicate environment variables
    pub static RULE = {
        id: "POD022",
        name: "duplicate-env",
        title: "Environment variable defined twice",
        severity: Info,
        layer: Container,
        frameworks: [],
        remediation: "Keep one definition per environment variable.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for c in pod.containers() {
        let Some(env) = c.node.get("env") else {
            continue;
        };
        let names: Vec<Option<&str>> = env
            .items()
            .map(|v| v.get("name").and_then(|n| n.as_str()))
            .collect();
        for (i, name) in names.iter().enumerate() {
            if let Some(name) = name
                && names[..i].contains(&Some(name))
            {
                ctx.report_container(
                    c,
                    &format!("env/{i}"),
                    format!(
                        "container {:?} defines {name:?} again; this value wins",
                        c.name
                    ),
                );
            }
        }
    }
}
