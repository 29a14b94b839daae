//! RBAC035 cloud-identity.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags ServiceAccounts bound to a cloud identity: the annotations
    /// `eks.amazonaws.com/role-arn` (EKS IAM roles for service accounts),
    /// `iam.gke.io/gcp-service-account` (GKE Workload Identity) and
    /// `azure.workload.identity/client-id` (Azure Workload Identity). These are the right way to
    /// give pods cloud access; the finding asks for a review of what the identity may do.
    ///
    /// ## Why is this bad?
    /// Every pod running as the ServiceAccount holds the cloud identity: its cloud permissions
    /// (buckets, databases, IAM) are part of what a compromise of the workload yields, and
    /// Kubernetes RBAC reviews do not show them.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata:
    ///   name: uploader
    ///   namespace: media
    ///   annotations:
    ///     eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/uploader # expect: RBAC035
    /// ```
    ///
    /// ## Remediation
    /// Keep the cloud role least-privilege (one role per workload, scoped resources) and
    /// restrict which pods may use the ServiceAccount.
    ///
    /// ## References
    /// - rbac-police: providerIAM
    /// - Microsoft Threat Matrix for Kubernetes: Access cloud resources (MS-TA9020)
    pub static RULE = {
        id: "RBAC035",
        name: "cloud-identity",
        title: "ServiceAccount bound to a cloud identity",
        severity: Low,
        layer: Cloud,
        frameworks: [Mitre("T1078.004")],
        remediation: "Review the cloud identity's permissions and keep them least-privilege.",
        hook: Hook::Object(check),
    }
}

const ANNOTATIONS: &[(&str, &str)] = &[
    ("eks.amazonaws.com/role-arn", "AWS IAM role"),
    ("iam.gke.io/gcp-service-account", "Google service account"),
    (
        "azure.workload.identity/client-id",
        "Azure managed identity",
    ),
];

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "ServiceAccount" {
        return;
    }
    ctx.applicable();
    for (key, what) in ANNOTATIONS {
        if let Some(value) = object
            .annotation(key)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
        {
            ctx.report(
                format!("/metadata/annotations/{}", escape_pointer_segment(key)),
                format!("ServiceAccount acts as the {what} {value:?} in the cloud"),
            );
        }
    }
}
