//! `palisade.toml` and option resolution: flag > `PALISADE_*` environment > file > default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use palisade_diagnostics::Location;
use palisade_diagnostics::{ProjectPaths, Severity};
use palisade_engine::{PathIgnore, Profile, PssVersion, Selection, Selector, Settings, Waiver};
use palisade_report::{Format, SortOrder};
use serde::Deserialize;

use crate::cli::{ReadingArgs, ScanArgs};

/// The configuration file name searched for.
pub const CONFIG_FILE: &str = "palisade.toml";

/// The default `--max-file-size`: 16 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 << 20;

/// `palisade.toml`. Every key is optional; flags and environment variables win.
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
    /// Leave out files named on the command line that match `exclude` too.
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
    /// Settings of configurable rules.
    pub rule_options: Option<RuleOptionsConfig>,
    /// Apply fixes that may change what a workload does.
    pub unsafe_fixes: Option<bool>,
    /// Honour Checkov, KubeLinter and kube-score suppression annotations.
    pub honor_peer_suppressions: Option<bool>,
}

/// `[rule-options]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleOptionsConfig {
    /// Registries images may come from (IMG003).
    pub allowed_registries: Option<Vec<String>>,
    /// Labels every workload must carry (POD017).
    pub required_labels: Option<Vec<String>>,
    /// Registries images in kube-system and kube-public may come from (POD018).
    pub system_registries: Option<Vec<String>>,
    /// The lowest user id containers may run as (POD029).
    pub min_uid: Option<i64>,
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

/// Load a configuration file; returns it with its text (for waiver line numbers). A file that
/// does not parse is an error that names `palisade.toml:LINE:COLUMN`.
pub fn load(path: &Path) -> Result<(FileConfig, String)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let config = toml::from_str(&text).map_err(|e| {
        let message = e.message().trim_end();
        let offset = unknown_key_offset(&text, message).or(e.span().map(|s| s.start));
        let place = place_at(path, &text, offset);
        anyhow::anyhow!("{place}: {message}")
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
fn place_at(path: &Path, text: &str, offset: Option<usize>) -> String {
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

/// The configuration file in use and its text: what errors about its values point into.
struct ConfigFile<'a> {
    path: Option<&'a Path>,
    text: &'a str,
}

impl ConfigFile<'_> {
    /// `palisade.toml:LINE:COLUMN` of the value at `keys` (or of its key, with `at_key`).
    fn place(&self, keys: &[&str], at_key: bool) -> String {
        match self.path {
            Some(path) => place_at(path, self.text, value_offset(self.text, keys, at_key)),
            None => CONFIG_FILE.to_string(),
        }
    }

    /// An error about a value that came from the file (not from a flag or variable) names
    /// where it is written.
    fn locate<T>(&self, result: Result<T>, from_file: bool, key: &str) -> Result<T> {
        if from_file {
            result.with_context(|| self.place(&[key], false))
        } else {
            result
        }
    }
}

/// What `--fail-on` resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Fail on findings at least this severe.
    AtLeast(Severity),
    /// Never fail on findings.
    Never,
}

/// What a chart or kustomization that cannot be rendered does to the run (`render-errors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RenderErrors {
    /// An input error: reported, and the exit code is 2.
    Error,
    /// A warning: reported, and the exit code is left to the findings. The default: rendering
    /// depends on more than the repository (vendored chart dependencies, values supplied at
    /// install time, remote bases, the tools installed), so a valid repository must not fail
    /// CI because of it, and what can be read without rendering is still scanned.
    #[default]
    Warn,
}

impl std::str::FromStr for RenderErrors {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Ok(RenderErrors::Error),
            "warn" | "warning" => Ok(RenderErrors::Warn),
            _ => bail!("render-errors must be \"error\" or \"warn\", not `{s}`"),
        }
    }
}

impl FailOn {
    /// The least severity that fails the run, if any does.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::AtLeast(min) => Some(min),
            FailOn::Never => None,
        }
    }
}

/// Fully resolved scan options.
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
    /// Leave out paths named on the command line that match `excludes` too.
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
    /// Settings of the configuration file that were not applied, and why.
    pub notes: Vec<String>,
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
}

