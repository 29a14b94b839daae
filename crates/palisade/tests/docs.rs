//! `docs/rules/` is generated from the rule declarations, and `docs/peer-suppressions.md` from
//! the table of other scanners' equivalent checks; this test fails when either is stale.
//! `PALISADE_BLESS=1 cargo test -p palisade --test docs` rewrites them.

use std::path::Path;

use palisade_rules::catalog::{index_markdown, markdown, peer_markdown};

#[test]
fn peer_suppression_docs_are_fresh_and_name_real_rules() {
    for e in palisade_engine::peer::EQUIVALENTS {
        for id in e.rules {
            assert!(
                palisade_rules::find_rule(id).is_some_and(|r| r.meta.id == *id),
                "{:?} {:?} maps to unknown rule {id}",
                e.peer,
                e.checks
            );
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/peer-suppressions.md");
    let expected = peer_markdown();
    if std::env::var_os("PALISADE_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    assert!(
        std::fs::read_to_string(&path).ok().as_deref() == Some(expected.as_str()),
        "docs/peer-suppressions.md is stale; run `PALISADE_BLESS=1 cargo test -p palisade --test docs`"
    );
}

#[test]
fn rule_docs_are_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let rules = palisade_rules::registry();
    let mut expected: Vec<(String, String)> = rules
        .iter()
        .map(|r| (format!("{}.md", r.meta.id), markdown(r)))
        .collect();
    expected.push(("README.md".to_string(), index_markdown(rules)));
    if std::env::var_os("PALISADE_BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        for (name, text) in &expected {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let mut stale = Vec::new();
    for (name, text) in &expected {
        if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    let extra: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    let unknown: Vec<&String> = extra
        .iter()
        .filter(|f| !expected.iter().any(|(n, _)| n == *f))
        .collect();
    assert!(
        stale.is_empty() && unknown.is_empty(),
        "docs/rules is stale: {stale:?}, unexpected files {unknown:?}; run `PALISADE_BLESS=1 cargo test -p palisade --test docs`"
    );
}
