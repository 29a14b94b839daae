//! `sprintf` as OPA evaluates it: Go's `fmt.Sprintf` over the arguments, where a verb without
//! an argument prints `%!v(MISSING)` and extra arguments are listed, instead of failing.
//! Gatekeeper library templates depend on this (one formats six verbs with five arguments);
//! regorus's own `sprintf` fails on a mismatch, which leaves the violation undefined, so
//! Palisade registers this one in its place.

use regorus::Value;

/// The extension regorus calls for `sprintf(format, args)`.
pub fn extension(args: Vec<Value>) -> anyhow::Result<Value> {
    let [format, list] = args.as_slice() else {
        anyhow::bail!("sprintf takes a format and an array");
    };
    let Value::String(format) = format else {
        return Ok(Value::Undefined);
    };
    let items: Vec<Value> = match list {
        Value::Array(a) => a.iter().cloned().collect(),
        Value::Set(s) => s.iter().cloned().collect(),
        _ => return Ok(Value::Undefined),
    };
    Ok(Value::from(go_sprintf(format, &items)))
}

#[derive(Default)]
struct Spec {
    minus: bool,
    plus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// Go's `fmt.Sprintf` with OPA's argument conversion.
pub fn go_sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut chars = format.chars().peekable();
    let mut next = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            chars.next();
        }
        spec.width = digits(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.precision = Some(digits(&mut chars).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.get(next) {
            Some(arg) => {
                next += 1;
                let text = render(verb, arg, &spec);
                pad(&mut out, &text, &spec);
            }
            None => {
                out.push_str("%!");
                out.push(verb);
                out.push_str("(MISSING)");
            }
        }
    }
    if next < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|a| format!("{}={}", go_type(a), plain(a)))
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

fn digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        chars.next();
    }
    n
}

fn pad(out: &mut String, text: &str, spec: &Spec) {
    let len = text.chars().count();
    let width = spec.width.unwrap_or(0);
    if len >= width {
        out.push_str(text);
    } else if spec.minus {
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', width - len));
    } else if spec.zero && text.starts_with(|c: char| c == '-' || c == '+' || c.is_ascii_digit()) {
        let (sign, digits) = match text.strip_prefix(['-', '+']) {
            Some(rest) => (&text[..1], rest),
            None => ("", text),
        };
        out.push_str(sign);
        out.extend(std::iter::repeat_n('0', width - len));
        out.push_str(digits);
    } else {
        out.extend(std::iter::repeat_n(' ', width - len));
        out.push_str(text);
    }
}

/// The Go type OPA hands to `fmt` for a value (numbers become int64 or float64; composite
/// values their Rego text, a string).
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Number(n) if n.is_integer() && n.as_i64().is_some() => "int",
        Value::Number(_) => "float64",
        Value::Bool(_) => "bool",
        _ => "string",
    }
}

fn render(verb: char, v: &Value, spec: &Spec) -> String {
    match (verb, v) {
        ('v' | 's', Value::String(s)) => truncate(s, spec),
        ('q', Value::String(s)) => serde_json::to_string(&**s).unwrap_or_default(),
        ('d' | 'v', Value::Number(n)) if n.is_integer() && n.as_i64().is_some() => {
            let i = n.as_i64().unwrap_or(0);
            signed(i.to_string(), i >= 0, spec)
        }
        ('x', Value::Number(n)) if n.as_i64().is_some() => {
            hex(n.as_i64().unwrap_or(0), false, spec)
        }
        ('X', Value::Number(n)) if n.as_i64().is_some() => hex(n.as_i64().unwrap_or(0), true, spec),
        ('x', Value::String(s)) => s.bytes().map(|b| format!("{b:02x}")).collect(),
        ('X', Value::String(s)) => s.bytes().map(|b| format!("{b:02X}")).collect(),
        ('f' | 'F', Value::Number(n)) => {
            let f = n.as_f64().unwrap_or(0.0);
            signed(
                format!("{:.*}", spec.precision.unwrap_or(6), f),
                f >= 0.0,
                spec,
            )
        }
        ('e', Value::Number(n)) => go_exp(n.as_f64().unwrap_or(0.0), spec.precision.unwrap_or(6)),
        ('v' | 'g', Value::Number(n)) => go_float(n.as_f64().unwrap_or(0.0)),
        ('v' | 't', Value::Bool(b)) => b.to_string(),
        ('v', _) | ('s', _) => truncate(&plain(v), spec),
        (verb, _) => format!("%!{verb}({}={})", go_type(v), plain(v)),
    }
}

