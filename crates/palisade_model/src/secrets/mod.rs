//! What in Kubernetes input is a secret value, so that nothing Palisade prints shows one.
//!
//! Two sides need the same answer: rules that flag credentials (SEC002 and its family), and the
//! edges that show input text or quote it: text snippets and fix diffs (the `palisade` binary),
//! and the error messages of `helm` and `kubectl` (`palisade_inputs`, which does not depend on
//! the rules). This module is the lowest crate both reach; which fields hold secret values
//! (`env[].value`, `data`, `stringData`) is Kubernetes knowledge, as the rest of this crate.

mod detect;
mod spans;

use std::borrow::Cow;
use std::ops::Range;

pub use detect::{credential, credential_ranges, known_format, literal_secret, sensitive_name};
pub use palisade_source::MASK;
pub use spans::{document_secrets, text_secrets};

/// `text` with every credential in a well-known format (a URL's password, a token, a private
/// key) replaced by [`MASK`]. Messages of external tools pass through this before they are
/// reported, whatever key the value was written under.
pub fn mask_credentials(text: &str) -> Cow<'_, str> {
    let ranges = credential_ranges(text);
    if ranges.is_empty() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(replace_ranges(text, &ranges))
    }
}

/// `text` with `ranges` (sorted by start, possibly overlapping) replaced by [`MASK`].
fn replace_ranges(text: &str, ranges: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if r.end <= at {
            continue;
        }
        let start = r.start.max(at);
        if let (Some(before), true) = (text.get(at..start), text.is_char_boundary(r.end)) {
            out.push_str(before);
            out.push_str(MASK);
            at = r.end;
        }
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_messages_lose_credentials_in_known_formats() {
        let message = "execution error at (app/templates/x.yaml:3:4): cannot reach postgres://user:S3cr3t@db/x (token AKIAIOSFODNN7EXAMPLE)";
        assert_eq!(
            mask_credentials(message),
            "execution error at (app/templates/x.yaml:3:4): cannot reach postgres://user:****@db/x (token ****)"
        );
        assert!(matches!(
            mask_credentials("no credential here"),
            Cow::Borrowed(_)
        ));
    }
}
