//! Other scanners' suppression annotations, honoured on request (`--honor-peer-suppressions`)
//! so that a repository moving to Palisade keeps the exceptions it already reviewed:
//!
//! - Checkov: `checkov.io/skip1: CKV_K8S_20=reason` (any key containing `checkov.io/skip` or
//!   `bridgecrew.io/skip`, the reason optional);
//! - KubeLinter: `ignore-check.kube-linter.io/<check>: reason`, and
//!   `kube-linter.io/ignore-all`;
//! - kube-score: `kube-score/ignore: check1,check2` (on the object or its pod template).
//!
//! A peer check silences the Palisade rules that report the same weakness, as listed in
//! [`EQUIVALENTS`], the one place the mapping lives (`docs/peer-suppressions.md` is generated
//! from it). Where one Palisade rule covers several of a peer's checks (POD002 is Checkov's CPU
//! and memory limit checks together), the rule is silenced only when all of them are skipped:
//! honouring a peer's exception never hides more than that peer would have.

use palisade_model::Object;

/// A scanner whose suppression annotations Palisade can honour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Peer {
    /// Checkov (Bridgecrew / Prisma Cloud).
    Checkov,
    /// KubeLinter (StackRox).
    KubeLinter,
    /// kube-score.
    KubeScore,
}

impl Peer {
    /// Every peer, in documentation order.
    pub const ALL: [Peer; 3] = [Peer::Checkov, Peer::KubeLinter, Peer::KubeScore];

    /// The tool's name.
    pub fn name(self) -> &'static str {
        match self {
            Peer::Checkov => "Checkov",
            Peer::KubeLinter => "KubeLinter",
            Peer::KubeScore => "kube-score",
        }
    }

    /// How the tool's suppression annotation is written.
    pub fn syntax(self) -> &'static str {
        match self {
            Peer::Checkov => "`checkov.io/skip1: CKV_K8S_20=reason` (`skip2`, `skip3`, …)",
            Peer::KubeLinter => {
                "`ignore-check.kube-linter.io/<check>: reason`, `kube-linter.io/ignore-all: reason`"
            }
            Peer::KubeScore => "`kube-score/ignore: check1,check2` (object or pod template)",
        }
    }
}

/// Findings of `rules` on an object are suppressed when the object skips every one of
/// `checks` of `peer` (and, with `field`, only findings at that field: the last segment of
/// the finding's pointer, for rules that report several fields a peer checks one by one).
#[derive(Debug, Clone, Copy)]
pub struct Equivalent {
    /// The scanner.
    pub peer: Peer,
    /// Its check ids, all of which must be skipped.
    pub checks: &'static [&'static str],
    /// The Palisade rules that report the same weakness.
    pub rules: &'static [&'static str],
    /// Only findings at this field.
    pub field: Option<&'static str>,
}

const fn eq(
    peer: Peer,
    checks: &'static [&'static str],
    rules: &'static [&'static str],
) -> Equivalent {
    Equivalent {
        peer,
        checks,
        rules,
        field: None,
    }
}

const fn at(
    peer: Peer,
    check: &'static [&'static str],
    rules: &'static [&'static str],
    field: &'static str,
) -> Equivalent {
    Equivalent {
        peer,
        checks: check,
        rules,
        field: Some(field),
    }
}

use Peer::{Checkov as CK, KubeLinter as KL, KubeScore as KS};

