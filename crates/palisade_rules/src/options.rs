//! The `[rule-options]` table of `palisade.toml`: every family's option keys, read in one
//! table (unknown keys are errors) and handed to the engine per family.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::audit::detect::options::AuditOptions;
use crate::image::options::ImageOptions;
use crate::node::options::NodeOptions;
use crate::pod::options::PodOptions;

/// The options of every configurable rule family, as written in `[rule-options]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Table")]
pub struct RuleOptionsTable {
    /// Image rules.
    pub image: ImageOptions,
    /// Workload rules.
    pub pod: PodOptions,
    /// Node rules.
    pub node: NodeOptions,
    /// Audit detections.
    pub audit: AuditOptions,
}

/// The table as read: each family takes its keys, what is left over is unknown.
#[derive(Deserialize)]
struct Table {
    #[serde(flatten)]
    image: ImageOptions,
    #[serde(flatten)]
    pod: PodOptions,
    #[serde(flatten)]
    node: NodeOptions,
    #[serde(flatten)]
    audit: AuditOptions,
    #[serde(flatten)]
    unknown: BTreeMap<String, serde::de::IgnoredAny>,
}

impl TryFrom<Table> for RuleOptionsTable {
    type Error = String;

    fn try_from(table: Table) -> Result<Self, String> {
        if let Some(key) = table.unknown.keys().next() {
            let known: Vec<String> = RuleOptionsTable::keys().map(|k| format!("`{k}`")).collect();
            return Err(format!(
                "unknown field `{key}`, expected one of {}",
                known.join(", ")
            ));
        }
        Ok(RuleOptionsTable {
            image: table.image,
            pod: table.pod,
            node: table.node,
            audit: table.audit,
        })
    }
}

impl RuleOptionsTable {
    /// Every key `[rule-options]` accepts.
    pub fn keys() -> impl Iterator<Item = &'static str> {
        ImageOptions::KEYS
            .iter()
            .chain(PodOptions::KEYS)
            .chain(NodeOptions::KEYS)
            .chain(AuditOptions::KEYS)
            .copied()
    }

    /// The options as the engine holds them, one value per family.
    pub fn into_options(self) -> palisade_engine::RuleOptions {
        let mut options = palisade_engine::RuleOptions::default();
        options.set(self.image);
        options.set(self.pod);
        options.set(self.node);
        options.set(self.audit);
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<RuleOptionsTable, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn families_take_their_keys() {
        let t = read(r#"{"allowed-registries": ["r.example"], "min-uid": 1000}"#).unwrap();
        assert_eq!(t.image.allowed_registries, ["r.example"]);
        assert_eq!(t.pod.min_uid, Some(1000));
        let options = t.into_options();
        assert_eq!(options.get::<PodOptions>().min_uid(), 1000);
        assert_eq!(
            options.get::<ImageOptions>().allowed_registries,
            ["r.example"]
        );
        assert_eq!(read("{}").unwrap(), RuleOptionsTable::default());
    }

    #[test]
    fn unknown_keys_are_errors_that_list_the_known_ones() {
        let e = read(r#"{"allowed-registry": []}"#).unwrap_err().to_string();
        assert!(
            e.starts_with("unknown field `allowed-registry`, expected one of `allowed-registries`"),
            "{e}"
        );
        assert!(e.contains("`min-uid`"), "{e}");
    }
}
