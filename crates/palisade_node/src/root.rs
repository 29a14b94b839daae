//! Paths of the node inside the root: symbolic links are followed as the node would follow
//! them (an absolute target is inside the root, not on the machine reading it), and reads are
//! bounded.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Largest file read whole (manifests, configurations, kubeconfigs).
pub const MAX_READ: u64 = 4 << 20;

/// Symbolic links followed before giving up (a loop).
const MAX_LINKS: usize = 40;

/// The node's root.
#[derive(Debug, Clone)]
pub struct Root {
    dir: PathBuf,
}

impl Root {
    /// A root at `dir`.
    pub fn new(dir: &Path) -> Root {
        Root {
            dir: dir.to_path_buf(),
        }
    }

    /// Where the node's absolute `path` is on this machine, its links resolved inside the
    /// root; `None` for a link loop or a path that leaves the root through `..`.
    pub fn resolve(&self, path: &str) -> Option<PathBuf> {
        let mut pending: Vec<String> = components(path);
        pending.reverse();
        let mut resolved: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(part) = pending.pop() {
            if part == ".." {
                resolved.pop();
                continue;
            }
            let candidate = self.host(&resolved).join(&part);
            match std::fs::symlink_metadata(&candidate) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    links += 1;
                    if links > MAX_LINKS {
                        return None;
                    }
                    let target = std::fs::read_link(&candidate).ok()?;
                    let target = target.to_string_lossy().to_string();
                    if target.starts_with('/') {
                        resolved.clear();
                    }
                    let mut more = components(&target);
                    more.reverse();
                    pending.extend(more);
                }
                _ => resolved.push(part),
            }
        }
        Some(self.host(&resolved))
    }

    fn host(&self, parts: &[String]) -> PathBuf {
        let mut out = self.dir.clone();
        out.extend(parts);
        out
    }

    /// The node's file metadata (links followed inside the root).
    pub fn metadata(&self, path: &str) -> Option<std::fs::Metadata> {
        std::fs::symlink_metadata(self.resolve(path)?).ok()
    }

    /// The text of the node's file, at most [`MAX_READ`] bytes: `Err` says why not.
    pub fn read(&self, path: &str) -> Result<String, String> {
        let host = self.resolve(path).ok_or("a symbolic link loop")?;
        let file = std::fs::File::open(&host).map_err(|e| e.to_string())?;
        let mut text = Vec::new();
        file.take(MAX_READ + 1)
            .read_to_end(&mut text)
            .map_err(|e| e.to_string())?;
        if text.len() as u64 > MAX_READ {
            return Err(format!("larger than {MAX_READ} bytes"));
        }
        String::from_utf8(text).map_err(|_| "not UTF-8 text".to_string())
    }

    /// The names in the node's directory `path`, sorted.
    pub fn list(&self, path: &str) -> Vec<String> {
        let Some(host) = self.resolve(path) else {
            return Vec::new();
        };
        let mut names: Vec<String> = std::fs::read_dir(host)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        names
    }
}

fn components(path: &str) -> Vec<String> {
    Path::new(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().to_string()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect()
}

/// Join a node path and a name.
pub fn join(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_links_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("run/containerd")).unwrap();
        std::fs::create_dir_all(dir.path().join("var")).unwrap();
        std::fs::write(dir.path().join("run/containerd/containerd.sock"), "").unwrap();
        std::os::unix::fs::symlink("/run", dir.path().join("var/run")).unwrap();
        std::os::unix::fs::symlink("loop", dir.path().join("loop")).unwrap();
        let root = Root::new(dir.path());
        assert_eq!(
            root.resolve("/var/run/containerd/containerd.sock").unwrap(),
            dir.path().join("run/containerd/containerd.sock")
        );
        assert!(
            root.metadata("/var/run/containerd/containerd.sock")
                .is_some()
        );
        assert!(root.resolve("/loop/x").is_none());
        assert_eq!(root.resolve("/../../etc").unwrap(), dir.path().join("etc"));
    }
}
