//! POD028 helm-tiller.

use palisade_engine::prelude::*;

use crate::addons::is_tiller;

declare_rule! {
    /// ## What it does
    /// Flags Helm v2's server side, Tiller: containers running its image
    /// (`gcr.io/kubernetes-helm/tiller`, `ghcr.io/helm/tiller`), workloads named
    /// `tiller-deploy` (the name `helm init` gives it), and Services named `tiller-deploy` or
    /// with a port named `tiller` (its gRPC port, 44134).
    ///
    /// ## Why is this bad?
    /// Helm v2 reached its end of life in November 2020. Tiller installs whatever it is asked
    /// to over gRPC without authenticating the caller by default, and usually runs with
    /// cluster-admin rights: any pod that can reach port 44134 can deploy privileged workloads
    /// or read every Secret, with no RBAC check on who asked.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: tiller-deploy
    ///   namespace: kube-system
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///       - name: tiller
    ///         image: gcr.io/kubernetes-helm/tiller:v2.16.12 # expect: POD028
    /// ```
    ///
    /// ## Remediation
    /// Migrate the releases to Helm 3 (`helm 2to3`), which has no server side, then delete the
    /// Tiller Deployment, its Service and its ServiceAccount binding.
    ///
    /// ## References
    /// - Helm: Helm 2 and the Charts project are now unsupported (2020)
    /// - Checkov CKV_K8S_34, CKV_K8S_44, CKV_K8S_45
    /// - Microsoft Threat Matrix for Kubernetes: New container (MS-TA9008)
    pub static RULE = {
        id: "POD028",
        name: "helm-tiller",
        title: "Helm v2 Tiller deployed",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1610")],
        remediation: "Migrate to Helm 3 and delete Tiller's Deployment, Service and ServiceAccount binding.",
        hook: Hook::Object(check),
    }
}

/// The name `helm init` gives Tiller's Deployment and Service.
const NAME: &str = "tiller-deploy";

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if let Some(pod) = object.pod_spec() {
        ctx.applicable();
        let mut found = false;
        for c in pod.containers() {
            let image = c.node.get("image").and_then(|i| i.as_str());
            if let Some(image) = image.filter(|i| is_tiller(i)) {
                found = true;
                ctx.report_container(
                    c,
                    "image",
                    format!("container {:?} runs Helm v2's Tiller ({image})", c.name),
                );
            }
        }
        if !found && object.name() == Some(NAME) {
            ctx.report(
                "/metadata/name",
                format!("{} {NAME} is Helm v2's Tiller", object.kind),
            );
        }
    } else if object.kind == "Service" && object.api_version == "v1" {
        ctx.applicable();
        if object.name() == Some(NAME) {
            ctx.report(
                "/metadata/name",
                format!("Service {NAME} publishes Helm v2's Tiller gRPC API"),
            );
            return;
        }
        let ports = object.root.path(&["spec", "ports"]);
        for (i, port) in ports.into_iter().flat_map(|p| p.items()).enumerate() {
            if port.get("name").and_then(|n| n.as_str()) == Some("tiller") {
                ctx.report(
                    format!("/spec/ports/{i}"),
                    "Service publishes a port named tiller, Helm v2's Tiller gRPC API",
                );
            }
        }
    }
}
