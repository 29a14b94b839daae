//! Hostile inputs end to end: the work and the findings per object are bounded. The inputs
//! are generated here; `bench/hostile.sh` measures time and memory on larger ones.

mod common;

use common::{dir_with, palisade, run, scan_json};

fn pod_with_containers(containers: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: shop}}\nspec:\n  containers:\n{containers}"
    )
}

#[test]
fn a_pod_with_more_containers_than_the_api_server_stores_is_an_input_error() {
    let many: String = (0..10_001)
        .map(|i| format!("  - {{name: c{i}, image: nginx}}\n"))
        .collect();
    // One container written once and repeated through 40,000 aliases.
    let aliased = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: q, namespace: shop}}\nspec:\n  containers:\n  - &c {{name: c, image: nginx}}\n{}",
        "  - *c\n".repeat(40_000)
    );
    let dir = dir_with(&[
        ("many.yaml", pod_with_containers(&many).as_bytes()),
        ("aliased.yaml", aliased.as_bytes()),
        (
            "fine.yaml",
            pod_with_containers("  - {name: c, image: nginx}\n").as_bytes(),
        ),
    ]);
    let (code, json) = scan_json(dir.path(), &[]);
    assert_eq!(code, 2, "input errors");
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    for (e, (file, count)) in errors
        .iter()
        .zip([("./aliased.yaml", 40_001), ("./many.yaml", 10_001)])
    {
        assert_eq!(e["path"], file);
        assert_eq!(e["line"], 4, "at the pod spec");
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains(&format!(
                "has {count} containers, more than the API server can store"
            )),
            "{message}"
        );
    }
    // Neither refused object has findings; the other file is scanned as usual.
    let findings = json["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .all(|f| f["location"]["path"] == "./fine.yaml")
    );
    assert!(!findings.is_empty());
}

#[test]
fn findings_per_object_are_bounded_and_superseding_still_holds() {
    // 400 containers without any hardening: several findings each, far over 1,000.
    let containers: String = (0..400)
        .map(|i| format!("  - {{name: c{i}, image: nginx}}\n"))
        .collect();
    let dir = dir_with(&[("pod.yaml", pod_with_containers(&containers).as_bytes())]);
    let (_, json) = scan_json(dir.path(), &["--show-suppressed"]);
    let findings = json["findings"].as_array().unwrap();
    let limit: Vec<&serde_json::Value> =
        findings.iter().filter(|f| f["rule"] == "PAL006").collect();
    assert_eq!(limit.len(), 1, "one summary finding");
    let message = limit[0]["message"].as_str().unwrap();
    assert!(message.starts_with("Pod/shop/p has "), "{message}");
    assert!(message.contains("the first 1000 are reported"), "{message}");
    // The cross-object rules (NetworkPolicy, quotas, ServiceAccount) report the namespace
    // and pod once each, outside the per-object bound.
    let per_object = findings
        .iter()
        .filter(|f| {
            let rule = f["rule"].as_str().unwrap();
            rule.starts_with("PSS") || rule == "PAL006"
        })
        .count();
    assert_eq!(per_object, 1001, "1,000 findings and the summary");
    // What would be shown is kept first: none of the 1,000 is suppressed or superseded.
    assert!(findings.iter().all(|f| f["suppressed"] == false));
}

#[test]
fn superseding_matches_findings_by_container() {
    // Two containers: c0 has a security context, c1 none. POD012 (no security context) holds
    // for c1 alone, where the stricter PSS015 finding supersedes it; every superseded finding
    // names a shown finding of the same container.
    let dir = dir_with(&[(
        "pod.yaml",
        pod_with_containers(
            "  - {name: c0, image: nginx, securityContext: {runAsNonRoot: true}}
  - {name: c1, image: nginx}
",
        )
        .as_bytes(),
    )]);
    let (_, json) = scan_json(dir.path(), &["--show-suppressed"]);
    let superseded: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            let reason = f["suppression_reason"].as_str()?;
            let by = reason.strip_prefix("superseded by ")?.split(' ').next()?;
            Some((
                f["rule"].as_str()?.to_string(),
                f["container"].as_str().unwrap_or("").to_string(),
                by.to_string(),
            ))
        })
        .collect();
    for (rule, container, by) in &superseded {
        // The superseding finding is on the same container and shown.
        assert!(
            json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["rule"] == by.as_str()
                    && g["container"].as_str().unwrap_or("") == container
                    && g["suppressed"] == false),
            "{rule} on {container} superseded by {by}"
        );
    }
    assert!(
        superseded
            .iter()
            .any(|(rule, c, _)| rule == "POD012" && c == "c1"),
        "{superseded:?}"
    );
    assert!(
        !superseded
            .iter()
            .any(|(rule, c, _)| rule == "POD012" && c == "c0"),
        "c0 has a security context: {superseded:?}"
    );
}

#[test]
fn findings_past_the_memory_budget_come_out_whole_and_in_order() {
    // 100 Pods of 90 one-line containers: about 100,000 findings, past the 65,536 a scan keeps
    // in memory, so most wait in a temporary file. With no temporary directory to write to,
    // the same scan keeps them all in memory: both must print the same report, sorted.
    let containers: String = (0..90)
        .map(|i| format!("{{name: c{i}, image: x}},"))
        .collect();
    let pods: String = (0..100)
        .map(|j| {
            format!(
                "{{apiVersion: v1, kind: Pod, metadata: {{name: p{j}}}, spec: {{containers: [{containers}]}}}}\n---\n"
            )
        })
        .collect();
    let dir = dir_with(&[("pods.yaml", pods.as_bytes())]);
    let scan = |tmp: &std::path::Path, sort: &str| {
        let r = run(palisade()
            .current_dir(dir.path())
            .env("TMPDIR", tmp)
            .args(["scan", "--format", "compact", "--fail-on", "never"])
            .args(["--show-suppressed", "--sort", sort, "pods.yaml"]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let tmp = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-directory");
    for sort in ["path", "severity", "rule"] {
        let spilled = scan(tmp.path(), sort);
        let in_memory = scan(&missing, sort);
        let lines = spilled
            .lines()
            .filter(|l| l.starts_with("pods.yaml:"))
            .count();
        assert!(lines > 90_000, "{sort}: {lines} findings");
        assert!(spilled == in_memory, "{sort}: the reports differ");
    }
    // Sorted by file position: the lines (all on the Pods' lines) never go backwards.
    let positions: Vec<(u32, u32)> = scan(tmp.path(), "path")
        .lines()
        .filter_map(|l| {
            let mut parts = l.strip_prefix("pods.yaml:")?.split(':');
            Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
        })
        .collect();
    assert!(positions.is_sorted(), "findings out of order");
    // The temporary file is gone with the process.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
