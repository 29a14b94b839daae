//! The built-in table is generated from k8s-openapi's resource metadata; this test fails when
//! `builtin.rs` is stale. `PALISADE_BLESS=1 cargo test -p palisade_model resources` rewrites it.

use std::path::{Path, PathBuf};

use k8s_openapi::Resource;

use super::*;

/// The k8s-openapi module of the supported version, and the version it stands for.
const OPENAPI_MODULE: &str = "v1_35";

/// Where cargo unpacked the k8s-openapi dev-dependency.
fn openapi_source() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    // Only the host's packages: the others (Windows crates) need not be downloaded.
    let rustc = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc runs");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc names its host");
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--filter-platform", &host])
        .args(["--manifest-path", manifest])
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let manifest = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "k8s-openapi")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("k8s-openapi is a dependency");
    Path::new(manifest)
        .parent()
        .expect("crate directory")
        .join("src")
        .join(OPENAPI_MODULE)
}

/// The value of `const NAME: &'static str = "value";` on a line.
fn constant<'t>(line: &'t str, name: &str) -> Option<&'t str> {
    let rest = line
        .trim()
        .strip_prefix(&format!("const {name}: &'static str = \""))?;
    rest.strip_suffix("\";")
}

/// Every `impl crate::Resource for T` of the module: (group, resource, kind, namespaced).
fn read_openapi(dir: &Path, out: &mut Vec<(String, String, String, bool)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable k8s-openapi source")
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_openapi(&path, out);
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable source file");
        for block in text.split("impl crate::Resource for ").skip(1) {
            let block = block.split("\n}").next().unwrap_or_default();
            let (mut group, mut kind, mut resource, mut namespaced) = (None, None, None, None);
            for line in block.lines() {
                group = group.or(constant(line, "GROUP"));
                kind = kind.or(constant(line, "KIND"));
                resource = resource.or(constant(line, "URL_PATH_SEGMENT"));
                if line.contains("type Scope = crate::NamespaceResourceScope;") {
                    namespaced = Some(true);
                } else if line.contains("type Scope = crate::ClusterResourceScope;") {
                    namespaced = Some(false);
                }
            }
            // Subresource types (Scale, Eviction, TokenRequest) and generic lists have no
            // scope of their own.
            if let (Some(g), Some(k), Some(r), Some(n)) = (group, kind, resource, namespaced)
                && !r.is_empty()
            {
                out.push((g.into(), r.into(), k.into(), n));
            }
        }
    }
}

fn generate() -> String {
    let mut rows = Vec::new();
    read_openapi(&openapi_source(), &mut rows);
    rows.sort();
    rows.dedup();
    for pair in rows.windows(2) {
        assert!(
            (&pair[0].0, &pair[0].1) != (&pair[1].0, &pair[1].1),
            "one resource with two kinds or scopes: {pair:?}"
        );
    }
    let mut text = format!(
        "//! Generated from k8s-openapi's `{OPENAPI_MODULE}` resource metadata by\n\
         //! `resources::tests::builtin_table_is_current`; do not edit.\n\n\
         /// The Kubernetes version of the table.\n\
         pub(super) const KUBERNETES_VERSION: &str = \"{}\";\n\n\
         /// (API group, resource, kind, namespaced), sorted by group and resource.\n\
         #[rustfmt::skip]\n\
         pub(super) static RESOURCES: &[(&str, &str, &str, bool)] = &[\n",
        OPENAPI_MODULE.replace('_', ".")
    );
    for (group, resource, kind, namespaced) in &rows {
        text.push_str(&format!(
            "    ({group:?}, {resource:?}, {kind:?}, {namespaced}),\n"
        ));
    }
    text.push_str("];\n");
    text
}

#[test]
fn builtin_table_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/resources/builtin.rs");
    let expected = generate();
    if std::env::var_os("PALISADE_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("writable builtin.rs");
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == expected,
        "src/resources/builtin.rs is stale: run PALISADE_BLESS=1 cargo test -p palisade_model resources"
    );
}

/// The scope the k8s-openapi type itself declares, for a cross-check of the generated table.
fn typed<R: Resource>() -> (&'static str, &'static str, Option<ResourceScope>) {
    let scope = std::any::type_name::<R::Scope>();
    let scope = if scope.ends_with("NamespaceResourceScope") {
        Some(ResourceScope::Namespaced)
    } else if scope.ends_with("ClusterResourceScope") {
        Some(ResourceScope::Cluster)
    } else {
        None
    };
    (R::GROUP, R::URL_PATH_SEGMENT, scope)
}

