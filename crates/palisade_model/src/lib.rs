//! Typed Kubernetes views over the span-indexed documents of `palisade_source`.
//!
//! An [`Object`] is one Kubernetes object found in a document (a top-level object or an item of
//! a `List`). A [`PodSpecView`] is the pod spec inside any workload kind, so pod rules are
//! written once and run on Pods, Deployments, CronJobs, PodTemplates and custom workloads alike.
//!
//! No IO and no rule logic live here: only "where is this in the object" and "which of its
//! values are secrets" ([`secrets`], shared by the rules that flag credentials and by every
//! edge that shows input text).
#![deny(missing_docs)]

pub mod authz;
pub mod cluster;
pub mod component;
pub mod conflicts;
mod image;
pub mod inventory;
pub mod labels;
pub mod netpol;
pub mod node;
mod object;
mod pod;
pub mod rbac;
pub mod request;
pub mod resources;
pub mod secrets;
pub mod validation;

pub use image::ImageRef;
#[cfg(test)]
pub(crate) use object::each_object;
pub use object::{DocumentObjects, Object, objects_in, span_location};
pub use pod::{ContainerKind, ContainerView, HostPathVolume, PodSpecView};
