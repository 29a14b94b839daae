//! CP038 scheduler-bind-address.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-scheduler static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--bind-address=127.0.0.1`.
    ///
    /// ## Why is this bad?
    /// Its health and metrics endpoints need not be reachable from the network.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-scheduler
    ///   namespace: kube-system
    /// spec:
    ///   containers:
    ///   - name: kube-scheduler
    ///     image: registry.k8s.io/kube-scheduler:v1.35.0
    ///     command:
    ///     - kube-scheduler
    ///     - --bind-address=0.0.0.0 # expect: CP038
    /// ```
    ///
    /// ## Remediation
    /// Set `--bind-address=127.0.0.1`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.4.2
    /// - Kubernetes: kube-scheduler command-line reference
    pub static RULE = {
        id: "CP038",
        name: "scheduler-bind-address",
        title: "Scheduler listens beyond localhost",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.4.2")],
        remediation: "Set --bind-address=127.0.0.1.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Equals {
    flag: "bind-address",
    value: "127.0.0.1",
    unset_ok: true,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::Scheduler, &CHECK);
}
