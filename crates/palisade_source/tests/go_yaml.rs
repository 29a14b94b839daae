//! YAML as the API server reads it: inputs that go-yaml v2 (through sigs.k8s.io/yaml, which
//! kubectl and the API server use) accepts although a strict YAML 1.2 parser may not, and the
//! values it keeps. The expected JSON is what go-yaml v2.4 and kubectl's document splitter
//! produce for each input.

use palisade_source::{Limits, NodeRef, Value, parse_stream};

/// A node as compact JSON with sorted keys, as Go marshals a decoded manifest.
fn json(node: NodeRef<'_, '_>) -> String {
    match node.value() {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => serde_json::to_string(s.as_ref()).expect("a string serializes"),
        Value::Seq { .. } => {
            let items: Vec<String> = node.items().map(json).collect();
            format!("[{}]", items.join(","))
        }
        Value::Map { .. } => {
            let mut entries: Vec<(String, String)> = node
                .entries()
                .map(|(k, v)| (k.to_string(), json(v)))
                .collect();
            entries.sort();
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{v}",
                        serde_json::to_string(k).expect("a key serializes")
                    )
                })
                .collect();
            format!("{{{}}}", entries.join(","))
        }
    }
}

/// Every document of a stream as JSON (`error: …` for one that does not load; documents
/// without content are left out, as kubectl skips them).
fn documents(text: &str) -> Vec<String> {
    parse_stream(text, &Limits::default())
        .iter()
        .filter_map(|d| match d {
            Ok(doc) => doc.root().filter(|r| !r.is_null()).map(json),
            Err(e) => Some(format!("error: {e}")),
        })
        .collect()
}

