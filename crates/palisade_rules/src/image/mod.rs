//! Image references: mutable tags, digests, registries, pull policy and what runs in them.

pub mod deprecated_registry;
pub mod image_pull_policy;
pub mod latest_tag;
pub mod options;
pub mod sudo_in_command;
pub mod unpinned_image;
pub mod untrusted_registry;

use palisade_model::{ContainerView, ImageRef};

/// Each container's image reference (containers with no `image` are skipped: the API
/// server rejects them, and templates fill them in later).
pub(crate) fn images<'p, 'd, 'a>(
    containers: &'p [ContainerView<'d, 'a>],
) -> impl Iterator<Item = (&'p ContainerView<'d, 'a>, &'d str, ImageRef<'d>)> {
    containers.iter().filter_map(|c| {
        let image = c.node.get("image")?.as_str()?;
        (!image.trim().is_empty()).then(|| (c, image, ImageRef::parse(image)))
    })
}

/// Report every container whose image comes from a registry outside `allow`; `describe`
/// gives the message from the container name, the image and its registry.
pub(crate) fn report_disallowed_registries(
    pod: &palisade_model::PodSpecView<'_, '_>,
    ctx: &mut palisade_engine::Ctx<'_>,
    allow: &[String],
    describe: impl Fn(&str, &str, &str) -> String,
) {
    for (c, image, r) in images(pod.containers()) {
        // Images without a registry come from Docker Hub.
        let registry = r.registry.unwrap_or("docker.io");
        if !registry_allowed(registry, r.repository, allow) {
            ctx.report_container(c, "image", describe(c.name, image, registry));
        }
    }
}

/// Whether an image of `registry`/`repository` is under one of the allowed entries: a
/// registry host, or a host with a path prefix (matched at path boundaries).
fn registry_allowed(registry: &str, repository: &str, allow: &[String]) -> bool {
    let full = format!("{registry}/{repository}");
    allow.iter().any(|a| {
        let a = a.trim_end_matches('/');
        registry == a || full == a || full.starts_with(&format!("{a}/"))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn prefixes_respect_path_boundaries() {
        let allow = vec![
            "ghcr.io/acme".to_string(),
            "registry.example.com".to_string(),
        ];
        assert!(super::registry_allowed("ghcr.io", "acme/api", &allow));
        assert!(!super::registry_allowed("ghcr.io", "acme-evil/api", &allow));
        assert!(super::registry_allowed(
            "registry.example.com",
            "team/x",
            &allow
        ));
        assert!(!super::registry_allowed(
            "docker.io",
            "library/nginx",
            &allow
        ));
    }
}
