//! URLs as Kubernetes' `url()` reads them: an absolute URI (`https://host:port/path?query`) or
//! an absolute path.

use super::opaque_type;

/// A parsed URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// The scheme, or empty for a path.
    pub scheme: String,
    /// `host[:port]`, with IPv6 brackets.
    pub host: String,
    /// The port, or empty.
    pub port: String,
    /// The path, as escaped.
    pub path: String,
    /// The raw query.
    pub query: String,
}

opaque_type!(Url, "kubernetes.URL");

impl Url {
    /// Parse a request URI.
    pub fn parse(text: &str) -> Result<Url, String> {
        let bad = |why: &str| format!("invalid URL {text:?}: {why}");
        if text.is_empty() || text.contains(char::is_whitespace) || text.contains('#') {
            return Err(bad("empty, with spaces or with a fragment"));
        }
        let (rest, query) = text.split_once('?').unwrap_or((text, ""));
        if rest.starts_with('/') {
            return Ok(Url {
                scheme: String::new(),
                host: String::new(),
                port: String::new(),
                path: rest.into(),
                query: query.into(),
            });
        }
        let (scheme, rest) = rest.split_once(':').ok_or_else(|| bad("not absolute"))?;
        let scheme_ok = scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok {
            return Err(bad("invalid scheme"));
        }
        let (host, path) = match rest.strip_prefix("//") {
            Some(after) => {
                let end = after.find('/').unwrap_or(after.len());
                let authority = &after[..end];
                let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
                (host.to_string(), after[end..].to_string())
            }
            None => (String::new(), rest.to_string()),
        };
        let port = if host.starts_with('[') {
            host.rsplit_once("]:")
                .map(|(_, p)| p.to_string())
                .unwrap_or_default()
        } else {
            host.rsplit_once(':')
                .map(|(_, p)| p.to_string())
                .unwrap_or_default()
        };
        if !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("invalid port"));
        }
        Ok(Url {
            scheme: scheme.into(),
            host,
            port,
            path,
            query: query.into(),
        })
    }

    /// The host without port and brackets.
    pub fn hostname(&self) -> String {
        let h = if self.port.is_empty() {
            self.host.as_str()
        } else {
            &self.host[..self.host.len() - self.port.len() - 1]
        };
        h.trim_start_matches('[').trim_end_matches(']').to_string()
    }

    /// The query's key/value pairs, decoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        self.query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect()
    }
}
