//! AUDIT-D34 coredns-changed: the cluster DNS configuration changed.

use palisade_audit::Event;
use palisade_engine::prelude::*;

/// The ConfigMaps of kube-system that configure the cluster's DNS: CoreDNS's, AKS's custom
/// one, kube-dns's.
const DNS_CONFIG: [&str; 3] = ["coredns", "coredns-custom", "kube-dns"];

declare_rule! {
    /// ## What it does
    /// Reports updates, patches and deletes of the DNS ConfigMaps of kube-system (`coredns`,
    /// `coredns-custom`, `kube-dns`) by anyone but the API server's own identities. Refused
    /// attempts are reported too, and say so.
    ///
    /// ## Why is this bad?
    /// The Corefile decides what every name in the cluster resolves to. A `rewrite` or `hosts`
    /// entry sends a Service's traffic to an attacker's pod: DNS poisoning of the whole
    /// cluster in one edit.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D34
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d34-example
    /// stage: ResponseComplete
    /// verb: patch
    /// requestURI: /api/v1/namespaces/kube-system/configmaps/coredns
    /// user: {username: mallory}
    /// objectRef: {resource: configmaps, namespace: kube-system, name: coredns, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// Compare the Corefile with its last known version and restore it; limit writes on
    /// kube-system ConfigMaps to cluster administrators.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: CoreDNS poisoning (MS-TA9035)
    /// - MITRE ATT&CK T1557 Adversary-in-the-Middle
    pub static RULE = {
        id: "AUDIT-D34",
        name: "coredns-changed",
        title: "Cluster DNS configuration changed",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1557"), Mitre("MS-TA9035")],
        remediation: "Compare the Corefile with its last known version and restore it; limit writes on kube-system ConfigMaps.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete()
        || !event.is("configmaps")
        || event.namespace() != "kube-system"
        || !DNS_CONFIG.contains(&event.name())
        || !matches!(event.verb.as_str(), "update" | "patch" | "delete")
    {
        return;
    }
    ctx.applicable();
    if super::system_component(&event.user.username) {
        return;
    }
    super::report_change(ctx, event);
}
