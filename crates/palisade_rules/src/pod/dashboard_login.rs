//! POD027 dashboard-insecure-login.

use palisade_engine::prelude::*;
use palisade_model::component::CommandLine;

use crate::addons::{Dashboard, dashboard};

declare_rule! {
    /// ## What it does
    /// Flags Kubernetes Dashboard v1 and v2 containers (`kubernetesui/dashboard`,
    /// `kubernetes-dashboard-amd64`, …) whose login can be bypassed or read, as the Dashboard
    /// itself decides it from its flags:
    /// - `--enable-skip-login`: the login page offers a Skip button;
    /// - no TLS (neither `--auto-generate-certificates` nor both `--tls-cert-file` and
    ///   `--tls-key-file`): the Dashboard then serves plain HTTP and, without
    ///   `--enable-insecure-login`, shows no login at all;
    /// - plain HTTP with `--enable-insecure-login`: the login works, over plain HTTP (medium);
    /// - releases before v1.10.1, which offer the Skip button unless `--disable-skip` is set.
    ///
    /// Dashboard v3 modules (`dashboard-api`, `-auth`, `-web`) have none of these flags. NET018
    /// reports a Dashboard exposed outside the cluster.
    ///
    /// ## Why is this bad?
    /// A visitor who skips the login, or reaches a Dashboard that shows none, acts with the
    /// Dashboard's own ServiceAccount, often bound to broad or cluster-admin permissions (the
    /// Tesla cryptojacking of 2018 began at such a Dashboard). A login over plain HTTP sends
    /// bearer tokens in clear text to anyone on the path.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: kubernetes-dashboard
    ///   namespace: kubernetes-dashboard
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///       - name: kubernetes-dashboard
    ///         image: kubernetesui/dashboard:v2.7.0
    ///         args:
    ///         - --auto-generate-certificates
    ///         - --enable-skip-login # expect: POD027
    /// ```
    ///
    /// ## Remediation
    /// Serve the Dashboard over HTTPS (`--auto-generate-certificates` or a certificate), remove
    /// `--enable-skip-login` and `--enable-insecure-login`, and give its ServiceAccount no more
    /// than read access; better, move to Dashboard v3 or a read-only alternative.
    ///
    /// ## References
    /// - Kubernetes Dashboard: dashboard arguments, access control
    /// - Microsoft Threat Matrix for Kubernetes: Exposed sensitive interfaces (MS-TA9005)
    /// - kubescape C-0014 Access Kubernetes dashboard (MITRE)
    pub static RULE = {
        id: "POD027",
        name: "dashboard-insecure-login",
        title: "Kubernetes Dashboard login can be skipped or read",
        severity: High,
        layer: Container,
        frameworks: [Mitre("T1133")],
        remediation: "Serve the Dashboard over HTTPS, remove --enable-skip-login and --enable-insecure-login, and limit its ServiceAccount.",
        hook: Hook::Pod(check),
    }
}

/// `v1.10.1` or `2.7.0` as numbers.
fn version(tag: &str) -> Option<(u32, u32, u32)> {
    let mut parts = tag.strip_prefix('v').unwrap_or(tag).split('.').map(|p| {
        let end = p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len());
        p[..end].parse::<u32>().ok()
    });
    Some((
        parts.next()??,
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
    ))
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for c in pod.containers() {
        let image = c.node.get("image").and_then(|i| i.as_str());
        let Some(Dashboard::Ui(tag)) = image.and_then(dashboard) else {
            continue;
        };
        let line = CommandLine::of(c);
        let name = c.name;
        // Pointers below the container, so that findings name it.
        let below = |pointer: &str| {
            pointer
                .strip_prefix(c.pointer.as_str())
                .and_then(|p| p.strip_prefix('/'))
                .unwrap_or_default()
                .to_string()
        };
        if let Some(tag) = tag.filter(|t| version(t).is_some_and(|v| v < (1, 10, 1)))
            && !line.is_true("disable-skip")
        {
            ctx.report_container(
                c,
                "image",
                format!(
                    "Kubernetes Dashboard {tag} in container {name:?} offers every visitor a Skip button on its login page (releases before v1.10.1)"
                ),
            );
            continue;
        }
        let set = |flag: &str| line.value(flag).is_some_and(|v| !v.is_empty());
        let https = line.is_true("auto-generate-certificates")
            || (set("tls-cert-file") && set("tls-key-file"));
        let insecure_login = line.is_true("enable-insecure-login");
        if !https && !insecure_login {
            ctx.report_container(
                c,
                &below(&line.list_pointer),
                format!(
                    "Kubernetes Dashboard container {name:?} serves plain HTTP (no --auto-generate-certificates or --tls-cert-file and --tls-key-file), where it shows no login: every request acts as its ServiceAccount"
                ),
            );
            continue;
        }
        if line.is_true("enable-skip-login")
            && let Some(flag) = line.get("enable-skip-login")
        {
            ctx.report_container(
                c,
                &below(&flag.pointer),
                format!(
                    "Kubernetes Dashboard container {name:?} sets --enable-skip-login: visitors can skip the login and act as its ServiceAccount"
                ),
            );
        }
        if !https && let Some(flag) = line.get("enable-insecure-login") {
            ctx.report_container_as(
                Severity::Medium,
                c,
                &below(&flag.pointer),
                format!(
                    "Kubernetes Dashboard container {name:?} serves its login over plain HTTP (--enable-insecure-login): tokens travel in clear text"
                ),
            );
        }
    }
}
