//! AUDIT-D38 lookalike-system-pod: a pod in kube-system named like a system pod.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports pod creates in kube-system by anyone but the API server's own identities (the
    /// controllers and kubelets that create system pods) whose name is, or nearly is, the name
    /// of a system pod on `audit-system-pod-names` (`kube-proxy`, `coredns`, `etcd`, …): the
    /// name itself or a leading part of it (`kube-proxy-x7k2p`) within a small edit distance
    /// (one edit for short names, two from eight characters: `kube-proxxy`, `core-dns`).
    ///
    /// ## Why is this bad?
    /// A backdoor pod named like a component blends into `kubectl get pods -n kube-system`:
    /// nobody deletes a pod that looks like kube-proxy.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D38
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d38-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /api/v1/namespaces/kube-system/pods
    /// user: {username: mallory}
    /// objectRef: {resource: pods, namespace: kube-system, name: kube-proxxy-7h2k, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// ```
    ///
    /// ## Remediation
    /// Delete the pod and find out who created it; limit `create pods` in kube-system to
    /// cluster administrators.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Pod or container name similarity (MS-TA9023)
    /// - MITRE ATT&CK T1036.005 Masquerading: Match Legitimate Name or Location
    pub static RULE = {
        id: "AUDIT-D38",
        name: "lookalike-system-pod",
        title: "Pod in kube-system named like a system pod",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1036.005"), Mitre("MS-TA9023")],
        remediation: "Delete the pod and find out who created it; limit create on pods in kube-system.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !super::creates(event, "pods") || event.namespace() != "kube-system" {
        return;
    }
    ctx.applicable();
    if super::system_component(&event.user.username) {
        return;
    }
    let pod = super::target_pod(event);
    let name = pod.rsplit('/').next().unwrap_or("");
    let names = &ctx.options::<AuditOptions>().audit_system_pod_names;
    let Some(like) = names.iter().find(|system| resembles(name, system)) else {
        return;
    };
    super::report(
        ctx,
        event,
        format!(
            "{} created pod {pod}{}, named like the system pod {like:?}",
            super::who(event),
            super::outcome(event)
        ),
    );
}

/// Whether `name`, or a leading part of it cut at a `-`, is within a small edit distance of
/// `system`: one edit below eight characters, two from eight.
fn resembles(name: &str, system: &str) -> bool {
    let allowed = if system.len() >= 8 { 2 } else { 1 };
    let mut cuts: Vec<&str> = name.match_indices('-').map(|(i, _)| &name[..i]).collect();
    cuts.push(name);
    cuts.iter()
        .any(|prefix| strsim::damerau_levenshtein(prefix, system) <= allowed)
}

#[cfg(test)]
mod tests {
    use super::resembles;

    #[test]
    fn names_like_system_pods_are_found_and_others_are_not() {
        assert!(resembles("kube-proxy-x7k2p", "kube-proxy"));
        assert!(resembles("kube-proxxy-x7k2p", "kube-proxy"));
        assert!(resembles("core-dns", "coredns"));
        assert!(resembles("etcd-master-1", "etcd"));
        assert!(resembles("ectd", "etcd"));
        assert!(!resembles("web-5d9c", "kube-proxy"));
        assert!(!resembles("redis-0", "coredns"));
        assert!(!resembles("etl-job", "etcd"));
    }
}
