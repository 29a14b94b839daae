//! AUDIT-D37 network-policy-widened: a NetworkPolicy removed or opened up.

use palisade_audit::Event;
use palisade_engine::prelude::*;
use serde_json::Value;

use super::ScanCheck;

declare_rule! {
    /// ## What it does
    /// Reports, by anyone but the API server's own identities:
    /// - deletes of NetworkPolicies (one, or every one of a namespace);
    /// - creates, updates and patches that leave a rule allowing every peer, as the scan's
    ///   NET005 judges the policy (the whole object when the level recorded the response, else
    ///   what the request sets);
    /// - JSON patches that remove a rule's peers or add a rule without peers.
    ///
    /// Refused attempts are not reported: they changed nothing.
    ///
    /// ## Why is this bad?
    /// NetworkPolicies are what keeps a compromised pod from reaching the database or the
    /// cloud metadata service. Removing or opening one quietly widens what an attacker
    /// inside the cluster can reach.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D37
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d37-example
    /// stage: ResponseComplete
    /// verb: delete
    /// requestURI: /apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/db-ingress
    /// user: {username: mallory}
    /// objectRef: {resource: networkpolicies, namespace: shop, name: db-ingress, apiGroup: networking.k8s.io, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// Restore the policy from its source of truth; limit writes on NetworkPolicies to the
    /// deployment tools.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Cluster internal networking (MS-TA9034)
    /// - MITRE ATT&CK T1562 Impair Defenses
    pub static RULE = {
        id: "AUDIT-D37",
        name: "network-policy-widened",
        title: "NetworkPolicy removed or opened up",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1562"), Mitre("MS-TA9034")],
        remediation: "Restore the policy from its source of truth; limit writes on NetworkPolicies to the deployment tools.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

/// The scan's rule that says a policy allows every peer.
static CHECK: ScanCheck =
    ScanCheck::new(|| ScanCheck::of(&[&crate::network::allow_all_policy::RULE]));

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() || !event.is("networkpolicies") {
        return;
    }
    let verb = event.verb.as_str();
    if !matches!(
        verb,
        "create" | "update" | "patch" | "delete" | "deletecollection"
    ) {
        return;
    }
    ctx.applicable();
    if !event.succeeded() || super::system_component(&event.user.username) {
        return;
    }
    let why: Vec<String> = match verb {
        "delete" => vec!["removing what it allowed and isolated".to_string()],
        "deletecollection" => vec!["removing every policy of the namespace".to_string()],
        _ => match event.request_json() {
            Some(Value::Array(ops)) => json_patch_widening(&ops),
            _ => super::object_for_scan(event, "NetworkPolicy")
                .map(|object| CHECK.findings_in(&object))
                .unwrap_or_default()
                .into_iter()
                .map(|f| f.message)
                .collect(),
        },
    };
    if why.is_empty() {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{} {} {}: {}",
            super::who(event),
            super::past(verb),
            super::target(event),
            why.join("; ")
        ),
    );
}

/// What a JSON patch does that widens a policy: removes a rule's peers (or a peer), or adds a
/// rule with none.
fn json_patch_widening(ops: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for op in ops {
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        let kind = op.get("op").and_then(Value::as_str).unwrap_or("");
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let direction = match parts.get(1).copied() {
            Some(d @ ("ingress" | "egress")) if parts.first() == Some(&"spec") => d,
            _ => continue,
        };
        let peers = if direction == "ingress" { "from" } else { "to" };
        match (kind, parts.len()) {
            ("remove", 4 | 5) if parts.get(3) == Some(&peers) => {
                out.push(format!(
                    "it removes peers of a rule ({path}), which allows more"
                ));
            }
            ("add" | "replace", 3) => {
                let value = op.get("value");
                let open = value.is_some_and(|rule| {
                    rule.get(peers)
                        .and_then(Value::as_array)
                        .is_none_or(Vec::is_empty)
                });
                if open {
                    out.push(format!(
                        "it adds an {direction} rule with no `{peers}` ({path}), which allows every peer"
                    ));
                }
            }
            _ => {}
        }
    }
    out
}
