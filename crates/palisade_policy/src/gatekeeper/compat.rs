//! Source rewrites that make regorus read three Rego constructs the way OPA does. Each is
//! semantics-preserving under OPA's own rules, and each is applied only where its pattern
//! appears (the Gatekeeper library's templates use all three):
//!
//! 1. **A line that starts with `(`** is a new expression in OPA; regorus reads it as a call
//!    of the previous line's reference. A `;` ends the previous expression explicitly.
//! 2. **Several bodies after one head** (`head { a } { b }`) are OPA shorthand for one rule per
//!    body; regorus rejects the form for partial set rules. Each body gets its own head.
//! 3. **A negated call whose argument is undefined** (`not f(x, input.parameters.y)` with no
//!    `y`): OPA assigns call arguments to locals before the call, so the body fails; regorus
//!    evaluates the negation as true. The dotted-reference arguments are assigned first.

/// Rewrite a module. Text outside the patterns is returned unchanged.
pub fn normalise(rego: &str) -> String {
    let lines: Vec<Line> = scan(rego);
    let mut out = String::with_capacity(rego.len() + 64);
    let mut hoisted = 0usize;
    for (i, line) in lines.iter().enumerate() {
        let next_starts_paren = (lines.get(i + 1))
            .is_some_and(|n| n.depth_before >= 1 && n.text.trim_start().starts_with('('));
        if line.depth_before >= 1
            && line.text.trim_start().starts_with("not ")
            && let Some(rewritten) = hoist_negated_call(line.text, &mut hoisted)
        {
            out.push_str(&rewritten);
            push_end(&mut out, line, next_starts_paren);
            continue;
        }
        if line.depth_before == 1
            && is_body_break(line.text)
            && let Some(head) = head_of(&lines, i)
        {
            let indent = &line.text[..line.text.len() - line.text.trim_start().len()];
            out.push_str(indent);
            out.push_str("}\n");
            out.push_str(head);
            out.push_str(" {\n");
            continue;
        }
        out.push_str(line.text);
        push_end(&mut out, line, next_starts_paren);
    }
    out
}

fn push_end(out: &mut String, line: &Line<'_>, next_starts_paren: bool) {
    if next_starts_paren && ends_a_term(code_of(line.text)) {
        out.push(';');
    }
    out.push('\n');
}

/// A line of the module with the bracket depth at its start.
struct Line<'a> {
    text: &'a str,
    depth_before: usize,
}

/// Split into lines, tracking bracket depth outside strings and comments.
fn scan(rego: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut depth = 0usize;
    let mut in_raw = false;
    for text in rego.lines() {
        let depth_before = depth;
        let mut chars = text.chars().peekable();
        let mut in_string = false;
        while let Some(c) = chars.next() {
            if in_raw {
                in_raw = c != '`';
                continue;
            }
            if in_string {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '`' => in_raw = true,
                '#' => break,
                '{' | '[' | '(' => depth += 1,
                '}' | ']' | ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        lines.push(Line { text, depth_before });
    }
    lines
}

/// The line without its trailing comment.
fn code_of(text: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '#' {
            return &text[..i];
        }
    }
    text
}

/// Whether a line's code ends with a complete term (so a following `(` cannot continue it).
fn ends_a_term(code: &str) -> bool {
    code.trim_end()
        .chars()
        .last()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | ']' | ')' | '"'))
}

/// `} {` on a line of its own, closing one body of a top-level rule and opening the next.
fn is_body_break(text: &str) -> bool {
    let code = code_of(text).trim();
    let Some(rest) = code.strip_prefix('}') else {
        return false;
    };
    rest.trim() == "{"
}

/// The head of the rule whose body the line at `at` continues: the text before the body's
/// `{` on the nearest line above that starts at depth 0.
fn head_of<'a>(lines: &[Line<'a>], at: usize) -> Option<&'a str> {
    let start = (0..at).rev().find(|&j| {
        let t = lines[j].text.trim_start();
        lines[j].depth_before == 0 && !t.is_empty() && !t.starts_with('#') && !t.starts_with('}')
    })?;
    let code = code_of(lines[start].text).trim_end();
    let head = code.strip_suffix('{')?.trim_end();
    // Only a head whose brackets are balanced on its own line (one-line heads).
    let balance = head.chars().fold(0i64, |d, c| match c {
        '{' | '[' | '(' => d + 1,
        '}' | ']' | ')' => d - 1,
        _ => d,
    });
    (balance == 0 && !head.is_empty()).then_some(head)
}

