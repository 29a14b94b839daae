//! CP023 tls-min-version.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, WEAK_TLS_VERSIONS, evaluate_all};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver, kube-controller-manager, kube-scheduler and etcd static pods
    /// (command-line flags in `command` or `args`) whose `--tls-min-version` accepts TLS 1.0 or
    /// 1.1 (`VersionTLS10`, `VersionTLS11`; etcd spells them `TLS1.0`, `TLS1.1`). Unset is fine:
    /// current releases default to TLS 1.2.
    ///
    /// ## Why is this bad?
    /// TLS 1.0 and 1.1 are deprecated (RFC 8996): their handshakes allow downgrade attacks and
    /// they only offer cipher suites without forward secrecy or with known weaknesses, on the
    /// connections that carry credentials and Secrets.
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
    ///     command:
    ///     - kube-apiserver
    ///     - --tls-min-version=VersionTLS10 # expect: CP023
    /// ```
    ///
    /// ## Remediation
    /// Set `--tls-min-version=VersionTLS12` (or `VersionTLS13`; `TLS1.2` for etcd), or remove
    /// the flag.
    ///
    /// ## References
    /// - Kubernetes: kube-apiserver command-line reference
    /// - etcd: configuration flags, `--tls-min-version`
    /// - RFC 8996: Deprecating TLS 1.0 and TLS 1.1
    pub static RULE = {
        id: "CP023",
        name: "tls-min-version",
        title: "Control-plane component accepts TLS older than 1.2",
        severity: Medium,
        layer: Cluster,
        frameworks: [],
        remediation: "Set --tls-min-version=VersionTLS12 (TLS1.2 for etcd) or remove the flag.",
        hook: Hook::Pod(check),
    }
}

const CHECKS: &[Check] = &[Check::NotIn {
    flag: "tls-min-version",
    bad: WEAK_TLS_VERSIONS,
}];

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate_all(
        pod,
        ctx,
        &[
            Component::ApiServer,
            Component::ControllerManager,
            Component::Scheduler,
            Component::Etcd,
        ],
        CHECKS,
    );
}
