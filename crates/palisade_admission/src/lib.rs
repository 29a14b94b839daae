//! Palisade's validating admission webhook.
//!
//! It owns the admission front door: reading an AdmissionReview (`admission.k8s.io/v1`),
//! choosing the levels a namespace is held to (labels in the style of Pod Security
//! Admission: enforce, warn, audit), the exemptions, the response (denial with each
//! violation, warnings, audit annotations), and the HTTPS server with its limits, metrics,
//! certificate reload and graceful shutdown.
//!
//! It owns no rule and no model: the verdict is that of `palisade scan` on the same object,
//! from [`palisade_scan::Checker`] with the configuration's selection, options, failure
//! threshold, waivers and suppressions. It prints nothing; it logs through `tracing`, never a
//! request's content.
#![deny(missing_docs)]

pub mod manifests;
pub mod metrics;
pub mod namespaces;
pub mod review;
pub mod server;
pub mod watch;

pub use namespaces::{LABEL_PREFIX, NamespaceModes, Namespaces, modes_from_labels};
pub use review::{Decision, Mode, ReviewError, Reviewed, Reviewer};
pub use server::{AppState, Bound, DEFAULT_MAX_BODY, ServerError, ServerOptions, router};