/// Which peer checks stand for which Palisade rules. Only real equivalents are listed: a peer
/// check that is narrower than every Palisade rule (Checkov's CAP_SYS_ADMIN check against
/// PSS004's every added capability) maps to none.
pub const EQUIVALENTS: &[Equivalent] = &[
    // Checkov: workloads.
    eq(CK, &["CKV_K8S_8", "CKV_K8S_9"], &["POD016"]),
    eq(CK, &["CKV_K8S_10", "CKV_K8S_12"], &["POD003"]),
    eq(CK, &["CKV_K8S_11", "CKV_K8S_13"], &["POD002"]),
    eq(CK, &["CKV_K8S_14"], &["IMG001"]),
    eq(CK, &["CKV_K8S_15"], &["IMG005"]),
    eq(CK, &["CKV_K8S_16"], &["PSS003"]),
    at(CK, &["CKV_K8S_17"], &["PSS002"], "hostPID"),
    at(CK, &["CKV_K8S_18"], &["PSS002"], "hostIPC"),
    at(CK, &["CKV_K8S_19"], &["PSS002"], "hostNetwork"),
    eq(CK, &["CKV_K8S_20"], &["PSS014"]),
    eq(CK, &["CKV_K8S_21"], &["POD014"]),
    eq(CK, &["CKV_K8S_22"], &["POD001"]),
    eq(CK, &["CKV_K8S_23"], &["PSS015", "PSS016"]),
    eq(CK, &["CKV_K8S_25"], &["PSS004"]),
    eq(CK, &["CKV_K8S_26"], &["PSS006"]),
    eq(CK, &["CKV_K8S_27"], &["POD005"]),
    eq(CK, &["CKV_K8S_28"], &["POD026"]),
    eq(CK, &["CKV_K8S_29"], &["POD012"]),
    eq(CK, &["CKV_K8S_30"], &["POD012"]),
    eq(CK, &["CKV_K8S_31"], &["PSS010", "PSS017"]),
    eq(CK, &["CKV_K8S_34"], &["POD028"]),
    eq(CK, &["CKV_K8S_35"], &["SEC001"]),
    eq(CK, &["CKV_K8S_37"], &["PSS018"]),
    eq(CK, &["CKV_K8S_38"], &["RBAC030"]),
    eq(CK, &["CKV_K8S_40"], &["POD029"]),
    eq(CK, &["CKV_K8S_41"], &["RBAC029"]),
    eq(CK, &["CKV_K8S_42"], &["RBAC029"]),
    eq(CK, &["CKV_K8S_43"], &["IMG002"]),
    eq(CK, &["CKV_K8S_49"], &["RBAC003"]),
    eq(CK, &["CKV_K8S_153"], &["NET017"]),
    eq(CK, &["CKV_K8S_155"], &["RBAC012"]),
    eq(CK, &["CKV_K8S_156"], &["RBAC011"]),
    eq(CK, &["CKV_K8S_157"], &["RBAC006"]),
    eq(CK, &["CKV_K8S_158"], &["RBAC007"]),
    eq(CK, &["CKV2_K8S_3"], &["RBAC008"]),
    eq(CK, &["CKV2_K8S_5"], &["RBAC004"]),
    eq(CK, &["CKV2_K8S_6"], &["NET014", "NET015"]),
    // Checkov: control-plane flags of static pods.
    eq(CK, &["CKV_K8S_68"], &["CP001"]),
    eq(CK, &["CKV_K8S_70"], &["CP002"]),
    eq(CK, &["CKV_K8S_72"], &["CP004"]),
    eq(CK, &["CKV_K8S_73"], &["CP005"]),
    eq(CK, &["CKV_K8S_74"], &["CP006"]),
    eq(CK, &["CKV_K8S_75"], &["CP007"]),
    eq(CK, &["CKV_K8S_77"], &["CP008"]),
    eq(CK, &["CKV_K8S_78"], &["CP009"]),
    eq(CK, &["CKV_K8S_79"], &["CP010"]),
    eq(CK, &["CKV_K8S_80"], &["CP011"]),
    eq(CK, &["CKV_K8S_82"], &["CP012"]),
    eq(CK, &["CKV_K8S_83"], &["CP013"]),
    eq(CK, &["CKV_K8S_85"], &["CP014"]),
    eq(CK, &["CKV_K8S_86"], &["CP041"]),
    eq(CK, &["CKV_K8S_88"], &["CP025"]),
    eq(CK, &["CKV_K8S_90"], &["CP015"]),
    eq(CK, &["CKV_K8S_91"], &["AUDIT001"]),
    eq(CK, &["CKV_K8S_92"], &["AUDIT002"]),
    eq(CK, &["CKV_K8S_93"], &["AUDIT003"]),
    eq(CK, &["CKV_K8S_94"], &["AUDIT004"]),
    eq(CK, &["CKV_K8S_95"], &["CP016"]),
    eq(CK, &["CKV_K8S_96"], &["CP017"]),
    eq(CK, &["CKV_K8S_97"], &["CP018"]),
    eq(CK, &["CKV_K8S_99", "CKV_K8S_102"], &["ETCD009"]),
    eq(CK, &["CKV_K8S_100"], &["CP019"]),
    eq(CK, &["CKV_K8S_105"], &["CP021"]),
    eq(CK, &["CKV_K8S_106"], &["CP030"]),
    eq(CK, &["CKV_K8S_107"], &["CP031"]),
    eq(CK, &["CKV_K8S_108"], &["CP032"]),
    eq(CK, &["CKV_K8S_110"], &["CP033"]),
    eq(CK, &["CKV_K8S_111"], &["CP034"]),
    eq(CK, &["CKV_K8S_112"], &["CP035"]),
    eq(CK, &["CKV_K8S_113"], &["CP036"]),
    eq(CK, &["CKV_K8S_114"], &["CP037"]),
    eq(CK, &["CKV_K8S_115"], &["CP038"]),
    eq(CK, &["CKV_K8S_116"], &["ETCD001"]),
    eq(CK, &["CKV_K8S_117"], &["ETCD002"]),
    eq(CK, &["CKV_K8S_118"], &["ETCD003"]),
    eq(CK, &["CKV_K8S_119"], &["ETCD004"]),
    eq(CK, &["CKV_K8S_121"], &["ETCD005"]),
    // KubeLinter.
    eq(KL, &["access-to-create-pods"], &["RBAC005"]),
    eq(KL, &["access-to-secrets"], &["RBAC004"]),
    eq(KL, &["cluster-admin-role-binding"], &["RBAC001"]),
    eq(KL, &["deprecated-service-account-field"], &["POD023"]),
    eq(KL, &["docker-sock"], &["POD005"]),
    eq(KL, &["drop-net-raw-capability"], &["POD026"]),
    eq(KL, &["duplicate-env-var"], &["POD022"]),
    eq(KL, &["exposed-services"], &["NET006"]),
    at(KL, &["host-ipc"], &["PSS002"], "hostIPC"),
    at(KL, &["host-network"], &["PSS002"], "hostNetwork"),
    at(KL, &["host-pid"], &["PSS002"], "hostPID"),
    eq(KL, &["latest-tag"], &["IMG001"]),
    eq(KL, &["mismatching-selector"], &["POD024"]),
    eq(
        KL,
        &["no-liveness-probe", "no-readiness-probe"],
        &["POD016"],
    ),
    eq(KL, &["no-read-only-root-fs"], &["POD001"]),
    eq(KL, &["non-isolated-pod"], &["NET014", "NET015"]),
    eq(KL, &["privilege-escalation-container"], &["PSS014"]),
    eq(KL, &["privileged-container"], &["PSS003"]),
    eq(KL, &["read-secret-from-env-var"], &["SEC001"]),
    eq(KL, &["run-as-non-root"], &["PSS015", "PSS016"]),
    eq(KL, &["sensitive-host-mounts"], &["POD006"]),
    eq(KL, &["ssh-port"], &["POD020"]),
    eq(KL, &["unsafe-proc-mount"], &["PSS009", "PSS019"]),
    eq(KL, &["unsafe-sysctls"], &["PSS011"]),
    eq(
        KL,
        &["unset-cpu-requirements", "unset-memory-requirements"],
        &["POD002", "POD003"],
    ),
    eq(KL, &["use-namespace"], &["POD014"]),
    eq(KL, &["wildcard-in-rules"], &["RBAC003"]),
    eq(KL, &["writable-host-mount"], &["POD007"]),
    // kube-score.
    eq(KS, &["container-resources"], &["POD002", "POD003"]),
    eq(KS, &["container-image-tag"], &["IMG001"]),
    eq(KS, &["container-image-pull-policy"], &["IMG005"]),
    eq(KS, &["environment-variable-key-duplication"], &["POD022"]),
    eq(KS, &["pod-networkpolicy"], &["NET014", "NET015"]),
    eq(KS, &["networkpolicy-targets-pod"], &["NET011"]),
    eq(KS, &["pod-probes"], &["POD016"]),
    eq(
        KS,
        &["container-security-context-user-group-id"],
        &["POD013", "POD029"],
    ),
    eq(KS, &["container-security-context-privileged"], &["PSS003"]),
    eq(
        KS,
        &["container-security-context-readonlyrootfilesystem"],
        &["POD001"],
    ),
    eq(KS, &["container-seccomp-profile"], &["PSS017"]),
    eq(KS, &["service-type"], &["NET006"]),
    eq(
        KS,
        &["deployment-pod-selector-labels-match-template-metadata-labels"],
        &["POD024"],
    ),
    eq(
        KS,
        &["statefulset-pod-selector-labels-match-template-metadata-labels"],
        &["POD024"],
    ),
];

