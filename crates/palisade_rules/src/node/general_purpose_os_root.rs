//! NODE022 general-purpose-os-root: the node, read from its root, runs a general-purpose OS.

use palisade_engine::prelude::*;

use super::general_purpose_os::container_optimized;
use super::options::NodeOptions;

declare_rule! {
    /// ## What it does
    /// Reports a node whose `/etc/os-release` (`PRETTY_NAME`, read by `palisade node`) names
    /// an operating system that is not on `container-optimized-os` (Bottlerocket,
    /// Container-Optimized OS, Azure Linux, Flatcar, Talos, …). NODE017 asks the same of the
    /// Node objects the API server reports.
    ///
    /// ## Why is this bad?
    /// A general-purpose distribution ships compilers, package managers, shells and services
    /// a node does not need: more to patch, and more for an attacker who escapes a container
    /// to use. Container-optimised systems are minimal, often read-only and updated as a
    /// whole.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE022
    /// node: worker-1
    /// os: Ubuntu 22.04.4 LTS
    /// ```
    ///
    /// ## Remediation
    /// Run nodes on a container-optimised OS image, or list yours in `container-optimized-os`
    /// when it is one.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance: node security
    pub static RULE = {
        id: "NODE022",
        name: "general-purpose-os-root",
        title: "Node runs a general-purpose OS",
        severity: Medium,
        layer: Cloud,
        frameworks: [],
        remediation: "Run nodes on a container-optimised OS image (Bottlerocket, Container-Optimized OS, Azure Linux, Flatcar, Talos).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    let Some(os) = &facts.os else {
        return;
    };
    ctx.applicable();
    if container_optimized(os, ctx.options::<NodeOptions>()) {
        return;
    }
    let kernel = facts
        .kernel
        .as_deref()
        .map(|k| format!(", kernel {k}"))
        .unwrap_or_default();
    ctx.report(
        facts.subject("/etc/os-release"),
        "",
        format!("the node runs {os}{kernel}, a general-purpose operating system"),
    );
}
