//! Helm charts and kustomizations, rendered by the real `helm` and `kubectl`, with findings
//! mapped back to templates, values keys and resource files.

mod common;

use std::path::{Path, PathBuf};

use common::{palisade, run, tool};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/render")
}

/// `palisade scan --format json` with the installed tools, from `dir`.
fn scan(dir: &Path, args: &[&str]) -> (i32, Value) {
    let r = run(palisade()
        .current_dir(dir)
        .env("PALISADE_HELM", tool("helm"))
        .env("PALISADE_KUBECTL", tool("kubectl"))
        .args(["scan", "--format", "json"])
        .args(args));
    let json = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    (r.code, json)
}

fn findings(json: &Value) -> Vec<&Value> {
    json["findings"].as_array().unwrap().iter().collect()
}

fn find<'a>(json: &'a Value, rule: &str) -> Option<&'a Value> {
    findings(json).into_iter().find(|f| f["rule"] == rule)
}

fn at(f: &Value) -> (String, u64) {
    (
        f["location"]["path"].as_str().unwrap().to_string(),
        f["location"]["line"].as_u64().unwrap(),
    )
}

#[test]
fn helm_findings_point_at_the_template_and_the_values_key() {
    let (code, json) = scan(&fixtures(), &["web"]);
    assert_eq!(code, 1, "{json:#}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
    let privileged = find(&json, "PSS003").expect("privileged container found");
    assert_eq!(at(privileged), ("web/templates/deployment.yaml".into(), 27));
    let origin = &privileged["origin"];
    assert_eq!(origin["renderer"], "helm");
    assert_eq!(origin["source"], "web");
    assert_eq!(origin["exact"], false);
    assert_eq!(
        origin["values"],
        serde_json::json!(["securityContext.privileged"])
    );
    let latest = find(&json, "IMG001").expect("latest tag found");
    assert_eq!(at(latest), ("web/templates/deployment.yaml".into(), 26));
    assert_eq!(latest["origin"]["exact"], true);
    assert_eq!(
        latest["origin"]["values"],
        serde_json::json!(["image.repository", "image.tag"])
    );
    // Pod-level context comes from a `with` block: no runAsNonRoot finding, and nothing in
    // the default namespace is reported for a chart rendered without --namespace.
    assert!(find(&json, "PSS015").is_none(), "{json:#}");
    assert!(find(&json, "POD014").is_none(), "{json:#}");
    // The same names work as values overrides, as with `helm template`.
    let (_, json) = scan(
        &fixtures(),
        &[
            "web",
            "--set",
            "securityContext.privileged=false",
            "--set-string",
            "image.tag=1.27.2",
        ],
    );
    assert!(find(&json, "PSS003").is_none(), "{json:#}");
    assert!(find(&json, "IMG001").is_none(), "{json:#}");
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("host.yaml");
    std::fs::write(&values, "hostNetwork: true\n").unwrap();
    let (_, json) = scan(&fixtures(), &["web", "--values", values.to_str().unwrap()]);
    let host = find(&json, "PSS002").expect("hostNetwork from the values file");
    assert_eq!(at(host), ("web/templates/deployment.yaml".into(), 19));
    assert_eq!(host["origin"]["values"], serde_json::json!(["hostNetwork"]));
}

#[test]
fn helm_text_output_shows_the_template_line_and_values_key() {
    let r = run(palisade()
        .current_dir(fixtures())
        .env("PALISADE_HELM", tool("helm"))
        .args(["scan", "web", "--select", "PSS003"]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("--> web/templates/deployment.yaml:27:11"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("securityContext:"),
        "snippet from the template: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("rendered by helm from web")
            && r.stdout.contains("`securityContext.privileged`"),
        "{}",
        r.stdout
    );
}

#[test]
fn packaged_charts_render_and_map_into_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(tool("helm"))
        .args(["package", fixtures().join("web").to_str().unwrap(), "-d"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, json) = scan(dir.path(), &["web-1.2.0.tgz"]);
    assert_eq!(code, 1, "{json:#}");
    let privileged = find(&json, "PSS003").unwrap();
    assert_eq!(
        at(privileged),
        ("web-1.2.0.tgz!/web/templates/deployment.yaml".into(), 27)
    );
}

#[test]
fn charts_found_in_a_walk_are_rendered_once_with_their_subcharts() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("apps/web");
    copy_dir(&fixtures().join("web"), &chart);
    copy_dir(&fixtures().join("web"), &chart.join("charts/sidecar"));
    let sub = chart.join("charts/sidecar/Chart.yaml");
    let text = std::fs::read_to_string(&sub)
        .unwrap()
        .replace("name: web", "name: sidecar");
    std::fs::write(sub, text).unwrap();
    let (_, json) = scan(dir.path(), &["--select", "PSS003"]);
    let mut paths: Vec<(String, u64)> = findings(&json).into_iter().map(at).collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            (
                "./apps/web/charts/sidecar/templates/deployment.yaml".into(),
                27
            ),
            ("./apps/web/templates/deployment.yaml".into(), 27),
        ],
        "{json:#}"
    );
    assert_eq!(json["summary"]["skipped_templates"], 0);
}

