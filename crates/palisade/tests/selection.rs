//! Selecting rules as the peers do: framework controls and globs in `--select` / `--ignore`
//! and `palisade.toml`, `palisade rules` filters and columns, and other scanners' suppression
//! annotations honoured on request.

mod common;

use common::{dir_with, palisade, rules_of, run, scan_json};

/// Privileged, root, host network, latest tag: many rules and frameworks fire.
const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: shop
spec:
  hostNetwork: true
  hostPID: true
  containers:
  - name: a
    image: example.com/app:latest
    securityContext:
      privileged: true
";

fn selected(args: &[&str]) -> Vec<String> {
    let dir = dir_with(&[("pod.yaml", POD.as_bytes())]);
    let mut all = vec!["pod.yaml"];
    all.extend(args);
    let (code, json) = scan_json(dir.path(), &all);
    assert!(code < 2, "{args:?}: {json:#}");
    let mut rules = rules_of(&json);
    rules.sort();
    rules.dedup();
    rules
}

#[test]
fn select_takes_framework_controls_and_globs() {
    // CIS 5.2.2 and kubescape C-0057 are the privileged-container control.
    assert_eq!(selected(&["--select", "cis:5.2.2"]), ["PSS003"]);
    assert_eq!(selected(&["--select", "C-0057"]), ["PSS003"]);
    assert_eq!(selected(&["--select", "nsa:c-0057"]), ["PSS003"]);
    // MITRE T1611 (escape to host) covers privileged and host namespaces.
    let escape = selected(&["--select", "mitre:T1611"]);
    assert!(escape.contains(&"PSS003".to_string()), "{escape:?}");
    assert!(escape.iter().all(|id| !id.starts_with("IMG")), "{escape:?}");
    // A CIS section takes its controls; a control glob too.
    let section = selected(&["--select", "cis:5.2"]);
    assert!(
        section.contains(&"PSS002".to_string()) && section.contains(&"PSS003".to_string()),
        "{section:?}"
    );
    assert_eq!(selected(&["--select", "cis:5.2.*"]), section);
    // Pod Security Standards: an upstream check, or a level.
    assert_eq!(selected(&["--select", "pss:privileged"]), ["PSS003"]);
    let baseline = selected(&["--select", "pss:baseline"]);
    assert!(
        baseline.contains(&"PSS002".to_string()) && !baseline.contains(&"PSS015".to_string()),
        "{baseline:?}"
    );
    // Globs over ids and names.
    let pss = selected(&["--select", "PSS00*"]);
    assert!(
        !pss.is_empty() && pss.iter().all(|id| id.starts_with("PSS00")),
        "{pss:?}"
    );
    assert_eq!(selected(&["--select", "*privileged-c*"]), ["PSS003"]);
    // --ignore takes the same forms.
    let without = selected(&["--select", "PSS", "--ignore", "C-0057,*host-nam*"]);
    assert!(
        !without.contains(&"PSS003".to_string()) && !without.contains(&"PSS002".to_string()),
        "{without:?}"
    );
    assert!(without.contains(&"PSS015".to_string()), "{without:?}");
}

#[test]
fn palisade_toml_takes_the_same_selectors() {
    let dir = dir_with(&[
        ("pod.yaml", POD.as_bytes()),
        (
            "palisade.toml",
            b"select = [\"cis:5.2.2\", \"IMG*\"]\n[per-path-ignores]\n\"pod.yaml\" = [\"mitre:T1611\"]\n",
        ),
    ]);
    let (_, json) = scan_json(dir.path(), &["pod.yaml", "--show-suppressed"]);
    let findings = json["findings"].as_array().unwrap();
    let privileged = findings.iter().find(|f| f["rule"] == "PSS003").unwrap();
    assert_eq!(privileged["suppressed"], true, "{json:#}");
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "IMG001" && f["suppressed"] == false)
    );
    assert!(
        findings
            .iter()
            .all(|f| f["rule"] == "PSS003" || f["rule"].as_str().unwrap().starts_with("IMG"))
    );
}

