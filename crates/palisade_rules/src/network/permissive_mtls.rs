//! NET010 permissive-mtls.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Istio `PeerAuthentication` policies (`security.istio.io`) that accept plaintext
    /// traffic: `spec.mtls.mode` (or a `portLevelMtls` entry's `mode`) set to `PERMISSIVE`
    /// or `DISABLE`. `UNSET` and a missing mode inherit from the parent policy and are not
    /// reported.
    ///
    /// ## Why is this bad?
    /// In `PERMISSIVE` mode a workload still accepts plaintext connections, so any pod (or
    /// anything that reaches the pod network) can talk to it without a mesh identity, and
    /// authorization policies based on peer identity do not apply to that traffic; `DISABLE`
    /// turns mutual TLS off. Traffic can be read and spoofed on the way.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: security.istio.io/v1
    /// kind: PeerAuthentication
    /// metadata:
    ///   name: default
    ///   namespace: istio-system
    /// spec:
    ///   mtls:
    ///     mode: PERMISSIVE # expect: NET010
    /// ```
    ///
    /// ## Remediation
    /// Set `mtls.mode: STRICT` mesh-wide (in the root namespace) once every client has a
    /// sidecar, and keep exceptions to the ports that need them, with a reason.
    ///
    /// ## References
    /// - Istio: PeerAuthentication reference
    /// - Istio: Mutual TLS migration
    pub static RULE = {
        id: "NET010",
        name: "permissive-mtls",
        title: "Service mesh accepts plaintext traffic",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1040")],
        remediation: "Set mtls.mode: STRICT on the PeerAuthentication and remove PERMISSIVE or DISABLE port exceptions.",
        hook: Hook::Object(check),
    }
}

fn plaintext<'d>(mode: Option<NodeRef<'d, '_>>) -> Option<&'d str> {
    mode.and_then(|m| m.as_str())
        .filter(|m| matches!(*m, "PERMISSIVE" | "DISABLE"))
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "PeerAuthentication" || !object.api_version.starts_with("security.istio.io/")
    {
        return;
    }
    ctx.applicable();
    let spec = object.root.get("spec");
    if let Some(mode) = plaintext(spec.and_then(|s| s.path(&["mtls", "mode"]))) {
        ctx.report(
            "/spec/mtls/mode",
            format!("PeerAuthentication sets mTLS mode {mode}, so plaintext traffic is accepted"),
        );
    }
    let Some(ports) = spec.and_then(|s| s.get("portLevelMtls")) else {
        return;
    };
    for (port, setting) in ports.entries() {
        if let Some(mode) = plaintext(setting.get("mode")) {
            ctx.report(
                format!("/spec/portLevelMtls/{}/mode", escape_pointer_segment(port)),
                format!("PeerAuthentication sets mTLS mode {mode} on port {port}, so plaintext traffic is accepted there"),
            );
        }
    }
}