/// A privileged Pod, as plain YAML.
const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\n  namespace: ops\nspec:\n  containers:\n    - name: debug\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n";

#[test]
fn a_missing_tool_is_reported_once_per_run() {
    let empty = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for chart in ["a", "b", "c"] {
        copy_dir(
            &fixtures().join("web"),
            &dir.path().join("charts").join(chart),
        );
    }
    for k in ["one", "two"] {
        copy_dir(
            &fixtures().join("kustomize/base"),
            &dir.path().join("kustomize").join(k),
        );
    }
    let r = run(palisade()
        .current_dir(dir.path())
        .env("PATH", empty.path())
        .args(["scan", "--format", "json", "--select", "PSS015"]));
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    // Warnings by default: the kustomizations' resources are still scanned (PSS015 findings).
    assert_eq!(r.code, 1, "{json:#}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
    let warnings = json["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "one per missing tool: {json:#}");
    assert_eq!(json["summary"]["warnings"], 2);
    let helm = warnings
        .iter()
        .find(|w| w["message"].as_str().unwrap().contains("`helm`"))
        .unwrap();
    let message = helm["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "3 Helm charts not rendered (./charts/a, ./charts/b, ./charts/c): `helm` was not found on PATH"
        ),
        "{message}"
    );
    assert!(
        message.contains("https://helm.sh/docs/intro/install/")
            && message.contains("set PALISADE_HELM to the binary, or scan without rendering"),
        "{message}"
    );
    let kubectl = warnings
        .iter()
        .find(|w| w["message"].as_str().unwrap().contains("`kubectl`"))
        .unwrap();
    assert!(
        kubectl["message"]
            .as_str()
            .unwrap()
            .starts_with("2 kustomizations not rendered (./kustomize/one, ./kustomize/two): `kubectl` was not found on PATH"),
        "{kubectl}"
    );
    assert_eq!(
        findings(&json)
            .iter()
            .filter(|f| at(f).0.starts_with("./kustomize/"))
            .count(),
        2,
        "{json:#}"
    );
    // A configured binary that does not exist is one error too, and --render-errors=error
    // makes it fail the run.
    let r = run(palisade()
        .current_dir(dir.path())
        .env("PALISADE_HELM", "/nonexistent/helm")
        .env("PALISADE_KUBECTL", tool("kubectl"))
        .args([
            "scan",
            "charts",
            "--format",
            "json",
            "--render-errors",
            "error",
        ]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json:#}");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("`/nonexistent/helm` does not exist"),
        "{json:#}"
    );
    // --no-render: templates are skipped as before, and nothing is missing.
    let r = run(palisade()
        .current_dir(fixtures())
        .env("PATH", empty.path())
        .args(["scan", "--no-render", "web"]));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("skipped 1 Helm template file"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_chart_without_its_dependencies_is_reported_once_and_its_plain_files_are_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    copy_dir(&fixtures().join("web"), &app);
    let chart = app.join("Chart.yaml");
    let mut text = std::fs::read_to_string(&chart).unwrap();
    text.push_str("dependencies:\n  - name: common\n    version: 2.x.x\n    repository: oci://registry.example.com/charts\n");
    std::fs::write(&chart, text).unwrap();
    // Plain YAML in the chart: a CRD, and a template without template actions.
    std::fs::create_dir_all(app.join("crds")).unwrap();
    std::fs::write(
        app.join("crds/widgets.yaml"),
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n",
    )
    .unwrap();
    std::fs::write(app.join("templates/debug-pod.yaml"), PRIVILEGED_POD).unwrap();
    // And a library chart, which renders nothing.
    std::fs::create_dir_all(dir.path().join("lib/templates")).unwrap();
    std::fs::write(
        dir.path().join("lib/Chart.yaml"),
        "apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("lib/templates/_x.tpl"),
        "{{- define \"x\" }}{{- end }}\n",
    )
    .unwrap();
    let (code, json) = scan(dir.path(), &[]);
    assert_eq!(code, 1, "the plain template's finding: {json:#}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
    let warnings = json["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{json:#}");
    assert_eq!(warnings[0]["path"], "./app");
    assert_eq!(
        warnings[0]["message"],
        "the chart's dependencies are not vendored: common (listed in Chart.yaml, missing from charts/); run `helm dependency build ./app` and scan again; its plain YAML (2 files in crds/ or templates/ without `{{`) was scanned on its own"
    );
    // The plain template is scanned as a file; the real template is not.
    let privileged = find(&json, "PSS003").expect("privileged pod in the plain template");
    assert_eq!(
        at(privileged),
        ("./app/templates/debug-pod.yaml".into(), 11)
    );
    assert!(privileged.get("origin").is_none());
    assert!(
        findings(&json)
            .iter()
            .all(|f| at(f).0 == "./app/templates/debug-pod.yaml"),
        "{json:#}"
    );
    assert_eq!(json["summary"]["files"], 2, "{json:#}");
    let notes = json["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("library chart ./lib")),
        "{json:#}"
    );
    // With render-errors = "error" in palisade.toml the same chart fails the run.
    std::fs::write(
        dir.path().join("palisade.toml"),
        "render-errors = \"error\"\n",
    )
    .unwrap();
    let (code, json) = scan(dir.path(), &[]);
    assert_eq!(code, 2, "{json:#}");
    assert_eq!(json["errors"].as_array().unwrap().len(), 1, "{json:#}");
    assert!(json["warnings"].as_array().unwrap().is_empty(), "{json:#}");
}

#[test]
fn kustomize_findings_point_at_the_patch_or_the_resource() {
    let root = fixtures().join("kustomize");
    let (code, json) = scan(&root, &["prod"]);
    assert_eq!(code, 1, "{json:#}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
    // The overlay's patch wrote `privileged: true`.
    let privileged = find(&json, "PSS003").expect("privileged from the patch");
    assert_eq!(at(privileged), ("prod/debug-patch.yaml".into(), 12));
    assert_eq!(privileged["object"]["name"], "prod-api", "the built name");
    assert_eq!(privileged["origin"]["renderer"], "kustomize");
    assert_eq!(privileged["origin"]["source"], "prod");
    assert_eq!(privileged["origin"]["exact"], true);
    // A field missing from the built object points into the base resource.
    let non_root = find(&json, "PSS015").expect("runAsNonRoot missing");
    assert_eq!(at(non_root).0, "base/deployment.yaml");
    assert_eq!(non_root["origin"]["exact"], true);

    // Scanning the tree builds both kustomizations and never scans their files on their own;
    // the base's finding, built by both, is reported once, naming the overlay.
    let (_, json) = scan(&root, &["--select", "PSS003,PSS015"]);
    let mut seen: Vec<(String, String, String, Value)> = findings(&json)
        .into_iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["object"]["name"].as_str().unwrap().to_string(),
                at(f).0,
                f["origin"]["also_in"].clone(),
            )
        })
        .collect();
    seen.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
    assert_eq!(
        seen,
        vec![
            (
                "PSS003".into(),
                "prod-api".into(),
                "./prod/debug-patch.yaml".into(),
                Value::Null
            ),
            (
                "PSS015".into(),
                "api".into(),
                "./base/deployment.yaml".into(),
                serde_json::json!(["./prod"])
            ),
        ],
        "{json:#}"
    );
}

#[test]
fn a_kustomization_that_does_not_build_is_reported_and_its_resources_are_still_scanned() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("kustomize/base"), dir.path());
    let k = dir.path().join("kustomization.yaml");
    std::fs::write(
        &k,
        "resources:\n  - deployment.yaml\n  - missing.yaml\npatches:\n  - path: patch.yaml\n",
    )
    .unwrap();
    // A patch is a partial object: scanned on its own it would only report what it leaves out.
    std::fs::write(
        dir.path().join("patch.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: partial\nspec:\n  containers:\n    - name: x\n      image: x:1\n",
    )
    .unwrap();
    // A warning by default: the exit code comes from the findings.
    let (code, json) = scan(dir.path(), &["--select", "PSS015"]);
    assert_eq!(code, 1, "{json:#}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
    assert_eq!(json["warnings"].as_array().unwrap().len(), 1, "{json:#}");
    // The flag wins over the environment, which wins over palisade.toml.
    std::fs::write(
        dir.path().join("palisade.toml"),
        "render-errors = \"warn\"\n",
    )
    .unwrap();
    let r = run(palisade()
        .current_dir(dir.path())
        .env("PALISADE_KUBECTL", tool("kubectl"))
        .env("PALISADE_RENDER_ERRORS", "error")
        .args(["scan", "--format", "json", "--select", "PSS015"]));
    assert_eq!(r.code, 2, "{}", r.stdout);
    let r = run(palisade()
        .current_dir(dir.path())
        .env("PALISADE_KUBECTL", tool("kubectl"))
        .env("PALISADE_RENDER_ERRORS", "error")
        .args(["scan", "--format", "json", "--select", "PSS015"])
        .args(["--render-errors", "warn"]));
    assert_eq!(r.code, 1, "{}", r.stdout);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "--render-errors", "sometimes"]));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("--render-errors: must be \"error\" or \"warn\""),
        "{}",
        r.stderr
    );
    std::fs::remove_file(dir.path().join("palisade.toml")).unwrap();
    let (code, json) = scan(
        dir.path(),
        &["--select", "PSS015", "--render-errors", "error"],
    );
    assert_eq!(code, 2, "{json:#}");
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json:#}");
    assert_eq!(errors[0]["path"], "./kustomization.yaml");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("missing.yaml"),
        "{json:#}"
    );
    assert_eq!(
        findings(&json).len(),
        1,
        "the resource is scanned as a plain file, the patch is not: {json:#}"
    );
    assert_eq!(at(findings(&json)[0]).0, "./deployment.yaml");
    assert!(findings(&json)[0].get("origin").is_none());
}

