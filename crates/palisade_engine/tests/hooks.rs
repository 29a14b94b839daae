//! Rules that are not static functions of one object: a policy compiled at run time, node
//! rules and audit rules with bounded state. They run through the same rule set, and report
//! findings in the one model.

use std::sync::Arc;

use palisade_audit::{Event, UserInfo};
use palisade_diagnostics::{
    ArcStr, Fixable, Input, Interner, Layer, RuleMeta, RuleRef, RuleStatus, Severity, Subject,
};
use palisade_engine::{
    AuditState, Ctx, Hook, ObjectPolicy, Rule, RuleHandle, RuleSet, Settings, SubjectCtx,
};
use palisade_model::Object;
use palisade_model::node::{NodeFacts, NodeFile, Process};
use palisade_source::{Limits, parse_stream};

fn meta(id: &str, severity: Severity) -> RuleMeta {
    RuleMeta {
        id: id.into(),
        name: id.to_lowercase().into(),
        title: "A rule made at run time".into(),
        severity,
        layer: Layer::Cluster,
        status: RuleStatus::Stable,
        since: "0.1.0",
        inputs: &Input::ALL,
        frameworks: Vec::new().into(),
        remediation: "Fix it.".into(),
        fixable: Fixable::No,
        superseded_by: &[],
        docs: ArcStr::new(),
    }
}

/// What a compiled policy looks like to the engine: an object with a check method (here,
/// "every object has an `owner` label").
#[derive(Debug)]
struct RequiredLabel(&'static str);

impl ObjectPolicy for RequiredLabel {
    fn check(&self, object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
        ctx.applicable();
        let labels = object.root.path(&["metadata", "labels", self.0]);
        if labels.is_none() {
            ctx.report(
                "/metadata/labels",
                format!("the object has no `{}` label", self.0),
            );
        }
    }
}

fn policy_rule() -> RuleHandle {
    RuleHandle::from(Rule {
        meta: RuleRef::loaded(meta("GK:K8sRequiredLabels/owner", Severity::Medium)),
        hook: Hook::Policy(Arc::new(RequiredLabel("owner"))),
        pss: None,
    })
}

const PODS: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {owner: team}\nspec: {containers: [{name: c, image: x}]}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec: {containers: [{name: c, image: x}]}\n";

#[test]
fn a_compiled_policy_runs_beside_the_built_in_rules_and_is_freed_on_reload() {
    let policy = policy_rule();
    let RuleHandle::Loaded(arc) = &policy else {
        panic!("a loaded rule");
    };
    let weak = Arc::downgrade(arc);
    let builtin = palisade_rules_free_registry();
    let rules =
        RuleSet::with_rules(builtin.into_iter().chain([policy]), Settings::default()).unwrap();
    let mut findings = Vec::new();
    let mut evaluated = Vec::new();
    for doc in parse_stream(PODS, &Limits::default()) {
        let report = rules.scan_document(&doc.unwrap(), "pods.yaml", &mut Interner::default());
        findings.extend(report.findings);
        evaluated.extend(report.evaluated);
    }
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f.rule.id, "GK:K8sRequiredLabels/owner");
    assert!(f.rule.is_loaded());
    assert_eq!(f.subject.display_name(), "Pod/b");
    // Resolved like a built-in rule's finding: a line in the file.
    assert_eq!(f.location.span.as_ref().unwrap().line, 10);
    assert!(
        evaluated
            .iter()
            .any(|id| id == "GK:K8sRequiredLabels/owner")
    );
    // A reload drops the rule set; the finding still names its rule until it goes too.
    drop(rules);
    assert!(
        weak.upgrade().is_none(),
        "the handle holds the rule, not its metadata"
    );
    assert_eq!(findings[0].rule.title, "A rule made at run time");
    drop(findings);
}

/// No built-in rules: the engine crate does not depend on the rule catalog.
fn palisade_rules_free_registry() -> Vec<RuleHandle> {
    Vec::new()
}

