//! PSS015 run-as-non-root (restricted `runAsNonRoot`).

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Requires containers to run as non-root: `runAsNonRoot: true` on the pod (containers may
    /// then leave it unset) or on every container, and `false` nowhere. From policy v1.35 pods
    /// in a user namespace (`hostUsers: false`) are exempt.
    ///
    /// ## Why is this bad?
    /// Root in the container is root on the node's kernel: any escape bug, writable hostPath
    /// or leaked capability gives the attacker the node.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: false # expect: PSS015
    ///   containers:
    ///   - name: app # expect: PSS015
    ///     image: example.com/app:1.0
    /// ```
    ///
    /// ## Remediation
    /// Set `spec.securityContext.runAsNonRoot: true` and build the image with a non-root
    /// `USER` (or set `runAsUser` to a non-zero id).
    ///
    /// ## References
    /// - Pod Security Standards, restricted: Running as Non-root
    /// - CIS Kubernetes Benchmark 5.2.7
    pub static RULE = {
        id: "PSS015",
        name: "run-as-non-root",
        title: "Containers may run as root",
        severity: Medium,
        layer: Container,
        frameworks: [pss_restricted("runAsNonRoot"), Cis("5.2.7"), Nsa("C-0013")],
        remediation: "Set spec.securityContext.runAsNonRoot: true and run the image as a non-root user.",
        fix: Unsafe("the kubelet refuses to start a container whose image runs as root, or names its user by name, unless runAsUser sets a non-zero id. A fix is safe, and applied without --unsafe-fixes, when every container it covers already runs as a non-zero runAsUser (its own or the pod's); none is offered for a container that runs as user 0"),
        pss: PssGate { since_minor: 0, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if super::user_namespace_relaxed(pod, ctx.pss_minor) {
        return;
    }
    let pod_value = pod
        .security_context(&["runAsNonRoot"])
        .and_then(|n| n.as_bool());
    let own = |c: &ContainerView<'_, '_>| {
        c.security_context(&["runAsNonRoot"])
            .and_then(|n| n.as_bool())
    };
    // The pod-level value reaches the containers that set none of their own. No fix is
    // offered where a covered container runs as user 0: the kubelet refuses `runAsNonRoot:
    // true` beside it, and choosing a user id is the workload owner's call.
    let pod_fix = || {
        let fix = Fix::set(pod.ptr("securityContext/runAsNonRoot"), "true");
        let covered = pod.containers().iter().filter(|c| own(c).is_none());
        if covered.clone().any(|c| runs_as_root_id(pod, c)) {
            None
        } else if covered.clone().all(|c| runs_as_non_zero_user(pod, c)) {
            Some(fix.safe())
        } else {
            Some(fix)
        }
    };
    if pod_value == Some(false) {
        ctx.report(
            pod.ptr("securityContext/runAsNonRoot"),
            "pod sets securityContext.runAsNonRoot to false",
        );
        if let Some(fix) = pod_fix() {
            ctx.fix(fix);
        }
    }
    for c in pod.containers() {
        match own(c) {
            Some(true) => {}
            Some(false) => {
                ctx.report_container(
                    c,
                    "securityContext/runAsNonRoot",
                    format!(
                        "container {:?} sets securityContext.runAsNonRoot to false",
                        c.name
                    ),
                );
                let fix = Fix::set(c.ptr("securityContext/runAsNonRoot"), "true");
                if runs_as_non_zero_user(pod, c) {
                    ctx.fix(fix.safe());
                } else if !runs_as_root_id(pod, c) {
                    ctx.fix(fix);
                }
            }
            None if pod_value == Some(true) => {}
            None => {
                ctx.report_container(
                    c,
                    "securityContext/runAsNonRoot",
                    format!(
                        "neither the pod nor container {:?} sets securityContext.runAsNonRoot to true",
                        c.name
                    ),
                );
                // Once at the pod level covers every container.
                if let Some(fix) = pod_fix() {
                    ctx.fix(fix);
                }
            }
        }
    }
}

/// Whether the container runs as user id 0, set by it or the pod.
fn runs_as_root_id<'d, 'a>(pod: &PodSpecView<'d, 'a>, c: &ContainerView<'d, 'a>) -> bool {
    pod.effective_security_context(c, "runAsUser")
        .and_then(|n| n.as_i64())
        == Some(0)
}

/// Whether the container runs as a non-zero user id it or the pod sets: the kubelet's
/// non-root check then passes whatever the image says, so `runAsNonRoot: true` changes nothing.
fn runs_as_non_zero_user<'d, 'a>(pod: &PodSpecView<'d, 'a>, c: &ContainerView<'d, 'a>) -> bool {
    pod.effective_security_context(c, "runAsUser")
        .and_then(|n| n.as_i64())
        .is_some_and(|uid| uid > 0)
}
