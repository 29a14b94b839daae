//! Which rules run: profiles, selectors, severities and Pod Security Standards versions.

use std::fmt;
use std::str::FromStr;

use palisade_diagnostics::{FrameworkRef, PssLevel, RuleMeta, RuleStatus};

use std::ops::Deref;

use crate::rule::Rule;

/// The newest Pod Security Standards policy version Palisade implements (`v1.37`). Newer
/// versions and `latest` evaluate as this one, exactly as upstream clamps them.
pub const NEWEST_PSS_MINOR: u32 = 37;

/// A Pod Security Standards policy version (`v1.N` or `latest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PssVersion {
    /// The minor version, clamped to [`NEWEST_PSS_MINOR`].
    pub minor: u32,
}

impl Default for PssVersion {
    fn default() -> Self {
        PssVersion {
            minor: NEWEST_PSS_MINOR,
        }
    }
}

impl FromStr for PssVersion {
    type Err = SelectionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "latest" {
            return Ok(PssVersion::default());
        }
        let minor = s
            .strip_prefix('v')
            .unwrap_or(s)
            .strip_prefix("1.")
            .and_then(|m| m.parse::<u32>().ok())
            .ok_or_else(|| SelectionError::BadPssVersion(s.to_string()))?;
        Ok(PssVersion {
            minor: minor.min(NEWEST_PSS_MINOR),
        })
    }
}

impl fmt::Display for PssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}", self.minor)
    }
}

/// A named set of rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// Every built-in rule.
    #[default]
    All,
    /// The Pod Security Standards baseline checks.
    PssBaseline,
    /// The Pod Security Standards restricted checks (baseline included).
    PssRestricted,
    /// Rules mapped to the CIS Kubernetes Benchmark.
    Cis,
    /// Rules mapped to the NSA/CISA Kubernetes Hardening Guidance.
    Nsa,
    /// Rules mapped to MITRE ATT&CK techniques.
    Mitre,
}

impl Profile {
    /// The accepted names.
    pub const NAMES: &'static [&'static str] = &[
        "all",
        "pss-baseline",
        "pss-restricted",
        "cis",
        "nsa",
        "mitre",
    ];

    /// Whether the profile is a compliance framework (its summary is worth showing).
    pub fn is_framework(self) -> bool {
        self != Profile::All
    }

    /// Whether the profile takes the rule (before `--select`, `--ignore` and versions).
    pub fn includes(self, rule: &Rule) -> bool {
        // Rules about the scan itself (suppression syntax, YAML hygiene) run in every profile.
        if rule.meta.family() == "PAL" {
            return true;
        }
        // Policies a team loaded run whatever the profile: they are its own rules.
        if POLICY_FAMILIES
            .iter()
            .any(|f| rule.meta.family().eq_ignore_ascii_case(f))
        {
            return true;
        }
        match self {
            Profile::All => true,
            Profile::PssBaseline => rule
                .meta
                .pss()
                .is_some_and(|p| p.level == PssLevel::Baseline),
            Profile::PssRestricted => rule.meta.pss().is_some(),
            Profile::Cis => !rule.meta.framework_ids("cis").is_empty(),
            Profile::Nsa => !rule.meta.framework_ids("nsa").is_empty(),
            Profile::Mitre => !rule.meta.framework_ids("mitre").is_empty(),
        }
    }
}

impl FromStr for Profile {
    type Err = SelectionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "all" => Ok(Profile::All),
            "pss-baseline" => Ok(Profile::PssBaseline),
            "pss-restricted" => Ok(Profile::PssRestricted),
            "cis" => Ok(Profile::Cis),
            "nsa" => Ok(Profile::Nsa),
            "mitre" => Ok(Profile::Mitre),
            _ => Err(SelectionError::UnknownProfile(s.to_string())),
        }
    }
}

