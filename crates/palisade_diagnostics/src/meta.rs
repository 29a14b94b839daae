//! Rule metadata: identity, severity, layer and framework mapping.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use arcstr::ArcStr;

use serde::{Serialize, Serializer};

/// How bad a finding is. Ordered from least to most severe so `>=` means "at least as bad".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational: worth knowing, not a weakness by itself.
    Info,
    /// Low: hardening gap with limited impact.
    Low,
    /// Medium: a weakness that helps an attacker.
    Medium,
    /// High: a direct path to privilege or data.
    High,
    /// Critical: equivalent to host or cluster compromise.
    Critical,
}

impl Severity {
    /// Every severity, least severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The error for an unknown enum name given on the command line or in configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEnumError {
    /// What kind of value was expected, e.g. "severity".
    pub what: &'static str,
    /// The value that was given.
    pub given: String,
    /// The accepted spellings.
    pub expected: &'static [&'static str],
}

impl fmt::Display for ParseEnumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} `{}` (expected one of: {})",
            self.what,
            self.given,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for ParseEnumError {}

impl FromStr for Severity {
    type Err = ParseEnumError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ParseEnumError {
                what: "severity",
                given: s.to_string(),
                expected: &["info", "low", "medium", "high", "critical"],
            })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The 4C layer of defence in depth a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Infrastructure: cloud IAM, node OS, network.
    Cloud,
    /// Control plane, etcd, kubelet, RBAC, network policy, secrets, audit.
    Cluster,
    /// Pod specs and images.
    Container,
    /// Repository content and pipelines.
    Code,
}

impl Layer {
    /// The lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Cloud => "cloud",
            Layer::Cluster => "cluster",
            Layer::Container => "container",
            Layer::Code => "code",
        }
    }
}

/// Pod Security Standards level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PssLevel {
    /// Minimally restrictive, prevents known privilege escalations.
    Baseline,
    /// Heavily restricted, current pod hardening best practice.
    Restricted,
}

impl PssLevel {
    /// The lower-case name used upstream.
    pub fn as_str(self) -> &'static str {
        match self {
            PssLevel::Baseline => "baseline",
            PssLevel::Restricted => "restricted",
        }
    }
}

/// A Pod Security Admission check a rule implements, with upstream's check id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PssCheck {
    /// The level at which upstream enforces the check.
    pub level: PssLevel,
    /// The upstream check id, e.g. `hostPathVolumes`.
    pub check: &'static str,
}

/// A framework control a rule maps to. The mapping lives on the rule itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameworkRef {
    /// Pod Security Standards (upstream Pod Security Admission check).
    Pss(PssCheck),
    /// CIS Kubernetes Benchmark control id, e.g. `5.2.2`.
    Cis(&'static str),
    /// NSA/CISA Kubernetes Hardening Guidance control, e.g. `C-0057`.
    Nsa(&'static str),
    /// MITRE ATT&CK (containers matrix) technique, e.g. `T1611`.
    Mitre(&'static str),
}

impl FrameworkRef {
    /// The framework's key in JSON output: `pss`, `cis`, `nsa` or `mitre`.
    pub fn key(&self) -> &'static str {
        match self {
            FrameworkRef::Pss(_) => "pss",
            FrameworkRef::Cis(_) => "cis",
            FrameworkRef::Nsa(_) => "nsa",
            FrameworkRef::Mitre(_) => "mitre",
        }
    }

    /// The control id (`5.2.2`, `C-0057`, `T1611`); Pod Security Standards checks have none.
    pub fn id(&self) -> Option<&'static str> {
        match self {
            FrameworkRef::Pss(_) => None,
            FrameworkRef::Cis(id) | FrameworkRef::Nsa(id) | FrameworkRef::Mitre(id) => Some(id),
        }
    }
}

/// Where a rule can run. A rule declares every front door whose input can show its evidence;
/// a rule set built for one front door ([`Input`] in the engine's settings) runs only the
/// rules that declare it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Input {
    /// Static manifests, rendered Helm charts and Kustomize output.
    #[default]
    Manifest,
    /// A saved cluster snapshot.
    Snapshot,
    /// A live, read-only cluster scan.
    Live,
    /// An AdmissionReview at the webhook.
    Admission,
    /// Kubernetes audit events (`palisade audit`).
    Audit,
    /// A node's files and processes (`palisade node`).
    Node,
}

impl Input {
    /// Every front door: what a rule that reads only the object itself declares.
    pub const ALL: [Input; 4] = [
        Input::Manifest,
        Input::Snapshot,
        Input::Live,
        Input::Admission,
    ];
}

/// Lifecycle of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    /// Enabled by default and stable.
    Stable,
    /// Opt-in: runs only when selected by its id or name (not by a prefix, a profile or `ALL`),
    /// for rules that are opinionated or whose false-positive rate is not yet known.
    Preview,
}

/// Whether a rule's findings carry a mechanical fix and, as ruff's fix applicability, whether
/// applying it can change what the workload does. `palisade fix` applies safe fixes; unsafe
/// ones only with `--unsafe-fixes`, since they can stop an application that relied on what the
/// fix takes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fixable {
    /// No mechanical fix.
    No,
    /// The fix cannot change what the workload does.
    Safe,
    /// The fix may break the workload; the text says how (and, for rules that can tell from
    /// the object, when one of its fixes is safe after all: such fixes are marked
    /// [`Applicability::Safe`] one by one).
    Unsafe(&'static str),
}

impl Fixable {
    /// Whether findings carry a fix at all.
    pub fn is_fixable(self) -> bool {
        self != Fixable::No
    }

