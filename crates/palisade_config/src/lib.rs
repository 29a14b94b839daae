//! Palisade's configuration: the `palisade.toml` schema and its resolution, setting by
//! setting, as override (a flag or `PALISADE_*` variable, which the front door passes in) >
//! file > default, into typed [`Resolved`] settings with the engine's [`Settings`], the rule
//! families' options, waivers with typed dates and the baseline to apply.
//!
//! It owns no command line: front doors map their flags to [`Overrides`], and errors name
//! settings by their `palisade.toml` key ([`ConfigError`]), never a flag.
//!
//! [`Settings`]: palisade_engine::Settings
#![deny(missing_docs)]

mod admission;
mod error;
mod file;
mod resolve;
mod values;
mod waivers;

pub use admission::{AdmissionFileConfig, AdmissionSettings, Exemptions, Level, Modes};
pub use error::{ConfigError, Origin};
pub use file::{CONFIG_FILE, FileConfig, WaiverConfig, find_config, load};
pub use resolve::{
    DEFAULT_MAX_FILE_SIZE, InputSettings, Overrides, ReadingOverrides, Refused, Resolved,
    input_settings, resolve,
};
pub use values::{FailOn, Output, RenderErrors, parse_duration, parse_fail_on, parse_size};
pub use waivers::today;
