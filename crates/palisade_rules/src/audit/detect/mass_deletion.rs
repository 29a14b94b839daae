//! AUDIT-D36 mass-deletion: many workloads, volumes or namespaces deleted at once.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::options::AuditOptions;

/// What losing destroys data or service.
const DESTRUCTIBLE: [&str; 9] = [
    "deployments",
    "statefulsets",
    "daemonsets",
    "cronjobs",
    "jobs",
    "persistentvolumes",
    "persistentvolumeclaims",
    "namespaces",
    "replicasets",
];

declare_rule! {
    /// ## What it does
    /// Counts the successful deletes of workloads (Deployments, StatefulSets, DaemonSets,
    /// ReplicaSets, Jobs, CronJobs), PersistentVolumes, PersistentVolumeClaims and Namespaces
    /// per identity within `audit-window-seconds` (60), and reports the identity when the
    /// count reaches `audit-mass-delete-threshold` (10), once per window. A `deletecollection`
    /// of them is reported at once. The API server's own identities (the garbage collector,
    /// the namespace controller) are left out.
    ///
    /// ## Why is this bad?
    /// Deleting workloads and the volumes under them is how ransomware and a disgruntled
    /// insider destroy a cluster's data; at that pace it is rarely a person tidying up.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D36
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d36-example
    /// stage: ResponseComplete
    /// verb: deletecollection
    /// requestURI: /api/v1/namespaces/shop/persistentvolumeclaims
    /// user: {username: mallory}
    /// objectRef: {resource: persistentvolumeclaims, namespace: shop, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// Stop the identity (revoke its credentials) and restore from backup; limit `delete`
    /// and `deletecollection` on workloads and volumes to the tools that need them.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Data destruction (MS-TA9038)
    /// - MITRE ATT&CK T1485 Data Destruction
    pub static RULE = {
        id: "AUDIT-D36",
        name: "mass-deletion",
        title: "Many workloads, volumes or namespaces deleted",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1485"), Mitre("MS-TA9038")],
        remediation: "Revoke the identity's credentials and restore from backup; limit delete on workloads and volumes.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, state: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete()
        || !DESTRUCTIBLE.iter().any(|r| event.is(r))
        || !matches!(event.verb.as_str(), "delete" | "deletecollection")
    {
        return;
    }
    ctx.applicable();
    if !event.succeeded() || super::system_component(&event.user.username) {
        return;
    }
    if event.verb == "deletecollection" {
        super::report(
            ctx,
            event,
            format!(
                "{} deleted every one of {}",
                super::who(event),
                super::target(event)
            ),
        );
        return;
    }
    let options = ctx.options::<AuditOptions>();
    let key = &event.user.username;
    let count = state.bump_within(key, super::at(event), super::window(options));
    if count != options.audit_mass_delete_threshold.max(1) {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{} deleted {count} workloads, volumes or namespaces within {} s, the last {}",
            super::who(event),
            options.audit_window_seconds,
            super::target(event)
        ),
    );
}
