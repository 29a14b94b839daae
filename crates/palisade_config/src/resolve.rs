//! Resolution: each setting from its override (a flag or `PALISADE_*` variable), else
//! `palisade.toml`, else its default, checked and typed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use palisade_diagnostics::{ProjectPaths, Severity};
use palisade_engine::{PathIgnore, Profile, PssVersion, Selection, Selector, Settings, Waiver};
use palisade_policy::gatekeeper::EngineChoice;
use palisade_report::{Format, SortOrder};

use crate::error::{ConfigError, Origin};
use crate::file::{ConfigFile, FileConfig, find_config, load};
use crate::values::{FailOn, Output, RenderErrors, parse_duration, parse_fail_on, parse_size};

/// The default largest file read: 16 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 << 20;

/// How untrusted input is read, as overridden by a front door (`None`: not overridden).
#[derive(Debug, Clone, Default)]
pub struct ReadingOverrides {
    /// Longest to wait for standard input to end (`60s`, `2m`).
    pub stdin_timeout: Option<String>,
    /// Longest a renderer may run per chart or kustomization.
    pub render_timeout: Option<String>,
    /// Follow symbolic links that lead outside the scanned directories.
    pub follow_symlinks: Option<bool>,
    /// Let kustomize fetch remote bases.
    pub allow_remote_bases: Option<bool>,
}

/// What a front door sets over `palisade.toml`: its flags and `PALISADE_*` variables. Values
/// are as written (text), so that errors about them are reported like the file's.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// The paths to scan (`-` is standard input); the configuration is searched from the first
    /// that is not `-`. None means the current directory.
    pub paths: Vec<PathBuf>,
    /// The configuration file to use, instead of searching for one.
    pub config: Option<PathBuf>,
    /// Use no configuration file.
    pub no_config: bool,
    /// Output format.
    pub format: Option<String>,
    /// The file the report goes to.
    pub output: Option<PathBuf>,
    /// Reports as `FORMAT` or `FORMAT:FILE`, instead of `format` and `output`.
    pub output_format: Vec<String>,
    /// Order of the findings.
    pub sort: Option<String>,
    /// Rule set.
    pub profile: Option<String>,
    /// Only these rules.
    pub select: Vec<String>,
    /// Never these rules.
    pub ignore: Vec<String>,
    /// Failure threshold.
    pub fail_on: Option<String>,
    /// Reporting threshold.
    pub min_severity: Option<String>,
    /// Pod Security Standards version.
    pub pss_version: Option<String>,
    /// More paths to leave out.
    pub exclude: Vec<String>,
    /// Leave out explicitly named paths that match the excludes too.
    pub force_exclude: bool,
    /// Largest file to read (`16MiB`).
    pub max_file_size: Option<String>,
    /// How untrusted input is read.
    pub reading: ReadingOverrides,
    /// `error` or `warn`.
    pub render_errors: Option<String>,
    /// Apply unsafe fixes too.
    pub unsafe_fixes: Option<bool>,
    /// Honour other scanners' suppression annotations.
    pub honor_peer_suppressions: Option<bool>,
    /// A baseline whose findings are suppressed.
    pub baseline: Option<PathBuf>,
    /// Policy files and directories (replacing the file's `policies`).
    pub policies: Vec<PathBuf>,
    /// Which engines of Gatekeeper templates run.
    pub policy_engine: Option<String>,
}

impl Overrides {
    /// The paths to scan: those given, else the current directory.
    pub fn roots(&self) -> Vec<PathBuf> {
        if self.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            self.paths.clone()
        }
    }
}

/// How untrusted input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputSettings {
    /// Longest to wait for standard input (or a named pipe) to end.
    pub stdin_timeout: Duration,
    /// Longest a renderer may run per chart or kustomization.
    pub render_timeout: Duration,
    /// Follow symbolic links that lead outside the scanned directories.
    pub follow_symlinks: bool,
    /// Let kustomize fetch remote bases.
    pub allow_remote_bases: bool,
}

