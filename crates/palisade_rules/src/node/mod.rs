//! Nodes as the API server describes them (`status.nodeInfo`, `status.addresses`): the
//! operating system image, component versions against upstream support and known CVEs, and
//! public addresses. Read from a live cluster or a snapshot; the checks that read a node's own
//! files are the kubelet and control-plane families.

pub mod external_address;
pub mod general_purpose_os;
pub mod options;
pub mod outdated_components;
mod versions;
