//! AUDIT-D08 node-port-service-created: a Service exposed on every node.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports Service creates whose request body has `spec.type: NodePort` (the audit level
    /// must record request bodies for services).
    ///
    /// ## Why is this bad?
    /// A NodePort Service opens a port on every node's addresses, past Ingress controllers
    /// and load balancers: an exposed interface that is easy to miss.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D08
    /// apiVersion: audit.k8s.io/v1
    /// auditID: 6f0c2f1e-0008
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /api/v1/namespaces/shop/services
    /// user: {username: alice}
    /// objectRef: {resource: services, namespace: shop, name: admin, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: Service
    ///   apiVersion: v1
    ///   metadata: {name: admin, namespace: shop}
    ///   spec: {type: NodePort, ports: [{port: 8080, nodePort: 30080}]}
    /// ```
    ///
    /// ## Remediation
    /// Expose the Service through an Ingress or a LoadBalancer with access rules, or make it
    /// `ClusterIP`.
    ///
    /// ## References
    /// - Falco k8saudit rules: Create NodePort Service
    /// - Microsoft Threat Matrix for Kubernetes: Exposed sensitive interfaces (MS-TA9005)
    pub static RULE = {
        id: "AUDIT-D08",
        name: "node-port-service-created",
        title: "NodePort Service created",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1133"), Mitre("MS-TA9005")],
        remediation: "Expose the Service through an Ingress or a LoadBalancer with access rules, or make it ClusterIP.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !super::creates(event, "services") {
        return;
    }
    ctx.applicable();
    let Some(body) = event.request_json() else {
        return;
    };
    if body.pointer("/spec/type").and_then(|t| t.as_str()) != Some("NodePort") {
        return;
    }
    let ports: Vec<String> = body
        .pointer("/spec/ports")
        .and_then(|p| p.as_array())
        .map(|ports| {
            ports
                .iter()
                .filter_map(|p| p.get("nodePort").and_then(|n| n.as_u64()))
                .map(|n| n.to_string())
                .collect()
        })
        .unwrap_or_default();
    let mut message = format!(
        "{} created NodePort {}",
        super::who(event),
        super::target(event)
    );
    if !ports.is_empty() {
        message.push_str(&format!(" on node ports {}", ports.join(", ")));
    }
    super::report(ctx, event, message);
}
