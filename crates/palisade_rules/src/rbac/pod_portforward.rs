//! RBAC016 pod-portforward.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `create` on `pods/portforward`.
    ///
    /// ## Why is this bad?
    /// Port-forwarding reaches any port of the covered pods, including admin and debug endpoints
    /// never meant to be exposed, from wherever the client runs, bypassing NetworkPolicies.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: tunnel
    /// rules:
    /// - apiGroups: [""] # expect: RBAC016
    ///   resources: ["pods/portforward"]
    ///   verbs: ["create"]
    /// ```
    ///
    /// ## Remediation
    /// Grant port-forwarding only for break-glass access, to named people, in specific namespaces.
    ///
    /// ## References
    /// - kubescape C-0063 Portforwarding privileges
    pub static RULE = {
        id: "RBAC016",
        name: "pod-portforward",
        title: "Role can port-forward into pods",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1090")],
        remediation: "Grant port-forwarding only for break-glass access, to named people, in specific namespaces.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::PortForward,
        "its subjects can connect to any port of the pods",
    );
}
