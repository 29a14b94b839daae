//! NET007 service-external-ips.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Services that set `spec.externalIPs`.
    ///
    /// ## Why is this bad?
    /// Any user who can create a Service with `externalIPs` can make the cluster's nodes
    /// intercept traffic to those addresses, including addresses of other services
    /// (CVE-2020-8554, which has no fix in Kubernetes itself). Clusters should block the field
    /// with the DenyServiceExternalIPs admission plugin unless it is needed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: legacy
    /// spec:
    ///   selector: {app: legacy}
    ///   ports:
    ///   - port: 80
    ///   externalIPs: # expect: NET007
    ///   - 203.0.113.10
    /// ```
    ///
    /// ## Remediation
    /// Use a LoadBalancer Service or an Ingress instead, and enable the
    /// DenyServiceExternalIPs admission plugin.
    ///
    /// ## References
    /// - CVE-2020-8554: Man in the middle using LoadBalancer or ExternalIPs
    /// - CIS Kubernetes Benchmark 1.2.3: DenyServiceExternalIPs is set
    pub static RULE = {
        id: "NET007",
        name: "service-external-ips",
        title: "Service sets externalIPs",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.2.3"), Mitre("T1557")],
        remediation: "Remove externalIPs; use a LoadBalancer Service or Ingress and enable DenyServiceExternalIPs.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "Service" {
        return;
    }
    ctx.applicable();
    if let Some(ips) = object
        .root
        .path(&["spec", "externalIPs"])
        .filter(|ips| ips.items().len() > 0)
    {
        let list: Vec<&str> = ips.items().filter_map(|i| i.as_str()).collect();
        ctx.report(
            "/spec/externalIPs",
            format!("Service claims external IPs {}", list.join(", ")),
        );
    }
}