fn truncate(s: &str, spec: &Spec) -> String {
    match spec.precision {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    }
}

fn signed(text: String, non_negative: bool, spec: &Spec) -> String {
    match (non_negative, spec.plus, spec.space) {
        (true, true, _) => format!("+{text}"),
        (true, false, true) => format!(" {text}"),
        _ => text,
    }
}

fn hex(i: i64, upper: bool, spec: &Spec) -> String {
    let body = if upper {
        format!("{:X}", i.unsigned_abs())
    } else {
        format!("{:x}", i.unsigned_abs())
    };
    let prefix = if spec.sharp {
        if upper { "0X" } else { "0x" }
    } else {
        ""
    };
    format!("{}{prefix}{body}", if i < 0 { "-" } else { "" })
}

/// Go's `%v` of a float64: the shortest representation, exponent form for large and small
/// magnitudes.
fn go_float(f: f64) -> String {
    if f == f.trunc() && f.abs() < 1e21 {
        return format!("{f}");
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        return go_exp_shortest(f);
    }
    format!("{f}")
}

fn go_exp_shortest(f: f64) -> String {
    let s = format!("{f:e}");
    fix_exponent(&s)
}

fn go_exp(f: f64, precision: usize) -> String {
    fix_exponent(&format!("{f:.precision$e}"))
}

/// Rust writes `1e21`, Go `1e+21`; Go pads the exponent to two digits.
fn fix_exponent(s: &str) -> String {
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => s.to_string(),
    }
}

/// A value as OPA's `%v` prints it: strings raw, composites as Rego text.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        other => rego_text(other),
    }
}

/// A value as Rego writes it (`["a", 1]`, `{"k": true}`, sets `{"a", "b"}`).
fn rego_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_i64() {
            Some(i) if n.is_integer() => i.to_string(),
            _ => go_float(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => serde_json::to_string(&**s).unwrap_or_default(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(rego_text).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Set(items) => {
            if items.is_empty() {
                return "set()".into();
            }
            let parts: Vec<String> = items.iter().map(rego_text).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", rego_text(k), rego_text(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Undefined => "undefined".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::from(v)
    }

    #[test]
    fn verbs_format_as_go_does() {
        let args = [
            s("web"),
            Value::from(3i64),
            Value::from(true),
            Value::from(0.5),
        ];
        assert_eq!(
            go_sprintf("%v has %d replicas (%t, %v)", &args),
            "web has 3 replicas (true, 0.5)"
        );
        assert_eq!(
            go_sprintf(
                "%q|%5s|%-4d|%03d|%%",
                &[s("a\"b"), s("x"), Value::from(7i64), Value::from(5i64)]
            ),
            "\"a\\\"b\"|    x|7   |005|%"
        );
        assert_eq!(
            go_sprintf("%.2f %x", &[Value::from(1.005), Value::from(255i64)]),
            "1.00 ff"
        );
    }

    #[test]
    fn a_missing_argument_is_printed_not_fatal() {
        assert_eq!(go_sprintf("%v and %v", &[s("one")]), "one and %!v(MISSING)");
        assert_eq!(
            go_sprintf("%v", &[s("a"), Value::from(2i64)]),
            "a%!(EXTRA int=2)"
        );
    }

    #[test]
    fn composite_values_print_as_rego() {
        let v = Value::from(serde_json::json!({"b": [1, "x"], "a": null}));
        assert_eq!(go_sprintf("%v", &[v]), "{\"a\": null, \"b\": [1, \"x\"]}");
    }
}
