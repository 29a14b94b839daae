//! Cluster snapshots: everything a live scan collected, in one portable file that every
//! file-reading front door (`scan`, `rbac`, `netpol`) reads offline.
//!
//! The format is gzip-compressed JSON Lines (`zcat snapshot | jq` reads it):
//! the first line is a [`SnapshotHeader`] (`kind: ClusterSnapshot`), every other line one
//! object as the API server returned it, with `apiVersion` and `kind` filled in,
//! `metadata.managedFields` dropped and Secret values replaced by empty strings. Objects are
//! written owners first (workloads before the ReplicaSets and Pods they control), so that a
//! reader folds an object into its owner in one pass. It lives here, with the other readers,
//! so that reading a snapshot needs no Kubernetes client.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

/// The `apiVersion` of a snapshot's header.
pub const SNAPSHOT_API_VERSION: &str = "palisade.dev/v1alpha1";
/// The `kind` of a snapshot's header.
pub const SNAPSHOT_KIND: &str = "ClusterSnapshot";
/// Most objects a snapshot may hold: a gzip stream of tiny lines cannot run a scan forever.
pub const MAX_SNAPSHOT_OBJECTS: usize = 20_000_000;

/// The cluster a snapshot (or a live scan) is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterInfo {
    /// The kubeconfig context (or `in-cluster`): the name findings carry.
    pub name: String,
    /// The API server's URL.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub server: String,
    /// The API server's version (`/version` `gitVersion`), when it answered.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
}

/// What became of one resource type of the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceState {
    /// Listed completely.
    Listed,
    /// The credentials may not list it (403): rules that read it were not evaluated.
    Forbidden,
    /// The cluster does not serve it (not discovered, or 404).
    NotServed,
    /// Listing failed (after retries): what was listed of it is not used.
    Failed,
}

/// One resource type: what was asked for and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceStatus {
    /// API group (`""` for the core group).
    pub group: String,
    /// The version listed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// The plural resource name (`deployments`).
    pub resource: String,
    /// The kind (`Deployment`).
    pub kind: String,
    /// Whether it is namespaced.
    pub namespaced: bool,
    /// What came of it.
    pub state: ResourceState,
    /// Objects listed.
    #[serde(default)]
    pub objects: usize,
    /// Why, when not listed (the API server's message, never an object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ResourceStatus {
    /// `deployments.apps`, as `kubectl` names resources.
    pub fn name(&self) -> String {
        if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        }
    }
}

/// The first line of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotHeader {
    /// [`SNAPSHOT_API_VERSION`].
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// [`SNAPSHOT_KIND`].
    pub kind: String,
    /// The cluster.
    pub cluster: ClusterInfo,
    /// When collection finished (RFC 3339, UTC).
    #[serde(default)]
    pub collected: String,
    /// What wrote it (`palisade 0.1.0`).
    #[serde(default)]
    pub generator: String,
    /// The namespaces collection was limited to (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// Every resource type asked for, and what came of it.
    #[serde(default)]
    pub resources: Vec<ResourceStatus>,
}

impl SnapshotHeader {
    /// A header for `cluster`.
    pub fn new(cluster: ClusterInfo) -> SnapshotHeader {
        SnapshotHeader {
            api_version: SNAPSHOT_API_VERSION.into(),
            kind: SNAPSHOT_KIND.into(),
            cluster,
            collected: String::new(),
            generator: String::new(),
            namespaces: Vec::new(),
            resources: Vec::new(),
        }
    }
}

/// Why a snapshot cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The file cannot be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a snapshot, or its header cannot be read.
    #[error("{path}: not a Palisade cluster snapshot: {message}")]
    NotSnapshot {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

impl SnapshotError {
    /// The error as an input error of `path`.
    pub fn into_input_error(self) -> palisade_diagnostics::InputError {
        let (path, message) = match self {
            SnapshotError::Io { path, source } => (path, format!("cannot read: {source}")),
            SnapshotError::NotSnapshot { path, message } => {
                (path, format!("not a Palisade cluster snapshot: {message}"))
            }
        };
        palisade_diagnostics::InputError {
            path,
            line: Some(1),
            column: None,
            message,
        }
    }
}

/// Whether the file starts as a gzip stream does: the only compressed input Palisade reads
/// is a snapshot, so such a file is read as one (and fails as one when it is not).
pub fn is_gzip(path: &Path) -> bool {
    let mut magic = [0u8; 2];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| magic == [0x1f, 0x8b])
}

/// One object line of a snapshot: its line number and text, or why it cannot be read.
pub type SnapshotLine = (u32, Result<String, String>);

/// Reads a snapshot's objects a chunk at a time, so that a scan holds one chunk of text and
/// never the whole (decompressed) file.
pub struct SnapshotReader {
    lines: BufReader<MultiGzDecoder<File>>,
    header: SnapshotHeader,
    path: String,
    line: u32,
    objects: usize,
    max_object: usize,
    done: bool,
}

impl std::fmt::Debug for SnapshotReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotReader")
            .field("path", &self.path)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

