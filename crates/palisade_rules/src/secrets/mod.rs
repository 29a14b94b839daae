//! Secrets hygiene: how Secrets are consumed, credentials hard-coded where they do not belong,
//! and Secrets committed to manifests. Messages and snippets never show a secret value.

pub mod hardcoded_credential;
pub mod legacy_token_secret;
pub mod secret_in_env;
pub mod secret_in_manifest;
pub mod unused_secret;
