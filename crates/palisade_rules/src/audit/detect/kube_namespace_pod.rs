//! AUDIT-D15 pod-in-system-namespace: Pod created in kube-system or kube-public.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports pod creates in kube-system and kube-public (the request body must be recorded)
    /// with a container whose image is not on `audit-system-images` (by default Falco's
    /// `allowed_kube_namespace_image_list`: a few GKE and kops images, not the whole of
    /// `registry.k8s.io`). Pods their controllers create count too: their images come from
    /// the workload, so list the images your kube-system runs.
    ///
    /// ## Why is this bad?
    /// kube-system holds the cluster's own components and their powerful ServiceAccounts; a pod
    /// of another image there is a backdoor that blends in.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D15
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d15-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /api/v1/namespaces/kube-system/pods
    /// user: {username: alice}
    /// objectRef: {resource: pods, namespace: kube-system, name: kube-proxy-x1, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: Pod
    ///   metadata: {name: kube-proxy-x1, namespace: kube-system}
    ///   spec: {containers: [{name: c, image: docker.io/library/alpine:3.20}]}
    /// ```
    ///
    /// ## Remediation
    /// Confirm the workload belongs there; add its images to `audit-system-images`, or delete
    /// it and rotate what its ServiceAccount could read.
    ///
    /// ## References
    /// - Falco k8saudit rules: Pod Created in Kube Namespace
    /// - Microsoft Threat Matrix for Kubernetes: Backdoor container (MS-TA9012)
    pub static RULE = {
        id: "AUDIT-D15",
        name: "pod-in-system-namespace",
        title: "Pod created in kube-system or kube-public",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1610"), Mitre("T1036.005"), Mitre("MS-TA9012"), Mitre("MS-TA9023")],
        remediation: "Confirm the pod belongs in the system namespace; allow-list its images in audit-system-images, or remove it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !super::creates(event, "pods") || !matches!(event.namespace(), "kube-system" | "kube-public")
    {
        return;
    }
    ctx.applicable();
    let allowed = &ctx.options::<AuditOptions>().audit_system_images;
    let what = format!("not expected in {}", event.namespace());
    super::report_unlisted_images(ctx, event, allowed, &what);
}