fn kubelet_anonymous(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    let Some(kubelet) = facts.process("kubelet") else {
        return;
    };
    ctx.applicable();
    if kubelet.flag("anonymous-auth") != Some("false") {
        ctx.report(
            facts.subject("/etc/systemd/system/kubelet.service.d/10-kubeadm.conf"),
            "",
            "the kubelet accepts anonymous requests (--anonymous-auth is not false)",
        );
    }
    if let Some(file) = facts.file("/etc/kubernetes/kubelet.conf")
        && !file.mode_at_most(0o600)
    {
        ctx.report_as(
            Severity::Low,
            facts.subject(&file.path),
            "",
            format!("mode {:o} is more permissive than 600", file.mode),
        );
    }
}

#[test]
fn node_rules_report_about_node_files() {
    let rules = RuleSet::with_rules(
        [RuleHandle::from(Rule {
            meta: RuleRef::loaded(meta("NODE001", Severity::High)),
            hook: Hook::Node(kubelet_anonymous),
            pss: None,
        })],
        Settings::default(),
    )
    .unwrap();
    let facts = NodeFacts {
        node: Some("worker-1".into()),
        files: vec![NodeFile {
            path: "/etc/kubernetes/kubelet.conf".into(),
            role: palisade_model::node::FileRole::KubeletKubeconfig,
            user: None,
            group: None,
            mode: 0o644,
            uid: 0,
            gid: 0,
        }],
        processes: vec![Process {
            name: "kubelet".into(),
            args: vec!["--anonymous-auth=true".into()],
        }],
        ..NodeFacts::default()
    };
    let report = rules.scan_node(&facts);
    assert_eq!(report.evaluated, vec![ArcStr::from("NODE001")]);
    assert_eq!(report.findings.len(), 2);
    assert!(report.findings.iter().all(|f| f.location.span.is_none()));
    assert!(
        matches!(&*report.findings[0].subject, Subject::NodeFile(f) if f.node.as_deref() == Some("worker-1"))
    );
    assert_eq!(report.findings[1].severity, Severity::Low);
    // A threshold leaves out what is below it.
    let strict = RuleSet::with_rules(
        rules.enabled().to_vec(),
        Settings {
            min_severity: Some(Severity::Medium),
            ..Settings::default()
        },
    )
    .unwrap();
    assert_eq!(strict.scan_node(&facts).findings.len(), 1);
}

/// Five Secret reads by one identity: an alert, once, and the identity starts over.
fn secret_burst(event: &Event, state: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    let Some(object) = &event.object_ref else {
        return;
    };
    if object.resource != "secrets" || event.verb != "get" {
        return;
    }
    ctx.applicable();
    if state.bump(&event.user.username) == 5 {
        state.forget(&event.user.username);
        ctx.report(
            Subject::AuditEvent(palisade_diagnostics::AuditEventRef {
                audit_id: event.audit_id.as_str().into(),
                user: event.user.username.as_str().into(),
                verb: event.verb.as_str().into(),
                object: None,
            }),
            "",
            format!("{} read 5 Secrets", event.user.username),
        );
    }
}

fn read_secret(user: &str, id: usize) -> Event {
    Event {
        verb: "get".into(),
        audit_id: format!("event-{id}"),
        user: UserInfo {
            username: user.into(),
            ..UserInfo::default()
        },
        object_ref: Some(palisade_audit::ObjectRef {
            resource: "secrets".into(),
            namespace: Some("shop".into()),
            name: Some(format!("s{id}")),
            ..Default::default()
        }),
        ..Event::default()
    }
}

#[test]
fn audit_rules_keep_bounded_state_across_events() {
    let rules = RuleSet::with_rules(
        [RuleHandle::from(Rule {
            meta: RuleRef::loaded(meta("AUD001", Severity::High)),
            hook: Hook::Audit(secret_burst),
            pss: None,
        })],
        Settings::default(),
    )
    .unwrap();
    let mut run = rules.audit_run();
    let mut alerts = Vec::new();
    for i in 0..12 {
        alerts.extend(run.observe(&read_secret("mallory", i)));
        alerts.extend(run.observe(&read_secret(&format!("user-{i}"), i)));
    }
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    assert_eq!(alerts[0].subject.display_name(), "event-4 (mallory get)");
    // Thousands of identities that each read once: the state stays at its capacity.
    for i in 0..(AuditState::DEFAULT_CAPACITY + 500) {
        run.observe(&read_secret(&format!("bot-{i}"), i));
    }
    let evicted = run.evicted();
    assert_eq!(evicted[0].0, "AUD001");
    assert!(evicted[0].1 >= 500);
}
