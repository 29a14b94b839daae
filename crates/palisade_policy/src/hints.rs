//! Pointers for policy violations. Policies report messages, not fields; where a message
//! names a container of the object, or a CEL expression reads a field the object has, the
//! finding points there rather than at the object's first line.

use serde_json::Value;

/// Where the pod spec of a workload kind lives.
const POD_SPECS: [&str; 3] = [
    "/spec",
    "/spec/template/spec",
    "/spec/jobTemplate/spec/template/spec",
];
const CONTAINER_LISTS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// The container a message names (a whole word, longest name first).
pub fn from_message(object: &Value, message: &str) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for spec in POD_SPECS {
        let Some(pod) = object.pointer(spec) else {
            continue;
        };
        for list in CONTAINER_LISTS {
            for (i, c) in pod
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let Some(name) = c.get("name").and_then(Value::as_str) else {
                    continue;
                };
                if !name.is_empty()
                    && names_word(message, name)
                    && best.as_ref().is_none_or(|(len, _)| name.len() > *len)
                {
                    best = Some((name.len(), format!("{spec}/{list}/{i}")));
                }
            }
        }
    }
    best.map(|(_, p)| p)
}

fn names_word(message: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_' || c == '.';
    message.match_indices(word).any(|(i, _)| {
        let before = message[..i].chars().next_back();
        let after = message[i + word.len()..].chars().next();
        before.is_none_or(|c| !is_word(c)) && after.is_none_or(|c| !is_word(c) || c == '.')
    })
}

/// The deepest field of the object that an expression reads as `object.a.b.c`.
pub fn from_expression(object: &Value, expression: &str) -> Option<String> {
    let mut best: Option<String> = None;
    for (i, _) in expression.match_indices("object.") {
        if i > 0 {
            let prev = expression[..i].chars().next_back();
            if prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
        }
        let path: Vec<&str> = expression[i + "object.".len()..]
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .next()
            .unwrap_or("")
            .split('.')
            .filter(|s| !s.is_empty())
            .collect();
        let mut node = object;
        let mut pointer = String::new();
        for key in path {
            match node.get(key) {
                Some(next) => {
                    node = next;
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                }
                None => break,
            }
        }
        if !pointer.is_empty() && best.as_ref().is_none_or(|b| pointer.len() > b.len()) {
            best = Some(pointer);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_message_naming_a_container_points_at_it() {
        let pod = json!({"spec": {"containers": [{"name": "app"}, {"name": "app-sidecar"}],
                                  "initContainers": [{"name": "init"}]}});
        assert_eq!(
            from_message(&pod, "container app-sidecar is privileged").as_deref(),
            Some("/spec/containers/1")
        );
        assert_eq!(
            from_message(&pod, "Privileged container is not allowed: init, x").as_deref(),
            Some("/spec/initContainers/0")
        );
        assert_eq!(from_message(&pod, "application is bad"), None);
        let deploy = json!({"spec": {"template": {"spec": {"containers": [{"name": "web"}]}}}});
        assert_eq!(
            from_message(&deploy, "web runs as root").as_deref(),
            Some("/spec/template/spec/containers/0")
        );
    }

    #[test]
    fn an_expression_points_at_the_deepest_field_it_reads_that_exists() {
        let svc = json!({"spec": {"type": "NodePort", "ports": []}});
        assert_eq!(
            from_expression(&svc, "object.spec.type != 'NodePort'").as_deref(),
            Some("/spec/type")
        );
        assert_eq!(
            from_expression(&svc, "has(object.spec.externalIPs)").as_deref(),
            Some("/spec")
        );
        assert_eq!(from_expression(&svc, "oldObject.spec.type == 'x'"), None);
    }
}
