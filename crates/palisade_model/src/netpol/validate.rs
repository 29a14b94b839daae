//! The API server's validation of a NetworkPolicy spec (`ValidateNetworkPolicySpec` in
//! `pkg/apis/networking/validation`, Kubernetes v1.35), with its messages. A policy it rejects
//! is never applied, so the reachability model must not read it (a broken `ipBlock` read as an
//! empty peer would allow every pod).

use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use palisade_source::NodeRef;

use crate::validation::{Field, FieldError, Value, label_selector, port_name, port_number, text};

const PROTOCOLS: [&str; 3] = ["TCP", "UDP", "SCTP"];
const POLICY_TYPES: [&str; 2] = ["Ingress", "Egress"];
const CIDR_FORMAT: &str = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

/// Every reason the API server would reject the NetworkPolicy `spec`, in its order.
pub fn validate(spec: Option<NodeRef<'_, '_>>) -> Vec<FieldError> {
    let mut out = Vec::new();
    let Some(spec) = spec else {
        return out;
    };
    let at = Field::root().child("spec");
    label_selector(spec.get("podSelector"), &at.child("podSelector"), &mut out);
    for (direction, peers) in [("ingress", "from"), ("egress", "to")] {
        let Some(rules) = spec.get(direction) else {
            continue;
        };
        for (i, rule) in rules.items().enumerate() {
            let rule_at = at.child(direction).index(i);
            if let Some(ports) = rule.get("ports") {
                for (k, port) in ports.items().enumerate() {
                    validate_port(port, &rule_at.child("ports").index(k), &mut out);
                }
            }
            if let Some(list) = rule.get(peers) {
                for (k, peer) in list.items().enumerate() {
                    validate_peer(peer, &rule_at.child(peers).index(k), &mut out);
                }
            }
        }
    }
    if let Some(types) = spec.get("policyTypes") {
        let values: Vec<std::borrow::Cow<'_, str>> = types
            .items()
            .map(|t| text(Some(t)).unwrap_or_default())
            .collect();
        let at = at.child("policyTypes");
        if values.len() > POLICY_TYPES.len() {
            let list = Value::List(values.iter().map(|v| v.as_ref()).collect());
            out.push(at.invalid(&list, "may not specify more than two policyTypes"));
        } else {
            for (i, v) in values.iter().enumerate() {
                if !POLICY_TYPES.contains(&v.as_ref()) {
                    out.push(at.index(i).not_supported(v, &POLICY_TYPES));
                }
            }
        }
    }
    out
}

/// `ValidateNetworkPolicyPort`.
fn validate_port(port: NodeRef<'_, '_>, at: &Field, out: &mut Vec<FieldError>) {
    if let Some(protocol) = text(port.get("protocol"))
        && !PROTOCOLS.contains(&protocol.as_ref())
    {
        out.push(at.child("protocol").not_supported(&protocol, &PROTOCOLS));
    }
    let end = port
        .get("endPort")
        .filter(|e| !e.is_null())
        .and_then(|e| e.as_i64());
    match port.get("port").filter(|p| !p.is_null()) {
        Some(p) => match p.as_i64() {
            Some(number) => {
                if let Some(msg) = port_number(number) {
                    out.push(at.child("port").invalid(&Value::Int(number), msg));
                }
                if let Some(end) = end {
                    if end < number {
                        out.push(at.child("endPort").invalid(
                            &Value::Int(number),
                            "must be greater than or equal to `port`",
                        ));
                    }
                    if let Some(msg) = port_number(end) {
                        out.push(at.child("endPort").invalid(&Value::Int(end), msg));
                    }
                }
            }
            None => {
                if let Some(end) = end {
                    out.push(at.child("endPort").invalid(
                        &Value::Int(end),
                        "may not be specified when `port` is non-numeric",
                    ));
                }
                let name = p.scalar_text().unwrap_or_default();
                for msg in port_name(&name) {
                    out.push(at.child("port").invalid(&Value::Str(&name), msg));
                }
            }
        },
        None => {
            if let Some(end) = end {
                out.push(at.child("endPort").invalid(
                    &Value::Int(end),
                    "may not be specified when `port` is not specified",
                ));
            }
        }
    }
}

