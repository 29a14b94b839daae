//! Every framework control a built-in rule maps to has a readable name, so compliance output
//! never shows a bare id: a new mapping without a name in `control_names` fails here.

use palisade_diagnostics::control_name;
use palisade_diagnostics::frameworks::FRAMEWORKS;

#[test]
fn every_mapped_control_has_a_name() {
    let mut missing = Vec::new();
    for fw in FRAMEWORKS {
        let mut mapped = 0;
        for rule in palisade_rules::registry() {
            for id in rule.meta.framework_ids(fw.key) {
                mapped += 1;
                if control_name(fw.key, id).is_none() {
                    missing.push(format!("{} maps {} {id}", rule.meta.id, fw.key));
                }
            }
        }
        // Every framework has rules mapped to it; none mapped would make this test vacuous.
        assert!(mapped > 0, "no rule maps to {}", fw.key);
    }
    assert!(
        missing.is_empty(),
        "controls without a name in palisade_diagnostics::control_names:\n{}",
        missing.join("\n")
    );
}
