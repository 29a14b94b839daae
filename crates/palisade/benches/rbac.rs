//! RBAC analysis at cluster scale: a generated cluster of 100,000 Roles and bindings and 20,000
//! ServiceAccounts in 200 namespaces, written to files of about 8 MB. Prints the time to build the model
//! (read, parse, collect, resolve aggregation and powers), to answer one who-can query, and to
//! compute every subject's risks.
//!
//! Run with `cargo bench -p palisade --bench rbac`. Targets on two cores: model under 1 s,
//! who-can under 100 ms, risks under 1 s.
#![allow(clippy::print_stdout, clippy::print_stderr)] // A benchmark reports what it measured.

mod common;

use common::best;

use std::fmt::Write as _;

use palisade::rbac_cmd::{LoadOptions, load};
use palisade_model::authz::{Request, Scope, Target};
use palisade_rules::rbac::risk_findings;

const NAMESPACES: usize = 200;
const SERVICE_ACCOUNTS: usize = 20_000;
const ROLES: usize = 50_000;
const BINDINGS: usize = 50_000;

/// The generated cluster: per namespace 100 ServiceAccounts, 250 Roles and 250 RoleBindings
/// (each binding two ServiceAccounts and a group); 20 ClusterRoles, 5 of them aggregated, and
/// 200 ClusterRoleBindings.
fn cluster() -> String {
    let mut out = String::with_capacity(64 << 20);
    let per_ns_sa = SERVICE_ACCOUNTS / NAMESPACES;
    let per_ns_roles = ROLES / NAMESPACES;
    let verbs = [
        "get", "list", "watch", "create", "update", "patch", "delete",
    ];
    let resources = [
        "pods",
        "deployments",
        "secrets",
        "configmaps",
        "services",
        "jobs",
        "pods/exec",
    ];
    for n in 0..NAMESPACES {
        for s in 0..per_ns_sa {
            let _ = write!(
                out,
                "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa-{s}, namespace: ns-{n}}}\n"
            );
        }
        for r in 0..per_ns_roles {
            let verb = verbs[(n + r) % verbs.len()];
            let resource = resources[(n * 7 + r) % resources.len()];
            let group = if resource == "deployments" {
                "apps"
            } else {
                ""
            };
            let _ = write!(
                out,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: role-{r}, namespace: ns-{n}}}\nrules:\n- apiGroups: [\"{group}\"]\n  resources: [{resource}]\n  verbs: [{verb}, get]\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  resourceNames: [cm-{r}]\n  verbs: [get]\n"
            );
            let _ = write!(
                out,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: bind-{r}, namespace: ns-{n}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: role-{r}}}\nsubjects:\n- {{kind: ServiceAccount, name: sa-{}, namespace: ns-{n}}}\n- {{kind: ServiceAccount, name: sa-{}}}\n- {{kind: Group, name: team-{}}}\n",
                r % per_ns_sa,
                (r * 7) % per_ns_sa,
                r % 50
            );
        }
    }
    for c in 0..20 {
        let aggregated = c < 5;
        let _ = write!(
            out,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cluster-{c}\n  labels: {{tier: \"{}\"}}\n",
            c % 3
        );
        if aggregated {
            let _ = write!(
                out,
                "aggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {{tier: \"{}\"}}\nrules: []\n",
                (c + 1) % 3
            );
        } else {
            let _ = write!(
                out,
                "rules:\n- apiGroups: [\"\"]\n  resources: [nodes, namespaces]\n  verbs: [get, list]\n- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [{}]\n",
                verbs[c % verbs.len()]
            );
        }
    }
    for b in 0..200 {
        let _ = write!(
            out,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: cluster-bind-{b}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-{}}}\nsubjects:\n- {{kind: ServiceAccount, name: sa-{}, namespace: ns-{}}}\n",
            b % 20,
            b % 100,
            b % NAMESPACES
        );
    }
    out
}

fn main() {
    let runs = common::runs(3);
    let dir = tempfile::tempdir().expect("temporary directory");
    let text = cluster();
    // Files of about 8 MB, as a snapshot split per namespace group would be.
    let mut part = 0;
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let cut = if rest.len() <= 8 << 20 {
            rest.len()
        } else {
            rest[8 << 20..]
                .find("\n---\n")
                .map_or(rest.len(), |i| (8 << 20) + i + 1)
        };
        let file = dir.path().join(format!("cluster-{part}.yaml"));
        std::fs::write(file, &rest[..cut]).expect("write the generated cluster");
        rest = &rest[cut..];
        part += 1;
    }
    let path = dir.path().to_path_buf();
    println!(
        "== generated cluster: {} ServiceAccounts, {} Roles, {} RoleBindings, 20 ClusterRoles, 200 ClusterRoleBindings, {:.1} MB, threads {}",
        SERVICE_ACCOUNTS,
        ROLES,
        BINDINGS,
        text.len() as f64 / 1e6,
        rayon::current_num_threads()
    );
    let paths = [path];
    let options = LoadOptions {
        paths: &paths,
        render: false,
        namespace: None,
        builtin_roles: true,
        input: Default::default(),
    };
    let (t, (graph, errors)) = best(runs, || load(&options));
    assert!(errors.is_empty(), "{errors:?}");
    println!(
        "model        {:>8.1} ms  ({} roles, {} bindings)",
        t.as_secs_f64() * 1e3,
        graph.roles.len(),
        graph.bindings.len()
    );
    let (t, _) = best(runs, || graph.clone().resolve());
    println!(
        "  of which    {:>8.1} ms  resolving aggregation, role references and powers (a clone included)",
        t.as_secs_f64() * 1e3
    );
    let request = Request {
        verb: "create".into(),
        scope: Scope::AnyNamespace,
        target: Target::Resource {
            group: String::new(),
            resource: "pods".into(),
            subresource: Some("exec".into()),
            name: None,
        },
    };
    let (t, found) = best(runs.max(5), || graph.who_can(&request));
    println!(
        "who-can      {:>8.1} ms  (create pods/exec in any namespace: {} subjects)",
        t.as_secs_f64() * 1e3,
        found.subjects.len()
    );
    let (t, risks) = best(runs, || risk_findings(&graph));
    println!(
        "risks        {:>8.1} ms  ({} findings)",
        t.as_secs_f64() * 1e3,
        risks.len()
    );
}
