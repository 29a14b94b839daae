//! Listing every wanted resource a cluster serves, page by page, a few resources at a time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use palisade_inputs::snapshot::{
    ClusterInfo, ResourceState, ResourceStatus, SnapshotError, SnapshotHeader, SnapshotWriter,
};
use serde::Deserialize;
use serde_json::Value;

use crate::ClusterError;
use crate::connect::Connection;
use crate::discovery::{Served, discover};
use crate::fetch::{Answer, Failed, Retry, get};
use crate::redact::redact;
use crate::wanted::WANTED;

/// How a cluster is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectOptions {
    /// Only these namespaces (empty: all); cluster-scoped resources are listed whole.
    pub namespaces: Vec<String>,
    /// Objects per page (`limit`).
    pub page_size: u32,
    /// Resources listed at once.
    pub concurrency: usize,
    /// Timeout and retries of each request.
    pub retry: Retry,
    /// Times a list is started again when its continue token expires (410 Gone).
    pub relists: u32,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            namespaces: Vec::new(),
            page_size: 500,
            concurrency: 4,
            retry: Retry {
                retries: 5,
                backoff: Duration::from_millis(250),
                max_backoff: Duration::from_secs(30),
                timeout: Duration::from_secs(60),
            },
            relists: 3,
        }
    }
}

/// How far collection has come, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CollectProgress {
    /// Resources listed (or given up on).
    pub resources_done: usize,
    /// Resources to list.
    pub resources: usize,
    /// Objects listed so far.
    pub objects: usize,
}

/// Everything read from one cluster.
#[derive(Debug, Clone, Default)]
pub struct Collection {
    /// The cluster, with the server's version.
    pub cluster: ClusterInfo,
    /// Every wanted resource, and what came of it, in collection order.
    pub resources: Vec<ResourceStatus>,
    /// The objects, compact JSON text, owners first, Secret values removed.
    pub objects: Vec<String>,
    /// The namespaces collection was limited to.
    pub namespaces: Vec<String>,
    /// HTTP requests made (retries included).
    pub requests: usize,
}

impl Collection {
    /// The snapshot header of this collection, written by `generator` at `collected`.
    pub fn header(&self, generator: &str) -> SnapshotHeader {
        let mut header = SnapshotHeader::new(self.cluster.clone());
        header.generator = generator.to_string();
        header.collected = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        header.namespaces = self.namespaces.clone();
        header.resources = self.resources.clone();
        header
    }

    /// Write the collection as a snapshot at `path`.
    pub fn write_snapshot(
        &self,
        path: &std::path::Path,
        generator: &str,
    ) -> Result<(), SnapshotError> {
        let mut w = SnapshotWriter::create(path, &self.header(generator))?;
        for object in &self.objects {
            w.object(object)?;
        }
        w.finish()
    }
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    metadata: PageMeta,
    #[serde(default)]
    items: Vec<Value>,
}

#[derive(Deserialize, Default)]
struct PageMeta {
    #[serde(rename = "continue", default)]
    next: Option<String>,
}

struct Listed {
    status: ResourceStatus,
    objects: Vec<String>,
    requests: usize,
}

fn status(served: &Served, state: ResourceState, message: Option<String>) -> ResourceStatus {
    ResourceStatus {
        group: served.wanted.group.to_string(),
        version: served.version.clone(),
        resource: served.wanted.resource.to_string(),
        kind: served.wanted.kind.to_string(),
        namespaced: served.namespaced,
        state,
        objects: 0,
        message,
    }
}

