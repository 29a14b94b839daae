//! CP025 insecure-port.

use palisade_engine::prelude::*;
use palisade_model::component::{Component, ComponentFlags};

use super::{Check, evaluate_all};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that serve
    /// the API without TLS and authentication: `--insecure-port` (or its older name `--port`)
    /// set to anything but `0`, or `--secure-port=0`, which turns the authenticated HTTPS port
    /// off. Before 1.20 the insecure port is on unless turned off (it defaults to 8080), so
    /// an API server whose image tag names a release before 1.20 must set `--insecure-port=0`;
    /// without a release in the tag only explicit values are judged. From 1.20 the API server
    /// no longer serves the insecure port, and from 1.24 the flag is gone.
    ///
    /// ## Why is this bad?
    /// Requests to the insecure port skip authentication and authorization entirely: whoever
    /// reaches it is cluster-admin, and its traffic, Secrets included, is unencrypted. On
    /// `127.0.0.1` (the default) that is every process on the control-plane node, host-network
    /// pods included; CP041 covers the port bound beyond the node.
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
    ///     - --insecure-port=8080 # expect: CP025
    /// ```
    ///
    /// ## Remediation
    /// Set `--insecure-port=0` before 1.20 (remove it from 1.24, where it is gone) and keep
    /// `--secure-port` at a non-zero port such as `6443`.
    ///
    /// ## References
    /// - kubescape C-0005 API server insecure port is enabled (NSA)
    /// - CIS Kubernetes Benchmark 1.6 1.2.19: Ensure that the --insecure-port argument is set
    ///   to 0 (dropped from later editions with the port)
    /// - Kubernetes 1.20 release notes: insecure serving removed; 1.24: flags removed
    pub static RULE = {
        id: "CP025",
        name: "insecure-port",
        title: "API server serves an unauthenticated port",
        severity: Critical,
        layer: Cluster,
        frameworks: [Nsa("C-0005")],
        remediation: "Set --insecure-port=0 (or remove it from 1.24) and keep --secure-port non-zero.",
        hook: Hook::Pod(check),
    }
}

/// The insecure port's flag and its older name (the last one written wins).
pub(crate) const PORT_FLAGS: &[&str] = &["insecure-port", "port"];

/// The default insecure port of releases before 1.20.
pub(crate) const DEFAULT_PORT: &str = "8080";

/// The insecure port is set to something other than 0, or left at its default on a release
/// that still serves it.
fn insecure_port(c: &ComponentFlags<'_>) -> Option<(String, String)> {
    let bin = c.component.binary();
    match c.last_of(PORT_FLAGS) {
        Some(flag) => {
            let value = flag.value.unwrap_or("true");
            (value.trim() != "0").then(|| {
                (
                    flag.pointer.clone(),
                    format!("{bin} sets --{}={value}; it must be 0", flag.name),
                )
            })
        }
        None => {
            let minor = c.minor_version().filter(|m| *m < 20)?;
            Some((
                c.list_pointer.clone(),
                format!(
                    "{bin} 1.{minor} does not set --insecure-port=0, so it serves unauthenticated HTTP on port {DEFAULT_PORT}"
                ),
            ))
        }
    }
}

const CHECKS: &[Check] = &[
    Check::Custom(insecure_port),
    Check::NotIn {
        flag: "secure-port",
        bad: &["0"],
    },
];

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate_all(pod, ctx, &[Component::ApiServer], CHECKS);
}
