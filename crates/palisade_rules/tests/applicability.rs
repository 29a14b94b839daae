//! Which rules count as evaluated for a scan: the compliance summary reports a control as
//! not evaluated, rather than passed, when no rule checking it found its subject.

use palisade_engine::{RuleSet, Selection, Selector, Settings};
use palisade_source::{Limits, parse_stream};

/// The ids, among `rules`, of the rules that found an object to evaluate in `text`.
fn evaluated(rules: &[&str], text: &str) -> Vec<String> {
    let selection = Selection {
        select: rules.iter().map(|r| Selector::new(r)).collect(),
        ..Selection::default()
    };
    let set = RuleSet::new(
        palisade_rules::registry(),
        Settings {
            selection,
            ..Settings::default()
        },
    )
    .unwrap();
    let mut out: Vec<String> = Vec::new();
    for doc in parse_stream(text, &Limits::default()) {
        for id in set
            .scan_document(
                &doc.unwrap(),
                "x.yaml",
                &mut palisade_diagnostics::Interner::default(),
            )
            .evaluated
        {
            if !out.iter().any(|o| *o == id) {
                out.push(id.to_string());
            }
        }
    }
    out.sort_unstable();
    out
}

const AUTHORIZATION: &[&str] = &["CP006", "CP007", "CP008"];

fn apiserver(flag: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: kube-apiserver, namespace: kube-system}}\nspec:\n  containers:\n  - name: kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v1.35.0\n    command: [kube-apiserver, {flag}]\n"
    )
}

#[test]
fn structured_authorization_is_evaluated_only_with_its_file() {
    let config = apiserver("--authorization-config=/etc/kubernetes/authz.yaml");
    assert!(
        evaluated(AUTHORIZATION, &config).is_empty(),
        "the chain is in a file the scan does not hold"
    );
    let file = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- {type: Node, name: node}\n- {type: RBAC, name: rbac}\n";
    assert_eq!(
        evaluated(AUTHORIZATION, &format!("{config}---\n{file}")),
        AUTHORIZATION
    );
    assert_eq!(
        evaluated(AUTHORIZATION, &apiserver("--authorization-mode=Node,RBAC")),
        AUTHORIZATION
    );
    assert!(
        evaluated(
            AUTHORIZATION,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
        )
        .is_empty()
    );
}

#[test]
fn a_rule_set_runs_only_the_rules_that_declare_its_front_door() {
    use palisade_diagnostics::Input;
    let set = |input| {
        RuleSet::new(
            palisade_rules::registry(),
            Settings {
                input,
                ..Settings::default()
            },
        )
        .unwrap()
    };
    let ids = |s: &RuleSet| -> Vec<String> {
        s.enabled().iter().map(|r| r.meta.id.to_string()).collect()
    };
    let manifest = set(Input::Manifest);
    let admission = set(Input::Admission);
    // SEC009 reads a manifest's plain `stringData`, which only a file has.
    assert!(ids(&manifest).contains(&"SEC009".to_string()));
    assert!(!ids(&admission).contains(&"SEC009".to_string()));
    // Every other rule declares every front door, so the sets differ by that one rule.
    assert_eq!(ids(&manifest).len(), ids(&admission).len() + 1);
    assert!(
        admission
            .enabled()
            .iter()
            .all(|r| r.meta.inputs.contains(&Input::Admission))
    );
    // The default front door is a manifest scan.
    assert_eq!(ids(&set(Input::default())), ids(&manifest));
}
