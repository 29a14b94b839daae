//! Network exposure: allow-all NetworkPolicy rules, externally reachable Services and
//! Ingresses without TLS.

pub mod allow_all_policy;
pub mod default_deny_egress;
pub mod default_deny_ingress;
pub mod exposed_host_workload;
pub mod exposed_service;
pub mod ingress_without_tls;
mod namespace_isolation;
pub mod service_external_ips;