/// A rule selector, matched case-insensitively:
/// - an id (`PSS003`), a name (`privileged-container`), an id prefix (`PSS`) or `ALL`;
/// - a glob over ids and names (`PSS01*`, `*privileged*`);
/// - a framework control: `cis:5.2.2` (a section such as `cis:5.2` takes its controls),
///   `nsa:C-0057` or a bare kubescape id `C-0057` (`kubescape:C-0057` too), `mitre:T1611`,
///   `pss:privileged` (an upstream Pod Security Admission check) or `pss:baseline` /
///   `pss:restricted` (a level's checks); the control part may be a glob (`cis:5.2.*`).
///
/// Only an id or a name enables an opt-in (preview) rule.
#[derive(Debug, Clone)]
pub struct Selector {
    text: String,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// `ALL`.
    All,
    /// An id, a name or an id prefix.
    Rule,
    /// A glob over ids and names.
    Glob(globset::GlobMatcher),
    /// A control of a framework (`cis`, `nsa`, `mitre`, `pss`).
    Control {
        framework: &'static str,
        control: Control,
    },
    /// Not a selector Palisade understands; why.
    Invalid(String),
}

#[derive(Debug, Clone)]
enum Control {
    /// A control id, or a section whose controls start with it and a dot.
    Exact(String),
    /// A glob over control ids.
    Glob(globset::GlobMatcher),
}

/// The framework keys a control selector may name, with the framework each stands for.
const FRAMEWORK_KEYS: &[(&str, &str)] = &[
    ("cis", "cis"),
    ("nsa", "nsa"),
    ("kubescape", "nsa"),
    ("mitre", "mitre"),
    ("pss", "pss"),
];

impl PartialEq for Selector {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Selector {}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn glob(pattern: &str) -> Result<globset::GlobMatcher, String> {
    globset::GlobBuilder::new(pattern)
        .case_insensitive(true)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("`{pattern}` is not a valid glob: {}", e.kind()))
}

/// A kubescape control id: `C-` and digits.
fn is_kubescape_id(s: &str) -> bool {
    s.len() > 2
        && s.is_char_boundary(2)
        && s[..2].eq_ignore_ascii_case("C-")
        && s[2..].bytes().all(|b| b.is_ascii_digit())
}

/// The id prefixes of loaded policies (Gatekeeper constraints, ValidatingAdmissionPolicy
/// bindings, Kyverno policies), which contain a colon as framework controls do.
pub const POLICY_FAMILIES: [&str; 3] = ["gk", "vap", "kyv"];

/// Whether `id` is `prefix` or starts with it followed by a dot (`5.2` names `5.2.2`,
/// `T1611` names `T1611.001`), case-insensitively.
fn is_or_under(id: &str, prefix: &str) -> bool {
    id.eq_ignore_ascii_case(prefix)
        || (id.len() > prefix.len()
            && id.is_char_boundary(prefix.len())
            && id[..prefix.len()].eq_ignore_ascii_case(prefix)
            && id[prefix.len()..].starts_with('.'))
}

impl Selector {
    /// Parse a selector; it is validated against the registry by [`Selection::resolve`]
    /// (or [`Selector::check`]): a malformed one matches no rule.
    pub fn new(s: &str) -> Self {
        let text = s.trim().to_string();
        let kind = Self::kind(&text);
        Selector { text, kind }
    }

    fn kind(text: &str) -> Kind {
        if text.eq_ignore_ascii_case("all") {
            return Kind::All;
        }
        if let Some((key, control)) = text.split_once(':') {
            let key = key.trim().to_ascii_lowercase();
            // Loaded policies' ids (`GK:K8sRequiredLabels/owner`) are selected like rule ids.
            if POLICY_FAMILIES.contains(&key.as_str()) {
                return if is_glob(text) {
                    glob(text).map_or_else(Kind::Invalid, Kind::Glob)
                } else {
                    Kind::Rule
                };
            }
            let control = control.trim();
            let Some((_, framework)) = FRAMEWORK_KEYS.iter().find(|(k, _)| *k == key) else {
                return Kind::Invalid(format!(
                    "unknown framework `{key}` in `{text}` (expected cis, nsa, mitre or pss, as in `cis:5.2.2`, `nsa:C-0057`, `mitre:T1611` or `pss:privileged`)"
                ));
            };
            if control.is_empty() {
                return Kind::Invalid(format!("`{text}` names no control (write `{key}:ID`)"));
            }
            let control = if is_glob(control) {
                match glob(control) {
                    Ok(g) => Control::Glob(g),
                    Err(e) => return Kind::Invalid(e),
                }
            } else {
                Control::Exact(control.to_string())
            };
            return Kind::Control { framework, control };
        }
        if is_kubescape_id(text) {
            return Kind::Control {
                framework: "nsa",
                control: Control::Exact(text.to_string()),
            };
        }
        if is_glob(text) {
            return match glob(text) {
                Ok(g) => Kind::Glob(g),
                Err(e) => Kind::Invalid(e),
            };
        }
        Kind::Rule
    }

