//! Network exposure: allow-all NetworkPolicy rules, externally reachable Services and
//! Ingresses without TLS.

pub mod allow_all_policy;
pub mod exposed_service;
pub mod ingress_without_tls;
pub mod service_external_ips;
