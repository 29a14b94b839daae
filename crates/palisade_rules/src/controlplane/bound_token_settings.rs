//! CP028 bound-token-settings.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that do not
    /// set all of `--service-account-issuer`, `--service-account-signing-key-file` and
    /// `--service-account-max-token-expiration`: the issuer and signing key make the API server
    /// issue bound, expiring ServiceAccount tokens, and the maximum expiration caps how long a
    /// requested token may live (without it a client can ask for tokens valid for years).
    ///
    /// ## Why is this bad?
    /// A ServiceAccount token is a bearer credential: the longer it lives, the longer a stolen
    /// one works. Short, bound tokens expire on their own and die with their pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-apiserver
    ///   namespace: kube-system
    /// spec:
    ///   containers:
    ///   - name: kube-apiserver
    ///     image: registry.k8s.io/kube-apiserver:v1.35.0
    ///     command: # expect: CP028
    ///     - kube-apiserver
    ///     - --service-account-issuer=https://kubernetes.default.svc.cluster.local
    ///     - --service-account-signing-key-file=/etc/kubernetes/pki/sa.key
    /// ```
    ///
    /// ## Remediation
    /// Set `--service-account-issuer` and `--service-account-signing-key-file`, and cap token
    /// lifetimes with `--service-account-max-token-expiration` (for example `24h`).
    ///
    /// ## References
    /// - Kubernetes: Managing Service Accounts, bound service account tokens
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP028",
        name: "bound-token-settings",
        title: "ServiceAccount token issuing not bounded",
        severity: Medium,
        layer: Cluster,
        frameworks: [],
        remediation: "Set --service-account-issuer, --service-account-signing-key-file and --service-account-max-token-expiration.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&[
    "service-account-issuer",
    "service-account-signing-key-file",
    "service-account-max-token-expiration",
]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