    /// Whether the selector names this rule.
    pub fn matches(&self, rule: &Rule) -> bool {
        self.matches_meta(&rule.meta)
    }

    /// Whether the selector names the rule with this metadata.
    pub fn matches_meta(&self, meta: &RuleMeta) -> bool {
        let s = &self.text;
        match &self.kind {
            Kind::All => true,
            Kind::Rule => {
                s.eq_ignore_ascii_case(&meta.name)
                    || (!s.is_empty()
                        && s.len() <= meta.id.len()
                        && meta.id.is_char_boundary(s.len())
                        && meta.id[..s.len()].eq_ignore_ascii_case(s))
            }
            Kind::Glob(g) => g.is_match(meta.id.as_str()) || g.is_match(meta.name.as_str()),
            Kind::Control { framework, control } => meta
                .frameworks
                .iter()
                .any(|f| control_matches(framework, control, f)),
            Kind::Invalid(_) => false,
        }
    }

    /// Whether the selector names the rule itself, by id or name (not by prefix, glob,
    /// framework control or `ALL`): the only way to enable an opt-in (preview) rule.
    pub fn names(&self, meta: &RuleMeta) -> bool {
        matches!(self.kind, Kind::Rule)
            && (self.text.eq_ignore_ascii_case(&meta.id)
                || self.text.eq_ignore_ascii_case(&meta.name))
    }

    /// Whether the selector names loaded policies (`GK`, `GK:K8sRequiredLabels/owner`, `VAP:…`,
    /// `KYV:…`): those are known only once policies are loaded, so they are checked when the
    /// rule set is built rather than against the built-in registry.
    pub fn is_policy(&self) -> bool {
        let head = self
            .text
            .split(':')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        matches!(self.kind, Kind::Rule | Kind::Glob(_)) && POLICY_FAMILIES.contains(&head.as_str())
    }

    /// Whether the selector is a framework control (`cis:5.2.2`, `C-0057`, …).
    pub fn is_control(&self) -> bool {
        matches!(self.kind, Kind::Control { .. })
    }

    /// The selector as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Check that the selector names at least one rule of `registry`; the error says why not
    /// and suggests what was probably meant.
    pub fn check<R: Deref<Target = Rule>>(&self, registry: &[R]) -> Result<(), SelectionError> {
        if let Kind::Invalid(why) = &self.kind {
            return Err(SelectionError::InvalidSelector(why.clone()));
        }
        if registry.iter().any(|r| self.matches(r)) {
            return Ok(());
        }
        Err(SelectionError::UnknownSelector {
            selector: self.text.clone(),
            hint: self.hint(registry),
        })
    }

    /// What the user probably meant, for a selector that matches nothing.
    fn hint<R: Deref<Target = Rule>>(&self, registry: &[R]) -> String {
        if let Kind::Control { framework, .. } = &self.kind {
            let mut ids: Vec<&str> = registry
                .iter()
                .flat_map(|r| r.meta.framework_ids(framework))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let given = self
                .text
                .split_once(':')
                .map_or(self.text.as_str(), |(_, c)| c);
            let listing =
                format!("`palisade rules --framework {framework}` lists the controls rules map to");
            return match nearest(given, ids) {
                Some(id) if *framework == "nsa" => format!("; did you mean `{id}`? ({listing})"),
                Some(id) => format!("; did you mean `{framework}:{id}`? ({listing})"),
                None => format!("; no rule maps to it ({listing})"),
            };
        }
        let names = registry
            .iter()
            .flat_map(|r| [r.meta.id.as_str(), r.meta.name.as_str()]);
        match nearest(&self.text, names) {
            Some(name) => format!("; did you mean `{name}`? (see `palisade rules`)"),
            None => " (see `palisade rules`)".to_string(),
        }
    }
}

/// Whether one framework reference of a rule is the control a selector names.
fn control_matches(framework: &str, control: &Control, reference: &FrameworkRef) -> bool {
    match reference {
        FrameworkRef::Pss(p) if framework == "pss" => match control {
            Control::Exact(c) => {
                c.eq_ignore_ascii_case(p.check)
                    || c.eq_ignore_ascii_case("restricted")
                    || (c.eq_ignore_ascii_case("baseline") && p.level == PssLevel::Baseline)
            }
            Control::Glob(g) => g.is_match(p.check),
        },
        other if other.key() == framework => other.id().is_some_and(|id| match control {
            Control::Exact(c) => is_or_under(id, c),
            Control::Glob(g) => g.is_match(id),
        }),
        _ => false,
    }
}