/// A layout like Google's microservices-demo: a base, Kustomize components (one with a
/// resource and a patch, one that no overlay uses) and two overlays that include a component.
fn components_layout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_dir(&fixtures().join("kustomize/base"), &root.join("base"));
    let files = [
        (
            "components/debug/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - debug-pod.yaml\npatches:\n  - path: privileged.yaml\n",
        ),
        ("components/debug/debug-pod.yaml", PRIVILEGED_POD),
        (
            "components/debug/privileged.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          securityContext:\n            privileged: true\n",
        ),
        (
            "components/unused/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - host-pod.yaml\npatchesStrategicMerge:\n  - partial.yaml\n",
        ),
        (
            "components/unused/host-pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: host\n  namespace: ops\nspec:\n  hostNetwork: true\n  containers:\n    - name: host\n      image: busybox:1.36\n",
        ),
        (
            "components/unused/partial.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: other\nspec:\n  containers:\n    - name: x\n      image: x:latest\n",
        ),
        (
            "overlays/staging/kustomization.yaml",
            "resources:\n  - ../../base\ncomponents:\n  - ../../components/debug\n",
        ),
        (
            "overlays/prod/kustomization.yaml",
            "namePrefix: prod-\nresources:\n  - ../../base\ncomponents:\n  - ../../components/debug\n",
        ),
    ];
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

