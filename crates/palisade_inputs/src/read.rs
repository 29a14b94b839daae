//! Reading one input with the size, binary and encoding checks.

use std::io::Read;

use palisade_diagnostics::InputError;

use crate::discover::Candidate;

/// Why a file could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub InputError);

fn err(path: &str, line: Option<u32>, message: String) -> ReadError {
    ReadError(InputError {
        path: path.to_string(),
        line,
        column: None,
        message,
    })
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// Read a candidate file: at most `max_size` bytes, no NUL bytes, valid UTF-8.
pub fn read_candidate(c: &Candidate, max_size: u64) -> Result<String, ReadError> {
    let file = std::fs::File::open(&c.path)
        .map_err(|e| err(&c.display, None, format!("cannot read: {e}")))?;
    let meta = file
        .metadata()
        .map_err(|e| err(&c.display, None, format!("cannot read: {e}")))?;
    if meta.is_dir() {
        return Err(err(&c.display, None, "is a directory".into()));
    }
    if meta.len() > max_size {
        return Err(err(
            &c.display,
            None,
            format!(
                "file is {} bytes, over the --max-file-size limit of {}",
                meta.len(),
                human(max_size)
            ),
        ));
    }
    let capacity = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
    read_bounded(file, &c.display, max_size, capacity)
}

/// Read standard input with the same checks.
pub fn read_stdin(max_size: u64) -> Result<String, ReadError> {
    read_bounded(std::io::stdin().lock(), "-", max_size, 64 * 1024)
}

fn read_bounded(
    reader: impl Read,
    display: &str,
    max_size: u64,
    capacity: usize,
) -> Result<String, ReadError> {
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| err(display, None, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > max_size {
        return Err(err(
            display,
            None,
            format!(
                "input is over the --max-file-size limit of {}",
                human(max_size)
            ),
        ));
    }
    decode(bytes, display)
}

/// Check for binary content and UTF-8, reporting the line of the first bad byte.
pub fn decode(bytes: Vec<u8>, display: &str) -> Result<String, ReadError> {
    let line_of = |offset: usize| -> u32 {
        let n = memchr::memchr_iter(b'\n', &bytes[..offset]).count() + 1;
        u32::try_from(n).unwrap_or(u32::MAX)
    };
    if let Some(nul) = memchr::memchr(0, &bytes) {
        return Err(err(
            display,
            Some(line_of(nul)),
            "binary file (contains NUL bytes), not YAML or JSON".into(),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.replace_range(..3, "");
            }
            Ok(text)
        }
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let line = line_of_bytes(e.as_bytes(), offset);
            Err(err(display, Some(line), "not valid UTF-8 text".into()))
        }
    }
}

fn line_of_bytes(bytes: &[u8], offset: usize) -> u32 {
    u32::try_from(bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(path: &std::path::Path) -> Candidate {
        Candidate {
            path: path.to_path_buf(),
            display: "x.yaml".into(),
            explicit: true,
        }
    }

    #[test]
    fn limits_binary_and_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.yaml");
        std::fs::write(&p, "a: 1\n").unwrap();
        assert_eq!(read_candidate(&cand(&p), 100).unwrap(), "a: 1\n");
        let e = read_candidate(&cand(&p), 3).unwrap_err();
        assert!(
            e.0.message
                .contains("over the --max-file-size limit of 3 bytes"),
            "{e:?}"
        );
        std::fs::write(&p, b"a: 1\nb: \x00\x01").unwrap();
        let e = read_candidate(&cand(&p), 100).unwrap_err();
        assert_eq!(
            (e.0.line, e.0.message.starts_with("binary file")),
            (Some(2), true)
        );
        std::fs::write(&p, b"a: 1\n\nb: \xff\xfe").unwrap();
        let e = read_candidate(&cand(&p), 100).unwrap_err();
        assert_eq!(
            (e.0.line, e.0.message.as_str()),
            (Some(3), "not valid UTF-8 text")
        );
        std::fs::write(&p, "\u{feff}a: 1\n").unwrap();
        assert_eq!(read_candidate(&cand(&p), 100).unwrap(), "a: 1\n");
    }
}
