//! RBAC025 kube-system-configmaps.

use palisade_engine::prelude::*;

use super::custom_role_rules;

declare_rule! {
    /// ## What it does
    /// Flags Roles in `kube-system` and ClusterRoles that grant `update` or `patch` on the
    /// `coredns` or `aws-auth` ConfigMaps (or on every ConfigMap).
    ///
    /// ## Why is this bad?
    /// The `coredns` ConfigMap decides how every pod resolves names: editing it redirects
    /// cluster traffic. On EKS, `aws-auth` maps cloud identities to Kubernetes groups: editing
    /// it grants `system:masters` to any AWS principal.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: dns-editor
    ///   namespace: kube-system
    /// rules:
    /// - apiGroups: [""] # expect: RBAC025
    ///   resources: ["configmaps"]
    ///   resourceNames: ["coredns"]
    ///   verbs: ["patch"]
    /// ```
    ///
    /// ## Remediation
    /// Manage these ConfigMaps through reviewed changes by cluster administrators; remove the
    /// permission from other roles.
    ///
    /// ## References
    /// - kubescape C-0037 CoreDNS poisoning (MITRE)
    /// - rbac-police: eks_modify_aws_auth
    pub static RULE = {
        id: "RBAC025",
        name: "kube-system-configmaps",
        title: "Role can edit CoreDNS or aws-auth configuration",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1565")],
        remediation: "Remove update and patch on the coredns and aws-auth ConfigMaps from the role.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind == "Role" && object.namespace() != Some("kube-system") {
        return;
    }
    for (i, rule) in custom_role_rules(object, ctx) {
        if super::reported_as_admin(rule, ctx) {
            continue;
        }
        for name in ["coredns", "aws-auth"] {
            if ["update", "patch"]
                .iter()
                .any(|v| rule.allows_name(v, "", "configmaps", name))
            {
                ctx.report(
                    format!("/rules/{i}"),
                    format!(
                        "{} can edit the kube-system ConfigMap {name:?}",
                        object.kind
                    ),
                );
                break;
            }
        }
    }
}
