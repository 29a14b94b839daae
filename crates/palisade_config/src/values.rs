//! Values of settings: sizes, durations, thresholds and reports. Parsers return a message
//! without the setting's name; the caller says which setting and where it came from.

use std::path::PathBuf;
use std::time::Duration;

use palisade_diagnostics::Severity;
use palisade_report::Format;

/// Parse `16MiB`, `512KiB`, `1GiB`, `10MB` or a plain number of bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|e| format!("invalid size `{s}`: {e}"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        other => {
            return Err(format!(
                "invalid size unit `{other}` in `{s}` (use B, KiB, MiB or GiB)"
            ));
        }
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("size `{s}` is too large"))
}

/// Parse `60s`, `2m`, `1h`, `500ms`, `1m30s` or a plain number of seconds; zero is refused
/// (a limit of nothing would fail every read).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let text = s.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let secs: u64 = text
            .parse()
            .map_err(|e| format!("duration `{s}` is too large: {e}"))?;
        return positive(Duration::from_secs(secs), s);
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_len = rest[digits..]
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len() - digits);
        let (number, unit) = (&rest[..digits], rest[digits..digits + unit_len].trim());
        let n: u64 = number.parse().map_err(|e| {
            format!("invalid duration `{s}` (write it as 30s, 2m, 1h or 500ms): {e}")
        })?;
        let part = match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.saturating_mul(60)),
            "h" => Duration::from_secs(n.saturating_mul(3600)),
            other => {
                return Err(format!(
                    "invalid duration unit `{other}` in `{s}` (use ms, s, m or h)"
                ));
            }
        };
        total = total.saturating_add(part);
        rest = &rest[digits + unit_len..];
    }
    positive(total, s)
}

fn positive(d: Duration, s: &str) -> Result<Duration, String> {
    if d.is_zero() {
        return Err(format!("duration `{s}` must be more than zero"));
    }
    Ok(d)
}

/// What the failure threshold resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Fail on findings at least this severe.
    AtLeast(Severity),
    /// Never fail on findings.
    Never,
}

impl FailOn {
    /// The least severity that fails the run, if any does.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::AtLeast(min) => Some(min),
            FailOn::Never => None,
        }
    }
}

/// A failure threshold: a severity, or `never` (`none`).
pub fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if s.eq_ignore_ascii_case("never") || s.eq_ignore_ascii_case("none") {
        return Ok(FailOn::Never);
    }
    Ok(FailOn::AtLeast(s.parse().map_err(|e| format!("{e}"))?))
}

/// What a chart or kustomization that cannot be rendered does to the run (`render-errors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RenderErrors {
    /// An input error: reported, and the exit code is 2.
    Error,
    /// A warning: reported, and the exit code is left to the findings. The default: rendering
    /// depends on more than the repository (vendored chart dependencies, values supplied at
    /// install time, remote bases, the tools installed), so a valid repository must not fail
    /// CI because of it, and what can be read without rendering is still scanned.
    #[default]
    Warn,
}

impl std::str::FromStr for RenderErrors {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Ok(RenderErrors::Error),
            "warn" | "warning" => Ok(RenderErrors::Warn),
            _ => Err(format!("must be \"error\" or \"warn\", not `{s}`")),
        }
    }
}

/// One report of a run: a format, written to a file or to standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The format.
    pub format: Format,
    /// The file, or `None` for standard output.
    pub path: Option<PathBuf>,
}

impl Output {
    /// Parse `FORMAT` or `FORMAT:FILE`.
    pub fn parse(spec: &str) -> Result<Output, String> {
        let (name, path) = match spec.split_once(':') {
            Some((name, path)) if !path.is_empty() => (name, Some(PathBuf::from(path))),
            Some((name, _)) => (name, None),
            None => (spec, None),
        };
        let format = name
            .parse::<Format>()
            .map_err(|e| format!("`{spec}`: {e}"))?;
        Ok(Output { format, path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16MiB").unwrap(), 16 << 20);
        assert_eq!(parse_size("512 KiB").unwrap(), 512 << 10);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert_eq!(parse_size("2MB").unwrap(), 2_000_000);
        assert!(parse_size("12parsecs").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(
            parse_size("99999999999GiB")
                .unwrap_err()
                .contains("too large")
        );
    }

    #[test]
    fn durations() {
        let secs = Duration::from_secs;
        assert_eq!(parse_duration("60s").unwrap(), secs(60));
        assert_eq!(parse_duration("2m").unwrap(), secs(120));
        assert_eq!(parse_duration("1h").unwrap(), secs(3600));
        assert_eq!(parse_duration("1m30s").unwrap(), secs(90));
        assert_eq!(parse_duration(" 45 ").unwrap(), secs(45));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1 m").unwrap(), secs(60));
        for bad in ["", "0", "0s", "s", "5 parsecs", "1.5s", "-1s", "m5"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        let e = parse_duration("5d").unwrap_err();
        assert!(e.contains("use ms, s, m or h"), "{e}");
    }

    #[test]
    fn render_errors_values() {
        assert_eq!(RenderErrors::default(), RenderErrors::Warn);
        assert_eq!(
            "error".parse::<RenderErrors>().unwrap(),
            RenderErrors::Error
        );
        assert_eq!(
            " WARN ".parse::<RenderErrors>().unwrap(),
            RenderErrors::Warn
        );
        let e = "fail".parse::<RenderErrors>().unwrap_err();
        assert!(e.contains("\"error\" or \"warn\""), "{e}");
    }

    #[test]
    fn fail_on_values() {
        assert_eq!(parse_fail_on("never").unwrap(), FailOn::Never);
        assert_eq!(
            parse_fail_on("HIGH").unwrap(),
            FailOn::AtLeast(Severity::High)
        );
        assert!(parse_fail_on("severe").is_err());
        assert_eq!(FailOn::Never.threshold(), None);
    }

    #[test]
    fn outputs() {
        let o = Output::parse("sarif:out.sarif").unwrap();
        assert_eq!(
            (o.format, o.path),
            (Format::Sarif, Some("out.sarif".into()))
        );
        assert_eq!(Output::parse("json:").unwrap().path, None);
        assert!(Output::parse("yaml").unwrap_err().starts_with("`yaml`: "));
    }
}
