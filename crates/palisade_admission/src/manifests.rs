//! The objects that run the webhook in a cluster, as one YAML stream: Namespace,
//! ServiceAccount, the RBAC it needs (read namespaces for their labels), Deployment,
//! PodDisruptionBudget, Service and ValidatingWebhookConfiguration. The Helm chart in
//! `deploy/helm/palisade` renders the same objects; both pass `palisade scan` with every
//! rule.

use std::fmt::Write as _;

use palisade_cluster::manifests::{CONTAINER_SECURITY, TOKEN_VOLUME, unpinned_note};

/// What the manifests are made of.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// The namespace the webhook runs in (excluded from its own checks).
    pub namespace: String,
    /// Replicas (at least 2 keeps the webhook up through a node drain).
    pub replicas: u32,
    /// The container image.
    pub image: String,
    /// PEM of the CA that signed the serving certificate (the webhook's `caBundle`). Without
    /// it, cert-manager objects issue the certificate and inject the CA.
    pub ca_pem: Option<Vec<u8>>,
    /// `Fail` (deny when the webhook cannot answer) or `Ignore`.
    pub failure_policy: String,
    /// The API server's wait for an answer, in seconds (1 to 30).
    pub timeout_seconds: u32,
    /// Where the API server (calling the webhook, serving the namespace watch) and
    /// Prometheus are: the NetworkPolicy allows these CIDRs only.
    pub allow_cidrs: Vec<String>,
    /// Policy files the server loads (`--policy`), shipped in a ConfigMap: (key, text).
    pub policies: Vec<(String, String)>,
    /// Resources the policies match beyond those of the built-in rules: (group, resource).
    pub policy_resources: Vec<(String, String)>,
}

/// Private address ranges (RFC 1918): where API servers and pods live in most clusters.
pub const PRIVATE_CIDRS: &[&str] = &["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            namespace: "palisade-system".into(),
            replicas: 2,
            image: format!(
                "ghcr.io/palisade-dev/palisade:{}",
                env!("CARGO_PKG_VERSION")
            ),
            ca_pem: None,
            failure_policy: "Fail".into(),
            timeout_seconds: 10,
            allow_cidrs: PRIVATE_CIDRS.iter().map(|c| c.to_string()).collect(),
            policies: Vec::new(),
            policy_resources: Vec::new(),
        }
    }
}

/// The name shared by the webhook's objects.
pub const NAME: &str = "palisade-admission";

/// The resources the webhook is asked about: what the built-in rules read. Leases, events
/// and other high-churn objects are left out, so the webhook never slows leader election.
pub const WEBHOOK_RULES: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "pods",
            "pods/ephemeralcontainers",
            "replicationcontrollers",
            "services",
            "serviceaccounts",
            "secrets",
            "configmaps",
            "namespaces",
        ],
    ),
    (
        "apps",
        &["deployments", "statefulsets", "daemonsets", "replicasets"],
    ),
    ("batch", &["jobs", "cronjobs"]),
    ("networking.k8s.io", &["ingresses", "networkpolicies"]),
    (
        "rbac.authorization.k8s.io",
        &[
            "roles",
            "clusterroles",
            "rolebindings",
            "clusterrolebindings",
        ],
    ),
];

/// The manifests as one YAML stream.
pub fn render(o: &DeployOptions) -> String {
    let ns = &o.namespace;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"# Palisade admission webhook: apply with `kubectl apply -f`.
apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
---
apiVersion: v1
kind: LimitRange
metadata:
  name: {NAME}
  namespace: {ns}
spec:
  limits:
    - type: Container
      default:
        cpu: "1"
        memory: 128Mi
      defaultRequest:
        cpu: 100m
        memory: 64Mi
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: {NAME}
  namespace: {ns}
spec:
  hard:
    pods: "20"
    requests.cpu: "4"
    requests.memory: 2Gi
    limits.cpu: "8"
    limits.memory: 4Gi
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {NAME}
  namespace: {ns}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {NAME}
rules:
  # Namespace labels choose each namespace's levels.
  - apiGroups: [""]
    resources: ["namespaces"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {NAME}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {NAME}
subjects:
  - kind: ServiceAccount
    name: {NAME}
    namespace: {ns}
---
{deployment}---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {NAME}
  namespace: {ns}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {NAME}
---
apiVersion: v1
kind: Service
metadata:
  name: {NAME}
  namespace: {ns}
  labels:
    app.kubernetes.io/name: {NAME}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: {NAME}
  ports:
    - name: https
      port: 443
      targetPort: https
    - name: metrics
      port: 9090
      targetPort: metrics
---
{networkpolicy}---
{webhook}"#,
        deployment = deployment(o),
        networkpolicy = network_policy(ns, &o.allow_cidrs),
        webhook = webhook(o),
    );
    out.push_str(&policies_config_map(o));
    if o.ca_pem.is_none() {
        out.push_str(&cert_manager(ns));
    }
    out
}

