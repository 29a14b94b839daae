//! `palisade.toml`: its schema, finding and reading it, and placing errors at the line and
//! column where a value is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use palisade_rules::RuleOptionsTable;
use serde::Deserialize;

use crate::error::{ConfigError, Origin};

/// The configuration file name searched for.
pub const CONFIG_FILE: &str = "palisade.toml";

/// `palisade.toml`. Every key is optional; overrides win.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    /// Default output format.
    pub format: Option<String>,
    /// Order of the findings: path, severity or rule.
    pub sort: Option<String>,
    /// Rule set.
    pub profile: Option<String>,
    /// Only these rules.
    pub select: Option<Vec<String>>,
    /// Never these rules.
    pub ignore: Option<Vec<String>>,
    /// Failure threshold.
    pub fail_on: Option<String>,
    /// Reporting threshold.
    pub min_severity: Option<String>,
    /// Pod Security Standards version.
    pub pss_version: Option<String>,
    /// Paths to leave out (globs relative to the configuration file's directory).
    pub exclude: Option<Vec<String>>,
    /// Leave out files named explicitly that match `exclude` too.
    pub force_exclude: Option<bool>,
    /// Largest file to read.
    pub max_file_size: Option<toml::Value>,
    /// Longest to wait for standard input to end (`"60s"`, or seconds).
    pub stdin_timeout: Option<toml::Value>,
    /// Longest a renderer may run (`"2m"`, or seconds).
    pub render_timeout: Option<toml::Value>,
    /// Follow symbolic links that lead outside the scanned directories.
    pub follow_symlinks: Option<bool>,
    /// Let kustomize fetch remote bases.
    pub allow_remote_bases: Option<bool>,
    /// Whether charts and kustomizations that do not render fail the run (`error`) or are
    /// reported as warnings (`warn`).
    pub render_errors: Option<String>,
    /// Glob (relative to the configuration file's directory) -> rules suppressed there.
    pub per_path_ignores: Option<BTreeMap<String, Vec<String>>>,
    /// Accepted risks with scope, owner, reason and expiry.
    pub waivers: Option<Vec<toml::Spanned<WaiverConfig>>>,
    /// Options of configurable rules, owned by their rule families.
    pub rule_options: Option<RuleOptionsTable>,
    /// Apply fixes that may change what a workload does.
    pub unsafe_fixes: Option<bool>,
    /// Honour Checkov, KubeLinter and kube-score suppression annotations.
    pub honor_peer_suppressions: Option<bool>,
    /// The admission webhook's defaults and exemptions.
    pub admission: Option<crate::admission::AdmissionFileConfig>,
    /// Policy files and directories (Gatekeeper, ValidatingAdmissionPolicy, Kyverno), relative
    /// to the configuration file's directory.
    pub policies: Option<Vec<String>>,
    /// Which engines of Gatekeeper templates run: auto, rego, cel or both.
    pub policy_engine: Option<String>,
    /// Policy selector -> severity, over the policies' own.
    pub policy_severity: Option<BTreeMap<String, String>>,
}

/// One `[[waivers]]` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WaiverConfig {
    /// Rule ids, names or prefixes.
    pub rules: Vec<String>,
    /// Only objects in this namespace.
    pub namespace: Option<String>,
    /// Only objects of this kind.
    pub kind: Option<String>,
    /// Only objects whose name matches this glob.
    pub name: Option<String>,
    /// Only files matching this glob (relative to the configuration file's directory).
    pub path: Option<String>,
    /// Who accepted the risk (mandatory).
    pub owner: String,
    /// Why (mandatory).
    pub reason: String,
    /// Last day the waiver applies, `YYYY-MM-DD`.
    pub expires: Option<String>,
}

/// Find `palisade.toml` in `start` or the nearest ancestor.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let start = if start.is_dir() {
        start.to_path_buf()
    } else {
        start.parent()?.to_path_buf()
    };
    let start = if start.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        start
    };
    let absolute = std::fs::canonicalize(&start).ok()?;
    absolute
        .ancestors()
        .map(|d| d.join(CONFIG_FILE))
        .find(|p| p.is_file())
}

/// Load a configuration file; returns it with its text (for the places of later errors). A
/// file that does not parse is an error that names `palisade.toml:LINE:COLUMN`.
pub fn load(path: &Path) -> Result<(FileConfig, String), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let config = toml::from_str(&text).map_err(|e| {
        let message = e.message().trim_end();
        let offset = unknown_key_offset(&text, message).or(e.span().map(|s| s.start));
        ConfigError::Syntax {
            place: place_at(path, &text, offset),
            message: message.to_string(),
        }
    })?;
    Ok((config, text))
}

