//! CP030 terminated-pod-gc.

use palisade_engine::prelude::*;
use palisade_model::component::{Component, ComponentFlags};

use super::{Check, evaluate, flag_pointer};

declare_rule! {
    /// ## What it does
    /// Flags kube-controller-manager static pods (command-line flags in `command` or `args`)
    /// that do not set `--terminated-pod-gc-threshold` to a positive number. Unset, the
    /// threshold is 12500, which CIS 1.3.1 asks to replace with a value that fits the cluster;
    /// zero or a negative value turns the terminated pod garbage collector off.
    ///
    /// ## Why is this bad?
    /// The terminated pod garbage collector deletes Failed and Succeeded pods beyond the
    /// threshold. Off, terminated pods accumulate without bound, with their logs, volumes and
    /// status, degrading the API server and etcd; at the default, 12500 of them may pile up
    /// before anything is collected.
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
    ///     - --terminated-pod-gc-threshold=0 # expect: CP030
    /// ```
    ///
    /// ## Remediation
    /// Set `--terminated-pod-gc-threshold` to a positive value that fits the cluster, for
    /// example `--terminated-pod-gc-threshold=1000`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.3.1: Ensure that the --terminated-pod-gc-threshold argument
    ///   is set as appropriate (default value: 12500)
    /// - Kubernetes: kube-controller-manager command-line reference
    pub static RULE = {
        id: "CP030",
        name: "terminated-pod-gc",
        title: "Terminated pod garbage collection threshold unset or disabled",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.3.1")],
        remediation: "Set --terminated-pod-gc-threshold to a positive value that fits the cluster.",
        hook: Hook::Pod(check),
    }
}

const FLAG: &str = "terminated-pod-gc-threshold";

/// Unset means the default threshold; zero or less disables the collector. A value that is
/// not a decimal number is left alone: the component would not start.
fn threshold(c: &ComponentFlags<'_>) -> Option<(String, String)> {
    let bin = c.component.binary();
    let Some(value) = c.value(FLAG) else {
        return Some((
            c.list_pointer.clone(),
            format!("{bin} does not set --{FLAG}, so up to 12500 terminated pods accumulate"),
        ));
    };
    let n: i64 = value.trim().parse().ok()?;
    (n <= 0).then(|| {
        (
            flag_pointer(c, FLAG),
            format!("{bin} sets --{FLAG}={n}, which disables the terminated pod garbage collector"),
        )
    })
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(
        pod,
        ctx,
        Component::ControllerManager,
        &Check::Custom(threshold),
    );
}