fn deployment(o: &DeployOptions) -> String {
    let ns = &o.namespace;
    let image = &o.image;
    let replicas = o.replicas;
    // The server answers (or gives up) before the API server stops waiting.
    let deadline = o.timeout_seconds.saturating_sub(2).max(1);
    let with_policies = !o.policies.is_empty();
    let policy_arg = if with_policies {
        "            - --policy=/etc/palisade/policies\n"
    } else {
        ""
    };
    let policy_mount = if with_policies {
        "            - name: policies\n              mountPath: /etc/palisade/policies\n              readOnly: true\n"
    } else {
        ""
    };
    let policy_volume = if with_policies {
        format!(
            "        - name: policies\n          configMap:\n            name: {NAME}-policies\n"
        )
    } else {
        String::new()
    };
    let annotations = unpinned_note(image);
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {NAME}
  namespace: {ns}
  labels:
    app.kubernetes.io/name: {NAME}
    app.kubernetes.io/instance: palisade
{annotations}spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: {NAME}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {NAME}
        app.kubernetes.io/instance: palisade
    spec:
      serviceAccountName: {NAME}
      # Only the namespace watch needs a token: mounted below, read-only and short-lived.
      automountServiceAccountToken: false
      priorityClassName: system-cluster-critical
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        fsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    app.kubernetes.io/name: {NAME}
      containers:
        - name: webhook
          image: {image}
          imagePullPolicy: Always
          args:
            - admission
            - serve
            - --tls-cert-file=/tls/tls.crt
            - --tls-key-file=/tls/tls.key
            - --listen=0.0.0.0:8443
            - --metrics-listen=0.0.0.0:9090
            - --timeout={deadline}s
            - --watch-namespaces
            - --no-config
{policy_arg}          ports:
            - name: https
              containerPort: 8443
            - name: metrics
              containerPort: 9090
          readinessProbe:
            httpGet:
              path: /readyz
              port: metrics
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /healthz
              port: metrics
            periodSeconds: 10
          resources:
            requests:
              cpu: 100m
              memory: 64Mi
            limits:
              cpu: "1"
              memory: 128Mi
{CONTAINER_SECURITY}          volumeMounts:
            - name: tls
              mountPath: /tls
              readOnly: true
{policy_mount}            - name: token
              mountPath: /var/run/secrets/kubernetes.io/serviceaccount
              readOnly: true
      volumes:
        - name: tls
          secret:
            secretName: {NAME}-tls
{policy_volume}{TOKEN_VOLUME}"#
    )
}

fn network_policy(ns: &str, cidrs: &[String]) -> String {
    let peers: String = cidrs
        .iter()
        .map(|c| format!("        - ipBlock:\n            cidr: {c}\n"))
        .collect();
    format!(
        r#"apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {NAME}
  namespace: {ns}
spec:
  # Every pod of the namespace: the webhook is all it runs.
  podSelector: {{}}
  policyTypes: ["Ingress", "Egress"]
  ingress:
    # The API server calls the webhook; Prometheus scrapes its metrics.
    - from:
{peers}      ports:
        - port: 8443
        - port: 9090
  egress:
    # The API server, for the namespace watch.
    - to:
{peers}      ports:
        - port: 443
        - port: 6443
"#
    )
}

/// The ConfigMap holding the policies the server loads (none without policies). Each file is
/// one key, its text a JSON string (valid YAML whatever the text holds).
fn policies_config_map(o: &DeployOptions) -> String {
    if o.policies.is_empty() {
        return String::new();
    }
    let mut data = String::new();
    for (key, text) in &o.policies {
        let quoted = serde_json::to_string(text).unwrap_or_default();
        let _ = writeln!(data, "  {key}: {quoted}");
    }
    format!(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {NAME}-policies\n  namespace: {}\n  labels:\n    app.kubernetes.io/name: {NAME}\ndata:\n{data}",
        o.namespace
    )
}

/// The webhook's rules: the built-in rules' resources and those the policies match.
fn webhook_rules(o: &DeployOptions) -> Vec<(String, Vec<String>)> {
    let mut rules: Vec<(String, Vec<String>)> = WEBHOOK_RULES
        .iter()
        .map(|(g, r)| (g.to_string(), r.iter().map(|r| r.to_string()).collect()))
        .collect();
    for (group, resource) in &o.policy_resources {
        match rules.iter_mut().find(|(g, _)| g == group) {
            Some((_, list)) if !list.contains(resource) => list.push(resource.clone()),
            Some(_) => {}
            None => rules.push((group.clone(), vec![resource.clone()])),
        }
    }
    rules
}

fn webhook(o: &DeployOptions) -> String {
    let ns = &o.namespace;
    let mut rules = String::new();
    for (group, resources) in webhook_rules(o) {
        let resources: Vec<String> = resources.iter().map(|r| format!("{r:?}")).collect();
        let _ = write!(
            rules,
            "      - apiGroups: [{group:?}]\n        apiVersions: [\"*\"]\n        operations: [\"CREATE\", \"UPDATE\"]\n        resources: [{}]\n        scope: \"*\"\n",
            resources.join(", ")
        );
    }
    let (annotations, ca) = match &o.ca_pem {
        Some(pem) => (
            String::new(),
            format!("      caBundle: {}\n", data_encoding::BASE64.encode(pem)),
        ),
        None => (
            format!("  annotations:\n    cert-manager.io/inject-ca-from: {ns}/{NAME}\n"),
            String::new(),
        ),
    };
    format!(
        r#"apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: {NAME}
{annotations}webhooks:
  - name: validate.palisade.dev
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: {failure}
    matchPolicy: Equivalent
    timeoutSeconds: {timeout}
    clientConfig:
      service:
        namespace: {ns}
        name: {NAME}
        path: /validate
        port: 443
{ca}    namespaceSelector:
      matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: ["kube-system", "{ns}"]
    rules:
{rules}"#,
        failure = o.failure_policy,
        timeout = o.timeout_seconds,
    )
}

fn cert_manager(ns: &str) -> String {
    format!(
        r#"---
# Without --ca-file, cert-manager issues the serving certificate and injects its CA.
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: {NAME}
  namespace: {ns}
spec:
  selfSigned: {{}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: {NAME}
  namespace: {ns}
spec:
  secretName: {NAME}-tls
  dnsNames:
    - {NAME}.{ns}.svc
  issuerRef:
    name: {NAME}
    kind: Issuer
"#
    )
}
