//! `[rule-options]` keys of the image rules.

use palisade_engine::FamilyOptions;
use serde::Deserialize;

/// Options of the image rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct ImageOptions {
    /// Registries (host, or host/path prefix) images may come from; empty disables IMG003.
    pub allowed_registries: Vec<String>,
}

impl ImageOptions {
    /// The `[rule-options]` keys these options are read from.
    pub const KEYS: &[&str] = &["allowed-registries"];
}

static DEFAULTS: ImageOptions = ImageOptions {
    allowed_registries: Vec::new(),
};

impl FamilyOptions for ImageOptions {
    fn defaults() -> &'static Self {
        &DEFAULTS
    }
}
