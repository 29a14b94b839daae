//! The least privilege a cluster scan needs: `get` and `list` on the resources it reads,
//! and nothing else (no `watch`, no write, no `*`).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::wanted::WANTED;

/// The ClusterRole `palisade-reader` and its ClusterRoleBinding to the ServiceAccount
/// `service_account` in `namespace`, as YAML. Without `secrets`, Secrets are not readable and
/// the rules about them are reported as not evaluated. With `reports`, the role may also
/// write the report resources (`cluster scan --apply-reports`), and nothing else.
pub fn rbac_manifest(
    namespace: &str,
    service_account: &str,
    secrets: bool,
    reports: bool,
) -> String {
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for w in WANTED {
        if !secrets && w.group.is_empty() && w.resource == "secrets" {
            continue;
        }
        groups.entry(w.group).or_default().push(w.resource);
    }
    let mut out = String::new();
    out.push_str(
        "# The read-only access `palisade cluster scan` needs: get and list, nothing else.\n",
    );
    if secrets {
        out.push_str("# Listing Secrets returns their values to this identity; Palisade drops them on receipt.\n# Without Secrets (`--without-secrets`), the Secret rules are reported as not evaluated.\n");
    }
    out.push_str("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: palisade-reader\n  labels:\n    app.kubernetes.io/name: palisade\nrules:\n");
    for (group, resources) in &groups {
        let _ = writeln!(out, "- apiGroups: [\"{group}\"]");
        let _ = writeln!(out, "  resources: [{}]", resources.join(", "));
        out.push_str("  verbs: [get, list]\n");
    }
    out.push_str("- nonResourceURLs: [/version, /api, /api/*, /apis, /apis/*]\n  verbs: [get]\n");
    if reports {
        out.push_str("# Written by `cluster scan --apply-reports` (server-side apply; stale ones deleted).\n");
        out.push_str("- apiGroups: [wgpolicyk8s.io]\n  resources: [policyreports, clusterpolicyreports]\n  verbs: [get, list, create, patch, delete]\n");
        out.push_str("- apiGroups: [openreports.io]\n  resources: [reports, clusterreports]\n  verbs: [get, list, create, patch, delete]\n");
    }
    let _ = write!(
        out,
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: palisade-reader\n  labels:\n    app.kubernetes.io/name: palisade\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: palisade-reader\nsubjects:\n- kind: ServiceAccount\n  name: {service_account}\n  namespace: {namespace}\n"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_reads_and_never_writes() {
        let yaml = rbac_manifest("palisade", "palisade", true, false);
        assert!(yaml.contains("resources: [secrets") || yaml.contains(", secrets"));
        let verbs: Vec<&str> = yaml.lines().filter(|l| l.contains("verbs:")).collect();
        assert!(!verbs.is_empty());
        for line in verbs {
            assert!(
                line == "  verbs: [get, list]" || line == "  verbs: [get]",
                "{line}"
            );
        }
        assert!(!yaml.contains('*') || !yaml.contains("resources: [\"*\"]"));
        for w in WANTED {
            assert!(yaml.contains(w.resource), "{} missing", w.resource);
        }
        let without = rbac_manifest("palisade", "palisade", false, false);
        assert!(!without.contains("secrets"));
        // Writing reports adds write verbs on the report kinds, and on nothing else.
        let writer = rbac_manifest("palisade", "palisade", true, true);
        let written: Vec<&str> = writer.lines().filter(|l| l.contains("patch")).collect();
        assert_eq!(written.len(), 2, "{writer}");
        assert!(writer.contains("resources: [policyreports, clusterpolicyreports]"));
    }
}
