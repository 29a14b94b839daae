//! NET009 metadata-egress.

use std::net::IpAddr;

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicy egress rules that let the selected pods reach the cloud instance
    /// metadata endpoint (`169.254.169.254`, and `fd00:ec2::254` on AWS over IPv6): a rule
    /// with no `to` (every destination), or an `ipBlock` whose `cidr` contains the endpoint
    /// (`0.0.0.0/0`, `169.254.0.0/16`, `::/0`, …) without an `except` entry that takes it out.
    /// Rules whose `ports` cannot reach the endpoint's HTTP port (TCP 80) are not reported,
    /// nor are policies whose `policyTypes` leave out `Egress`.
    ///
    /// ## Why is this bad?
    /// The metadata endpoint hands out the node's cloud credentials and bootstrap data to
    /// whoever asks from the node's network: a compromised pod can take over the node's cloud
    /// identity. An egress allow-list that forgets to exclude it defeats the policy's purpose.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: api-egress
    ///   namespace: shop
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    ///   policyTypes: [Egress]
    ///   egress:
    ///   - to:
    ///     - ipBlock: # expect: NET009
    ///         cidr: 0.0.0.0/0
    ///         except: [10.0.0.0/8]
    /// ```
    ///
    /// ## Remediation
    /// Add `169.254.169.254/32` (and `fd00:ec2::254/128` for IPv6) to the `except` list of
    /// every `ipBlock` that contains it, or allow only the destinations the pods need.
    ///
    /// ## References
    /// - kubescape C-0052 Instance Metadata API (MITRE)
    /// - Microsoft Threat Matrix for Kubernetes: Instance Metadata API (MS-TA9033)
    /// - Kubernetes: Network Policies, ipBlock
    pub static RULE = {
        id: "NET009",
        name: "metadata-egress",
        title: "Egress rule allows the cloud metadata endpoint",
        severity: High,
        layer: Cloud,
        frameworks: [Mitre("T1552.005")],
        remediation: "Except 169.254.169.254/32 (and fd00:ec2::254/128) from every ipBlock that contains it.",
        hook: Hook::Object(check),
    }
}

/// The metadata endpoints of the major clouds.
const METADATA: [IpAddr; 2] = [
    IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V6(std::net::Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
];

/// Whether `cidr` (as an ipBlock writes it; host bits may be set) contains `ip`; `None` when
/// it does not parse.
fn cidr_contains(cidr: &str, ip: IpAddr) -> Option<bool> {
    cidr.trim()
        .parse::<ipnet::IpNet>()
        .ok()
        .map(|net| net.contains(&ip))
}

/// Whether the rule's `ports` admit TCP port 80 (no `ports` admits every port).
fn admits_http(rule: NodeRef<'_, '_>) -> bool {
    let Some(ports) = rule.get("ports").filter(|p| p.items().len() > 0) else {
        return true;
    };
    ports.items().any(|p| {
        let tcp = p
            .get("protocol")
            .and_then(|v| v.as_str())
            .is_none_or(|v| v == "TCP");
        let number = |key: &str| {
            p.get(key)
                .and_then(|v| v.scalar_text())
                .map(|t| t.parse::<u32>())
        };
        tcp && match (number("port"), number("endPort")) {
            (None, _) => true,
            (Some(Ok(port)), Some(Ok(end))) => port <= 80 && 80 <= end,
            (Some(Ok(port)), _) => port == 80,
            // A named port resolves against pods, never against an ipBlock address.
            (Some(Err(_)), _) => false,
        }
    })
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "NetworkPolicy" || !object.api_version.starts_with("networking.k8s.io/") {
        return;
    }
    let spec = object.root.get("spec");
    if !palisade_model::netpol::PolicyTypes::of(spec).egress {
        return;
    }
    let Some(rules) = spec.and_then(|s| s.get("egress")) else {
        return;
    };
    ctx.applicable();
    for (i, rule) in rules.items().enumerate() {
        if !admits_http(rule) {
            continue;
        }
        let Some(peers) = rule.get("to").filter(|p| p.items().len() > 0) else {
            ctx.report(
                format!("/spec/egress/{i}"),
                format!(
                    "egress rule {i} has no `to`, so the pods can reach the cloud metadata endpoint"
                ),
            );
            continue;
        };
        for (j, peer) in peers.items().enumerate() {
            let Some(block) = peer.get("ipBlock") else {
                continue;
            };
            let Some(cidr) = block.get("cidr").and_then(|c| c.as_str()) else {
                continue;
            };
            let excepted = |ip: IpAddr| {
                block.get("except").is_some_and(|e| {
                    e.items()
                        .filter_map(|x| x.as_str())
                        .any(|x| cidr_contains(x, ip) == Some(true))
                })
            };
            if let Some(ip) = METADATA
                .into_iter()
                .find(|ip| cidr_contains(cidr, *ip) == Some(true) && !excepted(*ip))
            {
                ctx.report(
                    format!("/spec/egress/{i}/to/{j}/ipBlock"),
                    format!("egress rule {i} allows {cidr}, which includes the cloud metadata endpoint {ip}"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_contain_addresses() {
        let v4 = METADATA[0];
        let v6 = METADATA[1];
        assert_eq!(cidr_contains("0.0.0.0/0", v4), Some(true));
        assert_eq!(cidr_contains("169.254.0.0/16", v4), Some(true));
        assert_eq!(cidr_contains("169.254.169.254/32", v4), Some(true));
        assert_eq!(cidr_contains("10.0.0.0/8", v4), Some(false));
        assert_eq!(cidr_contains("::/0", v6), Some(true));
        assert_eq!(cidr_contains("fd00:ec2::/32", v6), Some(true));
        assert_eq!(cidr_contains("::/0", v4), Some(false));
        assert_eq!(cidr_contains("0.0.0.0/33", v4), None);
        assert_eq!(
            cidr_contains("169.254.169.1/16", v4),
            Some(true),
            "host bits set"
        );
        assert_eq!(cidr_contains("nonsense", v4), None);
    }
}
