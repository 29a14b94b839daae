//! Flags to configuration: the command line's values become [`Overrides`] of `palisade.toml`
//! (resolved by `palisade_config`), and configuration errors about them name the flag.

use palisade_config::{ConfigError, InputSettings, Origin, Overrides, ReadingOverrides, Resolved};

use crate::cli::{ReadingArgs, ScanArgs};

/// The reading flags as overrides.
pub fn reading(args: &ReadingArgs) -> ReadingOverrides {
    ReadingOverrides {
        stdin_timeout: args.stdin_timeout.clone(),
        render_timeout: args.render_timeout.clone(),
        follow_symlinks: args.follow_symlinks,
        allow_remote_bases: args.allow_remote_bases,
    }
}

/// The scan flags as overrides.
pub fn overrides(args: &ScanArgs) -> Overrides {
    Overrides {
        paths: args.paths.clone(),
        config: args.config.clone(),
        no_config: args.no_config,
        format: args.format.clone(),
        output: args.output.clone(),
        output_format: args.output_format.clone(),
        sort: args.sort.clone(),
        profile: args.profile.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.clone(),
        min_severity: args.min_severity.clone(),
        pss_version: args.pss_version.clone(),
        exclude: args.exclude.clone(),
        force_exclude: args.force_exclude,
        max_file_size: args.max_file_size.clone(),
        reading: reading(&args.input),
        render_errors: args.render_errors.clone(),
        unsafe_fixes: args.unsafe_fixes,
        honor_peer_suppressions: args.honor_peer_suppressions,
        baseline: args.baseline.clone(),
        policies: args.policies.clone(),
        policy_engine: args.policy_engine.clone(),
    }
}

/// A configuration error as the command line says it: a value given as a flag (or its
/// `PALISADE_*` variable) is named by the flag.
pub fn error(e: ConfigError) -> anyhow::Error {
    match e {
        ConfigError::Invalid {
            setting,
            origin: Origin::Override,
            message,
        } => anyhow::anyhow!("--{setting}: {message}"),
        other => other.into(),
    }
}

/// Resolve the scan flags with `palisade.toml`; a note says how to turn on what a found file
/// could not.
pub fn resolve(args: &ScanArgs) -> anyhow::Result<Resolved> {
    let mut resolved = palisade_config::resolve(&overrides(args)).map_err(error)?;
    for r in &resolved.refused {
        let (key, file) = (r.setting, r.file.display());
        resolved.notes.push(format!(
            "{file} asks for {key} = true, which a configuration file found in the scanned tree cannot turn on; pass --{key} or --config {file}"
        ));
    }
    Ok(resolved)
}

/// How the reading flags say input is read (for commands without a configuration file).
pub fn input_settings(args: &ReadingArgs) -> anyhow::Result<InputSettings> {
    palisade_config::input_settings(&reading(args)).map_err(error)
}
