//! Observed-flow files (`netpol generate --flows`): `flows: [{from, to, port, protocol}]` in
//! YAML or JSON, read with the line of each flow for errors.

use std::path::{Path, PathBuf};

use palisade_model::netpol::generate::{FlowSpec, PortSpec};
use serde::Deserialize;
use serde_saphyr::Spanned;

/// Largest flow file read.
pub const MAX_FLOWS_FILE: u64 = 64 << 20;

/// A flow file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlowFileError {
    /// The file cannot be opened or read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Larger than [`MAX_FLOWS_FILE`].
    #[error("{}: larger than {} MiB", path.display(), MAX_FLOWS_FILE >> 20)]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// Not a flow file.
    #[error("{}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// What the parser says, with the line.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowFile {
    flows: Vec<Flow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Flow {
    from: Spanned<String>,
    to: Spanned<String>,
    #[serde(default)]
    port: Option<Spanned<Port>>,
    #[serde(default)]
    protocol: Option<String>,
}

/// A port number or a `first-last` range.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Port {
    Number(u16),
    Text(String),
}

impl Flow {
    fn spec(self) -> FlowSpec {
        let line = self.from.referenced.line() as usize;
        FlowSpec {
            port_line: (self.port.as_ref()).map_or(line, |p| p.referenced.line() as usize),
            port: self.port.map(|p| match p.value {
                Port::Number(n) => PortSpec::Number(n),
                Port::Text(t) => PortSpec::Text(t),
            }),
            from: self.from.value,
            to: self.to.value,
            protocol: self.protocol,
            line,
        }
    }
}

/// Read the flows of a file, each with its lines.
pub fn read_flows(path: &Path) -> Result<Vec<FlowSpec>, FlowFileError> {
    let read = |source| FlowFileError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read)?;
    if file.metadata().map(|m| m.len()).unwrap_or(0) > MAX_FLOWS_FILE {
        return Err(FlowFileError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(read)?;
    let parsed: FlowFile = serde_saphyr::from_str(&text).map_err(|e| FlowFileError::Syntax {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(parsed.flows.into_iter().map(Flow::spec).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_keep_their_lines_and_unknown_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flows.yaml");
        std::fs::write(
            &path,
            "flows:\n- from: shop/web\n  to: data/db\n  port: 5432\n- from: 10.0.0.0/8\n  to: shop/web\n  port: \"8000-8080\"\n  protocol: TCP\n",
        )
        .unwrap();
        let flows = read_flows(&path).unwrap();
        assert_eq!(flows.len(), 2);
        assert_eq!((flows[0].line, flows[0].port_line), (2, 4));
        assert_eq!(flows[0].port, Some(PortSpec::Number(5432)));
        assert_eq!(flows[1].port, Some(PortSpec::Text("8000-8080".into())));
        assert_eq!(flows[1].protocol.as_deref(), Some("TCP"));
        std::fs::write(&path, "flows:\n- from: a\n  to: b\n  ports: 1\n").unwrap();
        let e = read_flows(&path).unwrap_err();
        assert!(matches!(e, FlowFileError::Syntax { .. }), "{e}");
        assert!(matches!(
            read_flows(&dir.path().join("missing.yaml")),
            Err(FlowFileError::Read { .. })
        ));
    }
}
