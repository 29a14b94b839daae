//! Network exposure: namespace isolation, allow-all and dangling NetworkPolicies, the cloud
//! metadata endpoint, service-mesh mTLS, externally reachable Services and Ingresses without
//! TLS, ingress-nginx configuration snippets.

pub mod allow_all_policy;
pub mod default_deny_egress;
pub mod default_deny_ingress;
pub mod duplicate_policy;
pub mod exposed_dashboard;
pub mod exposed_host_workload;
pub mod exposed_service;
pub mod ingress_nginx_snippet;
pub mod ingress_without_tls;
pub mod invalid_policy;
pub mod metadata_egress;
pub(crate) mod namespace_isolation;
pub mod permissive_mtls;
pub mod service_external_ips;
pub mod uncovered_egress;
pub mod uncovered_ingress;
pub mod unmatched_peer;
pub mod unselective_policy;