/// The candidate closest to `given` (case-insensitive edit distance), if it is close enough
/// to be a likely typo.
fn nearest<'c>(given: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let given = given.trim().to_ascii_lowercase();
    let limit = (given.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&given, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// Problems with a selection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// A selector that names no rule, with a suggestion.
    #[error("`{selector}` matches no rule{hint}")]
    UnknownSelector {
        /// The selector as given.
        selector: String,
        /// `; did you mean …` or where to look.
        hint: String,
    },
    /// A selector Palisade cannot read (an unknown framework, a malformed glob).
    #[error("{0}")]
    InvalidSelector(String),
    /// An unknown profile name.
    #[error(
        "unknown profile `{0}` (expected one of: all, pss-baseline, pss-restricted, cis, nsa, mitre)"
    )]
    UnknownProfile(String),
    /// A malformed Pod Security Standards version.
    #[error("invalid Pod Security Standards version `{0}` (expected v1.N or latest)")]
    BadPssVersion(String),
}

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// The base set.
    pub profile: Profile,
    /// If not empty, only rules matching one of these (within the profile).
    pub select: Vec<Selector>,
    /// Rules matching one of these never run.
    pub ignore: Vec<Selector>,
    /// The Pod Security Standards version.
    pub pss_version: PssVersion,
}

