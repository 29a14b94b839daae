//! NetworkPolicy analysis at cluster scale: a generated snapshot of 10,000 Pods, 2,000
//! NetworkPolicies and 200 namespaces. Prints the time of the coverage scan (`palisade netpol
//! coverage`: read, parse, the coverage rules), of building the reachability model, and of the
//! equivalence-class matrix.
//!
//! Run with `cargo bench -p palisade --bench netpol`. Targets on two cores: coverage under
//! 0.5 s, matrix under 5 s.
#![allow(clippy::print_stdout, clippy::print_stderr)] // A benchmark reports what it measured.

mod common;

use common::best;

use std::fmt::Write as _;

use clap::Parser;
use palisade::cli::{Cli, Command};
use palisade::netpol_cmd::{COVERAGE_RULES, load};

const NAMESPACES: usize = 200;
const APPS: usize = 10;
const REPLICAS: usize = 5;

/// Per namespace: a Namespace, 10 apps of 5 Pods each (so 10 classes), and 10 policies:
/// default-deny, DNS egress, front-end egress to every pod of the cluster on 8080, and for
/// seven apps an ingress policy (from the previous app on a named port, and from front-end pods
/// of the namespaces of a team) with egress to the next app and to an address range with an
/// exception.
fn cluster() -> String {
    let mut out = String::with_capacity(16 << 20);
    let tiers = ["front", "back", "data"];
    for n in 0..NAMESPACES {
        let _ = write!(
            out,
            "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-{n}\n  labels: {{team: t{}, env: {}}}\n",
            n % 10,
            if n % 2 == 0 { "prod" } else { "dev" }
        );
        for a in 0..APPS {
            for r in 0..REPLICAS {
                let _ = write!(
                    out,
                    "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app-{a}-{r}\n  namespace: ns-{n}\n  labels: {{app: app-{a}, tier: {}}}\nspec:\n  containers:\n  - name: c\n    image: example.com/app:{a}\n    ports:\n    - {{name: http, containerPort: 8080}}\n    - {{name: metrics, containerPort: 9090}}\n",
                    tiers[a % 3]
                );
            }
        }
        let _ = write!(
            out,
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: default-deny, namespace: ns-{n}}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n"
        );
        let _ = write!(
            out,
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: dns, namespace: ns-{n}}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: kube-system}}}}\n      podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}\n    ports: [{{port: 53, protocol: UDP}}, {{port: 53}}]\n"
        );
        let _ = write!(
            out,
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: front, namespace: ns-{n}}}\nspec:\n  podSelector: {{matchLabels: {{tier: front}}}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{{namespaceSelector: {{}}, podSelector: {{}}}}]\n    ports: [{{port: 8080}}]\n"
        );
        for a in 1..APPS - 2 {
            let _ = write!(
                out,
                "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: app-{a}, namespace: ns-{n}}}\nspec:\n  podSelector: {{matchLabels: {{app: app-{a}}}}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n  - from: [{{podSelector: {{matchLabels: {{app: app-{}}}}}}}]\n    ports: [{{port: http}}]\n  - from:\n    - namespaceSelector: {{matchLabels: {{team: t{}}}}}\n      podSelector: {{matchLabels: {{tier: front}}}}\n    ports: [{{port: 8080}}, {{port: 9000, endPort: 9100}}]\n  egress:\n  - to: [{{podSelector: {{matchLabels: {{app: app-{}}}}}}}]\n    ports: [{{port: http}}]\n  - to:\n    - ipBlock: {{cidr: 10.{}.0.0/16, except: [10.{}.1.0/24]}}\n    ports: [{{port: 443}}]\n",
                a - 1,
                (n + a) % 10,
                a + 1,
                n % 250,
                n % 250
            );
        }
    }
    out
}

fn main() {
    let runs = common::runs(3);
    let dir = tempfile::tempdir().expect("temporary directory");
    let text = cluster();
    if let Some(out) = std::env::var_os("PALISADE_BENCH_WRITE") {
        std::fs::write(out, &text).expect("write the generated snapshot");
    }
    let file = dir.path().join("snapshot.yaml");
    std::fs::write(&file, &text).expect("write the generated cluster");
    let path = dir.path().to_path_buf();
    println!(
        "== generated snapshot: {} Pods, {} NetworkPolicies, {} namespaces, {:.1} MB, threads {}",
        NAMESPACES * APPS * REPLICAS,
        NAMESPACES * 10,
        NAMESPACES,
        text.len() as f64 / 1e6,
        rayon::current_num_threads()
    );

    let select = COVERAGE_RULES.join(",");
    let cli = Cli::try_parse_from([
        "palisade",
        "scan",
        "--no-render",
        "--no-config",
        "--select",
        &select,
        path.to_str().expect("UTF-8 path"),
    ])
    .expect("scan arguments");
    let Command::Scan(args) = cli.command else {
        unreachable!("parsed a scan")
    };
    let (t, scanned) = best(runs, || palisade::scan::run_scan(&args).expect("scan"));
    println!(
        "coverage     {:>8.1} ms  ({} findings; read, parse and the {} coverage rules)",
        t.as_secs_f64() * 1e3,
        scanned.outcome.findings.len(),
        COVERAGE_RULES.len()
    );

    let input = Default::default();
    let (t, (model, errors)) = best(runs, || {
        load(std::slice::from_ref(&path), "default", false, &input)
    });
    assert!(errors.is_empty(), "{errors:?}");
    println!(
        "model        {:>8.1} ms  ({} pods, {} policies)",
        t.as_secs_f64() * 1e3,
        model.pods.len(),
        model.policies.len()
    );
    let (t, matrix) = best(runs, || model.matrix());
    println!(
        "matrix       {:>8.1} ms  ({} classes, {} address ranges, {} allowed connections)",
        t.as_secs_f64() * 1e3,
        matrix.classes.len(),
        matrix.ranges.len(),
        matrix.connections.len()
    );
}