#[test]
fn what_go_yaml_accepts_loads_with_the_values_it_keeps() {
    let cases: &[(&str, &str, &[&str])] = &[
        // Tabs as indentation inside flow collections: white space to go-yaml.
        (
            "tabs in a flow sequence",
            "args: [\n\t\"-x\",\n\t\"-y\"\n]\n",
            &[r#"{"args":["-x","-y"]}"#],
        ),
        (
            "tabs in a flow mapping",
            "args: {\n\ta: 1,\n\tb: 2\n}\n",
            &[r#"{"args":{"a":1,"b":2}}"#],
        ),
        (
            "a tab before the closing bracket",
            "args: [\n  \"-x\"\n\t]\n",
            &[r#"{"args":["-x"]}"#],
        ),
        (
            "tabs in a nested flow sequence",
            "spec:\n  args: [\n\t\"-x\", \"-y\"\n  ]\n",
            &[r#"{"spec":{"args":["-x","-y"]}}"#],
        ),
        (
            "tabs under a sequence item",
            "- [\n\t\"-x\"\n  ]\n",
            &[r#"[["-x"]]"#],
        ),
        (
            "space then tab",
            "args: [\n \t\"-x\"\n]\n",
            &[r#"{"args":["-x"]}"#],
        ),
        (
            "tabs in nested flow collections",
            "a: {\n\tb: [\n\t\t1,\n\t\t2\n\t]\n}\n",
            &[r#"{"a":{"b":[1,2]}}"#],
        ),
        (
            "a tab between tokens",
            "key:\tvalue\nlist: [a,\tb]\n",
            &[r#"{"key":"value","list":["a","b"]}"#],
        ),
        // Trailing commas.
        (
            "a trailing comma in a flow sequence",
            "a: [a, b,]\n",
            &[r#"{"a":["a","b"]}"#],
        ),
        (
            "a trailing comma in a flow mapping",
            "a: {a: 1, b: 2,}\n",
            &[r#"{"a":{"a":1,"b":2}}"#],
        ),
        (
            "a multi-line flow sequence",
            "a: [\n  x,\n  y,\n]\n",
            &[r#"{"a":["x",true]}"#],
        ),
        // Document markers.
        (
            "a comment after ---",
            "--- # comment\na: 1\n--- # c\nb: 2\n",
            &[r#"{"a":1}"#, r#"{"b":2}"#],
        ),
        (
            "end markers",
            "a: 1\n...\n---\nb: 2\n... # end\n",
            &[r#"{"a":1}"#, r#"{"b":2}"#],
        ),
        (
            "text after ... is not applied",
            "a: 1\n...\nb: 2\n---\nc: 3\n",
            &[r#"{"a":1}"#, r#"{"c":3}"#],
        ),
        (
            "empty documents",
            "---\n---\na: 1\n---\n# only a comment\n---\n",
            &[r#"{"a":1}"#],
        ),
        // Line endings and byte-order marks.
        (
            "CRLF",
            "a: 1\r\nb: [x,\r\n  z]\r\nc: |\r\n  x\r\n  y\r\n",
            &[r#"{"a":1,"b":["x","z"],"c":"x\ny\n"}"#],
        ),
        (
            "mixed CRLF and LF",
            "a: 1\r\nb: 2\n---\r\nc: 3\n",
            &[r#"{"a":1,"b":2}"#, r#"{"c":3}"#],
        ),
        ("a lone CR", "a: 1\rb: 2\r", &[r#"{"a":1,"b":2}"#]),
        ("a BOM at the start", "\u{FEFF}a: 1\n", &[r#"{"a":1}"#]),
        (
            "a BOM starting a later document",
            "a: 1\n---\n\u{FEFF}b: 2\n",
            &[r#"{"a":1}"#, r#"{"b":2}"#],
        ),
        (
            "a BOM inside a scalar",
            "a: x\u{FEFF}y\n",
            &["{\"a\":\"x\u{FEFF}y\"}"],
        ),
        // Keys and merges.
        (
            "a duplicate key: the last wins",
            "a: 1\nb: 2\na: 3\n",
            &[r#"{"a":3,"b":2}"#],
        ),
        (
            "a merge overrides keys before it",
            "b: &b {x: 1, y: 2}\nm:\n  y: 3\n  <<: *b\n",
            &[r#"{"b":{"x":1,"y":2},"m":{"x":1,"y":2}}"#],
        ),
        (
            "a merge list: the first wins",
            "x: &x {a: 1}\ny: &y {a: 2, b: 2}\nm: {<<: [*x, *y]}\n",
            &[r#"{"m":{"a":1,"b":2},"x":{"a":1},"y":{"a":2,"b":2}}"#],
        ),
        // Scalars as YAML 1.1 resolves them.
        (
            "plain scalars",
            "a: [yes, No, on, OFF, y, n, 0644, 0x1F, 0o17, 0b101, 1_000, +1, .5, 1e3, ~, Null, 1:30, 2001-12-14, tRUE, 08]\n",
            &[
                r#"{"a":[true,false,true,false,true,false,420,31,15,5,1000,1,0.5,1000,null,null,"1:30","2001-12-14","tRUE",8]}"#,
            ],
        ),
        (
            "a float too large is a string",
            "a: 1e400\n",
            &[r#"{"a":"1e400"}"#],
        ),
        (
            "comments need a space",
            "key: value#comment\nother: value #comment\n",
            &[r#"{"key":"value#comment","other":"value"}"#],
        ),
        (
            "tabs on a block scalar line",
            "a: |\n  x\n  \ty\n",
            &[r#"{"a":"x\n\ty\n"}"#],
        ),
    ];
    let mut failed = Vec::new();
    for (name, input, expected) in cases {
        let got = documents(input);
        if got != *expected {
            failed.push(format!(
                "{name}: {input:?}\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
    }
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));
}

#[test]
fn what_go_yaml_rejects_is_an_error() {
    for (name, input) in [
        ("a tab as block indentation", "a:\n\tb: 1\n"),
        (
            "a tab in a plain scalar's continuation",
            "key: foo\n\tbar\n",
        ),
        ("a tab starting a block scalar", "a: |\n\tfoo\n"),
        ("an empty flow entry", "a: [a, , b]\n"),
        (
            "a key in a flow mapping without a separator",
            "a: {b: 1 c: 2}\n",
        ),
        ("an undefined alias", "a: *x\n"),
    ] {
        let docs = documents(input);
        assert!(
            docs.len() == 1 && docs[0].starts_with("error: "),
            "{name}: {input:?} gave {docs:?}"
        );
    }
}
