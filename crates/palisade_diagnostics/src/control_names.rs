//! Short readable names for framework controls, so compliance output can say
//! `C-0057 Privileged container` or `CIS 5.2.2 Privileged containers admitted` instead of a bare id
//! the reader has to look up.
//!
//! The names are Palisade's own labels (two to eight words), not the frameworks' titles: they
//! name what the control is about, in the numbering of the edition listed in
//! [`crate::frameworks`]. CIS ids follow kube-bench's `cis-1.12` numbering, NSA and MITRE `C-`
//! ids are kubescape control ids, MITRE `T` ids are ATT&CK techniques, and Pod Security
//! Standards keys are the upstream Pod Security Admission check ids.

use crate::frameworks::NSA;

/// The name of control `id` of the framework with key `framework_key` (`cis`, `nsa`, `mitre`,
/// `pss`), or `None` when Palisade knows no such control. Ids are matched exactly, as rules and
/// the framework lists spell them (`5.2.2`, `C-0057`, `T1611`, `privileged`).
pub fn control_name(framework_key: &str, id: &str) -> Option<&'static str> {
    match framework_key {
        "cis" => lookup(CIS_NAMES, id),
        "pss" => lookup(PSS_NAMES, id),
        // A C-id names a kubescape control; it belongs to NSA only if kubescape's NSA
        // framework lists it, so a rule mapping `Nsa("C-0048")` is caught as a mistake.
        "nsa" => NSA
            .controls
            .contains(&id)
            .then(|| lookup(KUBESCAPE_NAMES, id))
            .flatten(),
        "mitre" => lookup(ATTACK_NAMES, id)
            .or_else(|| lookup(THREAT_MATRIX_NAMES, id))
            .or_else(|| {
                MITRE_KUBESCAPE
                    .contains(&id)
                    .then(|| lookup(KUBESCAPE_NAMES, id))
                    .flatten()
            }),
        _ => None,
    }
}