/// One report of a run: a format, written to a file or to standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The format.
    pub format: Format,
    /// The file, or `None` for standard output.
    pub path: Option<PathBuf>,
}

impl Output {
    /// Parse `FORMAT` or `FORMAT:FILE` (`--output-format`).
    pub fn parse(spec: &str) -> Result<Output> {
        let (name, path) = match spec.split_once(':') {
            Some((name, path)) if !path.is_empty() => (name, Some(PathBuf::from(path))),
            Some((name, _)) => (name, None),
            None => (spec, None),
        };
        let format = name
            .parse::<Format>()
            .map_err(|e| anyhow::anyhow!("--output-format `{spec}`: {e}"))?;
        Ok(Output { format, path })
    }
}

/// The reports a run writes: every `--output-format`, else `--format` (or the file's
/// `format`) to `--output` or standard output.
fn outputs(args: &ScanArgs, file: &FileConfig) -> Result<Vec<Output>> {
    if args.output_format.is_empty() {
        let format = (args.format.clone())
            .or_else(|| file.format.clone())
            .map(|f| f.parse::<Format>().map_err(anyhow::Error::msg))
            .transpose()?
            .unwrap_or(Format::Text);
        return Ok(vec![Output {
            format,
            path: args.output.clone(),
        }]);
    }
    let outputs = args
        .output_format
        .iter()
        .map(|s| Output::parse(s))
        .collect::<Result<Vec<_>>>()?;
    if outputs.iter().filter(|o| o.path.is_none()).count() > 1 {
        bail!(
            "--output-format: at most one report can go to standard output (give the others a file: FORMAT:FILE)"
        );
    }
    let mut seen = std::collections::HashSet::new();
    for o in &outputs {
        if let Some(path) = &o.path
            && !seen.insert(path)
        {
            bail!("--output-format: {} is named twice", path.display());
        }
    }
    Ok(outputs)
}

/// Parse `16MiB`, `512KiB`, `1GiB`, `10MB` or a plain number of bytes.
pub fn parse_size(s: &str) -> Result<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits
        .parse()
        .with_context(|| format!("invalid size `{s}`"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        other => bail!("invalid size unit `{other}` in `{s}` (use B, KiB, MiB or GiB)"),
    };
    n.checked_mul(factor)
        .with_context(|| format!("size `{s}` is too large"))
}

/// Parse `60s`, `2m`, `1h`, `500ms`, `1m30s` or a plain number of seconds; zero is refused
/// (a limit of nothing would fail every read).
pub fn parse_duration(s: &str) -> Result<Duration> {
    let text = s.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let secs: u64 = text
            .parse()
            .with_context(|| format!("duration `{s}` is too large"))?;
        return positive(Duration::from_secs(secs), s);
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_len = rest[digits..]
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len() - digits);
        let (number, unit) = (&rest[..digits], rest[digits..digits + unit_len].trim());
        let n: u64 = number.parse().with_context(|| {
            format!("invalid duration `{s}` (write it as 30s, 2m, 1h or 500ms)")
        })?;
        let part = match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.saturating_mul(60)),
            "h" => Duration::from_secs(n.saturating_mul(3600)),
            other => bail!("invalid duration unit `{other}` in `{s}` (use ms, s, m or h)"),
        };
        total = total.saturating_add(part);
        rest = &rest[digits + unit_len..];
    }
    positive(total, s)
}

