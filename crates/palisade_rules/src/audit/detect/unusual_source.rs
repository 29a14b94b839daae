//! AUDIT-D41 unusual-source: a request from a suspicious address, or a privileged identity
//! from a new client or address.

use std::net::IpAddr;

use ipnet::IpNet;
use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports:
    /// - any request with a source address in `audit-suspicious-source-ranges` (CIDRs: a
    ///   list of anonymizer or TOR exit addresses you maintain, or networks that should never
    ///   reach the API server), at high severity;
    /// - a request by a privileged identity (a member of `system:masters`, or a user on
    ///   `audit-privileged-users`: by default Falco's full-admin users) from a client
    ///   (the user agent's product, `kubectl` of `kubectl/v1.35.0 …`) or a source address
    ///   not seen for it during the first `audit-learning-seconds` (3600) after the run first
    ///   saw the identity; each new one once.
    ///
    /// State is kept per identity and bounded.
    ///
    /// ## Why is this bad?
    /// Admin credentials are the prize: a kubeconfig copied off a laptop is used from another
    /// machine and often another client. A request through an anonymizer is someone hiding
    /// where they are.
    ///
    /// ## Example
    /// ```yaml
    /// # audit-suspicious-source-ranges: 185.220.100.0/22
    /// kind: Event # expect: AUDIT-D41
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d41-example
    /// stage: ResponseComplete
    /// verb: list
    /// requestURI: /api/v1/secrets
    /// user: {username: alice}
    /// sourceIPs: [185.220.101.4]
    /// objectRef: {resource: secrets, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// Confirm with the identity's owner where the request came from; if it was not them,
    /// revoke the credential and review what it did.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Connect from proxy server (MS-TA9024),
    ///   Kubeconfig file (MS-TA9003)
    /// - MITRE ATT&CK T1090 Proxy; T1078 Valid Accounts
    pub static RULE = {
        id: "AUDIT-D41",
        name: "unusual-source",
        title: "Request from a suspicious address or a new client of a privileged identity",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1090"), Mitre("T1078"), Mitre("MS-TA9024"), Mitre("MS-TA9003")],
        remediation: "Confirm with the identity's owner where the request came from; revoke the credential if it was not them.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, state: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() || event.user.username.is_empty() {
        return;
    }
    let options = ctx.options::<AuditOptions>();
    let ranges: Vec<IpNet> = options
        .audit_suspicious_source_ranges
        .iter()
        .filter_map(|r| r.parse().ok())
        .collect();
    let suspicious = event.source_ips.iter().find(|ip| {
        ip.parse::<IpAddr>()
            .is_ok_and(|ip| ranges.iter().any(|r| r.contains(&ip)))
    });
    let user = &event.user.username;
    let privileged = event.user.groups.iter().any(|g| g == "system:masters")
        || super::listed(&options.audit_privileged_users, user);
    if !privileged && ranges.is_empty() {
        return;
    }
    ctx.applicable();
    if let Some(ip) = suspicious {
        ctx.report_as(
            Severity::High,
            super::subject(event),
            "",
            format!(
                "{} sent {} from {ip}, an address in audit-suspicious-source-ranges",
                super::who(event),
                super::request(event)
            ),
        );
        return;
    }
    if !privileged {
        return;
    }
    let at = super::at(event);
    let learning = i64::try_from(options.audit_learning_seconds)
        .unwrap_or(i64::MAX / 1_000_000)
        .saturating_mul(1_000_000);
    let identity = format!("id\0{user}");
    state.bump_within(&identity, at, i64::MAX);
    let learnt = state
        .since(&identity)
        .is_some_and(|first| at.saturating_sub(first) > learning);
    let client = event.user_agent.split('/').next().unwrap_or("").trim();
    let mut new = Vec::new();
    if !client.is_empty() && state.bump(&format!("agent\0{user}\0{client}")) == 1 && learnt {
        new.push(format!("a new client {client:?}"));
    }
    for ip in &event.source_ips {
        if state.bump(&format!("ip\0{user}\0{ip}")) == 1 && learnt {
            new.push(format!("a new address {ip}"));
        }
    }
    if new.is_empty() {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "privileged {} sent {} from {}",
            super::who(event),
            super::request(event),
            new.join(" and ")
        ),
    );
}
