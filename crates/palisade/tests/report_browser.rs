//! The HTML report in a real browser: Debian's Chromium, headless, driven over the DevTools
//! protocol. The page must load with no console error and no request, filter and search
//! through its own controls, open a drill-down, be operable from the keyboard, label its
//! controls, keep text contrast at WCAG AA, show the RBAC risk paths and NetworkPolicy
//! coverage, and never show a Secret's value. A screenshot is saved under the test's output,
//! and the time to first render of a 10,000-finding page is measured and printed.
//!
//! The test command (`scripts/test.sh`) installs Chromium; `PALISADE_CHROMIUM` names another
//! binary.
#![allow(clippy::print_stdout)] // The test reports the times it measured.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::log::EventEntryAdded;
use chromiumoxide::cdp::browser_protocol::network::EventRequestWillBeSent;
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::cdp::js_protocol::runtime::{EventConsoleApiCalled, EventExceptionThrown};
use chromiumoxide::handler::viewport::Viewport;
use chromiumoxide::page::{Page, ScreenshotParams};
use common::{palisade, run};
use futures_util::StreamExt;
use serde_json::Value;

fn chromium() -> PathBuf {
    let path = std::env::var_os("PALISADE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "Chromium not found at {} (scripts/test.sh installs Debian's `chromium`; PALISADE_CHROMIUM names another)",
        path.display()
    );
    path
}

/// A namespace with a privileged Deployment, a Secret whose values must never show, a
/// ServiceAccount that can read Secrets cluster-wide, and a default-deny policy in one
/// namespace of two.
const SHOP: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: deployer
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            privileged: true
          volumeMounts:
            - {name: root, mountPath: /host}
      volumes:
        - name: root
          hostPath: {path: /}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: payments
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: registry.example.com/api:2.1
          ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
type: Opaque
data:
  password: c3VwZXJzZWNyZXQtdmFsdWU=
stringData:
  token: hunter2-never-shown
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: deployer
  namespace: shop
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secret-reader
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: deployer-reads-secrets
subjects:
  - kind: ServiceAccount
    name: deployer
    namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: secret-reader
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
"#;

/// Where the test leaves what it made (the screenshot).
fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What the page said and asked for while the test ran.
#[derive(Default)]
struct Observed {
    console_errors: Vec<String>,
    exceptions: Vec<String>,
    log_errors: Vec<String>,
    requests: Vec<String>,
}

async fn launch(profile: &Path) -> (Browser, tokio::task::JoinHandle<()>) {
    let config = BrowserConfig::builder()
        .chrome_executable(chromium())
        .no_sandbox()
        .new_headless_mode()
        .user_data_dir(profile)
        .window_size(1280, 900)
        .viewport(Viewport {
            width: 1280,
            height: 900,
            ..Viewport::default()
        })
        .args([
            "--disable-gpu",
            "--disable-quic",
            "--disable-component-update",
            "--no-default-browser-check",
        ])
        .launch_timeout(Duration::from_secs(60))
        .request_timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let (browser, mut handler) = Browser::launch(config).await.expect("Chromium starts");
    let events = tokio::spawn(async move { while handler.next().await.is_some() {} });
    (browser, events)
}

/// Open `file` in a new page, recording console errors, exceptions, log errors and requests.
async fn open(browser: &Browser, file: &Path) -> (Page, Arc<Mutex<Observed>>) {
    let page = browser.new_page("about:blank").await.unwrap();
    page.enable_log().await.unwrap();
    let observed = Arc::new(Mutex::new(Observed::default()));
    let mut console = page
        .event_listener::<EventConsoleApiCalled>()
        .await
        .unwrap();
    let mut exceptions = page.event_listener::<EventExceptionThrown>().await.unwrap();
    let mut log = page.event_listener::<EventEntryAdded>().await.unwrap();
    let mut requests = page
        .event_listener::<EventRequestWillBeSent>()
        .await
        .unwrap();
    let o = observed.clone();
    tokio::spawn(async move {
        while let Some(e) = console.next().await {
            let kind = format!("{:?}", e.r#type).to_lowercase();
            if kind.contains("error") || kind.contains("warn") || kind.contains("assert") {
                o.lock()
                    .unwrap()
                    .console_errors
                    .push(format!("{:?}", e.args));
            }
        }
    });
    let o = observed.clone();
    tokio::spawn(async move {
        while let Some(e) = exceptions.next().await {
            o.lock()
                .unwrap()
                .exceptions
                .push(e.exception_details.text.clone());
        }
    });
    let o = observed.clone();
    tokio::spawn(async move {
        while let Some(e) = log.next().await {
            let level = format!("{:?}", e.entry.level).to_lowercase();
            if level.contains("error") || level.contains("warn") {
                o.lock().unwrap().log_errors.push(e.entry.text.clone());
            }
        }
    });
    let o = observed.clone();
    tokio::spawn(async move {
        while let Some(e) = requests.next().await {
            o.lock().unwrap().requests.push(e.request.url.clone());
        }
    });
    let url = format!("file://{}", file.display());
    page.goto(url.as_str()).await.unwrap();
    page.wait_for_navigation().await.unwrap();
    (page, observed)
}

/// No console error or warning, exception or log error, and no request but for `file`.
fn assert_clean(observed: &Mutex<Observed>, file: &Path) {
    let o = observed.lock().unwrap();
    assert_eq!(o.console_errors, Vec::<String>::new());
    assert_eq!(o.exceptions, Vec::<String>::new());
    assert_eq!(o.log_errors, Vec::<String>::new());
    let url = format!("file://{}", file.display());
    assert!(
        o.requests.contains(&url),
        "the request log saw nothing: {:?}",
        o.requests
    );
    assert!(o.requests.iter().all(|r| *r == url), "{:?}", o.requests);
}

async fn eval(page: &Page, expression: &str) -> Value {
    page.evaluate(expression)
        .await
        .unwrap_or_else(|e| panic!("{expression}: {e}"))
        .into_value()
        .unwrap_or(Value::Null)
}

/// Set a `<select>` as a person choosing an option does: the value changes and `change` fires.
async fn choose(page: &Page, id: &str, value: &str) {
    eval(
        page,
        &format!(
            "(() => {{ const s = document.getElementById('{id}'); s.value = '{value}'; s.dispatchEvent(new Event('change', {{bubbles: true}})); return s.value; }})()"
        ),
    )
    .await;
}

/// Text of each visible row of the findings table: [severity, rule, object, namespace,
/// message].
async fn visible_rows(page: &Page) -> Vec<Vec<String>> {
    let rows = eval(
        page,
        "Array.from(document.querySelectorAll('#findings tbody tr')).map(tr => Array.from(tr.children).map(td => (td.querySelector('div') || td).textContent))",
    )
    .await;
    serde_json::from_value(rows).unwrap()
}

/// Every text of the page that is rendered, with its contrast against the background behind
/// it, and those below WCAG AA (4.5:1; 3:1 for large text).
const CONTRAST: &str = r#"(() => {
  const parse = c => { const m = /rgba?\(([^)]+)\)/.exec(c); if (!m) return null;
    const p = m[1].split(',').map(parseFloat); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const behind = el => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const seen = new Set(); const low = []; let checked = 0;
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const t = walk.currentNode; const el = t.parentElement;
    if (!t.textContent.trim() || !el || seen.has(el) || el.closest('select,noscript')) continue;
    seen.add(el);
    if (el.getClientRects().length === 0) continue;
    const st = getComputedStyle(el);
    const fg = parse(el.closest('svg') ? st.fill : st.color); const bg = behind(el);
    const a = lum(fg), b = lum(bg); const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
    const need = (size >= 24 || (size >= 18.66 && bold)) ? 3 : 4.5;
    checked++;
    if (ratio < need) low.push(el.tagName + '.' + el.className + ' "' + t.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
  }
  return {checked, low};
})()"#;

