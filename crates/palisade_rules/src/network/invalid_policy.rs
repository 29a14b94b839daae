//! NET019 invalid-network-policy.

use palisade_engine::prelude::*;
use palisade_model::netpol::validate::validate;

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicies that the API server rejects, with its validation message, at the
    /// field it names: an `ipBlock.cidr` that is not a CIDR (or is missing), an `except` that
    /// is not strictly inside its `cidr`, an empty peer `{}`, a peer that sets `ipBlock`
    /// together with a selector, `endPort` with a named port, without a port or below it,
    /// ports outside 1–65535, invalid port names, protocols other than TCP, UDP and SCTP,
    /// unknown or too many `policyTypes`, and selector expressions whose operator or values do
    /// not fit (Kubernetes v1.35 validation; label key and value syntax is not checked).
    ///
    /// Palisade's reachability analysis (`palisade netpol`) and coverage rules treat such a
    /// policy as absent, as the cluster will.
    ///
    /// ## Why is this bad?
    /// `kubectl apply` fails on the policy (a GitOps sync stays degraded), so the isolation it
    /// describes does not exist. Worse, a tool that reads it leniently may report protection
    /// that is not there: a broken `ipBlock` read as an empty peer allows every pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: db
    ///   namespace: shop
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: db}
    ///   ingress:
    ///   - from:
    ///     - ipBlock:
    ///         cidr: 10.0.0.0/33 # expect: NET019
    /// ```
    ///
    /// ## Remediation
    /// Fix the field as the message says; `kubectl apply --dry-run=server` confirms it.
    ///
    /// ## References
    /// - Kubernetes: `pkg/apis/networking/validation` (ValidateNetworkPolicySpec)
    /// - Kubernetes: Network Policies
    pub static RULE = {
        id: "NET019",
        name: "invalid-network-policy",
        title: "NetworkPolicy the API server rejects",
        severity: High,
        layer: Cluster,
        frameworks: [],
        remediation: "Fix the field the API server's validation message names.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "NetworkPolicy" || !object.api_version.starts_with("networking.k8s.io/") {
        return;
    }
    ctx.applicable();
    for error in validate(object.root.get("spec")) {
        ctx.report(error.pointer.clone(), error.to_string());
    }
}
