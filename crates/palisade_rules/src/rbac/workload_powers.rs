//! RBAC031 workload-powers.

use palisade_engine::prelude::*;
use palisade_model::rbac::Power;

declare_rule! {
    /// ## What it does
    /// Flags workloads whose ServiceAccount, through the RoleBindings and ClusterRoleBindings
    /// of the scanned set, holds a dangerous power: everything, reading Secrets, creating
    /// workloads, `bind`, `escalate`, `impersonate`, `nodes/proxy`, webhooks, token requests,
    /// exec, ephemeral containers, PersistentVolumes or namespace changes. It asks what
    /// `palisade rbac` answers: bindings that name the ServiceAccount or a group every token
    /// of it carries (`system:serviceaccounts`, `system:serviceaccounts:<namespace>`,
    /// `system:authenticated`), RoleBindings of any namespace (the power is held there),
    /// aggregated ClusterRoles with the rules they aggregate, and the API server's built-in
    /// roles (`cluster-admin`, `admin`, `edit`, …) where the scan does not define them. The
    /// finding names each power and the binding and role that give it, and the namespace when
    /// a RoleBinding of another namespace gives it.
    ///
    /// ## Why is this bad?
    /// Every pod of the workload carries its ServiceAccount's token: whoever compromises the
    /// application (one remote code execution bug) gets those powers, and often the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: dashboard
    ///   namespace: ops
    /// spec:
    ///   template:
    ///     spec:
    ///       serviceAccountName: dashboard # expect: RBAC031
    ///       containers:
    ///       - name: dashboard
    ///         image: example.com/dashboard:1.0
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: dashboard
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: dashboard
    ///   namespace: ops
    /// ```
    ///
    /// ## Remediation
    /// Give the workload its own ServiceAccount bound only to what it uses, namespace-scoped;
    /// set `automountServiceAccountToken: false` when it needs no API access.
    ///
    /// ## References
    /// - kubescape C-0053 Access container service account (MITRE)
    /// - Kubernetes: RBAC good practices, minimize distribution of privileged tokens
    pub static RULE = {
        id: "RBAC031",
        name: "workload-powers",
        title: "Workload runs with a powerful ServiceAccount",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1528"), Mitre("T1078.004")],
        remediation: "Bind the workload's ServiceAccount only to the permissions it uses, namespace-scoped.",
        hook: Hook::Inventory(check),
    }
}

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    for fact in &inventory.facts {
        let FactKind::Workload(w) = &fact.kind else {
            continue;
        };
        let ns = fact.object.namespace.as_deref();
        let powers = inventory
            .rbac()
            .service_account_powers(ns.unwrap_or_default(), &w.service_account);
        if powers.is_empty() {
            continue;
        }
        let admin = powers.iter().any(|(p, _)| *p == Power::Admin);
        let shown: Vec<String> = powers
            .iter()
            .filter(|(p, _)| !admin || *p == Power::Admin)
            .map(|(p, via)| {
                // `RoleBinding/namespace/name`: held in that namespace.
                let elsewhere = via
                    .binding
                    .strip_prefix("RoleBinding/")
                    .and_then(|rest| rest.split_once('/'))
                    .map(|(binding_ns, _)| binding_ns)
                    .filter(|binding_ns| Some(*binding_ns) != ns)
                    .map(|binding_ns| format!(", in namespace {binding_ns}"))
                    .unwrap_or_default();
                format!(
                    "{} (via {} -> {}{elsewhere})",
                    p.describe(),
                    kind_and_name(&via.binding),
                    kind_and_name(&via.role)
                )
            })
            .collect();
        ctx.report(
            fact,
            &w.service_account_site,
            format!(
                "ServiceAccount {}{} can {}; a compromise of this workload inherits it",
                ns.map(|n| format!("{n}/")).unwrap_or_default(),
                w.service_account,
                shown.join(", ")
            ),
        );
    }
}

/// `Kind/name` of `Kind/name` or `Kind/namespace/name`: the message names the binding and
/// role as they are written, the workload's namespace being given (names hold no `/`).
fn kind_and_name(display: &str) -> String {
    match (display.split_once('/'), display.rsplit_once('/')) {
        (Some((kind, _)), Some((_, name))) => format!("{kind}/{name}"),
        _ => display.to_string(),
    }
}
