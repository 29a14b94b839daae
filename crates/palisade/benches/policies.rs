//! Policies as code, measured on real manifests: the Gatekeeper library (every template with
//! one constraint from its samples) judging every object of `../shared/corpus/`, once with the
//! Rego engine and once with CEL (the templates that carry it); then the in-process admission
//! latency with 20 library policies loaded beside the built-in catalog.
//!
//! Run with `cargo bench -p palisade --bench policies`. Target: admission p99 under 1 ms with
//! 20 policies. Without `--bench` (as `cargo test --benches` runs it) it only checks that every
//! phase works, on a few objects.
#![allow(clippy::print_stdout, clippy::print_stderr)] // A benchmark reports what it measured.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use palisade_admission::{Namespaces, Reviewer};
use palisade_config::Overrides;
use palisade_policy::gatekeeper::EngineChoice;
use palisade_policy::load::{Loaded, parse_text, read_file};
use palisade_policy::{ClusterData, LoadOptions, PolicySet, Prepared, Review};
use serde_json::{Value, json};

fn shared() -> PathBuf {
    std::env::var_os("PALISADE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Each library template with the first constraint of its samples, as files.
fn library() -> Vec<(PathBuf, PathBuf)> {
    let root = shared().join("conformance/gatekeeper-library/library");
    let mut pairs = Vec::new();
    for group in ["general", "pod-security-policy"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join(group))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("template.yaml").is_file())
            .collect();
        dirs.sort();
        for dir in dirs {
            let mut files = Vec::new();
            walk(&dir.join("samples"), &mut files);
            files.sort();
            if let Some(c) = files
                .iter()
                .find(|f| f.file_name().is_some_and(|n| n == "constraint.yaml"))
            {
                pairs.push((dir.join("template.yaml"), c.clone()));
            }
        }
    }
    pairs
}

fn load(pairs: &[(PathBuf, PathBuf)], engines: EngineChoice) -> (PolicySet, Duration) {
    let mut docs: Vec<Loaded> = Vec::new();
    for (t, c) in pairs {
        docs.extend(read_file(t).0);
        docs.extend(read_file(c).0);
    }
    let start = Instant::now();
    let set = PolicySet::from_documents(
        docs,
        LoadOptions {
            engines,
            ..LoadOptions::default()
        },
    );
    (set, start.elapsed())
}

/// Every object of the corpus's plain YAML files (Helm templates are not objects yet).
fn corpus(limit: usize) -> Vec<Value> {
    let mut files = Vec::new();
    walk(&shared().join("corpus"), &mut files);
    files.sort();
    let mut objects = Vec::new();
    for f in files {
        if !f.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        if text.contains("{{") {
            continue;
        }
        for doc in parse_text("corpus", &text).0 {
            if !doc.kind().is_empty() && !doc.api_version().is_empty() {
                objects.push(doc.value);
                if objects.len() == limit {
                    return objects;
                }
            }
        }
    }
    objects
}

fn judge_all(set: &PolicySet, objects: &[Value], label: &str) {
    let data = Arc::new(ClusterData::default());
    let policies = set.policies();
    let start = Instant::now();
    let (mut judged, mut violations, mut errors) = (0usize, 0usize, 0usize);
    let mut per_policy = vec![(Duration::ZERO, Duration::ZERO); policies.len()];
    for object in objects {
        let prepared = Prepared::new(Review::of_object(Arc::new(object.clone())), data.clone());
        for (i, p) in policies.iter().enumerate() {
            let t = Instant::now();
            let verdict = p.judge(&prepared);
            let took = t.elapsed();
            if took > Duration::from_micros(100)
                && std::env::var("PALISADE_BENCH_OBJECT")
                    .is_ok_and(|n| object["metadata"]["name"] == n.as_str())
            {
                println!("  {} {:?} on {}", p.id(), took, object["metadata"]["name"]);
            }
            per_policy[i].0 += took;
            per_policy[i].1 = per_policy[i].1.max(took);
            match verdict {
                Ok(v) => {
                    judged += 1;
                    violations += v.violations().len();
                }
                Err(_) => errors += 1,
            }
        }
    }
    let elapsed = start.elapsed();
    let per_object = elapsed.as_secs_f64() * 1e6 / objects.len().max(1) as f64;
    println!(
        "{label}: {} constraints x {} objects in {:.2} s: {:.1} µs per object ({:.2} µs per object and constraint), {:.0} objects/s; {violations} violations, {errors} evaluation errors, {judged} verdicts",
        policies.len(),
        objects.len(),
        elapsed.as_secs_f64(),
        per_object,
        per_object / policies.len().max(1) as f64,
        objects.len() as f64 / elapsed.as_secs_f64(),
    );
    let mut slowest: Vec<(usize, (Duration, Duration))> =
        per_policy.into_iter().enumerate().collect();
    slowest.sort_by_key(|(_, (total, _))| std::cmp::Reverse(*total));
    for (i, (total, max)) in slowest.into_iter().take(3) {
        println!(
            "  {}: {:.1} µs per object, at most {:?}",
            policies[i].id(),
            total.as_secs_f64() * 1e6 / objects.len().max(1) as f64,
            max
        );
    }
}

fn review_of(object: &Value) -> Vec<u8> {
    let api = object["apiVersion"].as_str().unwrap_or("v1");
    let (group, version) = api.split_once('/').unwrap_or(("", api));
    let kind = object["kind"].as_str().unwrap_or("");
    let mut request = json!({
        "uid": "6d8e2f0a-2222-4000-8000-000000000002",
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": format!("{}s", kind.to_lowercase())},
        "name": object["metadata"]["name"].as_str().unwrap_or(""),
        "operation": "CREATE",
        "userInfo": {"username": "system:serviceaccount:ci:deployer", "groups": ["system:authenticated"]},
        "object": object,
        "dryRun": false,
    });
    request["namespace"] = json!(object["metadata"]["namespace"].as_str().unwrap_or("shop"));
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})
        .to_string()
        .into_bytes()
}

