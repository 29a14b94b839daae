//! CP041 insecure-bind-address.

use palisade_engine::prelude::*;
use palisade_model::component::{Component, ComponentFlags};

use super::insecure_port::{DEFAULT_PORT, PORT_FLAGS};
use super::{Check, evaluate, is_loopback};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that serve
    /// the insecure port beyond the node: `--insecure-bind-address` (or its older name
    /// `--address`) set to an address that is not loopback while the insecure port is on
    /// (`--insecure-port`, or `--port`, not `0`; unset it is 8080). Only releases before 1.20
    /// serve that port: from 1.20 the flags have no effect and from 1.24 they are gone, so
    /// an API server whose image tag names 1.20 or later is not reported. Without a release in
    /// the tag the flags are taken to be in effect.
    ///
    /// ## Why is this bad?
    /// The insecure port skips authentication, authorization and TLS. Bound to a routable
    /// address, it makes anyone who can reach the node's network cluster-admin, and everything
    /// sent over it, Secrets included, travels in clear text.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-apiserver
    ///   namespace: kube-system
    /// spec:
    ///   containers:
    ///   - name: kube-apiserver
    ///     image: registry.k8s.io/kube-apiserver:v1.18.20
    ///     command:
    ///     - kube-apiserver
    ///     - --insecure-bind-address=0.0.0.0 # expect: CP041
    /// ```
    ///
    /// ## Remediation
    /// Set `--insecure-port=0` and remove `--insecure-bind-address` (its default is
    /// `127.0.0.1`); better, upgrade to a supported release, which has no insecure port.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.6 1.2.18: Ensure that the --insecure-bind-address argument
    ///   is not set (dropped from later editions with the port)
    /// - kubescape C-0005 API server insecure port is enabled (NSA)
    /// - Kubernetes 1.20 release notes: insecure serving removed; 1.24: flags removed
    pub static RULE = {
        id: "CP041",
        name: "insecure-bind-address",
        title: "API server insecure port reachable beyond the node",
        severity: Critical,
        layer: Cluster,
        frameworks: [Nsa("C-0005")],
        remediation: "Set --insecure-port=0 and remove --insecure-bind-address; upgrade to a release without an insecure port.",
        hook: Hook::Pod(check),
    }
}

/// The insecure bind address's flag and its older name (the last one written wins).
const ADDRESS_FLAGS: &[&str] = &["insecure-bind-address", "address"];

fn exposed(c: &ComponentFlags<'_>) -> Option<(String, String)> {
    if c.minor_version().is_some_and(|m| m >= 20) {
        return None;
    }
    let port = c
        .last_of(PORT_FLAGS)
        .map_or(DEFAULT_PORT, |f| f.value.unwrap_or("true"))
        .trim();
    if port.parse::<u16>().is_ok_and(|p| p == 0) {
        return None;
    }
    let address = c.last_of(ADDRESS_FLAGS)?;
    let value = address.value.filter(|v| !is_loopback(v))?;
    Some((
        address.pointer.clone(),
        format!(
            "{} serves the unauthenticated insecure port {port} on {value}, beyond the node",
            c.component.binary()
        ),
    ))
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &Check::Custom(exposed));
}
