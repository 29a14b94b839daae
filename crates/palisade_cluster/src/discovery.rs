//! API discovery: which of the [`WANTED`] resources the cluster serves, at which version and
//! scope. Only the groups that hold wanted resources are asked about.

use serde::Deserialize;

use crate::ClusterError;
use crate::fetch::{Answer, Failed, Retry, get};
use crate::wanted::{WANTED, Wanted};

/// A wanted resource as the cluster serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Served {
    pub wanted: Wanted,
    /// The version listed (the group's preferred one that serves it).
    pub version: String,
    pub namespaced: bool,
    /// Whether the resource can be listed (its verbs have `list`).
    pub listable: bool,
}

impl Served {
    pub fn api_version(&self) -> String {
        if self.wanted.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.wanted.group, self.version)
        }
    }

    /// The collection's path, cluster-wide or in `namespace`.
    pub fn path(&self, namespace: Option<&str>) -> String {
        let root = if self.wanted.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.wanted.group, self.version)
        };
        match namespace {
            Some(ns) if self.namespaced => {
                format!("{root}/namespaces/{ns}/{}", self.wanted.resource)
            }
            _ => format!("{root}/{}", self.wanted.resource),
        }
    }
}

#[derive(Deserialize)]
struct ResourceList {
    #[serde(default)]
    resources: Vec<ApiResource>,
}

#[derive(Deserialize)]
struct ApiResource {
    name: String,
    #[serde(default)]
    namespaced: bool,
    #[serde(default)]
    verbs: Vec<String>,
}

#[derive(Deserialize)]
struct GroupList {
    #[serde(default)]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    name: String,
    #[serde(default)]
    versions: Vec<GroupVersion>,
    #[serde(rename = "preferredVersion")]
    preferred: Option<GroupVersion>,
}

#[derive(Deserialize, Clone)]
struct GroupVersion {
    version: String,
}

#[derive(Deserialize)]
struct Version {
    #[serde(rename = "gitVersion", default)]
    git_version: String,
}

/// What discovery found: the server's version and every wanted resource it serves (in
/// [`WANTED`] order); wanted resources it does not serve are absent.
pub(crate) struct Discovered {
    pub version: String,
    pub served: Vec<Served>,
    pub requests: usize,
}

fn unreachable(server: &str, message: String) -> ClusterError {
    ClusterError::Unreachable {
        server: server.to_string(),
        message,
    }
}

/// GET a discovery document; any failure to get one is the cluster's failure.
async fn document<T: for<'de> Deserialize<'de>>(
    client: &kube::Client,
    server: &str,
    path: &str,
    retry: &Retry,
) -> Result<Option<T>, ClusterError> {
    match get(client, path, retry).await {
        Ok(Answer::Ok(body)) => serde_json::from_slice(&body).map(Some).map_err(|e| {
            let e = crate::fetch::json_error(&e);
            unreachable(server, format!("{path}: not a discovery document: {e}"))
        }),
        Ok(Answer::Status(404, _)) => Ok(None),
        Ok(Answer::Status(401, m)) => Err(unreachable(
            server,
            format!("401 Unauthorized: the credentials were refused ({m})"),
        )),
        Ok(Answer::Status(code, m)) => Err(unreachable(server, format!("{path}: {code}: {m}"))),
        Err(Failed(m)) => Err(unreachable(server, format!("{path}: {m}"))),
    }
}

fn served_in(list: &ResourceList, group: &str, version: &str, found: &mut Vec<Served>) {
    for wanted in WANTED.iter().filter(|w| w.group == group) {
        if found.iter().any(|s| s.wanted == *wanted) {
            continue;
        }
        if let Some(r) = list.resources.iter().find(|r| r.name == wanted.resource) {
            found.push(Served {
                wanted: *wanted,
                version: version.to_string(),
                namespaced: r.namespaced,
                listable: r.verbs.iter().any(|v| v == "list"),
            });
        }
    }
}

/// Discover the wanted resources.
pub(crate) async fn discover(
    client: &kube::Client,
    server: &str,
    retry: &Retry,
) -> Result<Discovered, ClusterError> {
    let mut requests = 1;
    let version: Option<Version> = document(client, server, "/version", retry).await?;
    let mut served = Vec::new();
    requests += 1;
    if let Some(core) = document::<ResourceList>(client, server, "/api/v1", retry).await? {
        served_in(&core, "", "v1", &mut served);
    }
    requests += 1;
    let groups: GroupList = document(client, server, "/apis", retry)
        .await?
        .unwrap_or(GroupList { groups: Vec::new() });
    for group in &groups.groups {
        if !WANTED.iter().any(|w| w.group == group.name) {
            continue;
        }
        // The preferred version first; the others only for resources it lacks.
        let mut versions: Vec<GroupVersion> = group.preferred.iter().cloned().collect();
        versions.extend(group.versions.iter().cloned());
        let mut asked: Vec<String> = Vec::new();
        for v in versions {
            let complete = WANTED
                .iter()
                .filter(|w| w.group == group.name)
                .all(|w| served.iter().any(|s: &Served| s.wanted == *w));
            if complete || asked.contains(&v.version) {
                continue;
            }
            asked.push(v.version.clone());
            requests += 1;
            let path = format!("/apis/{}/{}", group.name, v.version);
            if let Some(list) = document::<ResourceList>(client, server, &path, retry).await? {
                served_in(&list, &group.name, &v.version, &mut served);
            }
        }
    }
    served.sort_by_key(|s| WANTED.iter().position(|w| *w == s.wanted));
    Ok(Discovered {
        version: version.map(|v| v.git_version).unwrap_or_default(),
        served,
        requests,
    })
}