/// Whether an annotation key can carry a peer's suppression.
pub fn is_peer_annotation(key: &str) -> bool {
    key.contains("checkov.io/skip")
        || key.contains("bridgecrew.io/skip")
        || key.starts_with(KUBE_LINTER_PREFIX)
        || key == KUBE_LINTER_ALL
        || key == KUBE_SCORE_IGNORE
}

const KUBE_LINTER_PREFIX: &str = "ignore-check.kube-linter.io/";
const KUBE_LINTER_ALL: &str = "kube-linter.io/ignore-all";
const KUBE_SCORE_IGNORE: &str = "kube-score/ignore";

/// The peer suppression annotations of an object (and, for kube-score, of its pod template),
/// as `(key, value)`: what inventory facts keep for cross-object rules.
pub fn annotations_of(object: &Object<'_, '_>) -> Vec<(String, String)> {
    let own = object
        .root
        .path(&["metadata", "annotations"])
        .into_iter()
        .flat_map(|a| a.entries());
    let template = object
        .pod_spec()
        .into_iter()
        .flat_map(|p| p.annotations())
        .filter(|(k, _)| *k == KUBE_SCORE_IGNORE);
    own.filter(|(k, _)| is_peer_annotation(k))
        .chain(template)
        .map(|(k, v)| {
            (
                k.to_string(),
                v.scalar_text().unwrap_or_default().into_owned(),
            )
        })
        .collect()
}

