//! `palisade rules` and `palisade rule ID`: the catalog (`palisade_rules::catalog`) printed.

use anyhow::{Result, bail};
use palisade_rules::catalog::{RuleEntry, filtered, markdown, similar, table};

use crate::EXIT_CLEAN;
use crate::cli::{RuleArgs, RulesArgs};

/// `palisade rules`.
pub fn list(args: &RulesArgs) -> Result<u8> {
    let rules = filtered(
        args.profile.as_deref(),
        args.framework.as_deref(),
        args.layer.as_deref(),
    )?;
    match args.format.as_str() {
        "json" => {
            let out: Vec<RuleEntry> = rules.iter().map(|r| RuleEntry::of(r)).collect();
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        "table" => print!("{}", table(&rules)),
        other => bail!("unknown format `{other}` for `palisade rules` (expected table or json)"),
    }
    Ok(EXIT_CLEAN)
}

/// `palisade rule ID`.
pub fn show(args: &RuleArgs) -> Result<u8> {
    let Some(rule) = palisade_rules::find_rule(&args.rule) else {
        let close = similar(&args.rule);
        if close.is_empty() {
            bail!("no rule `{}` (see `palisade rules`)", args.rule);
        }
        bail!(
            "no rule `{}`; did you mean {}?",
            args.rule,
            close.join(", ")
        );
    };
    print!("{}", markdown(rule));
    Ok(EXIT_CLEAN)
}
