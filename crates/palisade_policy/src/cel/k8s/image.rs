//! Image references as Kyverno's `image()` library reads them: Docker Hub is the default
//! registry, and a one-component repository there is under `library/`.

use super::opaque_type;

/// A parsed, normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// The registry (`docker.io` by default).
    pub registry: String,
    /// The repository.
    pub repository: String,
    /// The tag, if written.
    pub tag: Option<String>,
    /// The digest, if written.
    pub digest: Option<String>,
}

opaque_type!(ImageRef, "kyverno.Image");

impl ImageRef {
    /// Parse and normalise.
    pub fn parse(text: &str) -> Result<ImageRef, String> {
        let r = palisade_model::ImageRef::parse(text);
        let repo_ok = !r.repository.is_empty()
            && r.repository.split('/').all(|c| {
                !c.is_empty()
                    && c.bytes().all(|b| {
                        b.is_ascii_lowercase()
                            || b.is_ascii_digit()
                            || matches!(b, b'.' | b'_' | b'-')
                    })
            });
        let tag_ok = r.tag.is_none_or(|t| {
            !t.is_empty()
                && t.len() <= 128
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        });
        let digest_ok = r.digest.is_none_or(|d| {
            d.split_once(':')
                .is_some_and(|(a, h)| !a.is_empty() && !h.is_empty())
        });
        if text.trim() != text || !repo_ok || !tag_ok || !digest_ok {
            return Err(format!("invalid image reference {text:?}"));
        }
        let registry = r.registry.unwrap_or("docker.io").to_string();
        let repository = if registry == "docker.io" && !r.repository.contains('/') {
            format!("library/{}", r.repository)
        } else {
            r.repository.to_string()
        };
        Ok(ImageRef {
            registry,
            repository,
            tag: r.tag.map(String::from),
            digest: r.digest.map(String::from),
        })
    }

    /// The digest when there is one, else the tag (`latest` when neither is written).
    pub fn identifier(&self) -> String {
        self.digest
            .clone()
            .or_else(|| self.tag.clone())
            .unwrap_or_else(|| "latest".into())
    }
}
