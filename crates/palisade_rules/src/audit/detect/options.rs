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
    /// `/` or `*`. Falco's `k8s_audit_privileged_images`.
    pub audit_privileged_images: Vec<String>,
    /// Images whose pods may mount sensitive host paths (AUDIT-D04). Falco's
    /// `k8s_audit_sensitive_mount_images`.
    pub audit_sensitive_mount_images: Vec<String>,
    /// Images whose pods may use the host network (AUDIT-D05). Falco's
    /// `k8s_audit_hostnetwork_images`.
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
    /// `allowed_kube_namespace_image_list`.
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
    /// Users whose Secret reads are expected (AUDIT-D18, D19); `*` entries are prefixes.
    /// Empty, as Falco ships it: every read is reported, the API server's own included.
    pub audit_expected_secret_readers: Vec<String>,
    /// Users expected to change admission webhooks and policies (AUDIT-D29); `*` entries are
    /// prefixes. By default cert-manager's CA injector, which patches their `caBundle`.
    pub audit_webhook_managers: Vec<String>,
    /// Users expected to reach kubelets through `nodes/proxy` (AUDIT-D32), e.g. a metrics
    /// scraper; `*` entries are prefixes.
    pub audit_node_proxy_users: Vec<String>,
    /// Access reviews (SelfSubjectAccessReview, SelfSubjectRulesReview) one identity makes
    /// within the window before it is reported as probing its permissions (AUDIT-D33).
    pub audit_probe_threshold: u64,
    /// Refused requests (403) of one identity within the window before it is reported
    /// (AUDIT-D33).
    pub audit_forbidden_threshold: u64,
    /// Deletes of workloads, volumes or namespaces by one identity within the window before
    /// they are reported as a mass deletion (AUDIT-D36).
    pub audit_mass_delete_threshold: u64,
    /// The window of the counting detections (AUDIT-D33, D36), in seconds.
    pub audit_window_seconds: u64,
    /// Names of the pods of kube-system that a look-alike imitates (AUDIT-D38).
    pub audit_system_pod_names: Vec<String>,
    /// Static pods expected on nodes (AUDIT-D39): name prefixes of their mirror pods.
    pub audit_static_pods: Vec<String>,
    /// Identities whose new user agents and source addresses are reported (AUDIT-D41), as
    /// well as every member of `system:masters`. Falco's `full_admin_k8s_users`.
    pub audit_privileged_users: Vec<String>,
    /// Source address ranges (CIDRs) every request from which is reported (AUDIT-D41): a list
    /// of anonymizer or TOR exit addresses, or whatever should never reach the API server.
    pub audit_suspicious_source_ranges: Vec<String>,
    /// How long AUDIT-D41 learns the user agents and addresses of a privileged identity after
    /// first seeing it before it reports new ones, in seconds.
    pub audit_learning_seconds: u64,
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
        "audit-expected-secret-readers",
        "audit-webhook-managers",
        "audit-node-proxy-users",
        "audit-probe-threshold",
        "audit-forbidden-threshold",
        "audit-mass-delete-threshold",
        "audit-window-seconds",
        "audit-system-pod-names",
        "audit-static-pods",
        "audit-privileged-users",
        "audit-suspicious-source-ranges",
        "audit-learning-seconds",
    ];
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Falco's `allowed_k8s_users` (with `vertical_pod_autoscaler_users`) and
/// `eks_allowed_k8s_users`. Its `system:` entries are left out: the detection never judges
/// `system:` users.
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
    "cloud-controller-manager",
    "eks:node-manager",
    "eks:certificate-controller",
    "eks:fargate-scheduler",
    "eks:k8s-metrics",
    "eks:authenticator",
    "eks:cluster-event-watcher",
    "eks:nodewatcher",
    "eks:pod-identity-mutating-webhook",
    "eks:cloud-controller-manager",
    "eks:vpc-resource-controller",
    "eks:addon-manager",
];

/// Falco's `k8s_audit_privileged_images`.
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

/// Falco's `k8s_audit_sensitive_mount_images`.
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

/// Falco's `k8s_audit_hostnetwork_images`.
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

/// Falco's `allowed_kube_namespace_image_list`: images expected in kube-system.
pub const SYSTEM_IMAGES: &[&str] = &[
    "gcr.io/google-containers/prometheus-to-sd",
    "gcr.io/projectcalico-org/node",
    "gke.gcr.io/addon-resizer",
    "gke.gcr.io/heapster",
    "gke.gcr.io/gke-metadata-server",
    "registry.k8s.io/ip-masq-agent-amd64",
    "registry.k8s.io/kube-apiserver",
    "gke.gcr.io/kube-proxy",
    "gke.gcr.io/netd-amd64",
    "gke.gcr.io/watcher-daemonset",
    "registry.k8s.io/addon-resizer",
    "registry.k8s.io/prometheus-to-sd",
    "registry.k8s.io/k8s-dns-dnsmasq-nanny-amd64",
    "registry.k8s.io/k8s-dns-kube-dns-amd64",
    "registry.k8s.io/k8s-dns-sidecar-amd64",
    "registry.k8s.io/metrics-server-amd64",
    "kope/kube-apiserver-healthcheck",
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

/// Falco's `full_admin_k8s_users`.
pub const FULL_ADMIN_USERS: &[&str] = &[
    "admin",
    "kubernetes-admin",
    "kubernetes-admin@kubernetes",
    "kubernetes-admin@cluster.local",
    "minikube-user",
];

/// Pods of kube-system that attackers imitate: the control plane's, the node agents' and the
/// common add-ons'.
pub const SYSTEM_POD_NAMES: &[&str] = &[
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "etcd",
    "kube-proxy",
    "coredns",
    "kube-dns",
    "metrics-server",
    "aws-node",
    "calico-node",
    "calico-kube-controllers",
    "cilium",
    "cilium-operator",
    "konnectivity-agent",
    "ebs-csi-node",
    "ebs-csi-controller",
    "fluentbit",
    "gke-metadata-server",
    "cloud-controller-manager",
];

/// The static pods kubeadm, kops and k3s-like control planes run.
pub const STATIC_PODS: &[&str] = &[
    "etcd-",
    "kube-apiserver-",
    "kube-controller-manager-",
    "kube-scheduler-",
    "kube-proxy-",
    "kube-vip-",
    "haproxy-",
    "keepalived-",
];

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
            audit_expected_secret_readers: Vec::new(),
            audit_webhook_managers: vec![
                "system:serviceaccount:cert-manager:cert-manager-cainjector".to_string(),
            ],
            audit_node_proxy_users: Vec::new(),
            audit_probe_threshold: 10,
            audit_forbidden_threshold: 20,
            audit_mass_delete_threshold: 10,
            audit_window_seconds: 60,
            audit_system_pod_names: owned(SYSTEM_POD_NAMES),
            audit_static_pods: owned(STATIC_PODS),
            audit_privileged_users: owned(FULL_ADMIN_USERS),
            audit_suspicious_source_ranges: Vec::new(),
            audit_learning_seconds: 3600,
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