impl SnapshotReader {
    /// Open `path` (shown as `display`) and read its header. An object line longer than
    /// `max_object` bytes is reported and skipped.
    pub fn open(path: &Path, display: &str, max_object: u64) -> Result<Self, SnapshotError> {
        let io = |source| SnapshotError::Io {
            path: display.to_string(),
            source,
        };
        let not = |message: String| SnapshotError::NotSnapshot {
            path: display.to_string(),
            message,
        };
        let file = File::open(path).map_err(io)?;
        let mut reader = SnapshotReader {
            lines: BufReader::with_capacity(1 << 16, MultiGzDecoder::new(file)),
            header: SnapshotHeader::new(ClusterInfo::default()),
            path: display.to_string(),
            line: 0,
            objects: 0,
            max_object: usize::try_from(max_object).unwrap_or(usize::MAX),
            done: false,
        };
        // The header is small; a first line over the object limit is not a header.
        let first = match reader.next_line() {
            Some(Ok(text)) => text,
            Some(Err(e)) => return Err(not(e)),
            None => return Err(not("the file is empty".into())),
        };
        let header: SnapshotHeader = serde_json::from_str(&first).map_err(|e| {
            not(format!(
                "the first line is not a snapshot header ({} at column {})",
                match e.classify() {
                    serde_json::error::Category::Data => "an unexpected value",
                    _ => "not JSON",
                },
                e.column()
            ))
        })?;
        if header.kind != SNAPSHOT_KIND || header.api_version != SNAPSHOT_API_VERSION {
            return Err(not(format!(
                "the header is {} {}, expected {SNAPSHOT_API_VERSION} {SNAPSHOT_KIND}",
                header.api_version, header.kind
            )));
        }
        reader.header = header;
        Ok(reader)
    }

    /// The header.
    pub fn header(&self) -> &SnapshotHeader {
        &self.header
    }

    /// The next line, without its line break: `Err` for a line over the limit (skipped),
    /// bytes that are not UTF-8, or a read error (which ends the file).
    fn next_line(&mut self) -> Option<Result<String, String>> {
        if self.done {
            return None;
        }
        let mut bytes = Vec::new();
        let mut too_long = false;
        loop {
            let buf = match self.lines.fill_buf() {
                Ok(buf) => buf,
                Err(e) => {
                    self.done = true;
                    self.line += 1;
                    return Some(Err(format!("cannot decompress: {e}")));
                }
            };
            if buf.is_empty() {
                self.done = true;
                if bytes.is_empty() && !too_long {
                    return None;
                }
                break;
            }
            let (take, end) = match memchr::memchr(b'\n', buf) {
                Some(i) => (i, true),
                None => (buf.len(), false),
            };
            if !too_long {
                if bytes.len() + take > self.max_object {
                    too_long = true;
                    bytes = Vec::new();
                } else {
                    bytes.extend_from_slice(&buf[..take]);
                }
            }
            self.lines.consume(take + usize::from(end));
            if end {
                break;
            }
        }
        self.line += 1;
        if too_long {
            return Some(Err(format!(
                "the object is over the max-file-size limit of {} bytes; it is not read",
                self.max_object
            )));
        }
        Some(String::from_utf8(bytes).map_err(|_| "not valid UTF-8 text".to_string()))
    }

    /// Up to `n` more object lines (blank lines skipped); empty at the end of the file.
    pub fn chunk(&mut self, n: usize) -> Vec<SnapshotLine> {
        let mut chunk = Vec::with_capacity(n.min(4096));
        while chunk.len() < n {
            let Some(line) = self.next_line() else {
                break;
            };
            if matches!(&line, Ok(text) if text.trim().is_empty()) {
                continue;
            }
            self.objects += 1;
            if self.objects > MAX_SNAPSHOT_OBJECTS {
                self.done = true;
                chunk.push((
                    self.line,
                    Err(format!(
                        "more than {MAX_SNAPSHOT_OBJECTS} objects; the rest is not read"
                    )),
                ));
                break;
            }
            chunk.push((self.line, line));
        }
        chunk
    }
}

/// Writes a snapshot: to a temporary file beside the target, renamed over it by
/// [`SnapshotWriter::finish`], so that an interrupted run never leaves half a snapshot.
pub struct SnapshotWriter {
    out: GzEncoder<BufWriter<tempfile_like::Temp>>,
    path: PathBuf,
}

impl std::fmt::Debug for SnapshotWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotWriter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SnapshotWriter {
    /// Start a snapshot at `path` with its header.
    pub fn create(path: &Path, header: &SnapshotHeader) -> Result<Self, SnapshotError> {
        let io = |source| SnapshotError::Io {
            path: path.display().to_string(),
            source,
        };
        let temp = tempfile_like::Temp::beside(path).map_err(io)?;
        let mut out = GzEncoder::new(BufWriter::new(temp), Compression::fast());
        serde_json::to_writer(&mut out, header).map_err(|e| io(e.into()))?;
        out.write_all(b"\n").map_err(io)?;
        Ok(SnapshotWriter {
            out,
            path: path.to_path_buf(),
        })
    }

