//! Writing report resources to the cluster: server-side apply with the field manager
//! `palisade`, then deleting the reports Palisade wrote before that the new set no longer has
//! (a namespace whose findings are gone). The only writes Palisade ever makes, and only when
//! asked (`cluster scan --apply-reports`).

use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

/// The field manager of every apply.
pub const FIELD_MANAGER: &str = "palisade";

/// What applying a set of reports did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Reports created or updated.
    pub applied: usize,
    /// Stale reports deleted.
    pub deleted: usize,
    /// What failed (the report and why); the rest was still applied.
    pub errors: Vec<String>,
}

/// The resource of a report kind (`PolicyReport`, `ClusterReport`, ...).
fn resource_of(api_version: &str, kind: &str) -> Option<ApiResource> {
    let (group, version) = api_version.split_once('/')?;
    let plural = format!("{}s", kind.to_ascii_lowercase());
    Some(ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(group, version, kind),
        &plural,
    ))
}

fn api(
    client: &kube::Client,
    resource: &ApiResource,
    namespace: Option<&str>,
) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, resource),
        None => Api::all_with(client.clone(), resource),
    }
}

fn describe(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(status) if status.code == 404 => {
            "404 Not Found: the report CRD is not installed in the cluster".to_string()
        }
        kube::Error::Api(status) => format!("{}: {}", status.code, status.message),
        other => other.to_string(),
    }
}

/// Apply `reports` (objects as `policyreport::objects` makes them: each with apiVersion,
/// kind, metadata name, namespace and labels), then delete the reports of the same kinds
/// that carry `selector` (`app.kubernetes.io/managed-by=palisade,...`) and are not among them.
pub async fn apply_reports(client: &kube::Client, reports: &[Value], selector: &str) -> Applied {
    let mut applied = Applied::default();
    let mut kinds: Vec<(String, String)> = Vec::new();
    let mut written: Vec<(String, Option<String>, String)> = Vec::new();
    for report in reports {
        let api_version = report["apiVersion"].as_str().unwrap_or_default();
        let kind = report["kind"].as_str().unwrap_or_default();
        let name = report["metadata"]["name"].as_str().unwrap_or_default();
        let namespace = report["metadata"]["namespace"].as_str();
        let Some(resource) = resource_of(api_version, kind) else {
            applied
                .errors
                .push(format!("{kind}/{name}: no API group in {api_version}"));
            continue;
        };
        if !kinds.iter().any(|(v, k)| v == api_version && k == kind) {
            kinds.push((api_version.to_string(), kind.to_string()));
        }
        let params = PatchParams::apply(FIELD_MANAGER).force();
        match api(client, &resource, namespace)
            .patch(name, &params, &Patch::Apply(report))
            .await
        {
            Ok(_) => {
                applied.applied += 1;
                written.push((
                    kind.to_string(),
                    namespace.map(str::to_string),
                    name.to_string(),
                ));
            }
            Err(e) => {
                let at = namespace.map(|ns| format!("{ns}/")).unwrap_or_default();
                applied
                    .errors
                    .push(format!("{kind} {at}{name}: {}", describe(&e)));
            }
        }
    }
    for (api_version, kind) in kinds {
        let Some(resource) = resource_of(&api_version, &kind) else {
            continue;
        };
        let listed = match api(client, &resource, None)
            .list(&ListParams::default().labels(selector))
            .await
        {
            Ok(list) => list,
            Err(e) => {
                applied
                    .errors
                    .push(format!("listing {kind}s: {}", describe(&e)));
                continue;
            }
        };
        for old in listed.items {
            let name = old.metadata.name.clone().unwrap_or_default();
            let namespace = old.metadata.namespace.clone();
            let kept = written
                .iter()
                .any(|(k, ns, n)| *k == kind && *ns == namespace && *n == name);
            if kept {
                continue;
            }
            match api(client, &resource, namespace.as_deref())
                .delete(&name, &DeleteParams::default())
                .await
            {
                Ok(_) => applied.deleted += 1,
                Err(e) => applied
                    .errors
                    .push(format!("deleting {kind} {name}: {}", describe(&e))),
            }
        }
    }
    applied
}
