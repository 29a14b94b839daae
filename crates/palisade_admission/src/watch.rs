//! The namespace cache kept current by watching the API server (kube-rs): only the
//! namespaces' metadata is listed and watched, and the webhook is not ready until the first
//! list is in the cache (an empty cache would hold every namespace to the defaults).

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::StreamExt;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, PartialObjectMeta};
use kube::runtime::watcher::{self, Event};
use kube::runtime::{WatchStreamExt, watcher as watch};

use crate::namespaces::Namespaces;

/// A namespace's name and labels.
fn entry(ns: &PartialObjectMeta<Namespace>) -> Option<(String, BTreeMap<String, String>)> {
    let name = ns.metadata.name.clone()?;
    Some((name, ns.metadata.labels.clone().unwrap_or_default()))
}

/// Watch namespaces with `client` and keep `namespaces` current, until the future is
/// dropped. The cache counts as not synced from this call (not from the first poll) until
/// the first list is in. Errors are logged and retried with backoff; a re-list replaces the
/// cache only once it is complete, so requests never see a half-listed cache.
pub fn watch_namespaces(
    client: kube::Client,
    namespaces: Arc<Namespaces>,
) -> impl std::future::Future<Output = ()> + Send {
    namespaces.set_synced(false);
    follow(client, namespaces)
}

async fn follow(client: kube::Client, namespaces: Arc<Namespaces>) {
    // Metadata only: labels are all the webhook reads.
    let api: Api<PartialObjectMeta<Namespace>> = Api::all(client);
    let mut events = Box::pin(watch(api, watcher::Config::default()).default_backoff());
    let mut listing: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    while let Some(event) = events.next().await {
        match event {
            Ok(Event::Init) => listing.clear(),
            Ok(Event::InitApply(ns)) => listing.extend(entry(&ns)),
            Ok(Event::InitDone) => {
                for problem in namespaces.replace_all(&listing) {
                    tracing::warn!(%problem, "invalid namespace label; the strictest level applies");
                }
                tracing::info!(namespaces = listing.len(), "namespace labels listed");
                listing = Vec::new();
                namespaces.set_synced(true);
            }
            Ok(Event::Apply(ns)) => {
                if let Some((name, labels)) = entry(&ns) {
                    for problem in namespaces.set(&name, &labels) {
                        tracing::warn!(namespace = %name, %problem, "invalid namespace label; the strictest level applies");
                    }
                }
            }
            Ok(Event::Delete(ns)) => {
                if let Some(name) = &ns.metadata.name {
                    namespaces.remove(name);
                }
            }
            Err(e) => tracing::warn!(error = %e, "namespace watch failed; retrying"),
        }
    }
}
