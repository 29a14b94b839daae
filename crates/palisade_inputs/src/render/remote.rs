//! Remote references in a kustomization.
//!
//! Kustomize fetches a resource, base or component written as a URL (`https://…/x.yaml`) or as
//! a git repository (`github.com/org/repo//path?ref=v1`, `git@host:org/repo`,
//! `git::https://…`), and loads other files named by URL over HTTP. Run from CI on a pull
//! request, that lets a stranger's kustomization make the CI machine contact a host of their
//! choosing and build whatever it serves. Palisade finds every such reference before running
//! `kubectl` and refuses to build unless remote bases are allowed.

use std::path::Path;

use palisade_source::NodeRef;

/// A remote reference and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RemoteRef {
    /// The kustomization file (display path).
    pub file: String,
    /// The field, e.g. `resources` or `helmCharts[].repo`.
    pub field: &'static str,
    /// The reference, with any credentials in it masked.
    pub reference: String,
}

/// Fields holding a list of paths (or, for some, inline YAML, which is never a reference).
const PATH_LISTS: &[&str] = &[
    "resources",
    "bases",
    "components",
    "patchesStrategicMerge",
    "crds",
    "configurations",
    "transformers",
    "generators",
    "validators",
];

/// Fields holding a list of objects with a `path`.
const PATH_OBJECTS: &[&str] = &["patches", "patchesJson6902", "replacements"];

/// Every path, URL or repository a kustomization names, with its field.
pub(super) fn references(root: NodeRef<'_, '_>) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    let text = |node: Option<NodeRef<'_, '_>>| node.and_then(|n| n.as_str().map(str::to_string));
    for &field in PATH_LISTS {
        for item in root.get(field).iter().flat_map(|n| n.items()) {
            found.extend(text(Some(item)).map(|s| (field, s)));
        }
    }
    for &field in PATH_OBJECTS {
        for item in root.get(field).iter().flat_map(|n| n.items()) {
            found.extend(text(item.get("path")).map(|s| (field, s)));
        }
    }
    for field in ["configMapGenerator", "secretGenerator"] {
        for g in root.get(field).iter().flat_map(|n| n.items()) {
            for key in ["files", "envs"] {
                for item in g.get(key).iter().flat_map(|n| n.items()) {
                    // `key=path` or `path`.
                    found.extend(
                        text(Some(item))
                            .map(|f| f.split_once('=').map_or(f.clone(), |(_, p)| p.to_string()))
                            .map(|p| (field, p)),
                    );
                }
            }
            found.extend(text(g.get("env")).map(|s| (field, s)));
        }
    }
    for chart in root.get("helmCharts").iter().flat_map(|n| n.items()) {
        found.extend(text(chart.get("repo")).map(|s| ("helmCharts[].repo", s)));
    }
    for g in root
        .get("helmChartInflationGenerator")
        .iter()
        .flat_map(|n| n.items())
    {
        found.extend(
            text(g.get("chartRepoUrl")).map(|s| ("helmChartInflationGenerator[].chartRepoUrl", s)),
        );
    }
    found
        .extend(text(root.get("openapi").and_then(|o| o.get("path"))).map(|s| ("openapi.path", s)));
    found
}

/// Whether `reference`, written in a kustomization in `dir`, makes Kustomize reach the
/// network (or clone a repository). URLs and git forms are remote whatever exists on disk;
/// a host-like path (`example.com/org/repo`) is remote unless it exists locally, which is the
/// order in which Kustomize tries them.
pub(super) fn is_remote(reference: &str, dir: &Path) -> bool {
    let r = reference.trim();
    if r.is_empty() || r.contains('\n') {
        return false;
    }
    let lower = r.to_ascii_lowercase();
    if has_scheme(&lower)
        || lower.starts_with("git::")
        || lower.starts_with("gh:")
        || scp_like(&lower)
        || lower.starts_with("github.com/")
        || lower.starts_with("gitlab.com/")
        || lower.starts_with("bitbucket.org/")
    {
        return true;
    }
    if dir.join(r).exists() {
        return false;
    }
    ["?ref=", "?version=", "?submodules=", "?timeout="]
        .iter()
        .any(|q| lower.contains(q))
        || lower.contains("//")
        || lower.contains(".git/")
        || lower.ends_with(".git")
        || host_like(&lower)
}

/// `scheme://…`.
fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
}

/// `user@host:path`, git's scp-like syntax.
fn scp_like(s: &str) -> bool {
    let Some((user, rest)) = s.split_once('@') else {
        return false;
    };
    let Some((host, _)) = rest.split_once(':') else {
        return false;
    };
    !user.is_empty() && !user.contains('/') && host.contains('.') && !host.contains('/')
}