/// List one resource, in every namespace asked for, page by page. A 410 Gone (the continue
/// token expired) starts that list again from the first page; its earlier pages are dropped.
async fn list(
    client: &kube::Client,
    served: &Served,
    opts: &CollectOptions,
    objects_seen: &AtomicUsize,
    tick: &(dyn Fn() + Send + Sync),
) -> Listed {
    let mut listed = Listed {
        status: status(served, ResourceState::Listed, None),
        objects: Vec::new(),
        requests: 0,
    };
    let scopes: Vec<Option<&str>> = if served.namespaced && !opts.namespaces.is_empty() {
        opts.namespaces.iter().map(|n| Some(n.as_str())).collect()
    } else {
        vec![None]
    };
    let api_version = served.api_version();
    for scope in scopes {
        let base = served.path(scope);
        let mut relists = 0;
        'list: loop {
            let mut objects = Vec::new();
            let mut next: Option<String> = None;
            loop {
                let mut path = format!("{base}?limit={}", opts.page_size);
                if let Some(token) = &next {
                    path.push_str("&continue=");
                    path.extend(percent_encoding::utf8_percent_encode(
                        token,
                        percent_encoding::NON_ALPHANUMERIC,
                    ));
                }
                listed.requests += 1;
                let failed = |state, message: String| {
                    let at = scope
                        .map(|ns| format!(" (namespace {ns})"))
                        .unwrap_or_default();
                    (state, format!("{message}{at}"))
                };
                let (state, message) = match get(client, &path, &opts.retry).await {
                    Ok(Answer::Ok(body)) => match serde_json::from_slice::<Page>(&body) {
                        Ok(page) => {
                            objects_seen.fetch_add(page.items.len(), Ordering::Relaxed);
                            for mut item in page.items {
                                redact(&mut item, &api_version, served.wanted.kind);
                                objects.push(item.to_string());
                            }
                            tick();
                            match page.metadata.next.filter(|t| !t.is_empty()) {
                                Some(token) => {
                                    next = Some(token);
                                    continue;
                                }
                                None => break,
                            }
                        }
                        Err(e) => failed(
                            ResourceState::Failed,
                            format!("not a list: {}", crate::fetch::json_error(&e)),
                        ),
                    },
                    Ok(Answer::Status(410, _)) if relists < opts.relists => {
                        relists += 1;
                        continue 'list;
                    }
                    Ok(Answer::Status(403, m)) => {
                        failed(ResourceState::Forbidden, format!("403 Forbidden: {m}"))
                    }
                    Ok(Answer::Status(404, m)) => {
                        failed(ResourceState::NotServed, format!("404 Not Found: {m}"))
                    }
                    Ok(Answer::Status(code, m)) => {
                        failed(ResourceState::Failed, format!("{code}: {m}"))
                    }
                    Err(Failed(m)) => failed(ResourceState::Failed, m),
                };
                listed.status.state = state;
                listed.status.message = Some(message);
                listed.objects.clear();
                return listed;
            }
            listed.objects.append(&mut objects);
            break;
        }
    }
    listed.status.objects = listed.objects.len();
    listed
}

/// Read a cluster: discovery, then every wanted resource it serves, `opts.concurrency` at a
/// time; `progress` hears after every page. A resource that cannot be listed is a
/// [`ResourceStatus`] (forbidden, not served, failed), not an error; only a cluster that
/// cannot be reached or refuses the credentials is.
pub async fn collect(
    connection: &Connection,
    opts: &CollectOptions,
    progress: &(dyn Fn(CollectProgress) + Send + Sync),
) -> Result<Collection, ClusterError> {
    let client = &connection.client;
    let discovered = discover(client, &connection.info.server, &opts.retry).await?;
    let mut cluster = connection.info.clone();
    cluster.version = discovered.version.clone();
    let listable: Vec<&Served> = discovered.served.iter().filter(|s| s.listable).collect();
    let total = listable.len();
    let (done, objects_seen) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let report = || {
        progress(CollectProgress {
            resources_done: done.load(Ordering::Relaxed),
            resources: total,
            objects: objects_seen.load(Ordering::Relaxed),
        })
    };
    report();
    let mut lists: Vec<(usize, Listed)> = futures_util::stream::iter(listable.iter().enumerate())
        .map(|(i, served)| {
            let (done, objects_seen, report) = (&done, &objects_seen, &report);
            async move {
                let listed = list(client, served, opts, objects_seen, report).await;
                done.fetch_add(1, Ordering::Relaxed);
                report();
                (i, listed)
            }
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    lists.sort_by_key(|(i, _)| *i);
    let mut collection = Collection {
        cluster,
        namespaces: opts.namespaces.clone(),
        requests: discovered.requests,
        ..Collection::default()
    };
    collection
        .objects
        .reserve_exact(lists.iter().map(|(_, l)| l.objects.len()).sum());
    for (_, mut listed) in lists {
        collection.requests += listed.requests;
        collection.objects.append(&mut listed.objects);
        collection.resources.push(listed.status);
    }
    for served in discovered.served.iter().filter(|s| !s.listable) {
        collection.resources.push(status(
            served,
            ResourceState::NotServed,
            Some("the API server does not allow listing it".into()),
        ));
    }
    for wanted in WANTED.iter().filter(|w| w.core) {
        if !discovered.served.iter().any(|s| s.wanted == *wanted) {
            collection.resources.push(ResourceStatus {
                group: wanted.group.into(),
                version: String::new(),
                resource: wanted.resource.into(),
                kind: wanted.kind.into(),
                namespaced: palisade_model::resources::builtin_kind_scope(
                    wanted.group,
                    wanted.kind,
                )
                .is_some_and(|s| s == palisade_model::resources::ResourceScope::Namespaced),
                state: ResourceState::NotServed,
                objects: 0,
                message: Some("not in the API server's discovery".into()),
            });
        }
    }
    Ok(collection)
}
