//! Container image references.

/// A parsed image reference: `[registry/]repository[:tag][@digest]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The registry host (with port), if the reference names one.
    pub registry: Option<&'a str>,
    /// The repository path, without registry.
    pub repository: &'a str,
    /// The tag, if any.
    pub tag: Option<&'a str>,
    /// The digest (`sha256:…`), if any.
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Parse an image reference the way container runtimes split it: the first path component
    /// is a registry when it contains `.` or `:` or is `localhost`.
    pub fn parse(image: &'a str) -> Self {
        let image = image.trim();
        let (name, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (image, None),
        };
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
            None => (name, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
                (Some(first), rest)
            }
            _ => (None, name),
        };
        ImageRef {
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// Whether the reference pins content by digest.
    pub fn is_pinned(&self) -> bool {
        self.digest.is_some_and(|d| d.contains(':'))
    }

    /// The tag a runtime would pull: the explicit tag, or `latest` when there is neither tag
    /// nor digest.
    pub fn effective_tag(&self) -> Option<&'a str> {
        match (self.tag, self.digest) {
            (Some(t), _) => Some(t),
            (None, None) => Some("latest"),
            (None, Some(_)) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = ImageRef::parse("nginx");
        assert_eq!(
            (r.registry, r.repository, r.tag, r.effective_tag()),
            (None, "nginx", None, Some("latest"))
        );
        let r = ImageRef::parse("registry.example.com:5000/team/app:1.2@sha256:abc");
        assert_eq!(r.registry, Some("registry.example.com:5000"));
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag, Some("1.2"));
        assert!(r.is_pinned());
        let r = ImageRef::parse("localhost/app");
        assert_eq!((r.registry, r.repository), (Some("localhost"), "app"));
        let r = ImageRef::parse("library/redis:7");
        assert_eq!(
            (r.registry, r.repository, r.tag),
            (None, "library/redis", Some("7"))
        );
        let r = ImageRef::parse("k8s.gcr.io/pause@sha256:123");
        assert_eq!((r.registry, r.effective_tag()), (Some("k8s.gcr.io"), None));
    }
}
