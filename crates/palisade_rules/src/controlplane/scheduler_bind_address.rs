//! CP038 scheduler-bind-address.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-scheduler static pods (command-line flags in `command` or `args`) whose
    /// `--bind-address` is not a loopback address. Without the flag the component listens on
    /// `0.0.0.0`, every interface, so an unset flag fails too, as the CIS audit requires
    /// `127.0.0.1` (kube-bench also accepts an unset flag). Any loopback address (`127.0.0.0/8`,
    /// `::1`) passes.
    ///
    /// ## Why is this bad?
    /// The scheduler's secure port serves health, metrics and, with `--profiling`, debug
    /// endpoints. None of them needs to be reachable from the network: on every interface the
    /// port is one more service for anything on the node network to probe and attack.
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
    /// Set `--bind-address=127.0.0.1` (kubeadm does by default); scrape metrics through a
    /// proxy on the node if they are needed.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.4.2: Ensure that the --bind-address argument is set to
    ///   127.0.0.1 (default value: 0.0.0.0)
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

const CHECK: Check = Check::Loopback {
    flag: "bind-address",
    default: "0.0.0.0 (every interface)",
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::Scheduler, &CHECK);
}
