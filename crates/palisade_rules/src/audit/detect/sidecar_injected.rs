//! AUDIT-D35 sidecar-injected: a container added to a running workload.

use palisade_audit::Event;
use palisade_engine::prelude::*;
use serde_json::Value;

/// Workload resources and where their pod template's containers are.
const WORKLOADS: [(&str, &str); 7] = [
    ("deployments", "/spec/template/spec"),
    ("daemonsets", "/spec/template/spec"),
    ("statefulsets", "/spec/template/spec"),
    ("replicasets", "/spec/template/spec"),
    ("replicationcontrollers", "/spec/template/spec"),
    ("jobs", "/spec/template/spec"),
    ("cronjobs", "/spec/jobTemplate/spec/template/spec"),
];

declare_rule! {
    /// ## What it does
    /// Reports updates and patches of workloads (Deployments, DaemonSets, StatefulSets,
    /// ReplicaSets, ReplicationControllers, Jobs, CronJobs) that add a container or init
    /// container to the pod template, by anyone but the API server's own identities:
    /// - a JSON patch that adds to a `containers` or `initContainers` list;
    /// - a change whose template names a container this run has not seen in the workload
    ///   before (it learns each workload's containers from the creates, updates and patches
    ///   it reads; state is bounded).
    ///
    /// The request body must be recorded (level Request or RequestResponse).
    ///
    /// ## Why is this bad?
    /// A sidecar shares the pod's network, volumes and ServiceAccount: an attacker who may
    /// patch a Deployment adds one to read its traffic and secrets while the application
    /// keeps working, and no new workload appears.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D35
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d35-example
    /// stage: ResponseComplete
    /// verb: patch
    /// requestURI: /apis/apps/v1/namespaces/shop/deployments/web
    /// user: {username: mallory}
    /// objectRef: {resource: deployments, namespace: shop, name: web, apiGroup: apps, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// requestObject:
    ///   - op: add
    ///     path: /spec/template/spec/containers/-
    ///     value: {name: helper, image: evil.example/proxy:1}
    /// ```
    ///
    /// ## Remediation
    /// Compare the workload with its source of truth (Git) and roll the change back; limit
    /// `patch` and `update` on workloads to the deployment tools.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Sidecar injection (MS-TA9011)
    /// - MITRE ATT&CK T1610 Deploy Container
    pub static RULE = {
        id: "AUDIT-D35",
        name: "sidecar-injected",
        title: "Container added to a running workload",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1610"), Mitre("MS-TA9011")],
        remediation: "Compare the workload with its source of truth and roll the change back; limit patch and update on workloads.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, state: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() || !event.modifies() || !event.subresource().is_empty() {
        return;
    }
    let Some((resource, spec)) = WORKLOADS.iter().find(|(r, _)| *r == event.resource()) else {
        return;
    };
    ctx.applicable();
    if !event.succeeded() {
        return;
    }
    let workload = format!("{resource}\0{}\0{}", event.namespace(), event.name());
    let mut added: Vec<String> = Vec::new();
    // A JSON patch says what it adds.
    if let Some(Value::Array(ops)) = event.request_json() {
        for op in &ops {
            let path = op.get("path").and_then(Value::as_str).unwrap_or("");
            let to_list = ["/containers/", "/initContainers/"]
                .iter()
                .any(|list| path.starts_with(spec) && path[spec.len()..].starts_with(list));
            if op.get("op").and_then(Value::as_str) == Some("add") && to_list {
                let name = op.pointer("/value/name").and_then(Value::as_str);
                added.push(name.unwrap_or("(unnamed)").to_string());
            }
        }
    }
    // Otherwise, compare with the containers seen before.
    let names = event
        .object_json()
        .filter(Value::is_object)
        .map(|body| container_names(&body, spec))
        .unwrap_or_default();
    let known = event.verb != "create" && state.count(&workload) > 0;
    state.bump(&workload);
    for name in names {
        let first = state.bump(&format!("{workload}\0{name}")) == 1;
        if first && known && !added.contains(&name) {
            added.push(name);
        }
    }
    if added.is_empty() || super::system_component(&event.user.username) {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{} added container {} to {}",
            super::who(event),
            added
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            super::target(event)
        ),
    );
}

/// The names of the containers and init containers of the pod template at `spec`.
fn container_names(body: &Value, spec: &str) -> Vec<String> {
    ["containers", "initContainers"]
        .iter()
        .filter_map(|list| body.pointer(&format!("{spec}/{list}"))?.as_array())
        .flatten()
        .filter_map(|c| c.get("name")?.as_str().map(str::to_string))
        .collect()
}
