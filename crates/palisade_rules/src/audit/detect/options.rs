//! `[rule-options]` keys of the audit detections: Falco k8saudit's allow-lists, with its
//! defaults, each replaceable in palisade.toml.

use palisade_engine::FamilyOptions;
use serde::{Deserialize, Serialize};

/// Options of the audit detections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct AuditOptions {
    /// Users (not `system:*`) allowed to use the API at all (AUDIT-D01); `*` entries are
    /// prefixes. Falco's `allowed_k8s_users`, `eks_allowed_k8s_users` and
    /// `vertical_pod_autoscaler_users`.
    pub audit_allowed_users: Vec<String>,
    /// Images whose pods may be privileged (AUDIT-D03): repositories, or prefixes ending in
    /// `/` or `*`. Falco's `falco_privileged_images`.
    pub audit_privileged_images: Vec<String>,
    /// Images whose pods may mount sensitive host paths (AUDIT-D04). Falco's
    /// `falco_sensitive_mount_images`.
    pub audit_sensitive_mount_images: Vec<String>,
    /// Images whose pods may use the host network (AUDIT-D05). Falco's
    /// `falco_hostnetwork_images`.
    pub audit_host_network_images: Vec<String>,
    /// Images whose pods may use the host PID namespace (AUDIT-D06); empty in Falco.
    pub audit_host_pid_images: Vec<String>,
    /// Images whose pods may use the host IPC namespace (AUDIT-D07); empty in Falco.
    pub audit_host_ipc_images: Vec<String>,
    /// Images allowed in any pod (AUDIT-D02). Empty: the detection is off, as Falco ships it.
    pub audit_allowed_images: Vec<String>,
    /// Namespaces that may be created (AUDIT-D14).
    pub audit_allowed_namespaces: Vec<String>,
    /// Images whose pods may be created in kube-system and kube-public (AUDIT-D15). Falco's
    /// `k8s_containers`.
    pub audit_system_images: Vec<String>,
    /// ServiceAccounts that may be created in kube-system and kube-public (AUDIT-D16):
    /// Falco's `known_sa_list` of controller accounts.
    pub audit_system_service_accounts: Vec<String>,
    /// `system:` ClusterRoles and Roles whose changes are expected (AUDIT-D17).
    pub audit_modifiable_system_roles: Vec<String>,
    /// Users expected to have full administrative access (AUDIT-D25). Empty: the detection
    /// is off, as Falco ships it.
    pub audit_full_admin_users: Vec<String>,
    /// Nodes allowed to join (AUDIT-D26); `*` entries are prefixes. Empty: the detection is
    /// off, as Falco ships it.
    pub audit_allowed_nodes: Vec<String>,
}

