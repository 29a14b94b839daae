//! IP addresses and CIDRs as Kubernetes' `ip()` and `cidr()` read them: no IPv4-mapped IPv6
//! addresses, no zones.

use std::net::IpAddr;

use ipnet::IpNet;

use super::opaque_type;

/// An IP address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ip(pub IpAddr);

opaque_type!(Ip, "net.IP");

/// A CIDR: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// The address as written.
    pub addr: IpAddr,
    /// The prefix length.
    pub prefix: u8,
}

opaque_type!(Cidr, "net.IPPrefix");

fn address(text: &str) -> Result<IpAddr, String> {
    let ip: IpAddr = text
        .parse()
        .map_err(|_| format!("invalid IP address {text:?}"))?;
    if let IpAddr::V6(v6) = ip
        && v6.to_ipv4_mapped().is_some()
    {
        return Err(format!("IPv4-mapped IPv6 address {text:?} is not allowed"));
    }
    Ok(ip)
}

impl Ip {
    /// Parse an address.
    pub fn parse(text: &str) -> Result<Ip, String> {
        address(text).map(Ip)
    }

    /// `224.0.0.0/24`, `ff02::/16`.
    pub fn is_link_local_multicast(&self) -> bool {
        match self.0 {
            IpAddr::V4(v) => v.octets()[..3] == [224, 0, 0],
            IpAddr::V6(v) => v.segments()[0] & 0xff0f == 0xff02,
        }
    }

    /// `169.254.0.0/16`, `fe80::/10`.
    pub fn is_link_local_unicast(&self) -> bool {
        match self.0 {
            IpAddr::V4(v) => v.is_link_local(),
            IpAddr::V6(v) => v.segments()[0] & 0xffc0 == 0xfe80,
        }
    }

    /// Neither unspecified, loopback, multicast, link-local nor broadcast.
    pub fn is_global_unicast(&self) -> bool {
        let broadcast = matches!(self.0, IpAddr::V4(v) if v.is_broadcast());
        !(self.0.is_unspecified()
            || self.0.is_loopback()
            || self.0.is_multicast()
            || self.is_link_local_unicast()
            || broadcast)
    }
}

impl Cidr {
    /// Parse `address/prefix`.
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let (addr, prefix) = text
            .split_once('/')
            .ok_or_else(|| format!("invalid CIDR {text:?}"))?;
        let addr = address(addr)?;
        let prefix: u8 = prefix
            .parse()
            .map_err(|_| format!("invalid CIDR {text:?}"))?;
        IpNet::new(addr, prefix).map_err(|_| format!("invalid CIDR {text:?}"))?;
        Ok(Cidr { addr, prefix })
    }

    fn net(&self) -> IpNet {
        IpNet::new(self.addr, self.prefix).unwrap_or_else(|_| IpNet::from(self.addr))
    }

    /// Whether the range holds the address.
    pub fn contains_ip(&self, ip: IpAddr) -> bool {
        self.net().contains(&ip)
    }

    /// Whether the range holds the other range.
    pub fn contains_cidr(&self, other: &Cidr) -> bool {
        self.net().contains(&other.net())
    }

    /// The range with its host bits cleared.
    pub fn masked(&self) -> Cidr {
        Cidr {
            addr: self.net().trunc().addr(),
            prefix: self.prefix,
        }
    }
}