/// Where an unknown key (``unknown field `x` ``) is written: the parser places the error at
/// the table that holds it, the start of the file for top-level keys.
fn unknown_key_offset(text: &str, message: &str) -> Option<usize> {
    let key = message.strip_prefix("unknown field `")?.split('`').next()?;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let bare = trimmed.trim_start_matches(['"', '\'']);
        if bare.starts_with(key)
            && bare[key.len()..]
                .trim_start_matches(['"', '\''])
                .trim_start()
                .starts_with('=')
        {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

/// `palisade.toml:LINE:COLUMN` of a byte offset in the file (1-based; the column counts
/// characters), or the file alone without an offset.
pub(crate) fn place_at(path: &Path, text: &str, offset: Option<usize>) -> String {
    let display = display_path(path);
    let Some(offset) = offset.map(|o| o.min(text.len())) else {
        return display;
    };
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("{display}:{line}:{column}")
}

/// Where the value at `keys` (a top-level key, then the keys of nested tables) is written in
/// the file, or its key with `at_key`: the byte offset, for errors about values read from it.
fn value_offset(text: &str, keys: &[&str], at_key: bool) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let document = DeTable::parse(text).ok()?;
    let mut table = document.get_ref();
    let mut offset = None;
    for (i, key) in keys.iter().enumerate() {
        let (k, value) = table.iter().find(|(k, _)| k.get_ref().as_ref() == *key)?;
        let last = i + 1 == keys.len();
        offset = Some(if last && at_key {
            k.span().start
        } else {
            value.span().start
        });
        if !last {
            table = match value.get_ref() {
                DeValue::Table(t) => t,
                _ => return None,
            };
        }
    }
    offset
}

/// The path to print for the configuration file: relative to the working directory when below it.
pub(crate) fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| std::fs::canonicalize(cwd).ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    relative
        .unwrap_or_else(|| path.to_path_buf())
        .to_string_lossy()
        .to_string()
}

/// The configuration file in use and its text: what errors about its values point into.
pub(crate) struct ConfigFile<'a> {
    pub(crate) path: Option<&'a Path>,
    pub(crate) text: &'a str,
}

impl ConfigFile<'_> {
    /// `palisade.toml:LINE:COLUMN` of the value at `keys` (or of its key, with `at_key`).
    pub(crate) fn place(&self, keys: &[&str], at_key: bool) -> String {
        match self.path {
            Some(path) => place_at(path, self.text, value_offset(self.text, keys, at_key)),
            None => CONFIG_FILE.to_string(),
        }
    }

    /// Where a value of `key` came from: the file (where it is written), or an override.
    pub(crate) fn origin(&self, from_file: bool, key: &str) -> Origin {
        if from_file {
            Origin::File {
                place: self.place(&[key], false),
            }
        } else {
            Origin::Override
        }
    }

    /// A value of `key` checked: an error names the setting and where it came from.
    pub(crate) fn check<T>(
        &self,
        result: Result<T, String>,
        from_file: bool,
        key: &str,
    ) -> Result<T, ConfigError> {
        result.map_err(|message| ConfigError::invalid(key, self.origin(from_file, key), message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_rejected_where_they_are_written() {
        let err = toml::from_str::<FileConfig>("fail_on = \"high\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let ok: FileConfig =
            toml::from_str("fail-on = \"high\"\n[per-path-ignores]\n\"legacy/**\" = [\"PSS\"]\n")
                .unwrap();
        assert_eq!(ok.per_path_ignores.unwrap()["legacy/**"], vec!["PSS"]);
        let text = "profile = \"all\"\n[rule-options]\n  allowed-registry = []\n";
        assert_eq!(
            unknown_key_offset(text, "unknown field `allowed-registry`, expected"),
            Some(text.find("allowed-registry").unwrap())
        );
        let e = toml::from_str::<FileConfig>(text).unwrap_err();
        assert!(
            e.message().starts_with("unknown field `allowed-registry`"),
            "{e}"
        );
    }

    #[test]
    fn places_count_lines_and_characters() {
        let text = "a = 1\nb = [\"é\", \"x\"]\n";
        let path = Path::new("/nonexistent/palisade.toml");
        assert_eq!(
            place_at(path, text, Some(0)),
            "/nonexistent/palisade.toml:1:1"
        );
        let at = text.find("\"x\"").unwrap();
        assert_eq!(
            place_at(path, text, Some(at)),
            "/nonexistent/palisade.toml:2:11"
        );
        assert_eq!(
            value_offset(text, &["b"], false),
            Some(text.find('[').unwrap())
        );
        assert_eq!(value_offset(text, &["b"], true), Some(6));
        assert_eq!(place_at(path, text, None), "/nonexistent/palisade.toml");
    }
}
