//! Well-known cluster add-ons, recognised by their images, for the rules about them: the
//! Kubernetes Dashboard and Helm v2's Tiller. Registries and mirrors vary, so the registry
//! host is ignored and only the repository path is compared.

use palisade_model::ImageRef;

/// Which part of the Kubernetes Dashboard an image runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dashboard<'a> {
    /// The single binary of Dashboard v1 and v2 (`kubernetesui/dashboard`,
    /// `kubernetes-dashboard-amd64`), which serves the UI and handles login through its
    /// `--enable-skip-login` and `--enable-insecure-login` flags; with its image tag.
    Ui(Option<&'a str>),
    /// A module of Dashboard v3 (`kubernetesui/dashboard-api`, `-auth`, `-web`), which sits
    /// behind a Kong gateway and has no login flags.
    Module,
}

/// Architectures Dashboard v2 published per-architecture images for.
const ARCHES: &[&str] = &["amd64", "arm", "arm64", "ppc64le", "s390x"];

/// The last two segments of an image's repository path (`kubernetesui`, `dashboard`).
fn tail(image: &str) -> (&str, &str, Option<&str>) {
    let image = ImageRef::parse(image);
    let mut segments = image.repository.rsplit('/');
    let last = segments.next().unwrap_or("");
    (segments.next().unwrap_or(""), last, image.tag)
}

/// The Dashboard part an image runs, if any (the metrics scraper is not one).
pub(crate) fn dashboard(image: &str) -> Option<Dashboard<'_>> {
    let (owner, name, tag) = tail(image);
    let ui_name = name == "dashboard"
        || name
            .strip_prefix("dashboard-")
            .is_some_and(|arch| ARCHES.contains(&arch));
    if (owner == "kubernetesui" && ui_name) || name.starts_with("kubernetes-dashboard") {
        return Some(Dashboard::Ui(tag));
    }
    (owner == "kubernetesui"
        && matches!(name, "dashboard-api" | "dashboard-auth" | "dashboard-web"))
    .then_some(Dashboard::Module)
}

/// Whether an image is Helm v2's Tiller (`gcr.io/kubernetes-helm/tiller`,
/// `ghcr.io/helm/tiller`).
pub(crate) fn is_tiller(image: &str) -> bool {
    matches!(tail(image), ("kubernetes-helm" | "helm", "tiller", _))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashboard_images() {
        for (image, ui) in [
            ("kubernetesui/dashboard:v2.7.0", Some("v2.7.0")),
            (
                "docker.io/kubernetesui/dashboard-amd64:v2.0.0",
                Some("v2.0.0"),
            ),
            (
                "k8s.gcr.io/kubernetes-dashboard-amd64:v1.10.1",
                Some("v1.10.1"),
            ),
            (
                "registry.example.com/mirror/kubernetesui/dashboard@sha256:ab",
                None,
            ),
            ("bitnami/kubernetes-dashboard:2.7.0", Some("2.7.0")),
        ] {
            assert_eq!(dashboard(image), Some(Dashboard::Ui(ui)), "{image}");
        }
        assert_eq!(
            dashboard("docker.io/kubernetesui/dashboard-web:1.6.0"),
            Some(Dashboard::Module)
        );
        for image in [
            "kubernetesui/metrics-scraper:v1.0.8",
            "kubernetesui/dashboard-metrics-scraper:1.2.1",
            "grafana/grafana:11.0.0",
            "example.com/dashboard:1.0",
            "kubernetesui/dashboard-x86:v2.0.0",
        ] {
            assert_eq!(dashboard(image), None, "{image}");
        }
    }

    #[test]
    fn tiller_images() {
        assert!(is_tiller("gcr.io/kubernetes-helm/tiller:v2.16.12"));
        assert!(is_tiller("ghcr.io/helm/tiller:v2.17.0"));
        assert!(!is_tiller("example.com/tiller:1.0"));
        assert!(!is_tiller("alpine/helm:3.14.0"));
    }
}