#[test]
fn the_html_report_works_in_chromium() {
    let dir = common::dir_with(&[("shop.yaml", SHOP.as_bytes())]);
    let page_file = dir.path().join("report.html");
    let r = run(palisade().current_dir(dir.path()).args([
        "scan",
        "shop.yaml",
        "--format",
        "html",
        "-o",
        "report.html",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let json =
        run(palisade()
            .current_dir(dir.path())
            .args(["scan", "shop.yaml", "--format", "json"]));
    let json: Value = serde_json::from_str(&json.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let shown: Vec<&Value> = findings
        .iter()
        .filter(|f| f["suppressed"] == false)
        .collect();
    assert!(shown.len() > 10, "{}", shown.len());

    let profile = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (mut browser, events) = launch(profile.path()).await;
        let (page, observed) = open(&browser, &page_file).await;

        // Every finding listed, in a table the summary counts.
        let rows = visible_rows(&page).await;
        assert_eq!(rows.len(), shown.len());
        let said = eval(&page, "document.getElementById('shown').textContent").await;
        assert_eq!(
            said.as_str().unwrap(),
            format!("{0} of {0} findings", shown.len())
        );

        // The page as it opens, for people to look at.
        let shot = output_dir().join("report.png");
        page.save_screenshot(
            ScreenshotParams::builder()
                .format(CaptureScreenshotFormat::Png)
                .full_page(true)
                .build(),
            &shot,
        )
        .await
        .unwrap();
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000, "{}", png.len());
        // The first screen, as the README shows it.
        page.save_screenshot(
            ScreenshotParams::builder()
                .format(CaptureScreenshotFormat::Png)
                .build(),
            output_dir().join("report-top.png"),
        )
        .await
        .unwrap();
        println!("screenshot: {}", shot.display());

        // A severity filter and a search, through the page's controls.
        choose(&page, "f-severity", "high").await;
        page.find_element("#f-search")
            .await
            .unwrap()
            .click()
            .await
            .unwrap()
            .type_str("privileged")
            .await
            .unwrap();
        let expected: Vec<&&Value> = shown
            .iter()
            .filter(|f| matches!(f["severity"].as_str(), Some("critical" | "high")))
            .filter(|f| {
                let o = &f["object"];
                let text = format!(
                    "{} {} {}/{}/{} {} {}",
                    f["rule"].as_str().unwrap(),
                    f["title"].as_str().unwrap(),
                    o["kind"].as_str().unwrap(),
                    o["namespace"].as_str().unwrap_or(""),
                    o["name"].as_str().unwrap(),
                    o["namespace"].as_str().unwrap_or(""),
                    f["message"].as_str().unwrap()
                );
                text.to_lowercase().contains("privileged")
            })
            .collect();
        assert!(!expected.is_empty());
        let rows = visible_rows(&page).await;
        assert_eq!(rows.len(), expected.len(), "{rows:?}");
        for row in &rows {
            assert!(matches!(row[0].as_str(), "critical" | "high"), "{row:?}");
            assert!(row.join(" ").to_lowercase().contains("privileged"), "{row:?}");
        }
        let mut rules: Vec<String> = rows
            .iter()
            .map(|r| r[1].split(' ').next().unwrap().to_string())
            .collect();
        let mut want: Vec<String> = expected
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        rules.sort();
        want.sort();
        assert_eq!(rules, want);

        // A drill-down: the field, the fix and the source line.
        page.find_element("#findings tbody tr details summary")
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let opened = eval(
            &page,
            "(() => { const d = document.querySelector('#findings tbody tr details'); return {open: d.open, text: d.textContent, pre: (d.querySelector('pre') || {}).textContent}; })()",
        )
        .await;
        assert_eq!(opened["open"], true);
        let text = opened["text"].as_str().unwrap();
        assert!(text.contains("Fix"), "{text}");
        assert!(text.contains("shop.yaml:"), "{text}");
        assert!(
            opened["pre"].as_str().unwrap_or("").contains("privileged: true"),
            "{opened}"
        );

        // Keyboard: from the search box, Tab reaches the first sort button; Enter sorts; Tab
        // goes on to the sort buttons and a row's drill-down, which Enter opens.
        choose(&page, "f-severity", "").await;
        eval(&page, "(() => { const s = document.getElementById('f-search'); s.value = ''; s.dispatchEvent(new Event('input')); s.focus(); return true; })()").await;
        let body = page.find_element("body").await.unwrap();
        body.press_key("Tab").await.unwrap();
        let focused = eval(&page, "document.activeElement.getAttribute('data-sort')").await;
        assert_eq!(focused, "severity");
        body.press_key("Tab").await.unwrap();
        let focused = eval(&page, "document.activeElement.getAttribute('data-sort')").await;
        assert_eq!(focused, "rule");
        body.press_key("Enter").await.unwrap();
        let sorted = eval(
            &page,
            "document.querySelectorAll('#findings th')[1].getAttribute('aria-sort')",
        )
        .await;
        assert_eq!(sorted, "ascending");
        let rules: Vec<String> = visible_rows(&page)
            .await
            .iter()
            .map(|r| r[1].split(' ').next().unwrap().to_string())
            .collect();
        let mut in_order = rules.clone();
        in_order.sort();
        assert_eq!(rules, in_order);
        for _ in 0..4 {
            body.press_key("Tab").await.unwrap();
        }
        let focused = eval(&page, "document.activeElement.tagName").await;
        assert_eq!(focused, "SUMMARY");
        body.press_key("Enter").await.unwrap();
        let open = eval(&page, "document.activeElement.parentElement.open").await;
        assert_eq!(open, true);

        // Labels: every control has one, every header cell a scope, every chart a text.
        let unlabelled = eval(
            &page,
            "Array.from(document.querySelectorAll('select,input,button')).filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.textContent.trim()).map(c => c.outerHTML)",
        )
        .await;
        assert_eq!(unlabelled, Value::Array(vec![]));
        let scopeless = eval(
            &page,
            "document.querySelectorAll('th:not([scope])').length",
        )
        .await;
        assert_eq!(scopeless, 0);
        let charts = eval(
            &page,
            "Array.from(document.querySelectorAll('svg')).map(s => s.getAttribute('role') + ':' + (s.getAttribute('aria-label') || ''))",
        )
        .await;
        for chart in charts.as_array().unwrap() {
            assert!(chart.as_str().unwrap().starts_with("img:"), "{chart}");
            assert!(chart.as_str().unwrap().len() > "img:".len() + 3, "{chart}");
        }
        assert_eq!(eval(&page, "document.documentElement.lang").await, "en");

        // Contrast of every rendered text, open drill-downs included.
        eval(&page, "document.querySelectorAll('details').forEach(d => d.open = true)").await;
        let contrast = eval(&page, CONTRAST).await;
        assert!(contrast["checked"].as_u64().unwrap() > 50, "{contrast}");
        assert_eq!(contrast["low"], Value::Array(vec![]), "{contrast}");

        // The model's views: the risk path and the coverage.
        let risks = eval(&page, "document.getElementById('risks').textContent").await;
        let risks = risks.as_str().unwrap();
        assert!(risks.contains("ServiceAccount shop/deployer"), "{risks}");
        assert!(risks.contains("read Secret values"), "{risks}");
        assert!(risks.contains("Deployment/shop/web"), "{risks}");
        let coverage = eval(
            &page,
            "Array.from(document.querySelectorAll('table.coverage tbody tr')).map(tr => tr.textContent)",
        )
        .await;
        let coverage: Vec<String> = serde_json::from_value(coverage).unwrap();
        assert!(coverage.contains(&"payments10 of 10 of 10".to_string()), "{coverage:?}");
        assert!(coverage.contains(&"shop11 of 11 of 11".to_string()), "{coverage:?}");

        // Nothing of the Secret: not in the text, not in the embedded data.
        let content = page.content().await.unwrap();
        for secret in ["hunter2-never-shown", "c3VwZXJzZWNyZXQtdmFsdWU=", "supersecret-value"] {
            assert!(!content.contains(secret), "{secret} in the page");
        }

        // Nothing went wrong, and nothing was fetched but the page itself.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_clean(&observed, &page_file);

        browser.close().await.unwrap();
        let _ = browser.wait().await;
        events.abort();
    });
}

/// `rbac risks` and `netpol matrix` write pages of their own: the risk paths beside their
/// findings, and the coverage with a grid of the allowed connections.
#[test]
fn rbac_risks_and_netpol_matrix_pages_work_in_chromium() {
    let dir = common::dir_with(&[("shop.yaml", SHOP.as_bytes())]);
    let risks = run(palisade().current_dir(dir.path()).args([
        "rbac",
        "risks",
        "shop.yaml",
        "--format",
        "html",
    ]));
    assert_eq!(risks.code, 1, "{}", risks.stderr);
    std::fs::write(dir.path().join("risks.html"), &risks.stdout).unwrap();
    let matrix = run(palisade().current_dir(dir.path()).args([
        "netpol",
        "matrix",
        "shop.yaml",
        "--format",
        "html",
    ]));
    assert_eq!(matrix.code, 0, "{}", matrix.stderr);
    std::fs::write(dir.path().join("matrix.html"), &matrix.stdout).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (mut browser, events) = launch(profile.path()).await;
        let (page, observed) = open(&browser, &dir.path().join("risks.html")).await;
        let steps = eval(
            &page,
            "Array.from(document.querySelectorAll('#risks ol.path li')).map(li => li.textContent)",
        )
        .await;
        let steps: Vec<String> = serde_json::from_value(steps).unwrap();
        assert!(
            steps.iter().any(|s| s.contains("ServiceAccount shop/deployer can get secrets")),
            "{steps:?}"
        );
        // Its findings are the risks, one row each.
        let rows = visible_rows(&page).await;
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r[1].starts_with("RBAC")), "{rows:?}");
        assert_clean(&observed, &dir.path().join("risks.html"));

        let (page, observed) = open(&browser, &dir.path().join("matrix.html")).await;
        let headline = eval(&page, "document.getElementById('summary-line').textContent").await;
        assert_eq!(
            headline,
            "2 workloads in 2 classes; 5 allowed connections between classes and address ranges"
        );
        // Views alone: no findings table, no script, nothing to run.
        assert_eq!(eval(&page, "document.querySelectorAll('#findings, script').length").await, 0);
        let connections = eval(
            &page,
            "Array.from(document.querySelectorAll('table.connections tbody tr')).map(tr => Array.from(tr.children).map(td => td.textContent).join(' | '))",
        )
        .await;
        let connections: Vec<String> = serde_json::from_value(connections).unwrap();
        assert!(
            connections.contains(&"payments/api[Deployment] | payments/api[Deployment] | all".to_string()),
            "{connections:?}"
        );
        // The isolated namespace allows nothing in or out: its workload is on no row.
        assert!(connections.iter().all(|c| !c.contains("shop/web")), "{connections:?}");
        let contrast = eval(&page, CONTRAST).await;
        assert_eq!(contrast["low"], Value::Array(vec![]), "{contrast}");
        assert_clean(&observed, &dir.path().join("matrix.html"));
        browser.close().await.unwrap();
        let _ = browser.wait().await;
        events.abort();
    });
}