/// One skipped peer check.
#[derive(Debug, Clone)]
struct Skip {
    peer: Peer,
    /// The check id; `None` skips every check of the peer (`kube-linter.io/ignore-all`).
    check: Option<String>,
    /// The annotation as written, `key: value`: the suppression reason shown.
    annotation: String,
}

/// The peer checks an object skips.
#[derive(Debug, Clone, Default)]
pub struct PeerSkips {
    skips: Vec<Skip>,
}

impl PeerSkips {
    /// Read the skips from `(key, value)` annotation pairs.
    pub fn from_annotations<'p>(pairs: impl IntoIterator<Item = (&'p str, &'p str)>) -> Self {
        let mut skips = Vec::new();
        for (key, value) in pairs {
            let annotation = format!("{key}: {value}");
            if key.contains("checkov.io/skip") || key.contains("bridgecrew.io/skip") {
                let id = value.split_once('=').map_or(value, |(id, _)| id).trim();
                if !id.is_empty() {
                    skips.push(Skip {
                        peer: Peer::Checkov,
                        check: Some(id.to_ascii_uppercase()),
                        annotation,
                    });
                }
            } else if let Some(check) = key.strip_prefix(KUBE_LINTER_PREFIX) {
                skips.push(Skip {
                    peer: Peer::KubeLinter,
                    check: Some(check.to_string()),
                    annotation,
                });
            } else if key == KUBE_LINTER_ALL {
                skips.push(Skip {
                    peer: Peer::KubeLinter,
                    check: None,
                    annotation,
                });
            } else if key == KUBE_SCORE_IGNORE {
                for check in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                    skips.push(Skip {
                        peer: Peer::KubeScore,
                        check: Some(check.to_string()),
                        annotation: annotation.clone(),
                    });
                }
            }
        }
        PeerSkips { skips }
    }

    /// The skips of an object (and of its pod template, for kube-score).
    pub fn of_object(object: &Object<'_, '_>) -> Self {
        let pairs = annotations_of(object);
        Self::from_annotations(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// Whether the object skips no peer check.
    pub fn is_empty(&self) -> bool {
        self.skips.is_empty()
    }

    /// The suppression reason for a finding of `rule` at `pointer` (relative to the object):
    /// the annotations that skip an equivalent peer check, when there are.
    pub fn reason(&self, rule: &str, pointer: &str) -> Option<String> {
        if self.skips.is_empty() {
            return None;
        }
        let field = pointer.rsplit('/').next().unwrap_or("");
        EQUIVALENTS
            .iter()
            .filter(|e| e.rules.contains(&rule) && e.field.is_none_or(|f| f == field))
            .find_map(|e| {
                let mut shown: Vec<&str> = Vec::new();
                for check in e.checks {
                    let skip = self.skips.iter().find(|s| {
                        s.peer == e.peer
                            && s.check
                                .as_deref()
                                .is_none_or(|c| c.eq_ignore_ascii_case(check))
                    })?;
                    if !shown.contains(&skip.annotation.as_str()) {
                        shown.push(&skip.annotation);
                    }
                }
                Some(shown.join("; "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skips(pairs: &[(&str, &str)]) -> PeerSkips {
        PeerSkips::from_annotations(pairs.iter().copied())
    }

    #[test]
    fn each_peer_syntax_suppresses_its_equivalents() {
        let s = skips(&[("checkov.io/skip1", "CKV_K8S_20=needs setuid ping")]);
        assert_eq!(
            s.reason(
                "PSS014",
                "/spec/containers/0/securityContext/allowPrivilegeEscalation"
            )
            .as_deref(),
            Some("checkov.io/skip1: CKV_K8S_20=needs setuid ping")
        );
        assert_eq!(s.reason("PSS003", "/spec/containers/0"), None);
        let s = skips(&[(
            "ignore-check.kube-linter.io/privileged-container",
            "GPU driver",
        )]);
        assert_eq!(
            s.reason("PSS003", "/x").as_deref(),
            Some("ignore-check.kube-linter.io/privileged-container: GPU driver")
        );
        let s = skips(&[("kube-score/ignore", "container-image-tag, pod-probes")]);
        assert!(s.reason("IMG001", "/x").is_some());
        assert!(s.reason("POD016", "/x").is_some());
        assert!(s.reason("POD001", "/x").is_none());
        // An id without a reason is a skip too; ids are compared case-insensitively.
        let s = skips(&[("checkov.io/skip7", "ckv_k8s_14")]);
        assert!(s.reason("IMG001", "/x").is_some());
    }

    #[test]
    fn a_rule_covering_several_checks_needs_all_of_them() {
        let one = skips(&[("checkov.io/skip1", "CKV_K8S_11=no CPU limits")]);
        assert_eq!(
            one.reason("POD002", "/spec/containers/0/resources/limits"),
            None
        );
        let both = skips(&[
            ("checkov.io/skip1", "CKV_K8S_11=no CPU limits"),
            ("checkov.io/skip2", "CKV_K8S_13=no memory limits"),
        ]);
        assert_eq!(
            both.reason("POD002", "/spec/containers/0/resources/limits")
                .as_deref(),
            Some(
                "checkov.io/skip1: CKV_K8S_11=no CPU limits; checkov.io/skip2: CKV_K8S_13=no memory limits"
            )
        );
        // kube-linter's ignore-all skips every check of its own.
        let all = skips(&[("kube-linter.io/ignore-all", "legacy chart")]);
        assert!(all.reason("POD002", "/x").is_some());
        assert!(
            all.reason("CP001", "/x").is_none(),
            "no KubeLinter equivalent"
        );
    }

    #[test]
    fn field_specific_equivalents_suppress_only_their_field() {
        let s = skips(&[("checkov.io/skip1", "CKV_K8S_19=CNI plugin")]);
        assert!(
            s.reason("PSS002", "/spec/template/spec/hostNetwork")
                .is_some()
        );
        assert!(s.reason("PSS002", "/spec/template/spec/hostPID").is_none());
    }

    #[test]
    fn the_table_has_no_empty_or_duplicate_rows() {
        let mut seen = std::collections::HashSet::new();
        for e in EQUIVALENTS {
            assert!(!e.checks.is_empty() && !e.rules.is_empty());
            assert!(
                seen.insert((e.peer, e.checks, e.field)),
                "{:?} {:?} listed twice",
                e.peer,
                e.checks
            );
        }
    }
}