impl AuditOptions {
    /// The `[rule-options]` keys these options are read from.
    pub const KEYS: &[&str] = &[
        "audit-allowed-users",
        "audit-privileged-images",
        "audit-sensitive-mount-images",
        "audit-host-network-images",
        "audit-host-pid-images",
        "audit-host-ipc-images",
        "audit-allowed-images",
        "audit-allowed-namespaces",
        "audit-system-images",
        "audit-system-service-accounts",
        "audit-modifiable-system-roles",
        "audit-full-admin-users",
        "audit-allowed-nodes",
    ];
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Falco's `allowed_k8s_users`, `eks_allowed_k8s_users` and `vertical_pod_autoscaler_users`.
pub const ALLOWED_USERS: &[&str] = &[
    "minikube",
    "minikube-user",
    "kubelet",
    "kops",
    "admin",
    "kube",
    "kube-proxy",
    "kube-apiserver-healthcheck",
    "kubernetes-admin",
    "vpa-recommender",
    "vpa-updater",
    "cluster-autoscaler",
    "eks:*",
];

/// Falco's `falco_privileged_images`.
pub const PRIVILEGED_IMAGES: &[&str] = &[
    "docker.io/calico/node",
    "calico/node",
    "docker.io/cloudnativelabs/kube-router",
    "docker.io/docker/ucp-agent",
    "docker.io/mesosphere/mesos-slave",
    "docker.io/rook/toolbox",
    "docker.io/sysdig/sysdig",
    "gcr.io/google_containers/kube-proxy",
    "gcr.io/google-containers/startup-script",
    "gcr.io/projectcalico-org/node",
    "gke.gcr.io/kube-proxy",
    "gke.gcr.io/gke-metadata-server",
    "gke.gcr.io/netd-amd64",
    "gke.gcr.io/watcher-daemonset",
    "gcr.io/google-containers/prometheus-to-sd",
    "registry.k8s.io/ip-masq-agent-amd64",
    "registry.k8s.io/kube-proxy",
    "registry.k8s.io/prometheus-to-sd",
    "quay.io/calico/node",
    "sysdig/sysdig",
    "registry.k8s.io/dns/k8s-dns-node-cache",
    "mcr.microsoft.com/oss/kubernetes/kube-proxy",
    "docker.io/falcosecurity/falco",
    "falcosecurity/falco",
    "public.ecr.aws/falcosecurity/falco",
];

/// Falco's `falco_sensitive_mount_images`.
pub const SENSITIVE_MOUNT_IMAGES: &[&str] = &[
    "docker.io/sysdig/sysdig",
    "sysdig/sysdig",
    "gcr.io/google_containers/hyperkube",
    "gcr.io/google_containers/kube-proxy",
    "docker.io/calico/node",
    "docker.io/rook/toolbox",
    "docker.io/cloudnativelabs/kube-router",
    "docker.io/consul",
    "docker.io/datadog/docker-dd-agent",
    "docker.io/datadog/agent",
    "docker.io/docker/ucp-agent",
    "docker.io/gliderlabs/logspout",
    "docker.io/netdata/netdata",
    "docker.io/google/cadvisor",
    "docker.io/prom/node-exporter",
    "amazon/amazon-ecs-agent",
    "prom/node-exporter",
    "amazon/cloudwatch-agent",
    "docker.io/falcosecurity/falco",
    "falcosecurity/falco",
    "public.ecr.aws/falcosecurity/falco",
];

/// Falco's `falco_hostnetwork_images`.
pub const HOST_NETWORK_IMAGES: &[&str] = &[
    "gcr.io/google-containers/prometheus-to-sd",
    "gcr.io/projectcalico-org/typha",
    "gcr.io/projectcalico-org/node",
    "gke.gcr.io/gke-metadata-server",
    "gke.gcr.io/kube-proxy",
    "gke.gcr.io/netd-amd64",
    "registry.k8s.io/ip-masq-agent-amd64",
    "registry.k8s.io/prometheus-to-sd",
];

/// Falco's `allowed_namespaces`.
pub const ALLOWED_NAMESPACES: &[&str] = &["kube-system", "kube-public", "default"];

/// Falco's `k8s_containers`: images expected in kube-system.
pub const SYSTEM_IMAGES: &[&str] = &[
    "gcr.io/google_containers/hyperkube-amd64",
    "gcr.io/google_containers/kube2sky",
    "docker.io/sysdig/sysdig",
    "sysdig/sysdig",
    "fluent/fluentd-kubernetes-daemonset",
    "prom/prometheus",
    "falcosecurity/falco",
    "ibm_cloud_containers",
    "public.ecr.aws/falcosecurity/falco",
    "registry.k8s.io/",
];

/// Falco's `known_sa_list`: controller accounts of kube-system.
pub const SYSTEM_SERVICE_ACCOUNTS: &[&str] = &[
    "coredns",
    "coredns-autoscaler",
    "cronjob-controller",
    "daemon-set-controller",
    "deployment-controller",
    "disruption-controller",
    "endpoint-controller",
    "endpointslice-controller",
    "endpointslicemirroring-controller",
    "generic-garbage-collector",
    "horizontal-pod-autoscaler",
    "job-controller",
    "namespace-controller",
    "node-controller",
    "persistent-volume-binder",
    "pod-garbage-collector",
    "pv-protection-controller",
    "pvc-protection-controller",
    "replicaset-controller",
    "resourcequota-controller",
    "root-ca-cert-publisher",
    "service-account-controller",
    "statefulset-controller",
];

/// `system:` roles whose changes Falco expects (`system:coredns`,
/// `system:managed-certificate-controller`).
pub const MODIFIABLE_SYSTEM_ROLES: &[&str] =
    &["system:coredns", "system:managed-certificate-controller"];

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            audit_allowed_users: owned(ALLOWED_USERS),
            audit_privileged_images: owned(PRIVILEGED_IMAGES),
            audit_sensitive_mount_images: owned(SENSITIVE_MOUNT_IMAGES),
            audit_host_network_images: owned(HOST_NETWORK_IMAGES),
            audit_host_pid_images: Vec::new(),
            audit_host_ipc_images: Vec::new(),
            audit_allowed_images: Vec::new(),
            audit_allowed_namespaces: owned(ALLOWED_NAMESPACES),
            audit_system_images: owned(SYSTEM_IMAGES),
            audit_system_service_accounts: owned(SYSTEM_SERVICE_ACCOUNTS),
            audit_modifiable_system_roles: owned(MODIFIABLE_SYSTEM_ROLES),
            audit_full_admin_users: Vec::new(),
            audit_allowed_nodes: Vec::new(),
        }
    }
}

static DEFAULTS: std::sync::LazyLock<AuditOptions> =
    std::sync::LazyLock::new(AuditOptions::default);

impl FamilyOptions for AuditOptions {
    fn defaults() -> &'static Self {
        &DEFAULTS
    }
}
