//! The objects that run `palisade cluster watch` in the cluster it watches, as one YAML
//! stream: ServiceAccount, the read-only ClusterRole and its binding ([`rbac_manifest`]),
//! Deployment, Service, ServiceMonitor and NetworkPolicy. They pass `palisade scan` with the
//! restricted Pod Security profile and every other rule (a test holds them to it).

use std::fmt::Write as _;

use crate::permissions::rbac_manifest;

/// What the watch's manifests are made of.
#[derive(Debug, Clone)]
pub struct WatchDeployment {
    /// The namespace the watch runs in.
    pub namespace: String,
    /// The container image.
    pub image: String,
    /// Time between scans (`--interval`).
    pub interval: String,
    /// Keep PolicyReports current (`--apply-reports`): the role may write them.
    pub apply_reports: bool,
    /// Let the watch read Secrets. Off by default: the Secret rules are then not evaluated,
    /// and a compromised watcher cannot read every Secret of the cluster.
    pub read_secrets: bool,
    /// Where Prometheus (and the API server) are: the NetworkPolicy allows these CIDRs only.
    pub allow_cidrs: Vec<String>,
}

/// The name of every object.
const NAME: &str = "palisade-watch";

/// The securityContext of every Palisade container (in a Deployment's pod template): no
/// privilege escalation, a read-only root file system, non-root, no capability.
pub const CONTAINER_SECURITY: &str = r#"          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities:
              drop: ["ALL"]
"#;

/// The Deployment annotation that says why an image is not pinned by digest yet (a tag is
/// what exists before a release is pinned), where a reviewer sees it; none for a digest.
pub fn unpinned_note(image: &str) -> String {
    if image.contains("@sha256:") {
        String::new()
    } else {
        "  annotations:\n    palisade.dev/ignore: \"IMG002: pass --image with the release digest (image@sha256:...) to pin it\"\n".to_string()
    }
}

/// The volume that stands in for the automounted ServiceAccount token (in a Deployment's pod
/// template), which Palisade's pods turn off: a token that expires within the hour, the
/// cluster CA and the namespace, mounted read-only at the usual place.
pub const TOKEN_VOLUME: &str = r#"        - name: token
          projected:
            sources:
              - serviceAccountToken:
                  path: token
                  expirationSeconds: 3600
              - configMap:
                  name: kube-root-ca.crt
                  items:
                    - key: ca.crt
                      path: ca.crt
              - downwardAPI:
                  items:
                    - path: namespace
                      fieldRef:
                        fieldPath: metadata.namespace
"#;

impl Default for WatchDeployment {
    fn default() -> Self {
        WatchDeployment {
            namespace: "palisade-system".into(),
            image: format!(
                "ghcr.io/palisade-dev/palisade:{}",
                env!("CARGO_PKG_VERSION")
            ),
            interval: "10m".into(),
            apply_reports: false,
            read_secrets: false,
            allow_cidrs: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
                .iter()
                .map(|c| c.to_string())
                .collect(),
        }
    }
}

/// The YAML stream.
pub fn watch_manifests(o: &WatchDeployment) -> String {
    let ns = &o.namespace;
    let mut out = String::new();
    let _ = write!(
        out,
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {NAME}\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/name: {NAME}\n    app.kubernetes.io/instance: palisade\nautomountServiceAccountToken: false\n---\n"
    );
    let rbac =
        rbac_manifest(ns, NAME, o.read_secrets, o.apply_reports).replace("palisade-reader", NAME);
    out.push_str(&rbac);
    out.push_str("---\n");
    out.push_str(&deployment(o));
    out.push_str("---\n");
    let _ = write!(
        out,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {NAME}\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/name: {NAME}\n    app.kubernetes.io/instance: palisade\nspec:\n  selector:\n    app.kubernetes.io/name: {NAME}\n  ports:\n    - name: metrics\n      port: 9090\n      targetPort: metrics\n---\n"
    );
    let _ = write!(
        out,
        "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: {NAME}\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/name: {NAME}\n    app.kubernetes.io/instance: palisade\nspec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {NAME}\n  endpoints:\n    - port: metrics\n      path: /metrics\n      interval: 60s\n---\n"
    );
    out.push_str(&network_policy(ns, &o.allow_cidrs));
    out
}

fn deployment(o: &WatchDeployment) -> String {
    let (ns, image, interval) = (&o.namespace, &o.image, &o.interval);
    let apply = if o.apply_reports {
        "            - --apply-reports\n"
    } else {
        ""
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
  # One watcher is enough: a second would scan the same clusters twice.
  replicas: 1
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
      # The token is mounted below, read-only and short-lived.
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        fsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: watch
          image: {image}
          imagePullPolicy: Always
          args:
            - cluster
            - watch
            - --listen=:9090
            - --interval={interval}
            - --no-config
{apply}          ports:
            - name: metrics
              containerPort: 9090
          readinessProbe:
            httpGet:
              path: /readyz
              port: metrics
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /healthz
              port: metrics
            periodSeconds: 20
          resources:
            requests:
              cpu: 200m
              memory: 256Mi
            limits:
              cpu: "2"
              memory: 1Gi
{CONTAINER_SECURITY}          volumeMounts:
            - name: token
              mountPath: /var/run/secrets/kubernetes.io/serviceaccount
              readOnly: true
      volumes:
{TOKEN_VOLUME}"#
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
  # Every pod of the namespace (policies add up: the webhook's, if it shares the namespace,
  # still allows what it needs).
  podSelector: {{}}
  policyTypes: ["Ingress", "Egress"]
  ingress:
    # Prometheus scrapes the metrics.
    - from:
{peers}      ports:
        - port: 9090
  egress:
    # The API server, and nothing else.
    - to:
{peers}      ports:
        - port: 443
        - port: 6443
"#
    )
}