/// A first path component that is a host name (`example.com/…`, `git.corp.io:8443/…`).
fn host_like(s: &str) -> bool {
    let Some((first, _)) = s.split_once('/') else {
        return false;
    };
    let host = first.split_once(':').map_or(first, |(h, _)| h);
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

/// The reference as it may be printed: credentials in a URL's user part and query values
/// other than Kustomize's own parameters are masked.
pub(super) fn shown(reference: &str) -> String {
    let mut out = reference.trim().to_string();
    if let Some(start) = out.find("://").map(|i| i + 3) {
        let end = out[start..]
            .find(['/', '?', '#'])
            .map_or(out.len(), |i| start + i);
        if let Some(at) = out[start..end].rfind('@') {
            let user = &out[start..start + at];
            if user != "git" {
                out.replace_range(start..start + at, "****");
            }
        }
    }
    if let Some((base, query)) = out.split_once('?') {
        let params: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if !["ref", "version", "submodules", "timeout"].contains(&k) => {
                    format!("{k}=****")
                }
                _ => p.to_string(),
            })
            .collect();
        out = format!("{base}?{}", params.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_source::{Limits, parse_stream};

    #[test]
    fn urls_and_repositories_are_remote_local_paths_are_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("example.com/org")).unwrap();
        let remote = [
            "https://raw.githubusercontent.com/o/r/main/deploy.yaml",
            "http://127.0.0.1:8080/x.yaml",
            "HTTPS://EXAMPLE.COM/x.yaml",
            "ssh://git@github.com/org/repo",
            "file:///home/runner/repo",
            "oci://registry.example.com/charts",
            "git::https://example.com/org/repo//base",
            "gh:org/repo",
            "git@github.com:org/repo.git//base?ref=v1",
            "github.com/kubernetes-sigs/kustomize/examples/helloWorld?ref=v1.0.6",
            "gitlab.com/org/repo",
            "corp.example.io/team/repo/base",
            "repo//base?ref=main",
            "../x.git/base",
        ];
        for r in remote {
            assert!(is_remote(r, dir.path()), "{r}");
        }
        let local = [
            "deploy.yaml",
            "../base",
            "../../overlays/prod",
            "config.d/x.yaml",
            "example.com/org",
            "  ",
            "apiVersion: v1\nkind: ConfigMap\n",
            "/abs/path/base",
        ];
        for r in local {
            assert!(!is_remote(r, dir.path()), "{r}");
        }
    }

    #[test]
    fn every_field_that_names_a_file_is_looked_at() {
        let text = "resources: [a.yaml, https://e.com/r.yaml]\nbases: [github.com/o/r]\ncomponents: [c]\npatches:\n- path: https://e.com/p.yaml\n- patch: '{}'\npatchesJson6902:\n- path: j.yaml\nconfigMapGenerator:\n- name: x\n  files: [k=https://e.com/f]\n  envs: [e.env]\nsecretGenerator:\n- name: s\n  env: s.env\nhelmCharts:\n- name: n\n  repo: https://charts.example.com\nopenapi:\n  path: https://e.com/schema.json\ncrds: [crd.yaml]\n";
        let docs = parse_stream(text, &Limits::default());
        let root = docs[0].as_ref().unwrap().root().unwrap();
        let refs = references(root);
        let remote: Vec<(&str, &str)> = refs
            .iter()
            .filter(|(_, r)| is_remote(r, Path::new("/nonexistent")))
            .map(|(f, r)| (*f, r.as_str()))
            .collect();
        assert_eq!(
            remote,
            vec![
                ("resources", "https://e.com/r.yaml"),
                ("bases", "github.com/o/r"),
                ("patches", "https://e.com/p.yaml"),
                ("configMapGenerator", "https://e.com/f"),
                ("helmCharts[].repo", "https://charts.example.com"),
                ("openapi.path", "https://e.com/schema.json"),
            ]
        );
        assert_eq!(refs.len(), 12, "{refs:?}");
    }

    #[test]
    fn credentials_in_references_are_masked() {
        assert_eq!(
            shown("https://user:ghp_secret@github.com/o/r?ref=v1&sshkey=AAAA"),
            "https://****@github.com/o/r?ref=v1&sshkey=****"
        );
        assert_eq!(
            shown("ssh://git@github.com/o/r"),
            "ssh://git@github.com/o/r"
        );
        assert_eq!(shown("https://e.com/x.yaml"), "https://e.com/x.yaml");
    }
}