impl Default for InputSettings {
    fn default() -> Self {
        InputSettings {
            stdin_timeout: palisade_inputs::DEFAULT_STREAM_TIMEOUT,
            render_timeout: palisade_inputs::render::DEFAULT_RENDER_TIMEOUT,
            follow_symlinks: false,
            allow_remote_bases: false,
        }
    }
}

/// Fully resolved settings of a scan.
#[derive(Debug)]
pub struct Resolved {
    /// Engine settings.
    pub settings: Settings,
    /// The reports to write, in order: at most one to standard output (`path` unset).
    pub outputs: Vec<Output>,
    /// Order of the findings.
    pub sort: SortOrder,
    /// Failure threshold.
    pub fail_on: FailOn,
    /// Paths to leave out.
    pub excludes: Vec<String>,
    /// Leave out explicitly named paths that match `excludes` too.
    pub force_exclude: bool,
    /// Where the paths of baselines, per-path ignores, waivers and excludes are anchored: the
    /// directory of the configuration file, or the scan root.
    pub project: ProjectPaths,
    /// Largest file to read.
    pub max_file_size: u64,
    /// Time limits, symbolic links and remote bases.
    pub input: InputSettings,
    /// Whether rendering failures are input errors or warnings.
    pub render_errors: RenderErrors,
    /// The configuration file used, if any.
    pub config_path: Option<PathBuf>,
    /// Waivers from the configuration file.
    pub waivers: Vec<Waiver>,
    /// The baseline to apply, if any.
    pub baseline: Option<PathBuf>,
    /// Notes for the report (a front door adds its own, e.g. about `refused`).
    pub notes: Vec<String>,
    /// Settings of a found configuration file that were not applied.
    pub refused: Vec<Refused>,
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// What the admission webhook enforces where namespaces do not say, and who is exempt.
    pub admission: crate::admission::AdmissionSettings,
    /// The policies to load beside the built-in rules.
    pub policies: PolicySettings,
}

/// Which policies run beside the built-in rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicySettings {
    /// Files and directories, anchored (those from the file at its directory).
    pub paths: Vec<PathBuf>,
    /// Which engines of Gatekeeper templates run.
    pub engine: EngineChoice,
    /// Severities for the policies a selector names (`[policy-severity]`).
    pub severities: Vec<(String, Severity)>,
}

