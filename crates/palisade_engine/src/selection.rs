//! Which rules run: profiles, selectors, severities and Pod Security Standards versions.

use std::fmt;
use std::str::FromStr;

use palisade_diagnostics::{PssLevel, RuleStatus};

use crate::rule::Rule;

/// The newest Pod Security Standards policy version Palisade implements (`v1.37`). Newer
/// versions and `latest` evaluate as this one, exactly as upstream clamps them.
pub const NEWEST_PSS_MINOR: u32 = 37;

/// A Pod Security Standards policy version (`v1.N` or `latest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

    fn includes(self, rule: &Rule) -> bool {
        // Rules about the scan itself (suppression syntax, YAML hygiene) run in every profile.
        if rule.meta.family() == "PAL" {
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

/// A rule selector: an id (`PSS003`), a name (`privileged-container`), an id prefix (`PSS`)
/// or `ALL`. Matching is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector(String);

impl Selector {
    /// Parse a selector; it is validated against the registry by [`Selection::resolve`].
    pub fn new(s: &str) -> Self {
        Selector(s.trim().to_string())
    }

    /// Whether the selector names this rule.
    pub fn matches(&self, rule: &Rule) -> bool {
        self.matches_meta(&rule.meta)
    }

    /// Whether the selector names the rule with this metadata.
    pub fn matches_meta(&self, meta: &palisade_diagnostics::RuleMeta) -> bool {
        let s = &self.0;
        s.eq_ignore_ascii_case("all")
            || s.eq_ignore_ascii_case(meta.name)
            || (!s.is_empty()
                && s.len() <= meta.id.len()
                && meta.id[..s.len()].eq_ignore_ascii_case(s))
    }

    /// Whether the selector names the rule itself, by id or name (not by prefix or `ALL`): the
    /// only way to enable an opt-in (preview) rule.
    pub fn names(&self, meta: &palisade_diagnostics::RuleMeta) -> bool {
        self.0.eq_ignore_ascii_case(meta.id) || self.0.eq_ignore_ascii_case(meta.name)
    }

    /// The selector as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Problems with a selection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// A selector that names no rule.
    #[error("`{0}` matches no rule (see `palisade rules`)")]
    UnknownSelector(String),
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
    pub fn resolve(
        &self,
        registry: &[&'static Rule],
    ) -> Result<Vec<&'static Rule>, SelectionError> {
        for sel in self.select.iter().chain(&self.ignore) {
            if !registry.iter().any(|r| sel.matches(r)) {
                return Err(SelectionError::UnknownSelector(sel.0.clone()));
            }
        }
        let minor = self.pss_version.minor;
        let chosen: Vec<&'static Rule> = registry
            .iter()
            .copied()
            .filter(|r| self.profile.includes(r))
            .filter(|r| self.select.is_empty() || self.select.iter().any(|s| s.matches(r)))
            .filter(|r| {
                r.meta.status == RuleStatus::Stable || self.select.iter().any(|s| s.names(&r.meta))
            })
            .filter(|r| !self.ignore.iter().any(|s| s.matches(r)))
            .filter(|r| r.pss.is_none_or(|g| g.since_minor <= minor))
            .collect();
        let overridden: Vec<&str> = chosen
            .iter()
            .filter_map(|r| r.pss)
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
        use crate::rule::{Hook, Rule};
        use palisade_diagnostics::{Layer, RuleMeta, Severity};
        fn rule(id: &'static str, status: RuleStatus) -> &'static Rule {
            Box::leak(Box::new(Rule {
                meta: RuleMeta {
                    id,
                    name: "x",
                    title: "x",
                    severity: Severity::Info,
                    layer: Layer::Container,
                    status,
                    since: "0.1.0",
                    inputs: &[],
                    frameworks: &[],
                    remediation: "x",
                    fixable: palisade_diagnostics::Fixable::No,
                    superseded_by: &[],
                    docs: "",
                },
                hook: Hook::Engine,
                pss: None,
            }))
        }
        let registry = [
            rule("POD001", RuleStatus::Stable),
            rule("POD019", RuleStatus::Preview),
        ];
        let ids = |select: &[&str]| -> Vec<&str> {
            Selection {
                select: select.iter().map(|s| Selector::new(s)).collect(),
                ..Selection::default()
            }
            .resolve(&registry)
            .unwrap()
            .iter()
            .map(|r| r.meta.id)
            .collect()
        };
        assert_eq!(ids(&[]), ["POD001"]);
        assert_eq!(ids(&["POD"]), ["POD001"]);
        assert_eq!(ids(&["ALL"]), ["POD001"]);
        assert_eq!(ids(&["pod019"]), ["POD019"]);
        assert_eq!(ids(&["POD", "POD019"]), ["POD001", "POD019"]);
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
