//! NODE017 general-purpose-node-os.

use palisade_engine::prelude::*;

use super::options::NodeOptions;

declare_rule! {
    /// ## What it does
    /// Flags Nodes whose operating system image (`status.nodeInfo.osImage`) is not a
    /// container-optimised one: Container-Optimized OS, Bottlerocket, Flatcar, Talos, Fedora
    /// CoreOS, Red Hat Enterprise Linux CoreOS, Azure Linux (the list is the
    /// `container-optimized-os` rule option).
    ///
    /// ## Why is this bad?
    /// A general-purpose distribution ships package managers, compilers, shells and services a
    /// node never needs: more software to patch, and more tools for an attacker who escapes a
    /// container. Container-optimised systems have a minimal, often read-only root file system,
    /// are updated as a whole image, and are hardened for running containers.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Node
    /// metadata:
    ///   name: worker-1
    /// status:
    ///   nodeInfo:
    ///     osImage: Ubuntu 22.04.4 LTS # expect: NODE017
    ///     kubeletVersion: v1.35.1
    /// ```
    ///
    /// ## Remediation
    /// Move node pools to a container-optimised image (Bottlerocket on EKS, Container-Optimized
    /// OS on GKE, Azure Linux on AKS, Flatcar or Talos elsewhere). If an image of yours is
    /// container-optimised, add its name to `container-optimized-os` in `[rule-options]`.
    ///
    /// ## References
    /// - Kubernetes security guidance: use container-optimised node operating systems
    /// - Kubescape C-0226: Prefer using a container-optimized OS when possible
    pub static RULE = {
        id: "NODE017",
        name: "general-purpose-node-os",
        title: "Node runs a general-purpose OS",
        severity: Medium,
        layer: Cloud,
        frameworks: [],
        remediation: "Run nodes on a container-optimised OS image (Bottlerocket, Container-Optimized OS, Azure Linux, Flatcar, Talos).",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "Node" || object.api_version != "v1" {
        return;
    }
    let Some(image) = object
        .root
        .path(&["status", "nodeInfo", "osImage"])
        .and_then(|n| n.as_str())
    else {
        return;
    };
    ctx.applicable();
    if container_optimized(image, ctx.options::<NodeOptions>()) {
        return;
    }
    ctx.report(
        "/status/nodeInfo/osImage",
        format!("node runs {image}, a general-purpose operating system"),
    );
}

/// Whether an OS image name is one of the container-optimised ones the options list.
pub(crate) fn container_optimized(image: &str, options: &NodeOptions) -> bool {
    let lower = image.to_ascii_lowercase();
    options
        .container_optimized_os
        .iter()
        .any(|os| lower.contains(&os.to_ascii_lowercase()))
}