/// The reports a run writes: every `output-format`, else `format` to `output` or standard
/// output.
fn outputs(
    o: &Overrides,
    file: &FileConfig,
    here: &ConfigFile<'_>,
) -> Result<Vec<Output>, ConfigError> {
    if o.output_format.is_empty() {
        let format = match &o.format {
            Some(f) => here.check(f.parse::<Format>(), false, "format")?,
            None => match &file.format {
                Some(f) => here.check(f.parse::<Format>(), true, "format")?,
                None => Format::Text,
            },
        };
        return Ok(vec![Output {
            format,
            path: o.output.clone(),
        }]);
    }
    let invalid =
        |message: String| ConfigError::invalid("output-format", Origin::Override, message);
    let outputs = o
        .output_format
        .iter()
        .map(|s| Output::parse(s).map_err(invalid))
        .collect::<Result<Vec<_>, _>>()?;
    if outputs.iter().filter(|o| o.path.is_none()).count() > 1 {
        return Err(invalid(
            "at most one report can go to standard output (give the others a file: FORMAT:FILE)"
                .into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for o in &outputs {
        if let Some(path) = &o.path
            && !seen.insert(path)
        {
            return Err(invalid(format!("{} is named twice", path.display())));
        }
    }
    Ok(outputs)
}

/// A duration: the override, else the file's value (text or seconds), else `default`. An
/// error says whether the value came from the file.
fn duration_setting(
    flag: Option<&str>,
    file: Option<&toml::Value>,
    default: Duration,
) -> Result<Duration, (bool, String)> {
    match (flag, file) {
        (Some(s), _) => parse_duration(s).map_err(|e| (false, e)),
        (None, Some(toml::Value::String(s))) => parse_duration(s).map_err(|e| (true, e)),
        (None, Some(toml::Value::Integer(n))) => {
            let secs = u64::try_from(*n).ok().filter(|n| *n > 0);
            secs.map(Duration::from_secs)
                .ok_or((true, "must be more than zero".to_string()))
        }
        (None, Some(other)) => Err((
            true,
            format!("must be a duration such as \"60s\" or \"2m\", not {other}"),
        )),
        (None, None) => Ok(default),
    }
}

/// A setting of a found `palisade.toml` that was not applied: it would widen what Palisade
/// reads beyond the scanned files (links out of the tree, the network). In CI that file belongs
/// to the change being scanned, which must not be able to make the scan read the runner's
/// files or fetch from the network; such settings come from overrides or a named file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The key (`follow-symlinks`, `allow-remote-bases`).
    pub setting: &'static str,
    /// The file that asks for it.
    pub file: PathBuf,
}

/// Take the widening settings out of a found file.
fn refuse_widening(file: &mut FileConfig, path: &Path) -> Vec<Refused> {
    let mut refused = Vec::new();
    for (key, value) in [
        ("follow-symlinks", &mut file.follow_symlinks),
        ("allow-remote-bases", &mut file.allow_remote_bases),
    ] {
        if *value == Some(true) {
            *value = None;
            refused.push(Refused {
                setting: key,
                file: path.to_path_buf(),
            });
        }
    }
    refused
}

/// Resolve how input is read: override > `palisade.toml` > default. Errors about the file's
/// values name their key; `here` places them, when known.
fn reading(
    o: &ReadingOverrides,
    file: &FileConfig,
    here: &ConfigFile<'_>,
) -> Result<InputSettings, ConfigError> {
    let defaults = InputSettings::default();
    let duration = |key: &str, flag: &Option<String>, value: &Option<toml::Value>, default| {
        duration_setting(flag.as_deref(), value.as_ref(), default)
            .map_err(|(from_file, e)| ConfigError::invalid(key, here.origin(from_file, key), e))
    };
    Ok(InputSettings {
        stdin_timeout: duration(
            "stdin-timeout",
            &o.stdin_timeout,
            &file.stdin_timeout,
            defaults.stdin_timeout,
        )?,
        render_timeout: duration(
            "render-timeout",
            &o.render_timeout,
            &file.render_timeout,
            defaults.render_timeout,
        )?,
        follow_symlinks: o
            .follow_symlinks
            .or(file.follow_symlinks)
            .unwrap_or(defaults.follow_symlinks),
        allow_remote_bases: o
            .allow_remote_bases
            .or(file.allow_remote_bases)
            .unwrap_or(defaults.allow_remote_bases),
    })
}

/// How input is read by a front door that takes no configuration file (`rbac`, `netpol`):
/// override > default.
pub fn input_settings(o: &ReadingOverrides) -> Result<InputSettings, ConfigError> {
    let here = ConfigFile {
        path: None,
        text: "",
    };
    reading(o, &FileConfig::default(), &here)
}

/// Combine the overrides with the configuration file (found, named or none) and check every
/// value.
pub fn resolve(o: &Overrides) -> Result<Resolved, ConfigError> {
    let config_path = if o.no_config {
        None
    } else if let Some(explicit) = &o.config {
        Some(explicit.clone())
    } else {
        let start = o
            .paths
            .iter()
            .find(|p| p.as_os_str() != "-")
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        find_config(&start)
    };
    let (mut file, config_text) = match &config_path {
        Some(p) => load(p)?,
        None => (FileConfig::default(), String::new()),
    };
    let mut refused = Vec::new();
    if o.config.is_none()
        && let Some(path) = &config_path
    {
        refused = refuse_widening(&mut file, path);
    }
    let waiver_entries = file.waivers.take().unwrap_or_default();
    let here = ConfigFile {
        path: config_path.as_deref(),
        text: &config_text,
    };
    // A setting from its override, else the file: the value, and whether it came from the file.
    let pick = |flag: &Option<String>, file: &Option<String>| match flag {
        Some(v) => Some((v.clone(), false)),
        None => file.clone().map(|v| (v, true)),
    };
    let list = |flag: &Vec<String>, file: &Option<Vec<String>>| -> Vec<String> {
        let items = if flag.is_empty() {
            file.clone().unwrap_or_default()
        } else {
            flag.clone()
        };
        items
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    fn parsed<T, E: std::fmt::Display>(
        here: &ConfigFile<'_>,
        key: &str,
        value: Option<(String, bool)>,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ConfigError> {
        value
            .map(|(v, from_file)| here.check(parse(&v).map_err(|e| e.to_string()), from_file, key))
            .transpose()
    }

    let outputs = outputs(o, &file, &here)?;
    let sort = parsed(
        &here,
        "sort",
        pick(&o.sort, &file.sort),
        str::parse::<SortOrder>,
    )?
    .unwrap_or_default();
    let profile = parsed(
        &here,
        "profile",
        pick(&o.profile, &file.profile),
        str::parse::<Profile>,
    )?
    .unwrap_or_default();
    let pss_version = parsed(
        &here,
        "pss-version",
        pick(&o.pss_version, &file.pss_version),
        str::parse::<PssVersion>,
    )?
    .unwrap_or_default();
    let fail_on = parsed(
        &here,
        "fail-on",
        pick(&o.fail_on, &file.fail_on),
        parse_fail_on,
    )?
    .unwrap_or(FailOn::AtLeast(Severity::Low));
    let min_severity = parsed(
        &here,
        "min-severity",
        pick(&o.min_severity, &file.min_severity),
        str::parse::<Severity>,
    )?;
    let max_file_size = match (&o.max_file_size, &file.max_file_size) {
        (Some(s), _) => here.check(parse_size(s), false, "max-file-size")?,
        (None, value) => here.check(
            match value {
                Some(toml::Value::Integer(n)) => {
                    u64::try_from(*n).map_err(|_| "must be positive".to_string())
                }
                Some(toml::Value::String(s)) => parse_size(s),
                Some(other) => Err(format!("must be a size such as \"16MiB\", not {other}")),
                None => Ok(DEFAULT_MAX_FILE_SIZE),
            },
            true,
            "max-file-size",
        )?,
    };
    let input = reading(&o.reading, &file, &here)?;
    let render_errors = parsed(
        &here,
        "render-errors",
        pick(&o.render_errors, &file.render_errors),
        str::parse::<RenderErrors>,
    )?
    .unwrap_or_default();
    let mut excludes = file.exclude.clone().unwrap_or_default();
    excludes.extend(o.exclude.iter().cloned());
    let force_exclude = o.force_exclude || file.force_exclude.unwrap_or(false);

    let config_dir = config_path.as_ref().map(|p| match p.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    });
    let project = palisade_inputs::project_paths(config_dir.as_deref(), &o.roots());
    // A glob that does not compile is a configuration error, placed where it is written.
    let (_, invalid) = palisade_inputs::Excludes::new(&excludes, &project);
    if let Some((glob, e)) = invalid.first() {
        let from_file = file.exclude.iter().flatten().any(|g| g == glob);
        return Err(ConfigError::invalid(
            "exclude",
            here.origin(from_file, "exclude"),
            format!("invalid glob `{glob}`: {e}"),
        ));
    }
    let path_ignores = file
        .per_path_ignores
        .unwrap_or_default()
        .into_iter()
        .map(|(pattern, rules)| {
            let at = || Origin::File {
                place: here.place(&["per-path-ignores", &pattern], true),
            };
            let glob = globset::GlobBuilder::new(&pattern)
                .literal_separator(false)
                .build()
                .map_err(|e| {
                    ConfigError::invalid(
                        "per-path-ignores",
                        at(),
                        format!("invalid glob `{pattern}`: {e}"),
                    )
                })?
                .compile_matcher();
            let selectors: Vec<Selector> = rules.iter().map(|r| Selector::new(r)).collect();
            // Selectors are validated like `select` ones, placed at their value.
            for sel in selectors.iter().filter(|s| !s.is_policy()) {
                sel.check(palisade_rules::registry()).map_err(|e| {
                    let place = here.place(&["per-path-ignores", &pattern], false);
                    ConfigError::invalid(
                        "per-path-ignores",
                        Origin::File { place },
                        format!("`{pattern}`: {e}"),
                    )
                })?;
            }
            Ok(PathIgnore {
                pattern,
                glob,
                selectors,
            })
        })
        .collect::<Result<Vec<_>, ConfigError>>()?;

    let selection = Selection {
        profile,
        select: list(&o.select, &file.select)
            .iter()
            .map(|s| Selector::new(s))
            .collect(),
        ignore: list(&o.ignore, &file.ignore)
            .iter()
            .map(|s| Selector::new(s))
            .collect(),
        pss_version,
    };
    // Selectors written in the file are validated here, so an error names where they are
    // (overridden ones are checked when the rule set is built).
    for (key, flag, written) in [
        ("select", &o.select, &file.select),
        ("ignore", &o.ignore, &file.ignore),
    ] {
        if flag.is_empty() {
            let written = written.iter().flatten().map(|s| Selector::new(s));
            for sel in written.filter(|s| !s.is_policy()) {
                let checked = sel
                    .check(palisade_rules::registry())
                    .map_err(|e| e.to_string());
                here.check(checked, true, key)?;
            }
        }
    }
    let admission = crate::admission::resolve(file.admission.take(), profile, pss_version, &here)?;
    let policies = PolicySettings {
        paths: if o.policies.is_empty() {
            (file.policies.iter().flatten())
                .map(|p| match &config_dir {
                    Some(dir) => dir.join(p),
                    None => PathBuf::from(p),
                })
                .collect()
        } else {
            o.policies.clone()
        },
        engine: match pick(&o.policy_engine, &file.policy_engine) {
            Some((e, from_file)) => here.check(
                EngineChoice::parse(e.trim()).ok_or_else(|| {
                    format!("unknown policy engine `{e}` (expected auto, rego, cel or both)")
                }),
                from_file,
                "policy-engine",
            )?,
            None => EngineChoice::default(),
        },
        severities: (file.policy_severity.iter().flatten())
            .map(|(selector, severity)| {
                let parsed = severity.trim().parse::<Severity>().map_err(|_| {
                    format!("`{selector}`: unknown severity `{severity}` (critical, high, medium, low or info)")
                });
                here.check(parsed, true, "policy-severity")
                    .map(|s| (selector.trim().to_string(), s))
            })
            .collect::<Result<_, _>>()?,
    };
    let waivers = match &config_path {
        Some(path) => crate::waivers::build(waiver_entries, &config_text, path)?,
        None => Vec::new(),
    };
    Ok(Resolved {
        admission,
        policies,
        waivers,
        notes: Vec::new(),
        refused,
        unsafe_fixes: o.unsafe_fixes.or(file.unsafe_fixes).unwrap_or(false),
        settings: Settings {
            // Every front door that resolves a configuration reads files (or their rendering).
            input: palisade_diagnostics::Input::Manifest,
            options: file.rule_options.unwrap_or_default().into_options(),
            honor_peer_suppressions: o
                .honor_peer_suppressions
                .or(file.honor_peer_suppressions)
                .unwrap_or(false),
            selection,
            min_severity,
            path_ignores,
            project: project.clone(),
        },
        outputs,
        sort,
        fail_on,
        excludes,
        force_exclude,
        project,
        max_file_size,
        input,
        render_errors,
        config_path,
        baseline: o.baseline.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_settings_resolve_override_then_file_then_default() {
        let none = ReadingOverrides::default();
        assert_eq!(input_settings(&none).unwrap(), InputSettings::default());
        assert_eq!(
            InputSettings::default().stdin_timeout,
            Duration::from_secs(60)
        );
        assert_eq!(
            InputSettings::default().render_timeout,
            Duration::from_secs(120)
        );
        let file: FileConfig = toml::from_str(
            "stdin-timeout = \"5m\"\nrender-timeout = 30\nfollow-symlinks = true\nallow-remote-bases = true\n",
        )
        .unwrap();
        let here = ConfigFile {
            path: None,
            text: "",
        };
        let from_file = reading(&none, &file, &here).unwrap();
        assert_eq!(
            from_file,
            InputSettings {
                stdin_timeout: Duration::from_secs(300),
                render_timeout: Duration::from_secs(30),
                follow_symlinks: true,
                allow_remote_bases: true,
            }
        );
        // An override wins, including one that turns a file's opt-in off.
        let flags = ReadingOverrides {
            stdin_timeout: Some("2s".into()),
            render_timeout: None,
            follow_symlinks: Some(false),
            allow_remote_bases: Some(false),
        };
        let s = reading(&flags, &file, &here).unwrap();
        assert_eq!(s.stdin_timeout, Duration::from_secs(2));
        assert_eq!(s.render_timeout, Duration::from_secs(30));
        assert!(!s.follow_symlinks && !s.allow_remote_bases);
        let bad: FileConfig = toml::from_str("render-timeout = 0\n").unwrap();
        assert!(reading(&none, &bad, &here).is_err());
        let bad: FileConfig = toml::from_str("stdin-timeout = true\n").unwrap();
        let e = reading(&none, &bad, &here).unwrap_err();
        assert!(
            matches!(&e, ConfigError::Invalid { setting, origin: Origin::File { .. }, message }
                if setting == "stdin-timeout" && message.contains("must be a duration")),
            "{e:?}"
        );
        let e = input_settings(&ReadingOverrides {
            stdin_timeout: Some("5d".into()),
            ..ReadingOverrides::default()
        })
        .unwrap_err();
        assert!(matches!(
            e,
            ConfigError::Invalid {
                origin: Origin::Override,
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            "stdin-timeout: invalid duration unit `d` in `5d` (use ms, s, m or h)"
        );
    }

    fn in_dir(toml: &str) -> (tempfile::TempDir, Overrides) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("palisade.toml"), toml).unwrap();
        let o = Overrides {
            paths: vec![dir.path().to_path_buf()],
            ..Overrides::default()
        };
        (dir, o)
    }

    #[test]
    fn overrides_win_over_the_file_and_errors_say_where() {
        let (_dir, mut o) =
            in_dir("fail-on = \"high\"\nsort = \"rule\"\n[rule-options]\nmin-uid = 5\n");
        let r = resolve(&o).unwrap();
        assert_eq!(r.fail_on, FailOn::AtLeast(Severity::High));
        assert_eq!(r.sort, SortOrder::Rule);
        assert_eq!(
            r.settings
                .options
                .get::<palisade_rules::pod::options::PodOptions>()
                .min_uid(),
            5
        );
        o.fail_on = Some("never".into());
        assert_eq!(resolve(&o).unwrap().fail_on, FailOn::Never);
        o.fail_on = Some("severe".into());
        let e = resolve(&o).unwrap_err();
        assert!(
            matches!(&e, ConfigError::Invalid { setting, origin: Origin::Override, .. } if setting == "fail-on"),
            "{e:?}"
        );

        let (_dir, o) = in_dir("\nfail-on = \"severe\"\n");
        let e = resolve(&o).unwrap_err().to_string();
        assert!(e.contains("palisade.toml:2:11: fail-on: "), "{e}");
        let (_dir, o) = in_dir("[rule-options]\nallowed-registry = []\n");
        let e = resolve(&o).unwrap_err();
        assert!(
            matches!(&e, ConfigError::Syntax { place, message } if place.ends_with("palisade.toml:2:1") && message.starts_with("unknown field `allowed-registry`")),
            "{e:?}"
        );
    }

    #[test]
    fn waivers_have_typed_dates() {
        let (_dir, o) = in_dir(
            "[[waivers]]\nrules = [\"PSS\"]\nowner = \"a\"\nreason = \"b\"\nexpires = \"2030-02-28\"\n",
        );
        let r = resolve(&o).unwrap();
        assert_eq!(r.waivers[0].expires.unwrap().to_string(), "2030-02-28");
        let (_dir, o) = in_dir(
            "[[waivers]]\nrules = [\"PSS\"]\nowner = \"a\"\nreason = \"b\"\nexpires = \"2030-02-30\"\n",
        );
        let e = resolve(&o).unwrap_err().to_string();
        assert!(e.contains("`expires` must be a date as YYYY-MM-DD"), "{e}");
    }
}
