//! Rules about the scanned files themselves: suppression annotations and YAML hygiene.

pub mod duplicate_key;
pub mod suppression_unknown_rule;
pub mod suppression_without_reason;

use palisade_engine::IGNORE_ANNOTATION;
use palisade_engine::prelude::*;

/// The pointer of the suppression annotation on an object.
pub(crate) fn annotation_pointer() -> String {
    format!(
        "/metadata/annotations/{}",
        escape_pointer_segment(IGNORE_ANNOTATION)
    )
}

/// The suppression annotation's value on an object, if any.
pub(crate) fn annotation_value<'d>(object: &Object<'d, '_>) -> Option<std::borrow::Cow<'d, str>> {
    object
        .annotation(IGNORE_ANNOTATION)
        .and_then(|a| a.scalar_text())
}