#[test]
fn kustomize_components_are_built_only_through_the_overlays_that_include_them() {
    let dir = components_layout();
    let (code, json) = scan(dir.path(), &[]);
    assert_eq!(code, 1, "{json:#}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
    assert!(json["warnings"].as_array().unwrap().is_empty(), "{json:#}");
    let notes: Vec<&str> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes.iter().any(|n| n.starts_with(
            "did not build 2 Kustomize components on their own (./components/debug, ./components/unused)"
        )),
        "{notes:?}"
    );
    let paths: std::collections::BTreeSet<String> =
        findings(&json).into_iter().map(|f| at(f).0).collect();
    // Patches are never scanned on their own, whether an overlay uses them or not.
    assert!(
        !paths.contains("./components/unused/partial.yaml"),
        "{paths:?}"
    );
    // The patch and the resource of the component the overlays include are mapped back, once.
    let privileged: Vec<&Value> = findings(&json)
        .into_iter()
        .filter(|f| f["rule"] == "PSS003")
        .collect();
    let mut places: Vec<(String, u64)> = privileged.iter().map(|f| at(f)).collect();
    places.sort();
    assert_eq!(
        places,
        vec![
            ("./components/debug/debug-pod.yaml".into(), 11),
            ("./components/debug/privileged.yaml".into(), 12),
        ],
        "{json:#}"
    );
    for f in &privileged {
        assert_eq!(f["origin"]["renderer"], "kustomize");
        assert_eq!(f["origin"]["source"], "./overlays/prod", "{f:#}");
        assert_eq!(
            f["origin"]["also_in"],
            serde_json::json!(["./overlays/staging"])
        );
    }
    // The resource of the component no overlay uses is scanned as a plain file.
    let host = find(&json, "PSS002").expect("hostNetwork in the unused component's resource");
    assert_eq!(at(host).0, "./components/unused/host-pod.yaml");
    assert!(host.get("origin").is_none());
    // A base finding: reported once, at the base, naming both overlays.
    let non_root: Vec<&Value> = findings(&json)
        .into_iter()
        .filter(|f| f["rule"] == "PSS015" && at(f).0 == "./base/deployment.yaml")
        .collect();
    assert_eq!(non_root.len(), 1, "{json:#}");
    assert_eq!(non_root[0]["origin"]["source"], "./base");
    assert_eq!(non_root[0]["object"]["name"], "api");
    assert_eq!(
        non_root[0]["origin"]["also_in"],
        serde_json::json!(["./overlays/prod", "./overlays/staging"])
    );

    // Named on its own, a component is not built and its patch is not scanned.
    let (code, json) = scan(dir.path(), &["components/unused"]);
    assert_eq!(code, 1, "{json:#}");
    let paths: Vec<String> = findings(&json).into_iter().map(|f| at(f).0).collect();
    assert!(
        paths.iter().all(|p| p == "components/unused/host-pod.yaml"),
        "{paths:?}"
    );
}