impl Selection {
    /// The rules that run, in registry order. Opt-in (preview) rules run only when a `select`
    /// selector names them by id or name. Pod Security Standards checks newer than the
    /// pinned version are dropped, and a check is dropped when an enabled check overrides it
    /// at that version (upstream's `OverrideCheckIDs`).
    pub fn resolve<R: Deref<Target = Rule> + Clone>(
        &self,
        registry: &[R],
    ) -> Result<Vec<R>, SelectionError> {
        for sel in self.select.iter().chain(&self.ignore) {
            sel.check(registry)?;
        }
        let minor = self.pss_version.minor;
        let chosen: Vec<R> = registry
            .iter()
            .filter(|r| self.profile.includes(r))
            .filter(|r| self.select.is_empty() || self.select.iter().any(|s| s.matches(r)))
            .filter(|r| {
                r.meta.status == RuleStatus::Stable || self.select.iter().any(|s| s.names(&r.meta))
            })
            .filter(|r| !self.ignore.iter().any(|s| s.matches(r)))
            .filter(|r| r.pss.is_none_or(|g| g.since_minor <= minor))
            .cloned()
            .collect();
        let overridden: Vec<&str> = chosen
            .iter()
            .filter_map(|r| r.pss.as_ref())
            .flat_map(|g| g.overrides.iter())
            .filter(|o| o.since_minor <= minor)
            .map(|o| o.check)
            .collect();
        Ok(chosen
            .into_iter()
            .filter(|r| r.meta.pss().is_none_or(|p| !overridden.contains(&p.check)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_clamp() {
        assert_eq!(
            "latest".parse::<PssVersion>().unwrap().minor,
            NEWEST_PSS_MINOR
        );
        assert_eq!("v1.19".parse::<PssVersion>().unwrap().minor, 19);
        assert_eq!("1.0".parse::<PssVersion>().unwrap().minor, 0);
        assert_eq!(
            "v1.99".parse::<PssVersion>().unwrap().minor,
            NEWEST_PSS_MINOR
        );
        assert!("v2.1".parse::<PssVersion>().is_err());
        assert!("v1.x".parse::<PssVersion>().is_err());
    }

    #[test]
    fn preview_rules_run_only_when_named() {
        use crate::rule::{Hook, Rule, RuleHandle};
        use palisade_diagnostics::{ArcStr, Layer, RuleMeta, RuleRef, Severity};
        // Rules made at run time, as loaded policies are.
        fn rule(id: &str, status: RuleStatus) -> RuleHandle {
            RuleHandle::from(Rule {
                meta: RuleRef::loaded(RuleMeta {
                    id: id.into(),
                    name: "x".into(),
                    title: "x".into(),
                    severity: Severity::Info,
                    layer: Layer::Container,
                    status,
                    since: "0.1.0",
                    inputs: &[],
                    frameworks: Vec::new().into(),
                    remediation: "x".into(),
                    fixable: palisade_diagnostics::Fixable::No,
                    superseded_by: &[],
                    docs: ArcStr::new(),
                }),
                hook: Hook::Engine,
                pss: None,
            })
        }
        let registry = [
            rule("POD001", RuleStatus::Stable),
            rule("POD019", RuleStatus::Preview),
        ];
        let ids = |select: &[&str]| -> Vec<String> {
            Selection {
                select: select.iter().map(|s| Selector::new(s)).collect(),
                ..Selection::default()
            }
            .resolve(&registry)
            .unwrap()
            .iter()
            .map(|r| r.meta.id.to_string())
            .collect()
        };
        assert_eq!(ids(&[]), ["POD001"]);
        assert_eq!(ids(&["POD"]), ["POD001"]);
        assert_eq!(ids(&["ALL"]), ["POD001"]);
        assert_eq!(ids(&["pod019"]), ["POD019"]);
        assert_eq!(ids(&["POD", "POD019"]), ["POD001", "POD019"]);
    }

    #[test]
    fn selectors_parse_every_form() {
        use palisade_diagnostics::{FrameworkRef, Layer, PssCheck, RuleMeta, Severity};
        let meta = RuleMeta {
            id: "PSS003".into(),
            name: "privileged-container".into(),
            title: "x".into(),
            severity: Severity::Critical,
            layer: Layer::Container,
            status: RuleStatus::Stable,
            since: "0.1.0",
            inputs: &[],
            frameworks: vec![
                FrameworkRef::Pss(PssCheck {
                    level: PssLevel::Baseline,
                    check: "privileged",
                }),
                FrameworkRef::Cis("5.2.2"),
                FrameworkRef::Nsa("C-0057"),
                FrameworkRef::Mitre("T1611"),
            ]
            .into(),
            remediation: "x".into(),
            fixable: palisade_diagnostics::Fixable::No,
            superseded_by: &[],
            docs: "".into(),
        };
        let yes = |s: &str| Selector::new(s).matches_meta(&meta);
        for s in [
            "ALL",
            "pss",
            "PSS00",
            "privileged-container",
            "PSS*",
            "*PRIVILEGED*",
            "pss00?",
            "cis:5.2.2",
            "cis:5.2",
            "CIS:5",
            "cis:5.2.*",
            "C-0057",
            "nsa:C-0057",
            "kubescape:c-0057",
            "mitre:T1611",
            "mitre:t16*",
            "pss:privileged",
            "pss:baseline",
            "pss:restricted",
            "pss:priv*",
        ] {
            assert!(yes(s), "{s}");
        }
        for s in [
            "PSS0030",
            "cis:5.2.20",
            "cis:5.22",
            "C-0058",
            "nsa:5.2.2",
            "mitre:T1610",
            "pss:hostPorts",
            "cis:",
            "owasp:K01",
            "[",
            "privileged",
        ] {
            assert!(!yes(s), "{s}");
        }
        // Only an id or a name names a rule (for opt-in rules).
        assert!(Selector::new("pss003").names(&meta));
        assert!(!Selector::new("PSS*").names(&meta) && !Selector::new("C-0057").names(&meta));
        assert!(Selector::new("C-0057").is_control() && !Selector::new("PSS").is_control());
        assert!(matches!(
            Selector::new("owasp:K01").check::<&Rule>(&[]),
            Err(SelectionError::InvalidSelector(m)) if m.contains("unknown framework `owasp`")
        ));
        assert!(matches!(
            Selector::new("[").check::<&Rule>(&[]),
            Err(SelectionError::InvalidSelector(m)) if m.contains("not a valid glob")
        ));
        assert_eq!(edit_distance("pss03", "pss003"), 1);
        assert_eq!(nearest("PSS03", ["PSS003", "POD003"]), Some("PSS003"));
        assert_eq!(nearest("zzz", ["PSS003"]), None);
    }

    #[test]
    fn profiles_parse() {
        assert_eq!(
            "pss-restricted".parse::<Profile>().unwrap(),
            Profile::PssRestricted
        );
        assert!("cis-9".parse::<Profile>().is_err());
    }
}
