//! PSS021 admission-defaults.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags the PodSecurity plugin configuration inside an `AdmissionConfiguration`
    /// (`PodSecurityConfiguration`): a cluster-wide default `enforce` level that is missing or
    /// `privileged`, and exemptions (usernames, runtime classes, namespaces other than
    /// `kube-system`). Exempted requests skip Pod Security admission entirely.
    ///
    /// ## Why is this bad?
    /// The default level applies to every namespace without its own label, and an exemption is
    /// a standing bypass: a pod created by an exempt user, with an exempt runtime class or in
    /// an exempt namespace can be privileged.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: AdmissionConfiguration
    /// plugins:
    /// - name: PodSecurity
    ///   configuration:
    ///     apiVersion: pod-security.admission.config.k8s.io/v1
    ///     kind: PodSecurityConfiguration
    ///     defaults:
    ///       enforce: privileged # expect: PSS021
    ///     exemptions:
    ///       namespaces: [kube-system]
    /// ```
    ///
    /// ## Remediation
    /// Set `defaults.enforce: baseline` (or `restricted`) and keep exemptions to `kube-system`;
    /// label the namespaces that need more with their own level instead.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.2.1
    /// - Kubernetes: Apply Pod Security Standards at the cluster level
    pub static RULE = {
        id: "PSS021",
        name: "admission-defaults",
        title: "Pod Security admission default or exemptions too permissive",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("5.2.1")],
        remediation: "Default to enforce: baseline or restricted and keep exemptions to kube-system.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    for (base, config) in crate::controlplane::admission_plugin_configs(object, ctx, "PodSecurity")
    {
        match config.path(&["defaults", "enforce"]).and_then(|e| e.as_str()) {
            Some("baseline" | "restricted") => {}
            Some(level) => ctx.report(format!("{base}/defaults/enforce"), format!("PodSecurity enforces {level:?} by default")),
            None => ctx.report(
                format!("{base}/defaults/enforce"),
                "PodSecurity sets no default enforce level, so namespaces without a label are not protected",
            ),
        }
        for (field, what) in [
            ("usernames", "users"),
            ("runtimeClasses", "runtime classes"),
            ("namespaces", "namespaces"),
        ] {
            let Some(list) = config.path(&["exemptions", field]) else {
                continue;
            };
            let exempt: Vec<&str> = list
                .items()
                .filter_map(|n| n.as_str())
                .filter(|n| !(field == "namespaces" && *n == "kube-system"))
                .collect();
            if !exempt.is_empty() {
                ctx.report(
                    format!("{base}/exemptions/{field}"),
                    format!("PodSecurity exempts {what} {}", exempt.join(", ")),
                );
            }
        }
    }
}
