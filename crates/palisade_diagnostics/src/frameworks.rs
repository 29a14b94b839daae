//! The control lists of the frameworks Palisade reports compliance against, so that controls no
//! rule can evaluate from the scanned input are reported as "not evaluated" rather than passed.

/// A framework: its key in outputs, its name, and every control id it defines (empty when
/// Palisade reports only the controls its rules map to).
#[derive(Debug, Clone, Copy)]
pub struct Framework {
    /// The key used in JSON (`cis`, `nsa`, `mitre`, `pss`).
    pub key: &'static str,
    /// A readable name with edition.
    pub name: &'static str,
    /// Every control id of the framework, in order.
    pub controls: &'static [&'static str],
}

/// CIS Kubernetes Benchmark 1.12 (kube-bench numbering).
pub const CIS: Framework = Framework {
    key: "cis",
    name: "CIS Kubernetes Benchmark 1.12",
    controls: &[
        "1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.1.5", "1.1.6", "1.1.7", "1.1.8", "1.1.9", "1.1.10",
        "1.1.11", "1.1.12", "1.1.13", "1.1.14", "1.1.15", "1.1.16", "1.1.17", "1.1.18", "1.1.19",
        "1.1.20", "1.1.21", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5", "1.2.6", "1.2.7", "1.2.8",
        "1.2.9", "1.2.10", "1.2.11", "1.2.12", "1.2.13", "1.2.14", "1.2.15", "1.2.16", "1.2.17",
        "1.2.18", "1.2.19", "1.2.20", "1.2.21", "1.2.22", "1.2.23", "1.2.24", "1.2.25", "1.2.26",
        "1.2.27", "1.2.28", "1.2.29", "1.2.30", "1.3.1", "1.3.2", "1.3.3", "1.3.4", "1.3.5",
        "1.3.6", "1.3.7", "1.4.1", "1.4.2", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7",
        "3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2", "4.1.1", "4.1.2", "4.1.3", "4.1.4", "4.1.5",
        "4.1.6", "4.1.7", "4.1.8", "4.1.9", "4.1.10", "4.2.1", "4.2.2", "4.2.3", "4.2.4", "4.2.5",
        "4.2.6", "4.2.7", "4.2.8", "4.2.9", "4.2.10", "4.2.11", "4.2.12", "4.2.13", "4.2.14",
        "4.3.1", "5.1.1", "5.1.2", "5.1.3", "5.1.4", "5.1.5", "5.1.6", "5.1.7", "5.1.8", "5.1.9",
        "5.1.10", "5.1.11", "5.1.12", "5.1.13", "5.2.1", "5.2.2", "5.2.3", "5.2.4", "5.2.5",
        "5.2.6", "5.2.7", "5.2.8", "5.2.9", "5.2.10", "5.2.11", "5.2.12", "5.3.1", "5.3.2",
        "5.4.1", "5.4.2", "5.5.1", "5.6.1", "5.6.2", "5.6.3", "5.6.4",
    ],
};

/// NSA/CISA Kubernetes Hardening Guidance, as the kubescape control ids encode it.
pub const NSA: Framework = Framework {
    key: "nsa",
    name: "NSA/CISA Kubernetes Hardening Guidance",
    controls: &[
        "C-0002", "C-0005", "C-0012", "C-0013", "C-0016", "C-0017", "C-0030", "C-0034", "C-0035",
        "C-0038", "C-0041", "C-0044", "C-0046", "C-0054", "C-0055", "C-0057", "C-0058", "C-0059",
        "C-0066", "C-0067", "C-0068", "C-0069", "C-0070", "C-0270", "C-0271", "C-0292",
    ],
};

/// MITRE ATT&CK techniques (containers matrix); only the techniques rules map to are listed.
pub const MITRE: Framework = Framework {
    key: "mitre",
    name: "MITRE ATT&CK (containers)",
    controls: &[],
};

/// Pod Security Standards (upstream Pod Security Admission checks).
pub const PSS: Framework = Framework {
    key: "pss",
    name: "Pod Security Standards",
    controls: &[
        "windowsHostProcess",
        "hostNamespaces",
        "privileged",
        "capabilities_baseline",
        "hostPathVolumes",
        "hostPorts",
        "appArmorProfile",
        "seLinuxOptions",
        "procMount",
        "seccompProfile_baseline",
        "sysctls",
        "hostProbesAndHostLifecycle",
        "restrictedVolumes",
        "allowPrivilegeEscalation",
        "runAsNonRoot",
        "runAsUser",
        "seccompProfile_restricted",
        "capabilities_restricted",
        "procMount_restricted",
    ],
};

/// Every framework, in report order.
pub const FRAMEWORKS: [Framework; 4] = [PSS, CIS, NSA, MITRE];