/// `not f(a, x.y)` -> `__palisade_argN := x.y; not f(a, __palisade_argN)` for each argument
/// that is a plain dotted reference.
fn hoist_negated_call(text: &str, counter: &mut usize) -> Option<String> {
    let code = code_of(text);
    let indent = &text[..text.len() - text.trim_start().len()];
    let expr = code.trim().strip_prefix("not ")?.trim();
    let open = expr.find('(')?;
    let callee = &expr[..open];
    if callee.is_empty()
        || !callee
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        return None;
    }
    let args_text = expr[open + 1..].strip_suffix(')')?;
    let args = split_args(args_text)?;
    let mut assigns = Vec::new();
    let mut rewritten = Vec::new();
    for arg in args {
        let a = arg.trim();
        if is_dotted_ref(a) {
            let local = format!("__palisade_arg{}", *counter);
            *counter += 1;
            assigns.push(format!("{local} := {a}"));
            rewritten.push(local);
        } else {
            rewritten.push(a.to_string());
        }
    }
    if assigns.is_empty() {
        return None;
    }
    Some(format!(
        "{indent}{}; not {callee}({})",
        assigns.join("; "),
        rewritten.join(", ")
    ))
}

/// Split call arguments at top-level commas; `None` when the text is not one argument list.
fn split_args(text: &str) -> Option<Vec<&str>> {
    let mut args = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            ',' if depth == 0 => {
                args.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    (depth == 0 && !in_string).then(|| {
        args.push(&text[start..]);
        args
    })
}

/// `a.b.c`: identifiers joined by dots, at least one dot.
fn is_dotted_ref(text: &str) -> bool {
    let mut parts = text.split('.');
    let first_ok = parts.next().is_some_and(|p| {
        p.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && p.chars().all(|c| c.is_alphanumeric() || c == '_')
    });
    let mut rest = 0;
    let rest_ok = parts.all(|p| {
        rest += 1;
        !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_')
    });
    first_ok && rest_ok && rest > 0
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn a_line_starting_with_a_parenthesis_is_its_own_expression() {
        let rego = "p {\n  input.x\n  (input.a - input.b) > 1\n}\n";
        assert_eq!(
            normalise(rego),
            "p {\n  input.x;\n  (input.a - input.b) > 1\n}\n"
        );
        // A continued argument list is left alone.
        let rego = "p {\n  f(1,\n  (2))\n}\n";
        assert_eq!(normalise(rego), rego);
    }

    #[test]
    fn each_body_gets_its_own_head() {
        let rego = "violation[{\"msg\": m}] {\n  a\n  m := \"x\"\n} {\n  b\n  m := \"y\"\n}\n";
        assert_eq!(
            normalise(rego),
            "violation[{\"msg\": m}] {\n  a\n  m := \"x\"\n}\nviolation[{\"msg\": m}] {\n  b\n  m := \"y\"\n}\n"
        );
    }

    #[test]
    fn dotted_arguments_of_a_negated_call_are_assigned_first() {
        let rego = "p {\n  not f(x, params.ranges) # why\n}\n";
        assert_eq!(
            normalise(rego),
            "p {\n  __palisade_arg0 := params.ranges; not f(x, __palisade_arg0)\n}\n"
        );
        // Plain variables, literals and indexed references stay in place.
        let rego = "p {\n  not f(x, \"a.b\", y[_].z)\n}\n";
        assert_eq!(normalise(rego), rego);
    }

    #[test]
    fn strings_and_comments_do_not_move_the_depth() {
        let rego = "p {\n  x := \"{\" # {\n} {\n  y\n}\n";
        assert_eq!(normalise(rego), "p {\n  x := \"{\" # {\n}\np {\n  y\n}\n");
    }
}
