//! Nodes as the API server describes them (`status.nodeInfo`, `status.addresses`): the
//! operating system image, component versions against upstream support and known CVEs, and
//! public addresses, read from a live cluster or a snapshot; and the node's own files
//! ([`files`], `palisade node`).

pub mod external_address;
pub mod files;
pub mod general_purpose_os;
pub mod general_purpose_os_root;
pub mod options;
pub mod outdated_components;
mod versions;