/// `ValidateNetworkPolicyPeer`.
fn validate_peer(peer: NodeRef<'_, '_>, at: &Field, out: &mut Vec<FieldError>) {
    let present = |key: &str| peer.get(key).filter(|n| !n.is_null());
    let pods = present("podSelector");
    let namespaces = present("namespaceSelector");
    let block = present("ipBlock");
    label_selector(pods, &at.child("podSelector"), out);
    label_selector(namespaces, &at.child("namespaceSelector"), out);
    if let Some(block) = block {
        validate_ip_block(block, &at.child("ipBlock"), out);
    }
    let count = [pods, namespaces, block]
        .iter()
        .filter(|p| p.is_some())
        .count();
    if count == 0 {
        out.push(at.required("must specify a peer"));
    } else if count > 1 && block.is_some() {
        out.push(at.forbidden("may not specify both ipBlock and another peer"));
    }
}

/// `ValidateIPBlock`: a valid `cidr`, and each `except` a valid CIDR strictly inside it.
fn validate_ip_block(block: NodeRef<'_, '_>, at: &Field, out: &mut Vec<FieldError>) {
    let cidr_text = text(block.get("cidr")).unwrap_or_default();
    if cidr_text.is_empty() {
        out.push(at.child("cidr").required(""));
        return;
    }
    let Some(cidr) = parse_cidr(&cidr_text) else {
        out.push(
            at.child("cidr")
                .invalid(&Value::Str(&cidr_text), CIDR_FORMAT),
        );
        return;
    };
    let Some(except) = block.get("except") else {
        return;
    };
    for (i, e) in except.items().enumerate() {
        let e_text = text(Some(e)).unwrap_or_default();
        let e_at = at.child("except").index(i);
        match parse_cidr(&e_text) {
            None => out.push(e_at.invalid(&Value::Str(&e_text), CIDR_FORMAT)),
            Some(inner) => {
                if !cidr.contains(&inner.network()) || cidr.prefix_len() >= inner.prefix_len() {
                    out.push(
                        e_at.invalid(&Value::Str(&e_text), "must be a strict subset of `cidr`"),
                    );
                }
            }
        }
    }
}

/// A CIDR as the API server parses it for legacy fields (`ParseCIDRSloppy`): IPv4 octets and
/// the prefix length may have leading zeros; host bits may be set (`10.0.0.1/24` means
/// `10.0.0.0/24`). Policies read by the model use the same parser.
pub fn parse_cidr(text: &str) -> Option<IpNet> {
    let (ip, prefix) = text.split_once('/')?;
    let prefix = decimal(prefix)?;
    let ip: IpAddr = if ip.contains(':') {
        IpAddr::V6(ip.parse().ok()?)
    } else {
        let octets: Vec<&str> = ip.split('.').collect();
        if octets.len() != 4 {
            return None;
        }
        let mut bytes = [0u8; 4];
        for (b, o) in bytes.iter_mut().zip(&octets) {
            *b = decimal(o)?;
        }
        IpAddr::V4(Ipv4Addr::from(bytes))
    };
    IpNet::new(ip, prefix).ok().map(|n| n.trunc())
}

