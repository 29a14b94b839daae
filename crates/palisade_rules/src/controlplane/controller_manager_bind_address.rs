//! CP036 controller-manager-bind-address.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-controller-manager static pods (command-line flags in `command` or `args`) whose
    /// `--bind-address` is not a loopback address. Without the flag the component listens on
    /// `0.0.0.0`, every interface, so an unset flag fails too, as the CIS audit requires
    /// `127.0.0.1` (kube-bench also accepts an unset flag). Any loopback address (`127.0.0.0/8`,
    /// `::1`) passes.
    ///
    /// ## Why is this bad?
    /// The controller manager's secure port serves health, metrics and, with `--profiling`, debug
    /// endpoints. None of them needs to be reachable from the network: on every interface the
    /// port is one more service for anything on the node network to probe and attack.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-controller-manager
    ///   namespace: kube-system
    /// spec:
    ///   containers:
    ///   - name: kube-controller-manager
    ///     image: registry.k8s.io/kube-controller-manager:v1.35.0
    ///     command:
    ///     - kube-controller-manager
    ///     - --bind-address=0.0.0.0 # expect: CP036
    /// ```
    ///
    /// ## Remediation
    /// Set `--bind-address=127.0.0.1` (kubeadm does by default); scrape metrics through a
    /// proxy on the node if they are needed.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.3.7: Ensure that the --bind-address argument is set to
    ///   127.0.0.1 (default value: 0.0.0.0)
    /// - Kubernetes: kube-controller-manager command-line reference
    pub static RULE = {
        id: "CP036",
        name: "controller-manager-bind-address",
        title: "Controller manager listens beyond localhost",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.3.7")],
        remediation: "Set --bind-address=127.0.0.1.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Loopback {
    flag: "bind-address",
    default: "0.0.0.0 (every interface)",
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ControllerManager, &CHECK);
}