    /// Add one object, as compact JSON text on one line.
    pub fn object(&mut self, json: &str) -> Result<(), SnapshotError> {
        debug_assert!(!json.contains('\n'));
        self.out
            .write_all(json.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|source| SnapshotError::Io {
                path: self.path.display().to_string(),
                source,
            })
    }

    /// Finish the file and move it into place.
    pub fn finish(self) -> Result<(), SnapshotError> {
        let io = |source| SnapshotError::Io {
            path: self.path.display().to_string(),
            source,
        };
        let buffered = self.out.finish().map_err(io)?;
        let temp = buffered.into_inner().map_err(|e| io(e.into_error()))?;
        temp.persist(&self.path).map_err(io)
    }
}

/// A file created beside its destination and renamed over it when complete (removed when
/// dropped before that).
mod tempfile_like {
    use std::fs::File;
    use std::io::Write;
    use std::path::{Path, PathBuf};

    pub struct Temp {
        file: File,
        path: PathBuf,
        kept: bool,
    }

    impl Temp {
        pub fn beside(target: &Path) -> std::io::Result<Temp> {
            let dir = match target.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "snapshot".into());
            let path = dir.join(format!(".{name}.{}.partial", std::process::id()));
            let file = File::create(&path)?;
            Ok(Temp {
                file,
                path,
                kept: false,
            })
        }

        pub fn persist(mut self, target: &Path) -> std::io::Result<()> {
            self.file.sync_all()?;
            std::fs::rename(&self.path, target)?;
            self.kept = true;
            Ok(())
        }
    }

    impl Write for Temp {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.file.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.file.flush()
        }
    }

    impl Drop for Temp {
        fn drop(&mut self) {
            if !self.kept {
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> SnapshotHeader {
        let mut h = SnapshotHeader::new(ClusterInfo {
            name: "prod".into(),
            server: "https://127.0.0.1:6443".into(),
            version: "v1.35.0".into(),
        });
        h.resources.push(ResourceStatus {
            group: "".into(),
            version: "v1".into(),
            resource: "secrets".into(),
            kind: "Secret".into(),
            namespaced: true,
            state: ResourceState::Forbidden,
            objects: 0,
            message: Some("secrets is forbidden".into()),
        });
        h
    }

    #[test]
    fn a_snapshot_round_trips_in_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prod.snapshot");
        let mut w = SnapshotWriter::create(&path, &header()).unwrap();
        for i in 0..5 {
            w.object(&format!(
                r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"c{i}"}}}}"#
            ))
            .unwrap();
        }
        w.finish().unwrap();
        assert!(is_gzip(&path));
        // No temporary file is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let mut r = SnapshotReader::open(&path, "prod.snapshot", 1 << 20).unwrap();
        assert_eq!(r.header(), &header());
        let first = r.chunk(3);
        assert_eq!(first.len(), 3);
        assert_eq!(first[0].0, 2, "objects start on line 2");
        assert!(first[2].1.as_ref().unwrap().contains("\"c2\""));
        assert_eq!(r.chunk(3).len(), 2);
        assert!(r.chunk(3).is_empty());
    }

    #[test]
    fn bad_files_and_lines_are_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        // Not gzip at all.
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "kind: Pod\n").unwrap();
        assert!(!is_gzip(&plain));
        let e = SnapshotReader::open(&plain, "plain", 1 << 20).unwrap_err();
        assert!(e.to_string().contains("cannot decompress"), "{e}");
        // Gzip, but not a snapshot.
        let other = dir.path().join("other.gz");
        let mut gz = GzEncoder::new(File::create(&other).unwrap(), Compression::fast());
        gz.write_all(b"{\"kind\":\"List\"}\n").unwrap();
        gz.finish().unwrap();
        let e = SnapshotReader::open(&other, "other.gz", 1 << 20).unwrap_err();
        assert!(
            e.to_string().contains("not a Palisade cluster snapshot"),
            "{e}"
        );
        // A line over the limit is skipped with its line number; the next is read.
        let path = dir.path().join("s");
        let mut w = SnapshotWriter::create(&path, &header()).unwrap();
        w.object(&format!("{{\"a\":\"{}\"}}", "x".repeat(5000)))
            .unwrap();
        w.object("{\"b\":1}").unwrap();
        w.finish().unwrap();
        let mut r = SnapshotReader::open(&path, "s", 1000).unwrap();
        let lines = r.chunk(10);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].0, 2);
        assert!(lines[0].1.as_ref().unwrap_err().contains("max-file-size"));
        assert_eq!(lines[1], (3, Ok("{\"b\":1}".to_string())));
    }

    #[test]
    fn a_truncated_snapshot_reports_where_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        let mut w = SnapshotWriter::create(&path, &header()).unwrap();
        for _ in 0..2000 {
            w.object("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"},\"data\":{\"k\":\"0123456789abcdef0123456789abcdef\"}}").unwrap();
        }
        w.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let mut r = SnapshotReader::open(&path, "s", 1 << 20).unwrap();
        let lines = r.chunk(usize::MAX);
        let last = lines.last().unwrap();
        assert!(last.1.is_err(), "a cut stream ends in an error: {last:?}");
        assert!(lines.len() > 1);
    }
}