/// A decimal number of at most 255 written with any number of leading zeros, as Go's `dtoi`
/// reads the parts of an IPv4 address and a prefix length.
fn decimal(text: &str) -> Option<u8> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = text.trim_start_matches('0');
    if digits.len() > 3 {
        return None;
    }
    if digits.is_empty() {
        Some(0)
    } else {
        digits.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_source::{Limits, parse_stream};

    fn errors(spec: &str) -> Vec<String> {
        let text = format!("spec:\n{spec}");
        let docs = parse_stream(&text, &Limits::default());
        let doc = docs[0].as_ref().expect("test YAML parses");
        validate(doc.root().and_then(|r| r.get("spec")))
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn broken_ip_blocks_are_rejected_with_the_api_message() {
        assert_eq!(
            errors("  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/33}\n"),
            vec![
                "spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
            ]
        );
        assert_eq!(
            errors("  egress:\n  - to:\n    - ipBlock: {cidr: \"\"}\n"),
            vec!["spec.egress[0].to[0].ipBlock.cidr: Required value"]
        );
        assert_eq!(
            errors("  egress:\n  - to:\n    - ipBlock: {}\n"),
            vec!["spec.egress[0].to[0].ipBlock.cidr: Required value"]
        );
        assert_eq!(
            errors(
                "  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/8\n        except: [192.168.0.0/24, 10.0.0.0/8, 10.1.0.0/16, nope, 'fd00::/64']\n"
            ),
            vec![
                "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"192.168.0.0/24\": must be a strict subset of `cidr`",
                "spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: \"10.0.0.0/8\": must be a strict subset of `cidr`",
                "spec.ingress[0].from[0].ipBlock.except[3]: Invalid value: \"nope\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                "spec.ingress[0].from[0].ipBlock.except[4]: Invalid value: \"fd00::/64\": must be a strict subset of `cidr`",
            ]
        );
        // Accepted as the API server accepts them (legacy parsing).
        assert!(
            errors(
                "  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.1/24, except: [10.0.0.7/32]}\n"
            )
            .is_empty()
        );
        assert!(errors("  ingress:\n  - from:\n    - ipBlock: {cidr: 010.0.0.0/016}\n").is_empty());
    }

    #[test]
    fn peers_need_exactly_one_kind_when_an_ip_block_is_given() {
        assert_eq!(
            errors("  ingress:\n  - from:\n    - {}\n"),
            vec!["spec.ingress[0].from[0]: Required value: must specify a peer"]
        );
        assert_eq!(
            errors(
                "  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8}\n      podSelector: {}\n"
            ),
            vec!["spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer"]
        );
        assert!(
            errors("  ingress:\n  - from:\n    - podSelector: {}\n      namespaceSelector: {}\n")
                .is_empty()
        );
        assert!(errors("  ingress:\n  - from: []\n  - {}\n").is_empty());
    }

    #[test]
    fn ports_and_policy_types() {
        assert_eq!(
            errors(
                "  ingress:\n  - ports:\n    - {port: http, endPort: 8080}\n    - {port: 9000, endPort: 80}\n    - {endPort: 8080}\n    - {protocol: ICMP, port: 0}\n    - {port: '80'}\n    - {port: 80, endPort: 80}\n"
            ),
            vec![
                "spec.ingress[0].ports[0].endPort: Invalid value: 8080: may not be specified when `port` is non-numeric",
                "spec.ingress[0].ports[1].endPort: Invalid value: 9000: must be greater than or equal to `port`",
                "spec.ingress[0].ports[2].endPort: Invalid value: 8080: may not be specified when `port` is not specified",
                "spec.ingress[0].ports[3].protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\"",
                "spec.ingress[0].ports[3].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                "spec.ingress[0].ports[4].port: Invalid value: \"80\": must contain at least one letter (a-z)",
            ]
        );
        assert_eq!(
            errors("  policyTypes: [Ingress, egress]\n"),
            vec![
                "spec.policyTypes[1]: Unsupported value: \"egress\": supported values: \"Ingress\", \"Egress\""
            ]
        );
        assert_eq!(
            errors("  policyTypes: [Ingress, Egress, Ingress]\n"),
            vec![
                "spec.policyTypes: Invalid value: [\"Ingress\",\"Egress\",\"Ingress\"]: may not specify more than two policyTypes"
            ]
        );
        assert!(errors("  policyTypes: [Ingress, Ingress]\n").is_empty());
        assert_eq!(
            errors(
                "  podSelector:\n    matchExpressions:\n    - {key: app, operator: In}\n    - {key: app, operator: Exists, values: [a]}\n    - {key: app, operator: Is, values: [a]}\n"
            ),
            vec![
                "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                "spec.podSelector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "spec.podSelector.matchExpressions[2].operator: Invalid value: \"Is\": not a valid selector operator",
            ]
        );
    }

    #[test]
    fn cidrs_parse_sloppily_like_the_api_server() {
        assert_eq!(parse_cidr("10.0.0.1/24"), "10.0.0.0/24".parse().ok());
        assert_eq!(parse_cidr("010.000.0.0/08"), "10.0.0.0/8".parse().ok());
        assert_eq!(parse_cidr("2001:DB8::/64"), "2001:db8::/64".parse().ok());
        assert_eq!(parse_cidr("0010.0.0.0/0024"), "10.0.0.0/24".parse().ok());
        assert_eq!(parse_cidr("::/000"), "::/0".parse().ok());
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "10.0.0/8",
            "10.0.0.256/8",
            " 10.0.0.0/8",
            "10.0.0.0/-8",
            "::/129",
            "a/8",
        ] {
            assert_eq!(parse_cidr(bad), None, "{bad}");
        }
    }
}