#[test]
fn table_agrees_with_the_typed_resources() {
    use k8s_openapi::api::{
        admissionregistration::v1 as admission, apps::v1 as apps, certificates::v1 as certs,
        core::v1 as core, rbac::v1 as rbac, scheduling::v1 as scheduling, storage::v1 as storage,
    };
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as ext;
    let cases = [
        typed::<core::Pod>(),
        typed::<core::Secret>(),
        typed::<core::ServiceAccount>(),
        typed::<core::Node>(),
        typed::<core::Namespace>(),
        typed::<core::PersistentVolume>(),
        typed::<apps::Deployment>(),
        typed::<rbac::ClusterRole>(),
        typed::<rbac::ClusterRoleBinding>(),
        typed::<rbac::Role>(),
        typed::<certs::CertificateSigningRequest>(),
        typed::<storage::StorageClass>(),
        typed::<ext::CustomResourceDefinition>(),
        typed::<admission::ValidatingWebhookConfiguration>(),
        typed::<admission::MutatingWebhookConfiguration>(),
        typed::<scheduling::PriorityClass>(),
    ];
    for (group, resource, scope) in cases {
        assert!(scope.is_some(), "{group}/{resource} has a scope");
        assert_eq!(builtin_scope(group, resource), scope, "{group}/{resource}");
    }
}

#[test]
fn scopes_of_resources_subresources_and_kinds() {
    assert_eq!(builtin_scope("", "nodes"), Some(ResourceScope::Cluster));
    assert_eq!(
        builtin_scope("", "nodes/proxy"),
        Some(ResourceScope::Cluster)
    );
    assert_eq!(
        builtin_scope("", "pods/exec"),
        Some(ResourceScope::Namespaced)
    );
    assert_eq!(builtin_scope("", "users"), Some(ResourceScope::Cluster));
    assert_eq!(
        builtin_scope("certificates.k8s.io", "signers"),
        Some(ResourceScope::Cluster)
    );
    assert_eq!(builtin_scope("", "secretz"), None);
    assert_eq!(
        builtin_scope("", "deployments"),
        None,
        "deployments are in apps"
    );
    assert_eq!(
        builtin_kind_scope("rbac.authorization.k8s.io", "ClusterRole"),
        Some(ResourceScope::Cluster)
    );
    assert_eq!(
        builtin_kind_scope("", "Service"),
        Some(ResourceScope::Namespaced)
    );
    assert_eq!(builtin_kind_scope("example.com", "Widget"), None);
    assert_eq!(group_of("apps/v1"), "apps");
    assert_eq!(group_of("v1"), "");
}

#[test]
fn custom_resources_from_crds() {
    let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\
                metadata: {name: clusterissuers.cert-manager.io}\n\
                spec:\n  group: cert-manager.io\n  scope: Cluster\n\
                \x20 names: {plural: clusterissuers, kind: ClusterIssuer}\n---\n\
                apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\
                metadata: {name: certificates.cert-manager.io}\n\
                spec:\n  group: cert-manager.io\n  scope: Namespaced\n\
                \x20 names: {plural: certificates, kind: Certificate}\n";
    let docs = palisade_source::parse_stream(text, &palisade_source::Limits::default());
    let mut table = ResourceTable::default();
    for doc in docs.iter().flatten() {
        for object in crate::objects_in(doc).objects {
            table.add(&object);
        }
    }
    assert_eq!(
        table.scope("cert-manager.io", "clusterissuers"),
        Some(ResourceScope::Cluster)
    );
    assert_eq!(
        table.scope("cert-manager.io", "certificates/status"),
        Some(ResourceScope::Namespaced)
    );
    assert_eq!(
        table.kind_scope("cert-manager.io", "ClusterIssuer"),
        Some(ResourceScope::Cluster)
    );
    assert_eq!(table.scope("cert-manager.io", "issuers"), None);
    assert_eq!(table.groups_of("deployments"), vec!["apps".to_string()]);
    assert_eq!(
        table.groups_of("events"),
        vec![String::new(), "events.k8s.io".to_string()],
        "the core group first"
    );
    assert_eq!(
        table.groups_of("certificates"),
        vec!["cert-manager.io".to_string()]
    );
}
