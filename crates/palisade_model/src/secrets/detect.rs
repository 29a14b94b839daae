//! Recognising credentials without ever echoing them: well-known token formats anywhere in a
//! value, and high-entropy literals under secret-like names.

use std::ops::Range;
use std::sync::LazyLock;

use regex::bytes::{Regex, RegexBuilder};

/// Well-known credential formats, with the name used in messages. Matched on bytes with
/// ASCII classes, so the regex engine can use its DFA and literal prefilters. A group named
/// `secret` marks the part to hide when only part of the match is secret (the password of a
/// URL, not its host).
const FORMATS: &[(&str, &str)] = &[
    (
        "private key",
        r"-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----",
    ),
    ("AWS access key ID", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    (
        "GitHub token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b",
    ),
    ("GitLab token", r"\bglpat-[0-9A-Za-z_\-]{20}\b"),
    ("Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    ("Slack token", r"\bxox[baprs]-[0-9A-Za-z\-]{10,}"),
    ("Stripe live key", r"\b[sr]k_live_[0-9A-Za-z]{20,}"),
    (
        "JSON Web Token",
        r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
    ),
    (
        "bearer token",
        r"(?i)\bbearer[ \t]+[A-Za-z0-9\-._~+/]{20,}=*",
    ),
    (
        "password in a URL",
        r"://[^/\s:@]+:(?P<secret>[^/\s@$\{][^/\s@]*)@",
    ),
];

fn bytes_regex(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .expect("credential pattern compiles")
}

static EACH_FORMAT: LazyLock<Vec<Regex>> =
    LazyLock::new(|| FORMATS.iter().map(|(_, re)| bytes_regex(re)).collect());

/// No value shorter than this holds a credential in a known format.
const SHORTEST_FORMAT: usize = "://u:p@".len();

/// Any of the formats, for a single pass over long text.
static ANY_FORMAT: LazyLock<Regex> = LazyLock::new(|| {
    let alternatives: Vec<String> = FORMATS
        .iter()
        .map(|(_, re)| format!("(?:{})", re.replace("(?P<secret>", "(?:")))
        .collect();
    bytes_regex(&alternatives.join("|"))
});

/// The end of the armoured block a private key header starts.
static PRIVATE_KEY_END: LazyLock<Regex> =
    LazyLock::new(|| bytes_regex(r"-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----"));

/// `name = value` or `name: value` assignments inside configuration file contents.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    bytes_regex(r#"(?m)^[ \t]*["']?([A-Za-z0-9_.\-]+)["']?[ \t]*[:=][ \t]*["']?([^\s"'#,;]+)"#)
});

/// Where a secret-like word appears, so that only those lines of large file contents are
/// examined for `name = value` assignments.
static SENSITIVE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    bytes_regex(
        r"(?i)pass|pwd|secret|token|api_?key|private_?key|credential|jwt|bearer|access_?key|auth_key",
    )
});

/// Name fragments that mark a value as a credential.
const SENSITIVE_NAMES: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "privatekey",
    "private_key",
    "credential",
    "jwt",
    "bearer",
    "passphrase",
    "accesskey",
    "access_key",
    "auth_key",
];

/// The kind of credential a value contains, if it contains a well-known format.
pub fn known_format(value: &str) -> Option<&'static str> {
    // The shortest format is a URL with a password (`://u:p@`): most values are shorter.
    if value.len() < SHORTEST_FORMAT || !ANY_FORMAT.is_match(value.as_bytes()) {
        return None;
    }
    EACH_FORMAT
        .iter()
        .position(|re| re.is_match(value.as_bytes()))
        .map(|i| FORMATS[i].0)
}