#[test]
fn unknown_selectors_are_usage_errors_with_a_suggestion() {
    let dir = dir_with(&[("pod.yaml", POD.as_bytes())]);
    for (selector, hint) in [
        (
            "privileged-containr",
            "did you mean `privileged-container`?",
        ),
        ("PSS03", "did you mean `PSS003`?"),
        ("c-057", "did you mean `C-0057`?"),
        ("cis:5.22", "did you mean `cis:5.2.2`?"),
        (
            "mitre:T9999",
            "`palisade rules --framework mitre` lists the controls",
        ),
        ("owasp:K01", "unknown framework `owasp`"),
        ("NOPE*", "matches no rule"),
    ] {
        for flag in ["--select", "--ignore"] {
            let r = run(palisade()
                .current_dir(dir.path())
                .args(["scan", "pod.yaml", flag, selector]));
            assert_eq!(r.code, 2, "{selector}: {}{}", r.stdout, r.stderr);
            assert!(r.stderr.contains(hint), "{selector}: {}", r.stderr);
        }
    }
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[per-path-ignores]\n\"legacy/**\" = [\"cis:9.9.9\"]\n",
    )
    .unwrap();
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "pod.yaml"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("per-path-ignores: `legacy/**`: `cis:9.9.9` matches no rule"),
        "{}",
        r.stderr
    );
}

#[test]
fn rules_filter_by_profile_framework_and_layer() {
    let ids = |args: &[&str]| -> Vec<String> {
        let r = run(palisade().args(["rules", "--format", "json"]).args(args));
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let rules: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        rules
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let all = ids(&[]);
    let baseline = ids(&["--profile", "pss-baseline"]);
    assert!(baseline.contains(&"PSS003".to_string()));
    assert!(!baseline.contains(&"PSS015".to_string()) && !baseline.contains(&"IMG001".to_string()));
    assert!(baseline.len() < all.len());
    let cis = ids(&["--framework", "cis"]);
    assert!(cis.contains(&"PSS003".to_string()) && !cis.contains(&"IMG001".to_string()));
    assert_eq!(ids(&["--framework", "cis:5.2.2"]), ["PSS003"]);
    assert_eq!(ids(&["--framework", "C-0057"]), ["PSS003"]);
    let code = ids(&["--layer", "code"]);
    assert!(code.contains(&"SEC002".to_string()) && !code.contains(&"PSS003".to_string()));
    // Filters combine.
    assert_eq!(
        ids(&["--layer", "cloud", "--framework", "cis:5.2.2"]),
        Vec::<String>::new()
    );
    for bad in [
        &["--layer", "kernel"][..],
        &["--framework", "PSS003"],
        &["--framework", "cis:99"],
        &["--profile", "strict"],
    ] {
        let r = run(palisade().arg("rules").args(bad));
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stdout);
        assert!(!r.stderr.is_empty());
    }
}

#[test]
fn rules_show_opt_in_rules() {
    let r = run(palisade().args(["rules"]));
    let header: Vec<&str> = r
        .stdout
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["ID", "NAME", "SEVERITY", "LAYER", "FIX", "PREVIEW", "TITLE"]
    );
    let preview = |id: &str| common::rules_table_cell(&r.stdout, id, 5);
    assert_eq!(preview("POD019"), "yes");
    assert_eq!(preview("PSS003"), "-");
    let preview = |id: &str| common::rule_entry(id)["preview"].clone();
    assert_eq!(
        (preview("POD019"), preview("PSS003")),
        (true.into(), false.into())
    );
}