fn positive(d: Duration, s: &str) -> Result<Duration> {
    if d.is_zero() {
        bail!("duration `{s}` must be more than zero");
    }
    Ok(d)
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

/// A duration setting: the flag (or its environment variable), else the file, else `default`.
fn duration_setting(
    key: &str,
    flag: Option<&str>,
    file: Option<&toml::Value>,
    default: Duration,
) -> Result<Duration> {
    match (flag, file) {
        (Some(s), _) => parse_duration(s).with_context(|| format!("--{key}")),
        (None, Some(toml::Value::String(s))) => parse_duration(s).with_context(|| key.to_string()),
        (None, Some(toml::Value::Integer(n))) => {
            let secs = u64::try_from(*n).ok().filter(|n| *n > 0);
            secs.map(Duration::from_secs)
                .with_context(|| format!("{key} must be more than zero"))
        }
        (None, Some(other)) => {
            bail!("{key} must be a duration such as \"60s\" or \"2m\", not {other}")
        }
        (None, None) => Ok(default),
    }
}

/// Settings that widen what Palisade reads beyond the scanned files (links out of the tree,
/// the network) are not taken from a `palisade.toml` that was found rather than named: in CI
/// that file belongs to the change being scanned, which must not be able to make the scan
/// read the runner's files or fetch from the network. They come from flags, `PALISADE_*`
/// variables or `--config FILE`. Returns a note for each setting left out.
fn refuse_widening(file: &mut FileConfig, path: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    for (key, value) in [
        ("follow-symlinks", &mut file.follow_symlinks),
        ("allow-remote-bases", &mut file.allow_remote_bases),
    ] {
        if *value == Some(true) {
            *value = None;
            notes.push(format!(
                "{} asks for {key} = true, which a configuration file found in the scanned tree cannot turn on; pass --{key} or --config {}",
                path.display(),
                path.display()
            ));
        }
    }
    notes
}

/// Resolve the input settings: flag (or `PALISADE_*` variable) > `palisade.toml` > default.
pub fn input_settings(args: &ReadingArgs, file: &FileConfig) -> Result<InputSettings> {
    let defaults = InputSettings::default();
    Ok(InputSettings {
        stdin_timeout: duration_setting(
            "stdin-timeout",
            args.stdin_timeout.as_deref(),
            file.stdin_timeout.as_ref(),
            defaults.stdin_timeout,
        )?,
        render_timeout: duration_setting(
            "render-timeout",
            args.render_timeout.as_deref(),
            file.render_timeout.as_ref(),
            defaults.render_timeout,
        )?,
        follow_symlinks: args
            .follow_symlinks
            .or(file.follow_symlinks)
            .unwrap_or(defaults.follow_symlinks),
        allow_remote_bases: args
            .allow_remote_bases
            .or(file.allow_remote_bases)
            .unwrap_or(defaults.allow_remote_bases),
    })
}

/// `--fail-on`: a severity or `never`.
pub fn parse_fail_on(s: &str) -> Result<FailOn> {
    if s.eq_ignore_ascii_case("never") || s.eq_ignore_ascii_case("none") {
        return Ok(FailOn::Never);
    }
    Ok(FailOn::AtLeast(
        s.parse().map_err(|e| anyhow::anyhow!("--fail-on: {e}"))?,
    ))
}

/// Combine flags (and their environment variables) with the configuration file.
pub fn resolve(args: &ScanArgs) -> Result<Resolved> {
    let config_path = if args.no_config {
        None
    } else if let Some(explicit) = &args.config {
        Some(explicit.clone())
    } else {
        let start = args
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
    let mut notes = Vec::new();
    if args.config.is_none()
        && let Some(path) = &config_path
    {
        notes.extend(refuse_widening(&mut file, path));
    }
    let waiver_entries = file.waivers.take().unwrap_or_default();
    let here = ConfigFile {
        path: config_path.as_deref(),
        text: &config_text,
    };
    let pick = |flag: &Option<String>, file: &Option<String>| flag.clone().or_else(|| file.clone());
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

    let outputs = here.locate(
        outputs(args, &file),
        args.format.is_none() && args.output_format.is_empty(),
        "format",
    )?;
    let sort = pick(&args.sort, &file.sort)
        .map(|s| s.parse::<SortOrder>().map_err(anyhow::Error::msg))
        .transpose();
    let sort = here
        .locate(sort, args.sort.is_none(), "sort")?
        .unwrap_or_default();
    let profile = pick(&args.profile, &file.profile)
        .map(|p| p.parse::<Profile>().map_err(anyhow::Error::from))
        .transpose();
    let profile = here
        .locate(profile, args.profile.is_none(), "profile")?
        .unwrap_or_default();
    let pss_version = pick(&args.pss_version, &file.pss_version)
        .map(|v| v.parse::<PssVersion>().map_err(anyhow::Error::from))
        .transpose();
    let pss_version = here
        .locate(pss_version, args.pss_version.is_none(), "pss-version")?
        .unwrap_or_default();
    let fail_on = pick(&args.fail_on, &file.fail_on)
        .map(|s| parse_fail_on(&s))
        .transpose();
    let fail_on = here
        .locate(fail_on, args.fail_on.is_none(), "fail-on")?
        .unwrap_or(FailOn::AtLeast(Severity::Low));
    let min_severity = pick(&args.min_severity, &file.min_severity)
        .map(|s| {
            s.parse::<Severity>()
                .map_err(|e| anyhow::anyhow!("--min-severity: {e}"))
        })
        .transpose();
    let min_severity = here.locate(min_severity, args.min_severity.is_none(), "min-severity")?;
    let max_file_size = match (&args.max_file_size, &file.max_file_size) {
        (Some(s), _) => parse_size(s)?,
        (None, file_value) => here.locate(
            match file_value {
                Some(toml::Value::Integer(n)) => {
                    u64::try_from(*n).context("max-file-size must be positive")
                }
                Some(toml::Value::String(s)) => parse_size(s),
                Some(other) => Err(anyhow::anyhow!(
                    "max-file-size must be a size such as \"16MiB\", not {other}"
                )),
                None => Ok(DEFAULT_MAX_FILE_SIZE),
            },
            true,
            "max-file-size",
        )?,
    };
    // Durations written in the file are checked here, where their place is known.
    for (key, flag, value) in [
        (
            "stdin-timeout",
            &args.input.stdin_timeout,
            &file.stdin_timeout,
        ),
        (
            "render-timeout",
            &args.input.render_timeout,
            &file.render_timeout,
        ),
    ] {
        if flag.is_none() && value.is_some() {
            let checked = duration_setting(key, None, value.as_ref(), Duration::MAX);
            here.locate(checked, true, key)?;
        }
    }
    let input = input_settings(&args.input, &file)?;
    let render_errors = pick(&args.render_errors, &file.render_errors)
        .map(|s| s.parse::<RenderErrors>())
        .transpose();
    let render_errors = here
        .locate(render_errors, args.render_errors.is_none(), "render-errors")?
        .unwrap_or_default();
    let mut excludes = file.exclude.clone().unwrap_or_default();
    excludes.extend(args.exclude.iter().cloned());
    let force_exclude = args.force_exclude || file.force_exclude.unwrap_or(false);

    let config_dir = config_path.as_ref().map(|p| match p.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    });
    let project = palisade_inputs::project_paths(config_dir.as_deref(), &args.roots());
    // A glob that does not compile is a configuration error, placed where it is written.
    let (_, invalid) = palisade_inputs::Excludes::new(&excludes, &project);
    if let Some((glob, e)) = invalid.first() {
        let from_file = file.exclude.iter().flatten().any(|g| g == glob);
        here.locate(
            Err(anyhow::anyhow!("invalid exclude glob `{glob}`: {e}")),
            from_file,
            "exclude",
        )?;
    }
    let path_ignores = file
        .per_path_ignores
        .unwrap_or_default()
        .into_iter()
        .map(|(pattern, rules)| {
            let glob = globset::GlobBuilder::new(&pattern)
                .literal_separator(false)
                .build()
                .with_context(|| {
                    format!(
                        "{}: invalid per-path-ignores glob `{pattern}`",
                        here.place(&["per-path-ignores", &pattern], true)
                    )
                })?
                .compile_matcher();
            Ok(PathIgnore {
                pattern,
                glob,
                selectors: rules.iter().map(|r| Selector::new(r)).collect(),
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let selection = Selection {
        profile,
        select: list(&args.select, &file.select)
            .iter()
            .map(|s| Selector::new(s))
            .collect(),
        ignore: list(&args.ignore, &file.ignore)
            .iter()
            .map(|s| Selector::new(s))
            .collect(),
        pss_version,
    };
    // Selectors written in the file are validated here, so an error names where they are.
    for (key, flag, written) in [
        ("select", &args.select, &file.select),
        ("ignore", &args.ignore, &file.ignore),
    ] {
        if flag.is_empty() {
            for sel in written.iter().flatten().map(|s| Selector::new(s)) {
                here.locate(
                    sel.check(palisade_rules::registry())
                        .map_err(anyhow::Error::from),
                    true,
                    key,
                )?;
            }
        }
    }
    // Selectors in per-path ignores are validated like --select ones.
    for p in &path_ignores {
        for sel in &p.selectors {
            sel.check(palisade_rules::registry()).with_context(|| {
                format!(
                    "{}: per-path-ignores `{}`",
                    here.place(&["per-path-ignores", &p.pattern], false),
                    p.pattern
                )
            })?;
        }
    }
    let waivers = match &config_path {
        Some(path) => build_waivers(waiver_entries, &config_text, path)?,
        None => Vec::new(),
    };
    Ok(Resolved {
        waivers,
        notes,
        unsafe_fixes: args.unsafe_fixes.or(file.unsafe_fixes).unwrap_or(false),
        settings: Settings {
            // Every command that resolves a configuration reads files (or their rendering).
            input: palisade_diagnostics::Input::Manifest,
            options: palisade_engine::RuleOptions {
                allowed_registries: file
                    .rule_options
                    .as_ref()
                    .and_then(|o| o.allowed_registries.clone())
                    .unwrap_or_default(),
                required_labels: file
                    .rule_options
                    .as_ref()
                    .and_then(|o| o.required_labels.clone())
                    .unwrap_or_default(),
                system_registries: file
                    .rule_options
                    .as_ref()
                    .and_then(|o| o.system_registries.clone())
                    .unwrap_or_default(),
                min_uid: file.rule_options.as_ref().and_then(|o| o.min_uid),
            },
            honor_peer_suppressions: args
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
    })
}

/// The path to print for the configuration file: relative to the working directory when below it.
fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| std::fs::canonicalize(cwd).ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    relative
        .unwrap_or_else(|| path.to_path_buf())
        .to_string_lossy()
        .to_string()
}

fn glob(pattern: &str, what: &str) -> Result<globset::GlobMatcher> {
    Ok(globset::GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .with_context(|| format!("invalid {what} glob `{pattern}`"))?
        .compile_matcher())
}

/// Validate `[[waivers]]` entries: known rules, an owner and a reason, a real date.
fn build_waivers(
    entries: Vec<toml::Spanned<WaiverConfig>>,
    text: &str,
    path: &Path,
) -> Result<Vec<Waiver>> {
    let display = display_path(path);
    entries
        .into_iter()
        .enumerate()
        .map(|(i, spanned)| {
            let start = spanned.span().start;
            let line = u32::try_from(text[..start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(u32::MAX);
            let place = place_at(path, text, Some(start));
            let w = spanned.into_inner();
            let context = || format!("{place}: waiver {i}");
            if w.rules.is_empty() {
                bail!("{}: `rules` is empty", context());
            }
            for rule in &w.rules {
                Selector::new(rule)
                    .check(palisade_rules::registry())
                    .with_context(context)?;
            }
            if w.owner.trim().is_empty() || w.reason.trim().is_empty() {
                bail!("{}: `owner` and `reason` are required", context());
            }
            if let Some(date) = &w.expires {
                time::Date::parse(
                    date,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .with_context(|| {
                    format!(
                        "{}: `expires` must be a date as YYYY-MM-DD, not `{date}`",
                        context()
                    )
                })?;
            }
            Ok(Waiver {
                rules: w.rules.iter().map(|r| Selector::new(r)).collect(),
                namespace: w.namespace,
                kind: w.kind,
                name: w
                    .name
                    .as_deref()
                    .map(|n| glob(n, "waiver name"))
                    .transpose()
                    .with_context(context)?,
                path: w
                    .path
                    .as_deref()
                    .map(|p| glob(p, "waiver path"))
                    .transpose()
                    .with_context(context)?,
                owner: w.owner,
                reason: w.reason,
                expires: w.expires,
                declared_at: Location {
                    path: display.as_str().into(),
                    line,
                    column: 1,
                    end_line: line,
                    end_column: 1,
                    document: 0,
                    pointer: format!("/waivers/{i}").into(),
                    missing: false,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16MiB").unwrap(), 16 << 20);
        assert_eq!(parse_size("512 KiB").unwrap(), 512 << 10);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert_eq!(parse_size("2MB").unwrap(), 2_000_000);
        assert!(parse_size("12parsecs").is_err());
        assert!(parse_size("MiB").is_err());
    }

    #[test]
    fn durations() {
        let secs = Duration::from_secs;
        assert_eq!(parse_duration("60s").unwrap(), secs(60));
        assert_eq!(parse_duration("2m").unwrap(), secs(120));
        assert_eq!(parse_duration("1h").unwrap(), secs(3600));
        assert_eq!(parse_duration("1m30s").unwrap(), secs(90));
        assert_eq!(parse_duration(" 45 ").unwrap(), secs(45));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1 m").unwrap(), secs(60));
        for bad in ["", "0", "0s", "s", "5 parsecs", "1.5s", "-1s", "m5"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        let e = parse_duration("5d").unwrap_err().to_string();
        assert!(e.contains("use ms, s, m or h"), "{e}");
    }

    #[test]
    fn input_settings_resolve_flag_then_file_then_default() {
        let none = ReadingArgs::default();
        let empty = FileConfig::default();
        assert_eq!(
            input_settings(&none, &empty).unwrap(),
            InputSettings::default()
        );
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
        let from_file = input_settings(&none, &file).unwrap();
        assert_eq!(
            from_file,
            InputSettings {
                stdin_timeout: Duration::from_secs(300),
                render_timeout: Duration::from_secs(30),
                follow_symlinks: true,
                allow_remote_bases: true,
            }
        );
        // A flag wins, including one that turns a file's opt-in off.
        let flags = ReadingArgs {
            stdin_timeout: Some("2s".into()),
            render_timeout: None,
            follow_symlinks: Some(false),
            allow_remote_bases: Some(false),
        };
        let s = input_settings(&flags, &file).unwrap();
        assert_eq!(s.stdin_timeout, Duration::from_secs(2));
        assert_eq!(s.render_timeout, Duration::from_secs(30));
        assert!(!s.follow_symlinks && !s.allow_remote_bases);
        let bad: FileConfig = toml::from_str("render-timeout = 0\n").unwrap();
        assert!(input_settings(&none, &bad).is_err());
        let bad: FileConfig = toml::from_str("stdin-timeout = true\n").unwrap();
        let e = input_settings(&none, &bad).unwrap_err().to_string();
        assert!(e.contains("must be a duration"), "{e}");
    }

    #[test]
    fn render_errors_values() {
        assert_eq!(RenderErrors::default(), RenderErrors::Warn);
        assert_eq!(
            "error".parse::<RenderErrors>().unwrap(),
            RenderErrors::Error
        );
        assert_eq!(
            " WARN ".parse::<RenderErrors>().unwrap(),
            RenderErrors::Warn
        );
        let e = "fail".parse::<RenderErrors>().unwrap_err().to_string();
        assert!(e.contains("\"error\" or \"warn\""), "{e}");
        let file: FileConfig = toml::from_str("render-errors = \"error\"\n").unwrap();
        assert_eq!(file.render_errors.as_deref(), Some("error"));
    }

    #[test]
    fn fail_on_values() {
        assert_eq!(parse_fail_on("never").unwrap(), FailOn::Never);
        assert_eq!(
            parse_fail_on("HIGH").unwrap(),
            FailOn::AtLeast(Severity::High)
        );
        assert!(parse_fail_on("severe").is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = toml::from_str::<FileConfig>("fail_on = \"high\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let ok: FileConfig =
            toml::from_str("fail-on = \"high\"\n[per-path-ignores]\n\"legacy/**\" = [\"PSS\"]\n")
                .unwrap();
        assert_eq!(ok.per_path_ignores.unwrap()["legacy/**"], vec!["PSS"]);
    }
}
