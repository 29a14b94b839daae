//! The resources a cluster scan lists: what the rule catalog and the RBAC and NetworkPolicy
//! analyses read, and nothing else (a smaller ClusterRole, fewer requests).

/// One resource type to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    /// API group (`""` for the core group).
    pub group: &'static str,
    /// The plural resource name.
    pub resource: &'static str,
    /// The kind.
    pub kind: &'static str,
    /// Served by every conformant cluster: when discovery does not list it, the scan says so.
    /// Add-on resources (Istio, Argo Rollouts) are listed only where installed.
    pub core: bool,
}

const fn w(group: &'static str, resource: &'static str, kind: &'static str) -> Wanted {
    Wanted {
        group,
        resource,
        kind,
        core: true,
    }
}

const fn addon(group: &'static str, resource: &'static str, kind: &'static str) -> Wanted {
    Wanted {
        group,
        resource,
        kind,
        core: false,
    }
}

/// In collection order: workloads before the objects they control (CronJobs before Jobs,
/// Deployments and Rollouts before ReplicaSets, everything before Pods), so that a reader of
/// the objects in this order folds each into its owner in one pass.
pub static WANTED: &[Wanted] = &[
    w("batch", "cronjobs", "CronJob"),
    w("apps", "deployments", "Deployment"),
    addon("argoproj.io", "rollouts", "Rollout"),
    w("apps", "statefulsets", "StatefulSet"),
    w("apps", "daemonsets", "DaemonSet"),
    w("", "replicationcontrollers", "ReplicationController"),
    w("batch", "jobs", "Job"),
    w("apps", "replicasets", "ReplicaSet"),
    w("", "pods", "Pod"),
    w("", "namespaces", "Namespace"),
    w("", "services", "Service"),
    w("networking.k8s.io", "ingresses", "Ingress"),
    w("networking.k8s.io", "ingressclasses", "IngressClass"),
    w("networking.k8s.io", "networkpolicies", "NetworkPolicy"),
    w("", "serviceaccounts", "ServiceAccount"),
    w("rbac.authorization.k8s.io", "roles", "Role"),
    w("rbac.authorization.k8s.io", "clusterroles", "ClusterRole"),
    w("rbac.authorization.k8s.io", "rolebindings", "RoleBinding"),
    w(
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        "ClusterRoleBinding",
    ),
    w("", "secrets", "Secret"),
    w("", "configmaps", "ConfigMap"),
    w("", "nodes", "Node"),
    w("", "limitranges", "LimitRange"),
    w("", "resourcequotas", "ResourceQuota"),
    w("node.k8s.io", "runtimeclasses", "RuntimeClass"),
    w(
        "certificates.k8s.io",
        "certificatesigningrequests",
        "CertificateSigningRequest",
    ),
    w(
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration",
    ),
    w(
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "MutatingWebhookConfiguration",
    ),
    w(
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
        "ValidatingAdmissionPolicy",
    ),
    w(
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        "ValidatingAdmissionPolicyBinding",
    ),
    addon(
        "security.istio.io",
        "peerauthentications",
        "PeerAuthentication",
    ),
];
