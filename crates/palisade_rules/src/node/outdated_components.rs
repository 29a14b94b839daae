//! NODE018 outdated-node-components.

use palisade_engine::prelude::*;

use super::options::NodeOptions;
use super::versions::{CONTAINERD_CVES, Cve, KUBELET_CVES, parse};

declare_rule! {
    /// ## What it does
    /// Reads the component versions a Node reports (`status.nodeInfo`) and flags a kubelet
    /// older than the oldest Kubernetes minor version still supported upstream (the
    /// `oldest-supported-kubelet` rule option, 1.35 by default), and a kubelet or containerd
    /// in a range affected by a known vulnerability that lets a workload reach the node:
    /// CVE-2024-10220 and CVE-2021-25741 (kubelet), CVE-2024-5321, CVE-2023-5528 and
    /// CVE-2023-3676 (kubelet on Windows), CVE-2022-23648, CVE-2023-25173 and CVE-2022-24769
    /// (containerd).
    ///
    /// ## Why is this bad?
    /// A kubelet out of support gets no security fixes; a known container-escape bug in the
    /// kubelet or the runtime turns any workload an attacker can deploy into access to the
    /// node, its credentials and the other pods on it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Node
    /// metadata:
    ///   name: worker-1
    /// status:
    ///   nodeInfo:
    ///     osImage: Bottlerocket OS 1.20.0 (aws-k8s-1.30)
    ///     kubeletVersion: v1.30.2-eks-1552ad0 # expect: NODE018
    ///     containerRuntimeVersion: containerd://1.7.11
    ///     operatingSystem: linux
    /// ```
    ///
    /// ## Remediation
    /// Upgrade the node pool to a supported Kubernetes minor version and its latest patch
    /// release (and the runtime with it). Kernel patch levels are distribution-specific
    /// (fixes are backported without a new upstream version): check them with the
    /// distribution's advisories.
    ///
    /// ## References
    /// - Kubernetes version skew and support policy
    /// - CVE-2024-10220: arbitrary command execution through gitRepo volumes
    /// - CVE-2022-23648: containerd arbitrary host file access
    pub static RULE = {
        id: "NODE018",
        name: "outdated-node-components",
        title: "Node runs an unsupported or vulnerable kubelet or runtime",
        severity: High,
        layer: Cloud,
        frameworks: [Mitre("T1611")],
        remediation: "Upgrade the node pool to a supported Kubernetes version and the latest patch release of its kubelet and container runtime.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "Node" || object.api_version != "v1" {
        return;
    }
    let Some(info) = object.root.path(&["status", "nodeInfo"]) else {
        return;
    };
    let field = |name: &str| info.get(name).and_then(|n| n.as_str()).map(str::to_string);
    let os = field("operatingSystem").unwrap_or_else(|| "linux".into());
    let kubelet = field("kubeletVersion");
    let runtime = field("containerRuntimeVersion");
    if kubelet.is_none() && runtime.is_none() {
        return;
    }
    ctx.applicable();
    if let Some(text) = &kubelet
        && let Some(version) = parse(text)
    {
        let mut reasons = Vec::new();
        let oldest = ctx
            .options::<NodeOptions>()
            .oldest_supported_kubelet
            .clone();
        if let Some((ma, mi, _)) = parse(&oldest)
            && (version.0, version.1) < (ma, mi)
        {
            reasons.push(format!(
                "is older than {ma}.{mi}, the oldest Kubernetes minor version still supported"
            ));
        }
        let cves = KUBELET_CVES.iter().filter(|c| c.os.is_none_or(|o| o == os));
        reasons.extend(affected_by(cves, version));
        if !reasons.is_empty() {
            ctx.report(
                "/status/nodeInfo/kubeletVersion",
                format!("kubelet {text} {}", reasons.join("; ")),
            );
        }
    }
    if let Some(text) = &runtime
        && text.starts_with("containerd://")
        && let Some(version) = parse(text)
    {
        let reasons = affected_by(CONTAINERD_CVES.iter(), version);
        if !reasons.is_empty() {
            ctx.report(
                "/status/nodeInfo/containerRuntimeVersion",
                format!("{text} {}", reasons.join("; ")),
            );
        }
    }
}

/// One reason per vulnerability of `cves` that affects `version`.
fn affected_by<'a>(cves: impl Iterator<Item = &'a Cve>, version: (u64, u64, u64)) -> Vec<String> {
    cves.filter(|c| c.affects(version))
        .map(|c| {
            format!(
                "is affected by {}: {} (fixed in {})",
                c.id,
                c.what,
                c.fix_for(version)
            )
        })
        .collect()
}
