//! POD029 low-user-id.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags containers whose effective `securityContext.runAsUser` (the container's, else the
    /// pod's) is below a minimum, 10000 unless `min-uid` in `[rule-options]` says otherwise.
    /// A pod-level value is reported once, at the pod, when at least one container inherits
    /// it; a container-level value at the container. An unset `runAsUser` is left to PSS015
    /// (runAsNonRoot), and user 0 to PSS016 (runAsUser, restricted), which supersedes this
    /// rule on the same container. Windows pods and pods in a user namespace
    /// (`hostUsers: false`, whose ids map to unprivileged ids on the node) are skipped.
    ///
    /// This rule is opt-in (preview): select it by id or name.
    ///
    /// ## Why is this bad?
    /// Container user ids are node user ids. A low id is likely to belong to a real account
    /// or service of the node, so a process that escapes its container, or files it writes to
    /// a shared volume, carry that account's identity and permissions. High ids stay clear of
    /// the node's own users.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     runAsUser: 1000 # expect: POD029
    ///   containers:
    ///   - name: app
    ///     image: example.com/app:1.0
    /// ```
    ///
    /// ## Remediation
    /// Run as a user id of 10000 or more (`securityContext.runAsUser`, and `USER` in the image),
    /// or set `min-uid` to the lowest id your nodes keep free of accounts.
    ///
    /// ## References
    /// - kube-score: container-security-context-user-group-id
    /// - Checkov CKV_K8S_40: Containers should run as a high UID to avoid host conflict
    /// - Kubernetes: Configure a Security Context for a Pod or Container
    pub static RULE = {
        id: "POD029",
        name: "low-user-id",
        title: "Container runs with a low user id",
        severity: Low,
        layer: Container,
        frameworks: [],
        remediation: "Run as a user id of at least 10000 (or the configured min-uid).",
        superseded_by: ["PSS016"],
        status: Preview,
        hook: Hook::Pod(check),
    }
}

fn run_as_user(node: Option<NodeRef<'_, '_>>) -> Option<i64> {
    node.and_then(|n| n.as_i64())
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if pod.is_windows() || pod.in_user_namespace() {
        return;
    }
    let min = ctx.options::<super::options::PodOptions>().min_uid();
    let inherits = pod
        .containers()
        .iter()
        .any(|c| run_as_user(c.security_context(&["runAsUser"])).is_none());
    if let Some(uid) =
        run_as_user(pod.security_context(&["runAsUser"])).filter(|uid| *uid < min && inherits)
    {
        ctx.report(
            pod.ptr("securityContext/runAsUser"),
            format!("pod sets securityContext.runAsUser to {uid}, below {min}"),
        );
    }
    for c in pod.containers() {
        if let Some(uid) = run_as_user(c.security_context(&["runAsUser"])).filter(|u| *u < min) {
            ctx.report_container(
                c,
                "securityContext/runAsUser",
                format!(
                    "container {:?} sets securityContext.runAsUser to {uid}, below {min}",
                    c.name
                ),
            );
        }
    }
}
