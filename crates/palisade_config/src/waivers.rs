//! `[[waivers]]`: accepted risks, checked (known rules, an owner and a reason, a real date)
//! and placed where they are declared; and the date they expire against.

use std::path::Path;

use palisade_diagnostics::{Location, Span};
use palisade_engine::{Selector, Waiver};

use crate::error::{ConfigError, Origin};
use crate::file::{WaiverConfig, display_path, place_at};

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// Validate `[[waivers]]` entries; `text` is the file's, for their places.
pub(crate) fn build(
    entries: Vec<toml::Spanned<WaiverConfig>>,
    text: &str,
    path: &Path,
) -> Result<Vec<Waiver>, ConfigError> {
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
            let invalid = |message: String| {
                ConfigError::invalid(
                    &format!("waiver {i}"),
                    Origin::File {
                        place: place.clone(),
                    },
                    message,
                )
            };
            if w.rules.is_empty() {
                return Err(invalid("`rules` is empty".into()));
            }
            for rule in w.rules.iter().map(|r| Selector::new(r)) {
                if !rule.is_policy() {
                    rule.check(palisade_rules::registry())
                        .map_err(|e| invalid(e.to_string()))?;
                }
            }
            if w.owner.trim().is_empty() || w.reason.trim().is_empty() {
                return Err(invalid("`owner` and `reason` are required".into()));
            }
            let expires = w
                .expires
                .as_deref()
                .map(|date| {
                    time::Date::parse(date, DATE).map_err(|e| {
                        invalid(format!(
                            "`expires` must be a date as YYYY-MM-DD, not `{date}`: {e}"
                        ))
                    })
                })
                .transpose()?;
            let glob = |pattern: &str, what: &str| {
                globset::GlobBuilder::new(pattern)
                    .literal_separator(false)
                    .build()
                    .map(|g| g.compile_matcher())
                    .map_err(|e| invalid(format!("invalid {what} glob `{pattern}`: {e}")))
            };
            Ok(Waiver {
                rules: w.rules.iter().map(|r| Selector::new(r)).collect(),
                namespace: w.namespace,
                kind: w.kind,
                name: w
                    .name
                    .as_deref()
                    .map(|n| glob(n, "waiver name"))
                    .transpose()?,
                path: w
                    .path
                    .as_deref()
                    .map(|p| glob(p, "waiver path"))
                    .transpose()?,
                owner: w.owner,
                reason: w.reason,
                expires,
                declared_at: Location {
                    span: Some(Span {
                        path: display.as_str().into(),
                        line,
                        column: 1,
                        end_line: line,
                        end_column: 1,
                        document: 0,
                    }),
                    pointer: format!("/waivers/{i}").into(),
                    missing: false,
                },
            })
        })
        .collect()
}

/// Today's date (UTC), which waivers expire against; `PALISADE_TODAY` (`YYYY-MM-DD`) overrides
/// it so that runs can be reproduced.
pub fn today() -> Result<time::Date, ConfigError> {
    match std::env::var("PALISADE_TODAY") {
        Ok(date) => time::Date::parse(&date, DATE).map_err(|_| ConfigError::Environment {
            variable: "PALISADE_TODAY".into(),
            message: format!("must be YYYY-MM-DD, not `{date}`"),
        }),
        Err(_) => Ok(time::OffsetDateTime::now_utc().date()),
    }
}
