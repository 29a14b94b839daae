//! Semantic versions (`semver()`), compared by precedence (build metadata ignored).

use super::opaque_type;

/// A version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Semver {
    version: semver::Version,
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
}

opaque_type!(Semver, "kubernetes.Semver");

impl Semver {
    /// Parse a strict `MAJOR.MINOR.PATCH[-pre][+build]`.
    pub fn parse(text: &str) -> Result<Semver, String> {
        let version =
            semver::Version::parse(text).map_err(|e| format!("invalid semver {text:?}: {e}"))?;
        Ok(Semver {
            major: version.major,
            minor: version.minor,
            patch: version.patch,
            version,
        })
    }

    /// Compare by precedence.
    pub fn cmp_precedence(&self, other: &Semver) -> std::cmp::Ordering {
        self.version.cmp_precedence(&other.version)
    }
}