fn admission(label: &str, pairs: &[(PathBuf, PathBuf)], objects: &[Value], rounds: usize) {
    let dir = tempfile::tempdir().unwrap();
    for (i, (t, c)) in pairs.iter().enumerate() {
        std::fs::copy(t, dir.path().join(format!("{i:02}-template.yaml"))).unwrap();
        std::fs::copy(c, dir.path().join(format!("{i:02}-constraint.yaml"))).unwrap();
    }
    let config = dir.path().join("palisade.toml");
    std::fs::write(
        &config,
        format!("policies = [{:?}]\n", dir.path().display().to_string()),
    )
    .unwrap();
    let resolved = palisade_config::resolve(&Overrides {
        config: Some(config),
        ..Overrides::default()
    })
    .unwrap();
    let policies = palisade_scan::load_policies(&resolved);
    assert!(policies.errors().is_empty(), "{:?}", policies.errors());
    let loaded = policies.policies().len();
    let reviewer = Reviewer::with_policies(&resolved, policies).unwrap();
    let namespaces = Namespaces::new(reviewer.admission().defaults, reviewer.default_version());
    let workloads: Vec<Vec<u8>> = objects
        .iter()
        .filter(|o| {
            matches!(
                o["kind"].as_str(),
                Some(
                    "Pod"
                        | "Deployment"
                        | "StatefulSet"
                        | "DaemonSet"
                        | "Job"
                        | "CronJob"
                        | "Service"
                        | "Ingress"
                )
            )
        })
        .map(review_of)
        .collect();
    let mut times = Vec::with_capacity(rounds * workloads.len());
    let mut denied = 0usize;
    let mut slowest: Vec<(Duration, usize)> = Vec::new();
    for _ in 0..rounds {
        for (i, body) in workloads.iter().enumerate() {
            let start = Instant::now();
            let reviewed = reviewer.review_bytes(body, &namespaces).unwrap();
            let took = start.elapsed();
            times.push(took);
            slowest.push((took, i));
            denied += usize::from(reviewed.decision == palisade_admission::Decision::Denied);
        }
    }
    if let Ok(name) = std::env::var("PALISADE_BENCH_OBJECT") {
        for (i, body) in workloads.iter().enumerate() {
            let v: Value = serde_json::from_slice(body).unwrap();
            if v["request"]["object"]["metadata"]["name"] == name.as_str() {
                let start = Instant::now();
                for _ in 0..100 {
                    reviewer.review_bytes(body, &namespaces).unwrap();
                }
                println!("  {name} (#{i}): {:?} per review", start.elapsed() / 100);
            }
        }
    }
    slowest.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
    slowest.dedup_by_key(|(_, i)| *i);
    if std::env::var_os("PALISADE_BENCH_SLOWEST").is_some() {
        for (t, i) in slowest.iter().take(8) {
            let v: Value = serde_json::from_slice(&workloads[*i]).unwrap();
            let o = &v["request"]["object"];
            println!(
                "  {t:?} {} {} ({} bytes)",
                o["kind"],
                o["metadata"]["name"],
                workloads[*i].len()
            );
        }
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "admission, {label} ({loaded} policies) and the built-in catalog: {} reviews of {} corpus workloads: p50 {:?}, p99 {:?}, p99.9 {:?}, max {:?} ({denied} denied)",
        times.len(),
        workloads.len(),
        at(0.5),
        at(0.99),
        at(0.999),
        times[times.len() - 1],
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let pairs = library();
    let objects = corpus(if full { usize::MAX } else { 40 });
    let (rego, rego_load) = load(&pairs, EngineChoice::Rego);
    assert!(
        rego.errors().is_empty() && rego.policies().len() >= 45,
        "{:?}",
        rego.errors()
    );
    let with_cel: Vec<_> = pairs
        .iter()
        .filter(|(t, _)| {
            std::fs::read_to_string(t)
                .unwrap()
                .contains("K8sNativeValidation")
        })
        .cloned()
        .collect();
    let (cel, cel_load) = load(&with_cel, EngineChoice::Cel);
    assert!(
        cel.errors().is_empty() && cel.policies().len() >= 15,
        "{:?}",
        cel.errors()
    );
    println!(
        "loaded {} Rego constraints in {:?}, {} CEL constraints in {:?}",
        rego.policies().len(),
        rego_load,
        cel.policies().len(),
        cel_load
    );
    judge_all(&rego, &objects, "rego");
    judge_all(&cel, &objects, "cel");
    // The built-in catalog alone, then with 20 policies: what the policies add. Two sets of
    // 20: Gatekeeper's pod-security bundle (CEL where the template has it, as Gatekeeper runs
    // it) with two general templates; and the first 20 general templates (Rego only, with
    // the four resource-quantity templates, the costliest of the library).
    let rounds = if full { 20 } else { 1 };
    admission("no policies", &[], &objects, rounds);
    let psp: Vec<_> = pairs
        .iter()
        .filter(|(t, _)| {
            let t = t.to_string_lossy();
            t.contains("pod-security-policy")
                || t.contains("/requiredlabels/")
                || t.contains("/allowedrepos/")
        })
        .cloned()
        .collect();
    admission("pod-security bundle", &psp, &objects, rounds);
    admission("first 20 general templates", &pairs[..20], &objects, rounds);
}