    /// `safe`, `unsafe`, or `None` without a fix: what `palisade rules` and the rule docs show.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Fixable::No => None,
            Fixable::Safe => Some("safe"),
            Fixable::Unsafe(_) => Some("unsafe"),
        }
    }

    /// The applicability of a fix this rule attaches, unless the rule marks that fix safe.
    pub fn default_applicability(self) -> Applicability {
        match self {
            Fixable::Safe => Applicability::Safe,
            Fixable::No | Fixable::Unsafe(_) => Applicability::Unsafe,
        }
    }
}

/// Whether one fix can change what the workload does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// It cannot: `palisade fix` applies it.
    Safe,
    /// It may: applied only with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    /// The lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Everything about a rule but its check. Rule docs, SARIF rule descriptors and `palisade
/// rules` are generated from this, so nothing about a rule is written twice. Built-in rules
/// declare it as a `static` (its strings are static [`ArcStr`]s, `arcstr::literal!`); a rule
/// loaded at run time (a policy) makes it from what it loaded, and findings refer to it
/// through a [`crate::RuleRef`].
#[derive(Debug, Clone)]
pub struct RuleMeta {
    /// Stable id with a family prefix, e.g. `PSS001`.
    pub id: ArcStr,
    /// Stable kebab-case name, e.g. `privileged-container`.
    pub name: ArcStr,
    /// One-line summary.
    pub title: ArcStr,
    /// Default severity.
    pub severity: Severity,
    /// The 4C layer.
    pub layer: Layer,
    /// Lifecycle status.
    pub status: RuleStatus,
    /// Palisade version that introduced the rule.
    pub since: &'static str,
    /// Front doors whose input can show the rule's evidence.
    pub inputs: &'static [Input],
    /// Framework controls the rule checks.
    pub frameworks: Cow<'static, [FrameworkRef]>,
    /// How to fix a finding, in one or two sentences.
    pub remediation: ArcStr,
    /// Whether findings carry a mechanical fix, and whether applying it can change what the
    /// workload does.
    pub fixable: Fixable,
    /// Stricter rules whose finding on the same container (or pod) says everything this one
    /// would: this rule's finding is then kept for the compliance summary but not listed.
    pub superseded_by: &'static [&'static str],
    /// The rule's documentation (What it does / Why is this bad? / Example / Remediation /
    /// References), taken from the doc comment on its declaration.
    pub docs: ArcStr,
}

impl RuleMeta {
    /// The family prefix: the leading letters of the id (`PSS` for `PSS001`), or what comes
    /// before the colon of a loaded policy's id (`GK` for `GK:K8sRequiredLabels/owner`).
    pub fn family(&self) -> &str {
        // A loaded policy's id names its dialect before a colon (`GK:Kind/name`).
        if let Some((family, _)) = self.id.split_once(':') {
            return family;
        }
        let end = self
            .id
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(self.id.len());
        &self.id[..end]
    }

    /// The Pod Security Admission check this rule implements, if any.
    pub fn pss(&self) -> Option<PssCheck> {
        self.frameworks.iter().find_map(|f| match f {
            FrameworkRef::Pss(p) => Some(*p),
            _ => None,
        })
    }

    /// The control ids of one framework (`pss` gives upstream check ids), in declaration order.
    pub fn framework_ids(&self, key: &str) -> Vec<&'static str> {
        self.frameworks
            .iter()
            .filter(|f| f.key() == key)
            .filter_map(|f| match f {
                FrameworkRef::Pss(p) => Some(p.check),
                other => other.id(),
            })
            .collect()
    }

    /// The documentation as Markdown (the doc comment without its one-space indent).
    pub fn documentation(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string()
    }

    /// A docs section by heading (e.g. `Why is this bad?`), without the heading line.
    pub fn doc_section(&self, heading: &str) -> Option<String> {
        let docs = self.documentation();
        let marker = format!("## {heading}\n");
        let start = docs.find(&marker)? + marker.len();
        let rest = &docs[start..];
        let end = rest.find("\n## ").unwrap_or(rest.len());
        Some(rest[..end].trim().to_string())
    }
}

/// A rule for the tests of this crate's finding model.
#[cfg(test)]
pub(crate) static TEST_RULE: RuleMeta = RuleMeta {
    id: arcstr::literal!("TEST001"),
    name: arcstr::literal!("test"),
    title: arcstr::literal!("test"),
    severity: Severity::High,
    layer: Layer::Container,
    status: RuleStatus::Stable,
    since: "0.1.0",
    inputs: &[],
    frameworks: Cow::Borrowed(&[]),
    remediation: ArcStr::new(),
    fixable: Fixable::No,
    superseded_by: &[],
    docs: ArcStr::new(),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_and_parses() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Low > Severity::Info);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        let err = "severe".parse::<Severity>().unwrap_err();
        assert!(err.to_string().contains("unknown severity `severe`"));
    }

    #[test]
    fn family_is_the_letter_prefix() {
        let meta = RuleMeta {
            id: arcstr::literal!("PSS012"),
            name: arcstr::literal!("x"),
            title: arcstr::literal!("x"),
            severity: Severity::Low,
            layer: Layer::Container,
            status: RuleStatus::Stable,
            since: "0.1.0",
            inputs: &[],
            frameworks: Cow::Borrowed(&[FrameworkRef::Cis("5.2.2")]),
            remediation: ArcStr::new(),
            fixable: Fixable::No,
            superseded_by: &[],
            docs: arcstr::literal!(" ## What it does\n A.\n ## Why is this bad?\n B.\n"),
        };
        assert_eq!(meta.family(), "PSS");
        assert_eq!(meta.doc_section("Why is this bad?").as_deref(), Some("B."));
        assert_eq!(meta.doc_section("What it does").as_deref(), Some("A."));
        assert!(meta.documentation().starts_with("## What it does\nA."));
        assert_eq!(meta.pss(), None);
    }
}
