//! POD008 cloud-credentials-host-path.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags `hostPath` volumes that expose cloud provider credentials on the node: AWS
    /// credential directories (`.aws`), the Azure cloud provider configuration
    /// (`azure.json`, usually in `/etc/kubernetes`) and Google Cloud SDK credentials
    /// (`.config/gcloud`, `application_default_credentials.json`).
    ///
    /// ## Why is this bad?
    /// Node cloud credentials usually carry the node's cloud identity, which can read
    /// registries, storage and other tenants' volumes, and often more: a pod that reads them
    /// moves from the cluster into the cloud account.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: backup
    /// spec:
    ///   containers:
    ///   - name: backup
    ///     image: example.com/backup:1.0
    ///   volumes:
    ///   - name: aws
    ///     hostPath: # expect: POD008
    ///       path: /root/.aws
    /// ```
    ///
    /// ## Remediation
    /// Give the workload its own cloud identity (IRSA or EKS Pod Identity, Azure Workload
    /// Identity, GKE Workload Identity) and remove the volume.
    ///
    /// ## References
    /// - kubescape C-0020 Mount service principal (MITRE)
    /// - Microsoft Threat Matrix for Kubernetes: Mount service principal (MS-TA9026)
    pub static RULE = {
        id: "POD008",
        name: "cloud-credentials-host-path",
        title: "Cloud credentials mounted from the node",
        severity: High,
        layer: Container,
        frameworks: [Mitre("T1552.001")],
        remediation: "Use workload identity for cloud access and remove the hostPath volume.",
        hook: Hook::Pod(check),
    }
}

/// Whether a host path holds (or is) cloud credentials.
fn holds_cloud_credentials(path: &str) -> bool {
    let components: Vec<&str> = path.split('/').collect();
    components.contains(&".aws")
        || components
            .last()
            .is_some_and(|f| *f == "azure.json" || *f == "application_default_credentials.json")
        || path.contains("/.config/gcloud")
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    super::report_host_paths(pod, ctx, holds_cloud_credentials, "cloud credentials");
}