fn lookup(table: &[(&str, &'static str)], id: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(known, _)| *known == id)
        .map(|(_, name)| *name)
}

/// CIS Kubernetes Benchmark 1.12 in kube-bench numbering, in benchmark order.
const CIS_NAMES: &[(&str, &str)] = &[
    // 1.1 Control-plane node configuration files.
    ("1.1.1", "API server manifest permissions"),
    ("1.1.2", "API server manifest ownership"),
    ("1.1.3", "Controller manager manifest permissions"),
    ("1.1.4", "Controller manager manifest ownership"),
    ("1.1.5", "Scheduler manifest permissions"),
    ("1.1.6", "Scheduler manifest ownership"),
    ("1.1.7", "etcd manifest permissions"),
    ("1.1.8", "etcd manifest ownership"),
    ("1.1.9", "CNI file permissions"),
    ("1.1.10", "CNI file ownership"),
    ("1.1.11", "etcd data directory permissions"),
    ("1.1.12", "etcd data directory ownership"),
    ("1.1.13", "Admin kubeconfig permissions"),
    ("1.1.14", "Admin kubeconfig ownership"),
    ("1.1.15", "scheduler.conf permissions"),
    ("1.1.16", "scheduler.conf ownership"),
    ("1.1.17", "controller-manager.conf permissions"),
    ("1.1.18", "controller-manager.conf ownership"),
    ("1.1.19", "PKI directory ownership"),
    ("1.1.20", "PKI certificate file permissions"),
    ("1.1.21", "PKI key file permissions"),
    // 1.2 API server.
    ("1.2.1", "API server anonymous auth"),
    ("1.2.2", "API server static token file"),
    ("1.2.3", "DenyServiceExternalIPs admission plugin"),
    ("1.2.4", "API server kubelet client certificate"),
    ("1.2.5", "API server kubelet certificate authority"),
    ("1.2.6", "API server AlwaysAllow authorization"),
    ("1.2.7", "API server Node authorizer"),
    ("1.2.8", "API server RBAC authorizer"),
    ("1.2.9", "EventRateLimit admission plugin"),
    ("1.2.10", "AlwaysAdmit admission plugin"),
    ("1.2.11", "AlwaysPullImages admission plugin"),
    ("1.2.12", "ServiceAccount admission plugin"),
    ("1.2.13", "NamespaceLifecycle admission plugin"),
    ("1.2.14", "NodeRestriction admission plugin"),
    ("1.2.15", "API server profiling"),
    ("1.2.16", "API server audit log path"),
    ("1.2.17", "Audit log retention days"),
    ("1.2.18", "Audit log backup count"),
    ("1.2.19", "Audit log file size"),
    ("1.2.20", "API server request timeout"),
    ("1.2.21", "Service account token lookup"),
    ("1.2.22", "Service account verification key"),
    ("1.2.23", "API server etcd client certificate"),
    ("1.2.24", "API server serving certificate"),
    ("1.2.25", "API server client CA"),
    ("1.2.26", "API server etcd CA"),
    ("1.2.27", "Encryption at rest configured"),
    ("1.2.28", "Encryption provider strength"),
    ("1.2.29", "API server TLS cipher suites"),
    ("1.2.30", "Service account token expiry extension"),
    // 1.3 Controller manager.
    ("1.3.1", "Terminated pod GC threshold"),
    ("1.3.2", "Controller manager profiling"),
    ("1.3.3", "Per-controller service account credentials"),
    ("1.3.4", "Service account signing key"),
    ("1.3.5", "Controller manager root CA"),
    ("1.3.6", "Controller manager kubelet cert rotation"),
    ("1.3.7", "Controller manager bind address"),
    // 1.4 Scheduler.
    ("1.4.1", "Scheduler profiling"),
    ("1.4.2", "Scheduler bind address"),
    // 2 etcd.
    ("2.1", "etcd client TLS certificate"),
    ("2.2", "etcd client certificate auth"),
    ("2.3", "etcd self-signed client TLS"),
    ("2.4", "etcd peer TLS certificate"),
    ("2.5", "etcd peer certificate auth"),
    ("2.6", "etcd self-signed peer TLS"),
    ("2.7", "Separate certificate authority for etcd"),
    // 3 Control-plane configuration.
    ("3.1.1", "Client certificates used by people"),
    ("3.1.2", "Service account tokens used by people"),
    ("3.1.3", "Bootstrap tokens used by people"),
    ("3.2.1", "Audit policy defined"),
    ("3.2.2", "Audit policy coverage"),
    // 4.1 Worker node configuration files.
    ("4.1.1", "Kubelet service file permissions"),
    ("4.1.2", "Kubelet service file ownership"),
    ("4.1.3", "kube-proxy kubeconfig permissions"),
    ("4.1.4", "kube-proxy kubeconfig ownership"),
    ("4.1.5", "Kubelet kubeconfig permissions"),
    ("4.1.6", "Kubelet kubeconfig ownership"),
    ("4.1.7", "Kubelet client CA file permissions"),
    ("4.1.8", "Kubelet client CA file ownership"),
    ("4.1.9", "Kubelet config file permissions"),
    ("4.1.10", "Kubelet config file ownership"),
    // 4.2 Kubelet.
    ("4.2.1", "Kubelet anonymous auth"),
    ("4.2.2", "Kubelet AlwaysAllow authorization"),
    ("4.2.3", "Kubelet client CA"),
    ("4.2.4", "Kubelet read-only port"),
    ("4.2.5", "Kubelet streaming idle timeout"),
    ("4.2.6", "Kubelet iptables util chains"),
    ("4.2.7", "Kubelet hostname override"),
    ("4.2.8", "Kubelet event recording rate"),
    ("4.2.9", "Kubelet serving certificate"),
    ("4.2.10", "Kubelet client certificate rotation"),
    ("4.2.11", "Kubelet serving certificate rotation"),
    ("4.2.12", "Kubelet TLS cipher suites"),
    ("4.2.13", "Pod PID limit"),
    ("4.2.14", "Kubelet default seccomp profile"),
    // 4.3 kube-proxy.
    ("4.3.1", "kube-proxy metrics on localhost"),
    // 5.1 RBAC and service accounts.
    ("5.1.1", "cluster-admin role bindings"),
    ("5.1.2", "Access to secrets"),
    ("5.1.3", "Wildcards in roles"),
    ("5.1.4", "Rights to create pods"),
    ("5.1.5", "Default service accounts in use"),
    ("5.1.6", "Service account token mounting"),
    ("5.1.7", "system:masters group in use"),
    ("5.1.8", "Bind, impersonate and escalate rights"),
    ("5.1.9", "Rights to create persistent volumes"),
    ("5.1.10", "Access to the node proxy subresource"),
    ("5.1.11", "Rights to approve CSRs"),
    ("5.1.12", "Access to webhook configurations"),
    ("5.1.13", "Rights to create service account tokens"),
    // 5.2 Pod Security Standards.
    ("5.2.1", "Pod admission policy in place"),
    ("5.2.2", "Privileged containers admitted"),
    ("5.2.3", "Host PID namespace admitted"),
    ("5.2.4", "Host IPC namespace admitted"),
    ("5.2.5", "Host network namespace admitted"),
    ("5.2.6", "Privilege escalation admitted"),
    ("5.2.7", "Root containers admitted"),
    ("5.2.8", "NET_RAW capability admitted"),
    ("5.2.9", "Added capabilities admitted"),
    ("5.2.10", "Windows HostProcess admitted"),
    ("5.2.11", "HostPath volumes admitted"),
    ("5.2.12", "Host ports admitted"),
    // 5.3 Network policies and CNI.
    ("5.3.1", "CNI enforces network policies"),
    ("5.3.2", "Network policies in every namespace"),
    // 5.4 Secrets.
    ("5.4.1", "Secrets as files, not env vars"),
    ("5.4.2", "External secret storage"),
    // 5.5 Extensible admission control.
    ("5.5.1", "Image provenance at admission"),
    // 5.6 General policies.
    ("5.6.1", "Namespaces as administrative boundaries"),
    ("5.6.2", "Seccomp profile in pod specs"),
    ("5.6.3", "Security context on pods"),
    ("5.6.4", "Default namespace in use"),
];

/// Kubescape controls that its NSA or MITRE frameworks list, by control id.
const KUBESCAPE_NAMES: &[(&str, &str)] = &[
    ("C-0002", "Command execution in containers"),
    ("C-0005", "API server insecure port"),
    ("C-0007", "Roles that can delete resources"),
    ("C-0012", "Credentials in configuration"),
    ("C-0013", "Non-root containers"),
    ("C-0014", "Kubernetes dashboard access"),
    ("C-0015", "Listing secrets"),
    ("C-0016", "Privilege escalation"),
    ("C-0017", "Read-only root filesystem"),
    ("C-0020", "Cloud credentials mounted"),
    ("C-0021", "Sensitive interfaces exposed"),
    ("C-0026", "Kubernetes CronJobs"),
    ("C-0030", "Default-deny ingress and egress"),
    ("C-0031", "Deleting Kubernetes events"),
    ("C-0034", "Service account token automount"),
    ("C-0035", "Cluster administrator roles"),
    ("C-0036", "Validating admission webhooks"),
    ("C-0037", "CoreDNS poisoning"),
    ("C-0038", "Host PID and IPC"),
    ("C-0039", "Mutating admission webhooks"),
    ("C-0041", "Host network access"),
    ("C-0042", "SSH server in a container"),
    ("C-0044", "Container host ports"),
    ("C-0045", "Writable hostPath mount"),
    ("C-0046", "Dangerous capabilities"),
    ("C-0048", "HostPath mount"),
    ("C-0052", "Instance metadata API access"),
    ("C-0053", "Container service account access"),
    ("C-0054", "Network policy per namespace"),
    ("C-0055", "Linux security hardening"),
    ("C-0057", "Privileged container"),
    ("C-0058", "Symlink host access (CVE-2021-25741)"),
    ("C-0059", "ingress-nginx snippets (CVE-2021-25742)"),
    ("C-0066", "Secrets encrypted at rest"),
    ("C-0067", "Audit logging enabled"),
    ("C-0068", "Pod security policy enforced"),
    ("C-0069", "Kubelet anonymous access"),
    ("C-0070", "Kubelet client TLS authentication"),
    ("C-0270", "CPU limits"),
    ("C-0271", "Memory limits"),
    ("C-0292", "ingress-nginx end of life"),
];

/// The kubescape controls of its MITRE framework (columns of Microsoft's threat matrix).
const MITRE_KUBESCAPE: &[&str] = &[
    "C-0002", "C-0007", "C-0012", "C-0014", "C-0015", "C-0020", "C-0021", "C-0026", "C-0031",
    "C-0035", "C-0036", "C-0037", "C-0039", "C-0042", "C-0045", "C-0048", "C-0052", "C-0053",
    "C-0054", "C-0057", "C-0058", "C-0059", "C-0066", "C-0067", "C-0068", "C-0069", "C-0070",
];

/// MITRE ATT&CK techniques and sub-techniques that rules map to.
const ATTACK_NAMES: &[(&str, &str)] = &[
    ("T1021.004", "Remote access over SSH"),
    ("T1036.005", "Masquerading as a legitimate name"),
    ("T1040", "Network sniffing"),
    ("T1046", "Network service discovery"),
    ("T1053.007", "Container orchestration job"),
    ("T1069", "Permission groups discovery"),
    ("T1070", "Removing indicators"),
    ("T1078", "Valid accounts"),
    ("T1078.001", "Default accounts"),
    ("T1078.004", "Cloud accounts"),
    ("T1090", "Proxied connections"),
    ("T1098", "Account manipulation"),
    ("T1098.006", "Additional container cluster roles"),
    ("T1133", "External remote services"),
    ("T1190", "Exploiting a public-facing application"),
    ("T1195.002", "Compromised software supply chain"),
    ("T1485", "Data destruction"),
    ("T1499", "Endpoint denial of service"),
    ("T1525", "Implanted internal image"),
    ("T1528", "Stealing application access tokens"),
    ("T1546", "Event-triggered execution"),
    ("T1548", "Abusing elevation control"),
    ("T1548.003", "Sudo and sudo caching"),
    ("T1552", "Unsecured credentials"),
    ("T1552.001", "Credentials in files"),
    ("T1552.005", "Cloud instance metadata API"),
    ("T1552.007", "Credentials through the container API"),
    ("T1557", "Adversary in the middle"),
    ("T1562", "Impairing defences"),
    ("T1562.001", "Disabling or modifying security tools"),
    ("T1562.008", "Disabling or modifying cloud logs"),
    ("T1565", "Data manipulation"),
    ("T1609", "Container administration command"),
    ("T1610", "Deploy container"),
    ("T1611", "Escape to host"),
    ("T1613", "Container and resource discovery"),
    ("T1649", "Stealing or forging auth certificates"),
];

/// Microsoft's Threat Matrix for Kubernetes techniques (`MS-TA9xxx`), which audit detections
/// map to beside ATT&CK.
const THREAT_MATRIX_NAMES: &[(&str, &str)] = &[
    ("MS-TA9003", "Kubeconfig file"),
    ("MS-TA9005", "Exposed sensitive interfaces"),
    ("MS-TA9006", "Exec into container"),
    ("MS-TA9008", "New container"),
    ("MS-TA9011", "Sidecar injection"),
    ("MS-TA9012", "Backdoor container"),
    ("MS-TA9013", "Writable hostPath mount"),
    ("MS-TA9014", "Kubernetes CronJob"),
    ("MS-TA9015", "Malicious admission controller"),
    ("MS-TA9016", "Container service account"),
    ("MS-TA9017", "Static pods"),
    ("MS-TA9018", "Privileged container"),
    ("MS-TA9019", "Cluster-admin binding"),
    ("MS-TA9022", "Delete Kubernetes events"),
    ("MS-TA9023", "Pod or container name similarity"),
    ("MS-TA9024", "Connect from proxy server"),
    ("MS-TA9025", "List Kubernetes secrets"),
    (
        "MS-TA9027",
        "Application credentials in configuration files",
    ),
    ("MS-TA9029", "Access the Kubernetes API server"),
    ("MS-TA9030", "Access Kubelet API"),
    ("MS-TA9034", "Cluster internal networking"),
    ("MS-TA9035", "CoreDNS poisoning"),
    ("MS-TA9038", "Data destruction"),
];

/// Pod Security Standards, by Pod Security Admission check id.
const PSS_NAMES: &[(&str, &str)] = &[
    ("windowsHostProcess", "Windows HostProcess containers"),
    ("hostNamespaces", "Host namespaces"),
    ("privileged", "Privileged containers"),
    (
        "capabilities_baseline",
        "Capabilities beyond the default set",
    ),
    ("hostPathVolumes", "HostPath volumes"),
    ("hostPorts", "Host ports"),
    ("appArmorProfile", "AppArmor profile"),
    ("seLinuxOptions", "SELinux options"),
    ("procMount", "Proc mount type"),
    ("seccompProfile_baseline", "Unconfined seccomp profile"),
    ("sysctls", "Unsafe sysctls"),
    (
        "hostProbesAndHostLifecycle",
        "Host field in probes and lifecycle hooks",
    ),
    ("restrictedVolumes", "Restricted volume types"),
    ("allowPrivilegeEscalation", "Privilege escalation"),
    ("runAsNonRoot", "Running as non-root"),
    ("runAsUser", "Non-root user id"),
    ("seccompProfile_restricted", "Seccomp profile required"),
    (
        "capabilities_restricted",
        "All capabilities dropped except NET_BIND_SERVICE",
    ),
    (
        "procMount_restricted",
        "Proc mount type, no user-namespace exemption",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::{CIS, FRAMEWORKS, PSS};

    const TABLES: [(&str, &[(&str, &str)]); 4] = [
        ("cis", CIS_NAMES),
        ("nsa", KUBESCAPE_NAMES),
        ("mitre", ATTACK_NAMES),
        ("pss", PSS_NAMES),
    ];

    #[test]
    fn every_listed_control_has_a_name() {
        for fw in FRAMEWORKS {
            for id in fw.controls {
                assert!(
                    control_name(fw.key, id).is_some(),
                    "{} control {id} has no name",
                    fw.key
                );
            }
        }
        // The lists the loop walks are the long ones; an empty list would make it vacuous.
        assert!(CIS.controls.len() > 100 && NSA.controls.len() > 20 && PSS.controls.len() > 15);
    }

    #[test]
    fn cis_and_pss_tables_match_the_framework_lists() {
        // Same ids, same order: a control added to a list without a name, or a name for an id
        // the edition does not have, fails here.
        let ids = |table: &[(&'static str, &str)]| table.iter().map(|(id, _)| *id).collect();
        let cis: Vec<&str> = ids(CIS_NAMES);
        let pss: Vec<&str> = ids(PSS_NAMES);
        assert_eq!(cis, CIS.controls);
        assert_eq!(pss, PSS.controls);
    }

    #[test]
    fn examples_read_as_documented() {
        assert_eq!(
            control_name("cis", "5.2.2"),
            Some("Privileged containers admitted")
        );
        assert_eq!(
            control_name("cis", "1.2.1"),
            Some("API server anonymous auth")
        );
        assert_eq!(control_name("nsa", "C-0057"), Some("Privileged container"));
        assert_eq!(control_name("mitre", "T1611"), Some("Escape to host"));
        assert_eq!(
            control_name("mitre", "C-0057"),
            Some("Privileged container")
        );
        assert_eq!(
            control_name("pss", "privileged"),
            Some("Privileged containers")
        );
    }

    #[test]
    fn unknown_ids_and_frameworks_have_no_name() {
        assert_eq!(control_name("cis", "9.9.9"), None);
        assert_eq!(control_name("cis", "5.2.13"), None);
        assert_eq!(control_name("nsa", "C-9999"), None);
        assert_eq!(control_name("mitre", "T0000"), None);
        assert_eq!(control_name("pss", "notACheck"), None);
        assert_eq!(control_name("soc2", "5.2.2"), None);
        // Exact ids only: the key and the id are not normalised.
        assert_eq!(control_name("CIS", "5.2.2"), None);
        assert_eq!(control_name("nsa", "c-0057"), None);
        // A kubescape control outside a framework's list is not that framework's control.
        assert_eq!(control_name("nsa", "C-0048"), None);
        assert_eq!(control_name("mitre", "C-0013"), None);
        assert_eq!(control_name("cis", "C-0057"), None);
        assert_eq!(control_name("mitre", "5.2.2"), None);
    }

    #[test]
    fn every_kubescape_control_belongs_to_nsa_or_mitre() {
        for (id, _) in KUBESCAPE_NAMES {
            assert!(
                control_name("nsa", id).is_some() || control_name("mitre", id).is_some(),
                "{id} is named but in neither framework"
            );
        }
        for id in MITRE_KUBESCAPE {
            assert!(
                control_name("mitre", id).is_some(),
                "MITRE {id} has no name"
            );
        }
    }

    #[test]
    fn names_are_short_labels() {
        for (key, table) in TABLES {
            for (i, (id, name)) in table.iter().enumerate() {
                let words = name.split_whitespace().count();
                assert!(
                    (2..=8).contains(&words) && name.len() < 60,
                    "{key} {id}: `{name}` is not a short label"
                );
                assert_eq!(name.trim(), *name, "{key} {id}: stray whitespace");
                assert!(!name.ends_with('.'), "{key} {id}: trailing period");
                assert!(
                    table[..i].iter().all(|(other, _)| other != id),
                    "{key} {id} is listed twice"
                );
                assert!(
                    table[..i].iter().all(|(_, other)| other != name),
                    "{key}: `{name}` names two controls"
                );
            }
        }
    }
}
