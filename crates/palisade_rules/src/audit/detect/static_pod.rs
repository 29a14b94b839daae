//! AUDIT-D39 unexpected-static-pod: a static pod appeared, or a mirror pod was forged.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::options::AuditOptions;

/// The annotation a kubelet puts on the mirror pod of a static pod.
const MIRROR: &str = "kubernetes.io/config.mirror";

declare_rule! {
    /// ## What it does
    /// Reports creates of mirror pods (annotation `kubernetes.io/config.mirror`: the API
    /// server's copy of a static pod a kubelet runs from a manifest on its disk):
    /// - critical when the creator is not a node (`system:node:*`): only kubelets create
    ///   mirror pods, so this one imitates a static pod;
    /// - otherwise when the pod's name does not start with one of `audit-static-pods` (the
    ///   control plane's etcd, kube-apiserver, kube-controller-manager, kube-scheduler, …):
    ///   a manifest appeared in a node's static pod directory.
    ///
    /// ## Why is this bad?
    /// Static pods are started by the kubelet from files, bypass admission entirely, and
    /// cannot be deleted through the API: someone with write access to a node's manifest
    /// directory gets a pod that outlives every cleanup.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D39
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d39-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /api/v1/namespaces/default/pods
    /// user: {username: "system:node:ip-10-0-1-7", groups: ["system:nodes"]}
    /// objectRef: {resource: pods, namespace: default, name: miner-ip-10-0-1-7, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: Pod
    ///   apiVersion: v1
    ///   metadata:
    ///     name: miner-ip-10-0-1-7
    ///     namespace: default
    ///     annotations: {kubernetes.io/config.mirror: 9b1c5f2e}
    ///   spec: {nodeName: ip-10-0-1-7, containers: [{name: m, image: xmrig/xmrig}]}
    /// ```
    ///
    /// ## Remediation
    /// Remove the manifest from the node's static pod directory (`staticPodPath`, often
    /// /etc/kubernetes/manifests) and find out who wrote it; disable `staticPodPath` on nodes
    /// that do not run the control plane.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Static pods (MS-TA9017)
    /// - MITRE ATT&CK T1610 Deploy Container
    /// - Kubernetes documentation: Create static Pods
    pub static RULE = {
        id: "AUDIT-D39",
        name: "unexpected-static-pod",
        title: "Static pod appeared or mirror pod forged",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1610"), Mitre("MS-TA9017")],
        remediation: "Remove the manifest from the node's static pod directory and find out who wrote it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !super::creates(event, "pods") {
        return;
    }
    let Some(body) = event.request_json() else {
        return;
    };
    ctx.applicable();
    let mirror = body
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(MIRROR))
        .is_some();
    if !mirror {
        return;
    }
    let pod = super::target_pod(event);
    let node = body
        .pointer("/spec/nodeName")
        .and_then(|n| n.as_str())
        .unwrap_or("");
    if !event.user.username.starts_with("system:node:") {
        ctx.report_as(
            Severity::Critical,
            super::subject(event),
            "",
            format!(
                "{} created mirror pod {pod}{}: only kubelets create mirror pods, so it imitates a static pod",
                super::who(event),
                super::outcome(event)
            ),
        );
        return;
    }
    let name = pod.rsplit('/').next().unwrap_or("");
    let expected = &ctx.options::<AuditOptions>().audit_static_pods;
    if expected
        .iter()
        .any(|prefix| name.starts_with(prefix.as_str()))
    {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "static pod {pod} appeared on node {node:?} ({}), not one of the expected static pods",
            super::who(event)
        ),
    );
}
