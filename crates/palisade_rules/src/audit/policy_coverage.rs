//! AUDIT007 audit-policy-coverage.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags audit Policies under which requests that matter for investigations are not
    /// recorded at all: exec, attach and port-forward into pods, the `nodes/proxy`,
    /// `services/proxy` and `pods/proxy` subresources, changes to RBAC objects, and changes to
    /// admission webhook configurations. A request is unrecorded when the first unconditional
    /// rule that selects it has `level: None`, or when no rule selects it.
    ///
    /// ## Why is this bad?
    /// These are the actions an intruder takes to move laterally and keep access; without
    /// audit records there is nothing to detect or investigate.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: audit.k8s.io/v1
    /// kind: Policy
    /// rules:
    /// - level: Metadata
    ///   resources:
    ///   - group: ""
    ///     resources: ["secrets"]
    /// - level: None # expect: AUDIT007
    /// ```
    ///
    /// ## Remediation
    /// Add rules that record `pods/exec`, `pods/attach`, `pods/portforward`, the proxy
    /// subresources, `rbac.authorization.k8s.io` and `admissionregistration.k8s.io` objects, at
    /// Metadata level or above, before any catch-all `level: None`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 3.2.2: Ensure that the audit policy covers key security
    ///   concerns
    /// - Kubernetes: Auditing, audit policy
    pub static RULE = {
        id: "AUDIT007",
        name: "audit-policy-coverage",
        title: "Audit policy does not record sensitive actions",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("3.2.2"), Mitre("T1562.008")],
        remediation: "Record exec, attach, port-forward, proxy, RBAC and webhook changes at Metadata level or above.",
        hook: Hook::Object(check),
    }
}

const WATCHED: &[(&str, &str)] = &[
    ("", "pods/exec"),
    ("", "pods/attach"),
    ("", "pods/portforward"),
    ("", "pods/proxy"),
    ("", "nodes/proxy"),
    ("", "services/proxy"),
    ("rbac.authorization.k8s.io", "clusterrolebindings"),
    ("rbac.authorization.k8s.io", "rolebindings"),
    ("rbac.authorization.k8s.io", "clusterroles"),
    ("rbac.authorization.k8s.io", "roles"),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
    ),
];

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    let Some(rules) = super::audit_rules(object) else {
        return;
    };
    ctx.applicable();
    let mut by_rule: Vec<(Option<usize>, Vec<&str>)> = Vec::new();
    for (group, resource) in WATCHED {
        let decisive = rules
            .iter()
            .find(|r| !r.conditional && r.selects(group, resource));
        let unrecorded = decisive.is_none_or(|r| r.level == "None");
        if unrecorded {
            let at = decisive.map(|r| r.index);
            match by_rule.iter_mut().find(|(i, _)| *i == at) {
                Some((_, list)) => list.push(resource),
                None => by_rule.push((at, vec![resource])),
            }
        }
    }
    for (at, resources) in by_rule {
        let (pointer, why) = match at {
            Some(i) => (
                format!("/rules/{i}"),
                format!("audit rule {i} (level None)"),
            ),
            None => ("/rules".to_string(), "no rule".to_string()),
        };
        ctx.report(
            pointer,
            format!(
                "{why} decides that {} are not recorded",
                resources.join(", ")
            ),
        );
    }
}