#[test]
fn base_findings_name_their_overlays_in_text_and_sarif() {
    let dir = components_layout();
    let r = run(palisade()
        .current_dir(dir.path())
        .env("PALISADE_KUBECTL", tool("kubectl"))
        .args(["scan", "base", "overlays", "--select", "PSS015"]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout.matches("--> base/deployment.yaml:").count(),
        1,
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "rendered by kustomize from base; also in overlays: overlays/prod, overlays/staging"
        ),
        "{}",
        r.stdout
    );
    let r = run(palisade()
        .current_dir(dir.path())
        .env("PALISADE_KUBECTL", tool("kubectl"))
        .args([
            "scan", "base", "overlays", "--select", "PSS015", "--format", "sarif",
        ]));
    let sarif: Value = serde_json::from_str(&r.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let base: Vec<&Value> = results
        .iter()
        .filter(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("base/deployment.yaml")
        })
        .collect();
    assert_eq!(base.len(), 1, "{sarif:#}");
    assert_eq!(
        base[0]["properties"]["origin"]["also_in"],
        serde_json::json!(["overlays/prod", "overlays/staging"])
    );
}

#[test]
fn corpus_charts_render_and_map_to_existing_templates() {
    let shared = std::env::var_os("PALISADE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let helm = shared.join("corpus/helm");
    assert!(helm.is_dir(), "corpus not found at {}", helm.display());
    let charts = [
        "ingress-nginx/ingress-nginx",
        "prometheus-community/prometheus-node-exporter",
        "prometheus-community/kube-state-metrics",
        "metrics-server/metrics-server",
        "microservices-demo/helm-chart",
        "grafana-community/grafana",
        "istio/gateway",
        "argo-helm/argo-rollouts",
    ];
    let (code, json) = scan(&helm, &charts);
    assert_eq!(code, 1, "{json:#}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
    let all = findings(&json);
    assert!(all.len() > 100, "{}", all.len());
    for f in &all {
        let (path, line) = at(f);
        let text =
            std::fs::read_to_string(helm.join(&path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(line as usize <= text.lines().count(), "{path}:{line}");
        assert_eq!(f["origin"]["renderer"], "helm");
    }
    // node-exporter runs on the host network because its values say so.
    let host = all
        .iter()
        .find(|f| f["rule"] == "PSS002" && at(f).0.contains("node-exporter"))
        .expect("node-exporter shares the host network");
    assert_eq!(host["origin"]["values"], serde_json::json!(["hostNetwork"]));
    let (path, line) = at(host);
    let text = std::fs::read_to_string(helm.join(path)).unwrap();
    assert!(
        text.lines()
            .nth(line as usize - 1)
            .unwrap()
            .trim_start()
            .starts_with("hostNetwork:"),
        "{line}"
    );

    // A chart whose dependency is vendored into charts/ renders with it.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&helm.join("bitnami/nginx"), &dir.path().join("nginx"));
    copy_dir(
        &helm.join("bitnami/common"),
        &dir.path().join("nginx/charts/common"),
    );
    let (code, json) = scan(dir.path(), &["nginx"]);
    assert_eq!(code, 1, "{json:#}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
    assert!(
        findings(&json)
            .iter()
            .all(|f| at(f).0.starts_with("nginx/templates/"))
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_whole_corpus_scans_with_rendering_and_every_finding_points_into_a_file() {
    let shared = std::env::var_os("PALISADE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let corpus = shared.join("corpus");
    let (code, json) = scan(&corpus, &["."]);
    // With the default settings the corpus scans without input errors. Offline, some charts
    // lack their dependencies and some kustomizations name files the corpus does not ship;
    // those with remote bases (flux2, argo) are refused before kubectl runs. Those are the
    // only warnings, and Kustomize components are not among them.
    assert_eq!(code, 1, "{}", json["summary"]);
    assert!(
        json["errors"].as_array().unwrap().is_empty(),
        "{:#}",
        json["errors"]
    );
    let (mut refused, mut unvendored) = (0, 0);
    for w in json["warnings"].as_array().unwrap() {
        let message = w["message"].as_str().unwrap();
        refused += usize::from(
            message.starts_with("refusing to build a kustomization with remote references:"),
        );
        unvendored +=
            usize::from(message.starts_with("the chart's dependencies are not vendored:"));
        assert!(
            message.starts_with("`helm template` failed:")
                || message.starts_with("`kubectl kustomize` failed:")
                || message.starts_with("the chart's dependencies are not vendored:")
                || message.contains("names `https://github.com/"),
            "{w}"
        );
        assert!(
            !message.contains("no resource matches strategic merge patch"),
            "a component built on its own: {w}"
        );
    }
    assert!(refused > 0, "the corpus has remote bases");
    assert!(
        unvendored > 30,
        "the corpus has charts without their dependencies"
    );
    assert!(
        findings(&json).iter().all(|f| at(f).0
            != "./metrics-server/manifests/components/high-availability/patch.yaml"
            || f["origin"]["renderer"] == "kustomize"),
        "a component's patch is never scanned on its own, only mapped to from a build"
    );
    assert!(json["summary"]["files"].as_u64().unwrap() > 1000);
    assert!(json["summary"]["objects"].as_u64().unwrap() > 3000);
    let mut lines: std::collections::HashMap<String, usize> = Default::default();
    let mut rendered = (0, 0);
    for f in findings(&json) {
        let (path, line) = at(f);
        match f["origin"]["renderer"].as_str() {
            Some("helm") => rendered.0 += 1,
            Some("kustomize") => rendered.1 += 1,
            _ => {}
        }
        let count = *lines.entry(path.clone()).or_insert_with(|| {
            let text = std::fs::read_to_string(corpus.join(&path))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            text.lines().count()
        });
        assert!(line >= 1 && line as usize <= count, "{path}:{line}");
    }
    assert!(rendered.0 > 100 && rendered.1 > 100, "{rendered:?}");
}

#[test]
fn tool_errors_never_show_secret_values() {
    const SECRET: &str = "hunter2-TOPSECRET";
    // kubectl quotes a malformed generator literal in its error.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        format!("secretGenerator:\n- name: db\n  literals:\n  - password:{SECRET}\n"),
    )
    .unwrap();
    // A chart whose `fail` message is built from a value given with --set.
    let chart = dir.path().join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/x.yaml"),
        "{{ fail (printf \"bad password %s\" .Values.db.password) }}\n",
    )
    .unwrap();
    for (format, mode, code) in [
        ("json", "error", 2),
        ("text", "error", 2),
        ("sarif", "error", 2),
        ("json", "warn", 0),
        ("text", "warn", 0),
        ("sarif", "warn", 0),
    ] {
        let r = run(palisade()
            .current_dir(dir.path())
            .env("PALISADE_HELM", tool("helm"))
            .env("PALISADE_KUBECTL", tool("kubectl"))
            .args([
                "scan",
                ".",
                "--format",
                format,
                "--render-errors",
                mode,
                "--set",
            ])
            .arg(format!("db.password={SECRET}")));
        assert_eq!(r.code, code, "{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("****"), "{}", r.stdout);
        assert!(
            !r.stdout.contains(SECRET) && !r.stderr.contains(SECRET),
            "{}{}",
            r.stdout,
            r.stderr
        );
    }
}

/// A base with a privileged Deployment and two overlays that place it in `dev` and `prod`.
fn namespaced_overlays() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("base/kustomization.yaml", "resources:\n- deploy.yaml\n"),
        (
            "base/deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n        securityContext:\n          privileged: true\n",
        ),
        (
            "overlays/dev/kustomization.yaml",
            "resources:\n- ../../base\nnamespace: dev\n",
        ),
        (
            "overlays/prod/kustomization.yaml",
            "resources:\n- ../../base\nnamespace: prod\n",
        ),
    ];
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

#[test]
fn waivers_and_baselines_judge_each_overlay_whether_or_not_its_base_is_scanned_too() {
    let dir = namespaced_overlays();
    let privileged = |json: &Value| -> Vec<(Value, bool)> {
        findings(json)
            .into_iter()
            .filter(|f| f["rule"] == "PSS003")
            .map(|f| {
                (
                    f["object"]["namespace"].clone(),
                    f.get("suppressed").is_some_and(|s| s == true),
                )
            })
            .collect()
    };
    // A waiver for prod only: the prod copy is suppressed whether prod is scanned alone or
    // with everything, and the waiver is used either way.
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[[waivers]]\nrules = [\"PSS003\"]\nnamespace = \"prod\"\nowner = \"ops@example.com\"\nreason = \"accepted\"\n",
    )
    .unwrap();
    for root in [".", "overlays/prod"] {
        let (_, json) = scan(dir.path(), &[root, "--show-suppressed"]);
        let rules = common::rules_of(&json);
        assert!(!rules.contains(&"PAL005".to_string()), "{root}: {rules:?}");
        let prod: Vec<_> = privileged(&json)
            .into_iter()
            .filter(|(ns, _)| ns == "prod")
            .collect();
        assert_eq!(prod, [(Value::from("prod"), true)], "{root}");
    }
    // The dev and base copies are still reported, folded into one.
    let (_, json) = scan(dir.path(), &["."]);
    assert_eq!(privileged(&json).len(), 1, "{:?}", privileged(&json));
    // An empty palisade.toml keeps the project root (what baseline paths are relative to) at
    // the repository whichever directory is scanned.
    std::fs::write(dir.path().join("palisade.toml"), "").unwrap();

    // A baseline written from the whole repository covers a scan of one overlay, and one
    // written from one overlay leaves the other overlays' copies new.
    let baseline = dir.path().join("all.json");
    let (_, json) = scan(
        dir.path(),
        &[".", "--write-baseline", baseline.to_str().unwrap()],
    );
    assert!(!privileged(&json).is_empty());
    for overlay in ["overlays/prod", "overlays/dev"] {
        let (_, json) = scan(
            dir.path(),
            &[overlay, "--baseline", baseline.to_str().unwrap()],
        );
        assert!(
            findings(&json).is_empty(),
            "{overlay}: {:?}",
            common::rules_of(&json)
        );
    }
    let prod_only = dir.path().join("prod.json");
    scan(
        dir.path(),
        &[
            "overlays/prod",
            "--write-baseline",
            prod_only.to_str().unwrap(),
        ],
    );
    let (_, json) = scan(
        dir.path(),
        &[".", "--baseline", prod_only.to_str().unwrap()],
    );
    let left = privileged(&json);
    assert!(!left.is_empty());
    assert!(left.iter().all(|(ns, _)| ns != "prod"), "{left:?}");
}
