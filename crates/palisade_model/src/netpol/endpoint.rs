//! Naming an end of a connection: a workload or Pod by name, or an address.

use super::{Endpoint, Model};

/// A name that does not pick exactly one workload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Nothing has that name.
    #[error("no workload or Pod `{0}` in the input (use NAMESPACE/NAME or an IP address)")]
    Unknown(String),
    /// Several objects have it.
    #[error("`{name}` names several objects: {}; use Kind/NAMESPACE/NAME", candidates.join(", "))]
    Ambiguous {
        /// The name as qualified.
        name: String,
        /// `Kind/namespace/name` of each.
        candidates: Vec<String>,
    },
}

impl Model {
    /// The endpoint `spec` names: `NAME` (in `default_namespace`), `NS/NAME`,
    /// `Kind/NS/NAME` or an IP address. A Pod or ReplicaSet that folded into its controller
    /// names the controller.
    pub fn endpoint(&self, spec: &str, default_namespace: &str) -> Result<Endpoint, EndpointError> {
        if let Ok(ip) = spec.parse() {
            return Ok(Endpoint::Ip(ip));
        }
        let spec = if spec.contains('/') {
            spec.to_string()
        } else {
            format!("{default_namespace}/{spec}")
        };
        let named = |display: &str| {
            display == spec
                || display
                    .split_once('/')
                    .is_some_and(|(_, rest)| rest == spec)
        };
        let mut matches: Vec<usize> = (self.pods.iter().enumerate())
            .filter(|(_, p)| named(&p.display))
            .map(|(i, _)| i)
            .collect();
        if matches.is_empty() {
            matches.extend(
                self.folded
                    .iter()
                    .filter(|(d, _)| named(d))
                    .map(|(_, &i)| i),
            );
            matches.sort_unstable();
            matches.dedup();
        }
        match matches.as_slice() {
            [i] => Ok(Endpoint::Pod(*i)),
            [] => Err(EndpointError::Unknown(spec)),
            many => Err(EndpointError::Ambiguous {
                name: spec,
                candidates: many.iter().map(|i| self.pods[*i].display.clone()).collect(),
            }),
        }
    }
}

/// A port and its protocol (`TCP`, `UDP`, `SCTP`).
pub type PortProtocol = (u16, String);

/// A destination that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    /// An IPv6 address with a port, written without brackets.
    #[error("write an IPv6 destination with a port as [ADDRESS]:PORT")]
    Ipv6,
    /// Not a protocol NetworkPolicies know.
    #[error("protocol must be TCP, UDP or SCTP, not `{0}`")]
    Protocol(String),
    /// Not a port number.
    #[error("`{0}` is not a port number (1-65535)")]
    Port(String),
}

/// Split a destination `target[:PORT[/PROTOCOL]]` (`[IPv6]:PORT` for an address with a
/// port; TCP by default).
pub fn parse_destination(spec: &str) -> Result<(&str, Option<PortProtocol>), DestinationError> {
    if spec.parse::<std::net::IpAddr>().is_ok() {
        return Ok((spec, None));
    }
    let split = match spec.strip_prefix('[') {
        Some(rest) => match rest.split_once("]:") {
            Some((ip, port)) => Some((ip, port)),
            None => return Err(DestinationError::Ipv6),
        },
        None => spec.rsplit_once(':'),
    };
    let Some((target, port)) = split else {
        return Ok((spec, None));
    };
    let (port, protocol) = port.split_once('/').unwrap_or((port, "TCP"));
    let protocol = protocol.to_ascii_uppercase();
    if !super::PROTOCOLS.contains(&protocol.as_str()) {
        return Err(DestinationError::Protocol(protocol));
    }
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| DestinationError::Port(port.to_string()))?;
    Ok((target, Some((port, protocol))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_split_into_target_port_and_protocol() {
        assert_eq!(parse_destination("shop/web").unwrap(), ("shop/web", None));
        assert_eq!(
            parse_destination("shop/web:8080").unwrap(),
            ("shop/web", Some((8080, "TCP".into())))
        );
        assert_eq!(
            parse_destination("10.0.0.1:53/udp").unwrap(),
            ("10.0.0.1", Some((53, "UDP".into())))
        );
        assert_eq!(parse_destination("fd00::1").unwrap(), ("fd00::1", None));
        assert_eq!(
            parse_destination("[fd00::1]:443").unwrap(),
            ("fd00::1", Some((443, "TCP".into())))
        );
        assert_eq!(parse_destination("[fd00::1]"), Err(DestinationError::Ipv6));
        assert_eq!(
            parse_destination("web:53/icmp"),
            Err(DestinationError::Protocol("ICMP".into()))
        );
        assert_eq!(
            parse_destination("web:0"),
            Err(DestinationError::Port("0".into()))
        );
        assert_eq!(
            parse_destination("web:http"),
            Err(DestinationError::Port("http".into()))
        );
    }
}
