//! Kubernetes audit events (`audit.k8s.io/v1` `Event`): the typed event, and readers of logs
//! (JSON lines, `EventList` objects, gzip, standard input) as streams, so that logs of any size
//! take bounded memory. Detections are rules of the one catalog (`palisade_rules::audit`); this
//! crate only reads.
#![deny(missing_docs)]

mod event;
mod follow;
pub mod metrics;
mod read;
mod requests;
pub mod webhook;

pub use event::{Event, ObjectRef, ResponseStatus, UserInfo, micros};
pub use follow::{Follow, Followed};
pub use read::{Events, MAX_DOCUMENT, MAX_LINE, Parsed, ReadError, open, parse, read_events};
pub use requests::{Observed, observed, requests_of};
