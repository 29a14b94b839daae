//! AUDIT006 audit-policy-leaks-secrets.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags audit Policy rules that record request or response bodies (`Request` or
    /// `RequestResponse`) for Secrets, ConfigMaps or TokenReviews, unless an earlier
    /// unconditional rule already records them at `Metadata` or `None` (the first matching
    /// rule decides the level). Catch-all rules without `resources` count.
    ///
    /// ## Why is this bad?
    /// At those levels the audit log stores the Secret values, ConfigMap contents and bearer
    /// tokens themselves: the log becomes the easiest place to steal credentials from.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: audit.k8s.io/v1
    /// kind: Policy
    /// rules:
    /// - level: RequestResponse # expect: AUDIT006
    ///   resources:
    ///   - group: ""
    ///     resources: ["secrets"]
    /// ```
    ///
    /// ## Remediation
    /// Put a `level: Metadata` rule for `secrets`, `configmaps` and `tokenreviews` before any
    /// rule that records bodies.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 3.2.2: Ensure that the audit policy covers key security
    ///   concerns
    /// - Kubernetes: Auditing, audit policy
    pub static RULE = {
        id: "AUDIT006",
        name: "audit-policy-leaks-secrets",
        title: "Audit policy records Secret contents",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("3.2.2"), Mitre("T1552")],
        remediation: "Record secrets, configmaps and tokenreviews at Metadata level, before any rule that records bodies.",
        hook: Hook::Object(check),
    }
}

const SENSITIVE: &[(&str, &str)] = &[
    ("", "secrets"),
    ("", "configmaps"),
    ("authentication.k8s.io", "tokenreviews"),
];

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    let Some(rules) = super::audit_rules(object) else {
        return;
    };
    ctx.applicable();
    for (group, resource) in SENSITIVE {
        for rule in rules.iter().filter(|r| r.selects(group, resource)) {
            if rule.records_bodies() {
                ctx.report(
                    format!("/rules/{}", rule.index),
                    format!("audit rule {} records {resource} at level {}, so their contents reach the log", rule.index, rule.level),
                );
                break;
            }
            if !rule.conditional {
                break;
            }
        }
    }
}
