//! RBAC030 token-automount.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags workloads that mount a ServiceAccount token without deciding to: the pod does not
    /// set `automountServiceAccountToken: false`, and its ServiceAccount (when it is in the
    /// scanned set) does not set it to `false` either. As in kube-bench, a pod passes when it
    /// sets `false`, or when its ServiceAccount sets `false` and the pod leaves it unset.
    ///
    /// ## Why is this bad?
    /// A mounted token is a credential to the API server inside every container of the pod:
    /// whoever compromises the application can use the ServiceAccount's permissions. Most
    /// applications never call the API.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   template:
    ///     spec: # expect: RBAC030
    ///       containers:
    ///       - name: web
    ///         image: example.com/web:1.0
    /// ```
    ///
    /// ## Remediation
    /// Set `automountServiceAccountToken: false` on the pod (or its ServiceAccount), and mount a
    /// projected token only in workloads that use the API.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.6: Ensure that Service Account Tokens are only mounted
    ///   where necessary
    /// - kubescape C-0034 Automatic mapping of service account (NSA)
    pub static RULE = {
        id: "RBAC030",
        name: "token-automount",
        title: "ServiceAccount token mounted by default",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("5.1.6"), Nsa("C-0034"), Mitre("T1528")],
        remediation: "Set automountServiceAccountToken: false on the pod or its ServiceAccount.",
        fix: Unsafe("an application that calls the Kubernetes API loses the ServiceAccount token it authenticates with"),
        hook: Hook::Inventory(check),
    }
}

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    for fact in &inventory.facts {
        let FactKind::Workload(w) = &fact.kind else {
            continue;
        };
        ctx.applicable();
        if w.automount == Some(false) {
            continue;
        }
        let sa_automount = inventory
            .service_account_automount(fact.object.namespace.as_deref(), &w.service_account)
            .flatten();
        if w.automount.is_none() && sa_automount == Some(false) {
            continue;
        }
        let why = if w.automount == Some(true) {
            "sets automountServiceAccountToken: true".to_string()
        } else {
            format!(
                "mounts the token of ServiceAccount {:?} by default",
                w.service_account
            )
        };
        ctx.report(fact, &w.spec_site, format!("pod {why}"));
        let pointer = format!("{}/automountServiceAccountToken", w.spec_site.pointer);
        ctx.fix(Fix::set(pointer, "false"));
    }
}