/// The byte ranges of `text` that hold credentials in a well-known format: the password of a
/// URL, a whole token, or a private key from its header to its footer (or to the end of the
/// text when the footer is missing, as in a message cut short).
pub fn credential_ranges(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    if !ANY_FORMAT.is_match(bytes) {
        return Vec::new();
    }
    let mut ranges = Vec::new();
    for (i, re) in EACH_FORMAT.iter().enumerate() {
        for caps in re.captures_iter(bytes) {
            let Some(whole) = caps.get(0) else { continue };
            let part = caps.name("secret").unwrap_or(whole);
            let mut range = part.start()..part.end();
            if FORMATS[i].0 == "private key" {
                range.end = PRIVATE_KEY_END
                    .find_at(bytes, whole.end())
                    .map_or(bytes.len(), |m| m.end());
            }
            ranges.push(range);
        }
    }
    ranges.sort_by_key(|r| r.start);
    ranges
}

/// Name fragments that mark a value as a pointer to a credential rather than the credential
/// (`secretName`, `PASSWORD_FILE`, `tokenPath`, `inject-ca-from-secret`).
const REFERENCE_NAMES: &[&str] = &[
    "name",
    "file",
    "path",
    "ref",
    "annotation",
    "url",
    "from",
    "dir",
    "mount",
    "length",
    "ttl",
    "expir",
];

/// A fragment every name in [`SENSITIVE_NAMES`] contains: most keys have none, and are
/// answered without building lower-case copies.
static SENSITIVE_FRAGMENT: LazyLock<Regex> =
    LazyLock::new(|| bytes_regex(r"(?i)pass|pwd|secret|token|key|credential|jwt|bearer"));

/// Whether a key name marks its value as a credential (`DB_PASSWORD`, `apiToken`, …).
pub fn sensitive_name(name: &str) -> bool {
    if !SENSITIVE_FRAGMENT.is_match(name.as_bytes()) {
        return false;
    }
    let lower = name.to_ascii_lowercase().replace('-', "_");
    let compact = lower.replace('_', "");
    SENSITIVE_NAMES
        .iter()
        .any(|n| lower.contains(n) || compact.contains(&n.replace('_', "")))
        && !REFERENCE_NAMES.iter().any(|r| compact.contains(r))
}

/// The start of the line that ends at the end of `before`.
fn memrchr_newline(before: &[u8]) -> usize {
    before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

fn entropy(value: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in value.bytes() {
        counts[b as usize] += 1;
    }
    let len = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Whether a value under a sensitive name is a literal secret rather than a reference, a path,
/// a placeholder or the name of something else.
pub fn literal_secret(value: &str) -> bool {
    let v = value.trim();
    let reference = v.contains("$(")
        || v.contains("${")
        || v.contains("{{")
        || v.starts_with('/')
        || v.starts_with("file:")
        || v.starts_with("vault:")
        || v.starts_with("ref+");
    let upper_identifier = v
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    let lower_identifier = v
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'/'))
        && v.contains(['-', '.', '/']);
    let identifier = upper_identifier || lower_identifier;
    let classes = [
        v.bytes().any(|b| b.is_ascii_lowercase()),
        v.bytes().any(|b| b.is_ascii_uppercase()),
        v.bytes().any(|b| b.is_ascii_digit()),
        v.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&c| c)
    .count();
    v.len() >= 8
        && !v.contains(char::is_whitespace)
        && !reference
        && !identifier
        && classes >= 2
        && entropy(v) >= 3.0
}