#[test]
fn peer_suppressions_are_honoured_only_when_asked() {
    let annotated = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    checkov.io/skip1: CKV_K8S_16=GPU driver needs it
    checkov.io/skip2: CKV_K8S_38
    ignore-check.kube-linter.io/no-read-only-root-fs: writes its cache
    kube-score/ignore: container-image-tag, pod-probes
spec:
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/web:latest
          securityContext:
            privileged: true
";
    let dir = dir_with(&[("web.yaml", annotated.as_bytes())]);
    let select = [
        "web.yaml",
        "--select",
        "PSS003,POD001,IMG001,RBAC030,PSS014",
        "--show-suppressed",
    ];
    let reasons = |json: &serde_json::Value| -> Vec<(String, Option<String>)> {
        let mut out: Vec<_> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["suppression_reason"].as_str().map(str::to_string),
                )
            })
            .collect();
        out.sort();
        out
    };
    // Off by default: every finding is reported.
    let (code, json) = scan_json(dir.path(), &select);
    assert_eq!(code, 1);
    assert!(reasons(&json).iter().all(|(_, r)| r.is_none()), "{json:#}");
    // With the flag, each peer's annotation suppresses the equivalent rule, and is the reason.
    let mut args = select.to_vec();
    args.push("--honor-peer-suppressions");
    let (code, json) = scan_json(dir.path(), &args);
    assert_eq!(code, 1, "PSS014 has no peer exception: {json:#}");
    assert_eq!(
        reasons(&json),
        [
            (
                "IMG001".to_string(),
                Some("kube-score/ignore: container-image-tag, pod-probes".to_string())
            ),
            (
                "POD001".to_string(),
                Some(
                    "ignore-check.kube-linter.io/no-read-only-root-fs: writes its cache"
                        .to_string()
                )
            ),
            (
                "PSS003".to_string(),
                Some("checkov.io/skip1: CKV_K8S_16=GPU driver needs it".to_string())
            ),
            ("PSS014".to_string(), None),
            (
                "RBAC030".to_string(),
                Some("checkov.io/skip2: CKV_K8S_38".to_string())
            ),
        ]
    );
    // palisade.toml turns it on too; the flag can turn it off again.
    std::fs::write(
        dir.path().join("palisade.toml"),
        "honor-peer-suppressions = true\n",
    )
    .unwrap();
    let (_, json) = scan_json(dir.path(), &select);
    assert_eq!(json["summary"]["suppressed"], 4, "{json:#}");
    let mut off = select.to_vec();
    off.push("--honor-peer-suppressions=false");
    let (_, json) = scan_json(dir.path(), &off);
    assert_eq!(json["summary"]["suppressed"], 0, "{json:#}");
}

#[test]
fn preview_rules_still_need_their_id() {
    // A glob or a framework control never enables an opt-in rule; its id does.
    assert!(!selected(&["--select", "POD*"]).contains(&"POD019".to_string()));
    let dir = dir_with(&[("pod.yaml", POD.as_bytes())]);
    let (_, json) = scan_json(dir.path(), &["pod.yaml", "--select", "POD019"]);
    assert_eq!(rules_of(&json), ["POD019"]);
}

#[test]
fn kube_score_ignores_on_the_pod_template_count_and_partial_peers_do_not() {
    let deployment = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    checkov.io/skip1: CKV_K8S_11=no CPU limits by design
spec:
  template:
    metadata:
      annotations:
        kube-score/ignore: container-image-tag
    spec:
      containers:
        - name: web
          image: registry.example.com/web:latest
";
    let dir = dir_with(&[("web.yaml", deployment.as_bytes())]);
    let (_, json) = scan_json(
        dir.path(),
        &[
            "web.yaml",
            "--select",
            "IMG001,POD002",
            "--honor-peer-suppressions",
            "--show-suppressed",
        ],
    );
    let suppressed = |rule: &str| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap()["suppressed"]
            .clone()
    };
    assert_eq!(suppressed("IMG001"), true, "{json:#}");
    // POD002 covers CPU and memory limits: skipping Checkov's CPU check alone keeps it.
    assert_eq!(suppressed("POD002"), false, "{json:#}");
}
