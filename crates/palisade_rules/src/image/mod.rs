//! Image references: mutable tags, digests, registries, pull policy and what runs in them.

pub mod deprecated_registry;
pub mod image_pull_policy;
pub mod latest_tag;
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
