//! CP016 request-timeout.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) whose
    /// `--request-timeout` is longer than one hour. The default is `60s`; the CIS Benchmark
    /// leaves the value to judgement (raising it for slow links, e.g. to `300s`), so only a
    /// clearly excessive value is reported: one hour is the largest default a distribution is
    /// known to ship (OpenShift), and anything beyond it keeps requests open far longer than
    /// any client needs. An unset flag, or one that is not a valid duration (the API server
    /// refuses to start), is not reported.
    ///
    /// ## Why is this bad?
    /// Every open request holds API server memory and a goroutine: with a very long timeout a
    /// few slow or stalled clients can exhaust the API server, a denial of service.
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
    ///     - --request-timeout=24h # expect: CP016
    /// ```
    ///
    /// ## Remediation
    /// Leave `--request-timeout` at its default of `60s`, or raise it only as far as slow
    /// clients need (for example `300s`).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.20: Ensure that the --request-timeout argument is set as
    ///   appropriate
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP016",
        name: "request-timeout",
        title: "API server request timeout excessive",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.2.20")],
        remediation: "Leave --request-timeout at 60s, or raise it only as far as slow clients need (e.g. 300s).",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::DurationAtMost {
    flag: "request-timeout",
    max_seconds: 3600.0,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
