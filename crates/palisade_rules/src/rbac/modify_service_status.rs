//! RBAC021 modify-service-status.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `update` or `patch` on `services/status`.
    ///
    /// ## Why is this bad?
    /// Service status holds load-balancer IPs: whoever can set them can make nodes intercept
    /// traffic to any IP (CVE-2020-8554).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: lb-status
    /// rules:
    /// - apiGroups: [""] # expect: RBAC021
    ///   resources: ["services/status"]
    ///   verbs: ["update"]
    /// ```
    ///
    /// ## Remediation
    /// Grant it only to the load-balancer controller.
    ///
    /// ## References
    /// - CVE-2020-8554: Man in the middle using LoadBalancer or ExternalIPs
    /// - rbac-police: modify_service_status_cve_2020_8554
    pub static RULE = {
        id: "RBAC021",
        name: "modify-service-status",
        title: "Role can rewrite Service status",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1557")],
        remediation: "Grant it only to the load-balancer controller.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::ModifyServiceStatus,
        "its subjects can claim load-balancer IPs and intercept their traffic",
    );
}
