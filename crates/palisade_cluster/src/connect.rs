//! The connection to one cluster: a kubeconfig context (with the exec and token plugins kube-rs
//! supports) or in-cluster credentials.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::{ClusterError, ClusterInfo};

/// Which cluster to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// The kubeconfig (default: `KUBECONFIG`, else `~/.kube/config`).
    pub kubeconfig: Option<PathBuf>,
    /// The context (default: the kubeconfig's current context). With neither a context nor a
    /// kubeconfig, in-cluster credentials are tried first, as a Pod running Palisade needs.
    pub context: Option<String>,
}

/// A client for one cluster and what it is called.
#[derive(Clone)]
pub struct Connection {
    /// The kube-rs client.
    pub client: kube::Client,
    /// The cluster's name (the context) and server.
    pub info: ClusterInfo,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// A kubeconfig error in words that never show a credential the file holds (a parse error
/// can quote the text it met).
fn kubeconfig_error(context: String, e: impl std::fmt::Display) -> ClusterError {
    let message = format!("{context}{e}");
    ClusterError::Kubeconfig(palisade_model::secrets::mask_credentials(&message).into_owned())
}

fn read_kubeconfig(path: Option<&Path>) -> Result<Kubeconfig, ClusterError> {
    match path {
        Some(path) => Kubeconfig::read_from(path)
            .map_err(|e| kubeconfig_error(format!("{}: ", path.display()), e)),
        None => Kubeconfig::read().map_err(|e| kubeconfig_error(String::new(), e)),
    }
}

/// Every context of the kubeconfig (`--all-contexts`), in the file's order.
pub fn contexts(kubeconfig: Option<&Path>) -> Result<Vec<String>, ClusterError> {
    let file = read_kubeconfig(kubeconfig)?;
    Ok(file.contexts.into_iter().map(|c| c.name).collect())
}

/// Connect to `target`; `timeout` bounds connecting. (Each request of a collection is bounded
/// on its own, body included; reads are left to kube's default so that a watch on the same
/// client can wait for events.)
pub async fn connect(target: &Target, timeout: Duration) -> Result<Connection, ClusterError> {
    let (mut config, name) = if target.kubeconfig.is_none() && target.context.is_none() {
        match kube::Config::incluster() {
            Ok(config) => (config, "in-cluster".to_string()),
            Err(_) => from_kubeconfig(target).await?,
        }
    } else {
        from_kubeconfig(target).await?
    };
    config.connect_timeout = Some(timeout);
    // Requests are retried in one place (`fetch`), which also retries timeouts and dropped
    // connections and counts every attempt; kube's own retry layer would retry under it.
    config.default_retry = false;
    let info = ClusterInfo {
        name,
        server: config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string(),
        version: String::new(),
    };
    let client = kube::Client::try_from(config).map_err(|e| ClusterError::Unreachable {
        server: info.server.clone(),
        message: e.to_string(),
    })?;
    Ok(Connection { client, info })
}

async fn from_kubeconfig(target: &Target) -> Result<(kube::Config, String), ClusterError> {
    let file = read_kubeconfig(target.kubeconfig.as_deref()).map_err(|e| match e {
        ClusterError::Kubeconfig(m) if target.kubeconfig.is_none() && target.context.is_none() => {
            ClusterError::NoCredentials(m)
        }
        other => other,
    })?;
    let name = match (&target.context, &file.current_context) {
        (Some(c), _) => c.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) => {
            return Err(ClusterError::Kubeconfig(
                "no current-context; name one with --context".into(),
            ));
        }
    };
    if !file.contexts.iter().any(|c| c.name == name) {
        return Err(ClusterError::NoContext(name));
    }
    let options = KubeConfigOptions {
        context: Some(name.clone()),
        ..KubeConfigOptions::default()
    };
    let config = kube::Config::from_custom_kubeconfig(file, &options)
        .await
        .map_err(|e| kubeconfig_error(format!("context {name}: "), e))?;
    Ok((config, name))
}
