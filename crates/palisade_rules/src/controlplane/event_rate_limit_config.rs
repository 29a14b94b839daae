//! CP039 event-rate-limit-config.

use palisade_engine::prelude::*;

use super::admission_plugin_configs;

declare_rule! {
    /// ## What it does
    /// Flags the EventRateLimit plugin configuration inside an `AdmissionConfiguration` (an
    /// inline `Configuration` of `eventratelimit.admission.k8s.io/v1alpha1`) that does not
    /// bound the event rate: no `limits` at all, no limit of type `Server` or `Namespace`
    /// (limits per `User` or per `SourceAndObject` alone let many identities or objects flood
    /// together), or a limit without a positive `qps` and `burst`.
    ///
    /// ## Why is this bad?
    /// Enabling the plugin (CP009) protects nothing until its limits cap the whole server or
    /// each namespace: a noisy or malicious client can still fill the API server and etcd with
    /// Events.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: AdmissionConfiguration
    /// plugins:
    /// - name: EventRateLimit
    ///   configuration:
    ///     apiVersion: eventratelimit.admission.k8s.io/v1alpha1
    ///     kind: Configuration
    ///     limits: # expect: CP039
    ///     - type: User
    ///       qps: 10
    ///       burst: 50
    /// ```
    ///
    /// ## Remediation
    /// Add a `Server` or `Namespace` limit with positive `qps` and `burst`, for example
    /// `{type: Namespace, qps: 50, burst: 100, cacheSize: 2000}`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.9: Ensure that the admission control plugin
    ///   EventRateLimit is set
    /// - Kubernetes: Admission controllers, EventRateLimit
    pub static RULE = {
        id: "CP039",
        name: "event-rate-limit-config",
        title: "EventRateLimit configured without effective limits",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.2.9")],
        remediation: "Add a Server or Namespace limit with positive qps and burst to the EventRateLimit configuration.",
        hook: Hook::Object(check),
    }
}

fn positive(node: Option<NodeRef<'_, '_>>) -> bool {
    node.and_then(|n| n.scalar_text())
        .and_then(|t| t.parse::<i64>().ok())
        .is_some_and(|n| n > 0)
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    for (base, config) in admission_plugin_configs(object, ctx, "EventRateLimit") {
        let kind = config.get("kind").and_then(|k| k.as_str());
        let version = config.get("apiVersion").and_then(|k| k.as_str());
        if kind.is_some_and(|k| k != "Configuration")
            || version.is_some_and(|v| !v.starts_with("eventratelimit.admission.k8s.io/"))
        {
            continue;
        }
        let limits: Vec<NodeRef<'_, '_>> = config
            .get("limits")
            .map(|l| l.items().collect())
            .unwrap_or_default();
        if limits.is_empty() {
            ctx.report(
                format!("{base}/limits"),
                "EventRateLimit configuration sets no limits",
            );
            continue;
        }
        let broad = limits.iter().any(|l| {
            matches!(
                l.get("type").and_then(|t| t.as_str()),
                Some("Server" | "Namespace")
            )
        });
        if !broad {
            ctx.report(
                format!("{base}/limits"),
                "EventRateLimit sets no Server or Namespace limit, so events are not capped overall",
            );
        }
        for (i, limit) in limits.iter().enumerate() {
            for field in ["qps", "burst"] {
                if !positive(limit.get(field)) {
                    ctx.report(
                        format!("{base}/limits/{i}"),
                        format!("EventRateLimit limit {i} has no positive {field}"),
                    );
                }
            }
        }
    }
}
