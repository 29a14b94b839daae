//! Plain-scalar resolution as Kubernetes' YAML decoder (go-yaml v2, YAML 1.1) performs it.

use std::borrow::Cow;

use crate::tree::Value;

/// Resolve an unquoted scalar the way the API server would read it: YAML 1.1 booleans
/// (`y`, `yes`, `on`, …), nulls, integers in any Go base (`0644` is octal, `0x1F`, `0b101`,
/// `1_000`), floats and `.inf`/`.nan`; anything else is a string.
pub fn resolve_plain(text: Cow<'_, str>) -> Value<'_> {
    let s: &str = &text;
    let Some(first) = s.as_bytes().first() else {
        return Value::Null;
    };
    match first {
        b'~' if s.len() == 1 => return Value::Null,
        b'n' | b'N' if matches!(s, "null" | "Null" | "NULL") => return Value::Null,
        _ => {}
    }
    if let Some(b) = yaml11_bool(s) {
        return Value::Bool(b);
    }
    if matches!(first, b'0'..=b'9' | b'-' | b'+' | b'.')
        && let Some(v) = number(s)
    {
        return v;
    }
    Value::Str(text)
}

fn yaml11_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            Some(false)
        }
        _ => None,
    }
}

fn number(s: &str) -> Option<Value<'static>> {
    match s {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Value::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Value::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Value::Float(f64::NAN)),
        _ => {}
    }
    let plain: Cow<'_, str> = if s.contains('_') {
        Cow::Owned(s.replace('_', ""))
    } else {
        Cow::Borrowed(s)
    };
    if let Some(i) = go_parse_int(&plain) {
        return Some(Value::Int(i));
    }
    // go-yaml falls back to ParseFloat, which accepts decimal forms with exponents.
    let digits = plain.trim_start_matches(['+', '-']);
    let is_decimal = !digits.is_empty()
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && digits.bytes().any(|b| b.is_ascii_digit());
    // Go's ParseFloat fails on a value out of range, so go-yaml keeps the text as a string.
    if is_decimal
        && let Ok(f) = plain.parse::<f64>()
        && f.is_finite()
    {
        return Some(Value::Float(f));
    }
    None
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, then `0x`/`0o`/`0b` prefixes or a leading `0` for octal.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(rest) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, rest)
    } else if let Some(rest) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, rest)
    } else if let Some(rest) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, rest)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    let value = if neg { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Value<'_> {
        resolve_plain(Cow::Borrowed(s))
    }

    #[test]
    fn yaml11_booleans_like_the_api_server() {
        for t in [
            "yes", "Yes", "YES", "on", "On", "ON", "y", "Y", "true", "True", "TRUE",
        ] {
            assert_eq!(r(t), Value::Bool(true), "{t}");
        }
        for f in [
            "no", "No", "NO", "off", "OFF", "n", "N", "false", "False", "FALSE",
        ] {
            assert_eq!(r(f), Value::Bool(false), "{f}");
        }
        assert_eq!(r("yEs"), Value::Str(Cow::Borrowed("yEs")));
    }

    #[test]
    fn integers_use_go_bases() {
        assert_eq!(r("0644"), Value::Int(420));
        assert_eq!(r("0x1F"), Value::Int(31));
        assert_eq!(r("0b101"), Value::Int(5));
        assert_eq!(r("0o17"), Value::Int(15));
        assert_eq!(r("1_000"), Value::Int(1000));
        assert_eq!(r("-12"), Value::Int(-12));
        assert_eq!(r("+7"), Value::Int(7));
        assert_eq!(r("0"), Value::Int(0));
        assert_eq!(r("089"), Value::Float(89.0));
    }

    #[test]
    fn floats_nulls_and_strings() {
        assert_eq!(r("1.5"), Value::Float(1.5));
        assert_eq!(r("1e3"), Value::Float(1000.0));
        assert_eq!(r(".inf"), Value::Float(f64::INFINITY));
        assert!(matches!(r(".nan"), Value::Float(f) if f.is_nan()));
        assert_eq!(r("~"), Value::Null);
        assert_eq!(r(""), Value::Null);
        assert_eq!(r("NULL"), Value::Null);
        assert_eq!(r("1.2.3"), Value::Str(Cow::Borrowed("1.2.3")));
        assert_eq!(r("-"), Value::Str(Cow::Borrowed("-")));
        assert_eq!(r("nginx:1.25"), Value::Str(Cow::Borrowed("nginx:1.25")));
        assert_eq!(r("99999999999999999999"), Value::Float(1e20));
    }
}
