//! `[admission]`: what the admission webhook enforces, warns and audits in namespaces without
//! Palisade labels, and who is exempt. Namespace labels (`palisade.dev/enforce: pss-restricted`)
//! use the same level syntax as these keys.

use std::fmt;
use std::str::FromStr;

use palisade_engine::{Profile, PssVersion, SelectionError};
use serde::Deserialize;

use crate::error::{ConfigError, Origin};
use crate::file::ConfigFile;

/// The `[admission]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AdmissionFileConfig {
    /// Level denied in namespaces without a `palisade.dev/enforce` label.
    pub enforce: Option<String>,
    /// Pod Security Standards version of `enforce`.
    pub enforce_version: Option<String>,
    /// Level answered with warnings.
    pub warn: Option<String>,
    /// Pod Security Standards version of `warn`.
    pub warn_version: Option<String>,
    /// Level recorded in audit annotations.
    pub audit: Option<String>,
    /// Pod Security Standards version of `audit`.
    pub audit_version: Option<String>,
    /// Namespaces never checked.
    pub exempt_namespaces: Option<Vec<String>>,
    /// Users whose requests are never checked.
    pub exempt_usernames: Option<Vec<String>>,
    /// Groups whose members' requests are never checked.
    pub exempt_groups: Option<Vec<String>>,
    /// Pods (and pod templates) with one of these runtime classes are never checked.
    pub exempt_runtime_classes: Option<Vec<String>>,
}

/// A set of rules a namespace is held to: a profile at a Pod Security Standards version.
/// Written `pss-restricted` (the version from its `-version` key or label, else the
/// configured one); `privileged` (or `none`) means no rules at all, as in Pod Security
/// Admission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Level {
    /// The rules.
    pub profile: Profile,
    /// The Pod Security Standards version of its checks.
    pub version: PssVersion,
}

impl Level {
    /// Read a level and its optional version: `None` for `privileged`/`none`.
    pub fn parse(
        profile: &str,
        version: Option<&str>,
        default_version: PssVersion,
    ) -> Result<Option<Level>, SelectionError> {
        let profile = profile.trim();
        let version = match version.map(str::trim) {
            None | Some("") => default_version,
            Some(v) => PssVersion::from_str(v)?,
        };
        if profile.eq_ignore_ascii_case("privileged") || profile.eq_ignore_ascii_case("none") {
            return Ok(None);
        }
        Ok(Some(Level {
            profile: Profile::from_str(&profile.to_ascii_lowercase())?,
            version,
        }))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = Profile::NAMES
            .iter()
            .find(|n| n.parse::<Profile>().ok() == Some(self.profile))
            .unwrap_or(&"all");
        write!(f, "{name}:{}", self.version)
    }
}

/// The three modes of Pod Security Admission, each at its own level (or off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Modes {
    /// Findings at or above the failure threshold deny the request.
    pub enforce: Option<Level>,
    /// Findings are returned as warnings.
    pub warn: Option<Level>,
    /// Findings are recorded as audit annotations.
    pub audit: Option<Level>,
}

/// Requests that are never checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exemptions {
    /// By the request's namespace.
    pub namespaces: Vec<String>,
    /// By the requesting user's name.
    pub usernames: Vec<String>,
    /// By one of the requesting user's groups.
    pub groups: Vec<String>,
    /// By the pod's `runtimeClassName`.
    pub runtime_classes: Vec<String>,
}

/// The admission webhook's resolved defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdmissionSettings {
    /// Modes of namespaces without Palisade labels. `enforce` defaults to the configuration's
    /// `profile` and `pss-version`, so a webhook with no `[admission]` table denies what
    /// `palisade scan` fails on.
    pub defaults: Modes,
    /// Requests never checked.
    pub exemptions: Exemptions,
}

/// Resolve `[admission]` against the configuration's profile and version.
pub(crate) fn resolve(
    file: Option<AdmissionFileConfig>,
    profile: Profile,
    pss_version: PssVersion,
    here: &ConfigFile<'_>,
) -> Result<AdmissionSettings, ConfigError> {
    let file = file.unwrap_or_default();
    let level = |key: &str,
                 value: &Option<String>,
                 version: &Option<String>,
                 default: Option<Level>|
     -> Result<Option<Level>, ConfigError> {
        let Some(value) = value else {
            return Ok(match (default, version) {
                (Some(level), Some(v)) => Some(Level {
                    version: PssVersion::from_str(v).map_err(|e| invalid(here, key, e))?,
                    ..level
                }),
                (default, _) => default,
            });
        };
        Level::parse(value, version.as_deref(), pss_version).map_err(|e| invalid(here, key, e))
    };
    let defaults = Modes {
        enforce: level(
            "enforce",
            &file.enforce,
            &file.enforce_version,
            Some(Level {
                profile,
                version: pss_version,
            }),
        )?,
        warn: level("warn", &file.warn, &file.warn_version, None)?,
        audit: level("audit", &file.audit, &file.audit_version, None)?,
    };
    let list = |v: Option<Vec<String>>| -> Vec<String> {
        v.unwrap_or_default()
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    Ok(AdmissionSettings {
        defaults,
        exemptions: Exemptions {
            namespaces: list(file.exempt_namespaces),
            usernames: list(file.exempt_usernames),
            groups: list(file.exempt_groups),
            runtime_classes: list(file.exempt_runtime_classes),
        },
    })
}

fn invalid(here: &ConfigFile<'_>, key: &str, e: impl fmt::Display) -> ConfigError {
    ConfigError::invalid(
        &format!("admission.{key}"),
        Origin::File {
            place: here.place(&["admission", key], false),
        },
        e.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_like_pod_security_admission_labels() {
        let latest = PssVersion::default();
        assert_eq!(Level::parse("privileged", None, latest).unwrap(), None);
        let level = Level::parse("pss-restricted", Some("v1.25"), latest)
            .unwrap()
            .unwrap();
        assert_eq!(level.profile, Profile::PssRestricted);
        assert_eq!(level.version.to_string(), "v1.25");
        assert_eq!(level.to_string(), "pss-restricted:v1.25");
        assert!(Level::parse("strict", None, latest).is_err());
        assert!(Level::parse("all", Some("v2.0"), latest).is_err());
    }

    #[test]
    fn enforce_defaults_to_the_scan_profile() {
        let here = ConfigFile {
            path: None,
            text: "",
        };
        let latest = PssVersion::default();
        let s = resolve(None, Profile::Cis, latest, &here).unwrap();
        assert_eq!(s.defaults.enforce.unwrap().profile, Profile::Cis);
        assert_eq!(s.defaults.warn, None);
        let file: AdmissionFileConfig = toml::from_str(
            "enforce = \"privileged\"\nwarn = \"pss-baseline\"\nwarn-version = \"v1.30\"\nexempt-namespaces = [\" kube-system \"]\n",
        )
        .unwrap();
        let s = resolve(Some(file), Profile::All, latest, &here).unwrap();
        assert_eq!(s.defaults.enforce, None);
        assert_eq!(s.defaults.warn.unwrap().version.to_string(), "v1.30");
        assert_eq!(s.exemptions.namespaces, ["kube-system"]);
        let bad: AdmissionFileConfig = toml::from_str("audit = \"loud\"\n").unwrap();
        let err = resolve(Some(bad), Profile::All, latest, &here).unwrap_err();
        assert!(err.to_string().contains("admission.audit"), "{err}");
    }
}