/// A page whose script fetches something: the request log and the console catch it, so the
/// checks above are not vacuous.
#[test]
fn the_browser_checks_catch_a_request_and_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.html");
    std::fs::write(
        &file,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>x</title></head><body><img src=\"http://127.0.0.1:9/x.png\" alt=\"x\"><script>console.error('boom')</script></body></html>",
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (mut browser, events) = launch(profile.path()).await;
        let (_page, observed) = open(&browser, &file).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        {
            let o = observed.lock().unwrap();
            assert!(
                o.requests
                    .iter()
                    .any(|r| r.starts_with("http://127.0.0.1:9/")),
                "{:?}",
                o.requests
            );
            assert_eq!(o.console_errors.len(), 1, "{:?}", o.console_errors);
        }
        browser.close().await.unwrap();
        let _ = browser.wait().await;
        events.abort();
    });
}

/// Deployments, each with several findings, in 20 namespaces: `n` of them.
fn many_workloads(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        out.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: team-{}\nspec:\n  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}}}\n    spec:\n      hostNetwork: true\n      containers:\n        - name: main\n          image: registry.example.com/app:latest\n          securityContext: {{privileged: true, allowPrivilegeEscalation: true}}\n",
            i % 20
        ));
    }
    out
}

#[test]
fn a_page_of_ten_thousand_findings_renders_and_filters() {
    let dir = common::dir_with(&[("many.yaml", many_workloads(720).as_bytes())]);
    let page_file = dir.path().join("many.html");
    let r = run(palisade().current_dir(dir.path()).args([
        "scan",
        "many.yaml",
        "--format",
        "html",
        "-o",
        "many.html",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let profile = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (mut browser, events) = launch(profile.path()).await;
        let (page, observed) = open(&browser, &page_file).await;
        let total = eval(&page, "JSON.parse(document.getElementById('data').textContent).length")
            .await
            .as_u64()
            .unwrap();
        assert!(total >= 10_000, "{total} findings");
        // The table lists the first 2,000 and says so.
        let rows = eval(&page, "document.querySelectorAll('#findings tbody tr').length").await;
        assert_eq!(rows, 2000);
        let said = eval(&page, "document.getElementById('shown').textContent").await;
        assert!(
            said.as_str().unwrap().starts_with(&format!("{total} of {total} findings")),
            "{said}"
        );
        let rendered = eval(
            &page,
            "performance.getEntriesByName('palisade-table-rendered')[0].startTime",
        )
        .await
        .as_f64()
        .unwrap();
        // A search narrows it, and the time it takes is measured as the page runs it.
        let filter = eval(
            &page,
            "(() => { const s = document.getElementById('f-search'); s.value = 'app-42 '; const t = performance.now(); s.value = 'team-7/app-427'; s.dispatchEvent(new Event('input')); return {ms: performance.now() - t, rows: document.querySelectorAll('#findings tbody tr').length}; })()",
        )
        .await;
        let narrowed = filter["rows"].as_u64().unwrap();
        assert!(narrowed > 0 && narrowed < 50, "{filter}");
        println!(
            "{total} findings: table rendered {rendered:.0} ms after navigation; a search re-rendered it in {:.0} ms",
            filter["ms"].as_f64().unwrap()
        );
        std::fs::write(
            output_dir().join("render-time.txt"),
            format!(
                "findings {total}\nfirst render ms {rendered:.0}\nsearch ms {:.0}\n",
                filter["ms"].as_f64().unwrap()
            ),
        )
        .unwrap();
        assert_clean(&observed, &page_file);
        browser.close().await.unwrap();
        let _ = browser.wait().await;
        events.abort();
    });
}