/// Why `name: value` is a hard-coded credential, in words that never include the value.
pub fn credential(name: &str, value: &str) -> Option<String> {
    if let Some(kind) = known_format(value) {
        return Some(format!("contains a {kind}"));
    }
    if sensitive_name(name) && literal_secret(value) {
        return Some(format!(
            "holds a literal {}-character secret",
            value.trim().chars().count()
        ));
    }
    if value.contains('\n') {
        let bytes = value.as_bytes();
        let mut last_line_start = usize::MAX;
        for word in SENSITIVE_WORD.find_iter(bytes) {
            let start = memrchr_newline(&bytes[..word.start()]);
            if start == last_line_start {
                continue;
            }
            last_line_start = start;
            let end = bytes[word.end()..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| word.end() + i);
            let Some(caps) = ASSIGNMENT.captures(&bytes[start..end]) else {
                continue;
            };
            let (Ok(name), Ok(secret)) =
                (std::str::from_utf8(&caps[1]), std::str::from_utf8(&caps[2]))
            else {
                continue;
            };
            if sensitive_name(name) && literal_secret(secret) {
                return Some(format!("sets `{name}` to a literal secret in its contents"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(
            known_format("key: AKIAIOSFODNN7EXAMPLE"),
            Some("AWS access key ID")
        );
        assert_eq!(
            known_format("-----BEGIN OPENSSH PRIVATE KEY-----\nabc"),
            Some("private key")
        );
        assert_eq!(
            known_format("postgres://app:s3cret@db:5432/app"),
            Some("password in a URL")
        );
        assert_eq!(
            known_format("postgres://app:${DB_PASSWORD}@db:5432/app"),
            None
        );
        assert_eq!(known_format("https://example.com/path"), None);
        assert_eq!(
            known_format("Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345"),
            Some("bearer token")
        );
        assert_eq!(known_format("just text"), None);
    }

    #[test]
    fn credential_ranges_cover_the_secret_part() {
        let text = "dial postgres://user:S3cr3t@db/x failed; token ghp_0123456789abcdefghijABCDEFGHIJ012345 ok";
        let shown: Vec<&str> = credential_ranges(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(
            shown,
            ["S3cr3t", "ghp_0123456789abcdefghijABCDEFGHIJ012345"]
        );
        let key = "x -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- y";
        let r = &credential_ranges(key)[0];
        assert_eq!(&key[r.end..], " y");
        assert!(key[r.clone()].contains("MIIEow"));
        let cut = "error: -----BEGIN PRIVATE KEY----- MIIEow";
        assert_eq!(credential_ranges(cut)[0].end, cut.len());
        assert!(credential_ranges("https://example.com/a@b").is_empty());
    }

    #[test]
    fn names_and_literals() {
        assert!(sensitive_name("DB_PASSWORD"));
        assert!(sensitive_name("apiToken"));
        assert!(sensitive_name("client-secret"));
        assert!(!sensitive_name("CACHE_KEY"));
        assert!(!sensitive_name("LOG_LEVEL"));
        assert!(!sensitive_name("storageSecretNameAnnotation"));
        assert!(!sensitive_name("DB_PASSWORD_FILE"));
        assert!(!sensitive_name("inject-ca-from-secret"));
        assert!(!literal_secret("cert-manager/cert-manager-webhook-ca"));
        assert!(literal_secret("Xk9#mQ2$vL8p"));
        assert!(literal_secret("changeme123"));
        assert!(!literal_secret("/var/run/secrets/token"));
        assert!(!literal_secret("$(DB_PASSWORD)"));
        assert!(!literal_secret("DB_PASSWORD_FILE"));
        assert!(!literal_secret("my-secret-name"));
        assert!(!literal_secret("true"));
        assert!(!literal_secret("aaaaaaaaaaaa"));
    }

    #[test]
    fn credentials_in_file_contents() {
        let props = "db.url=jdbc:postgresql://db/app\ndb.password=Sup3rS3cret!\n";
        assert_eq!(
            credential("application.properties", props).as_deref(),
            Some("sets `db.password` to a literal secret in its contents")
        );
        assert_eq!(credential("config.yaml", "log:\n  level: info\n"), None);
        assert_eq!(
            credential(
                "config.yaml",
                "login_token:\n  signing_key: Xk9mQ2vL8pRt5wZ3\n"
            ),
            None
        );
        let message = credential("PASSWORD", "Xk9#mQ2$vL8p").unwrap();
        assert!(!message.contains("Xk9"));
    }
}
