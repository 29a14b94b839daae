//! Sets of (protocol, port) as sorted disjoint ranges: what a connection between two endpoints
//! may use.

use std::fmt;

/// The protocols a NetworkPolicy port can name.
pub const PROTOCOLS: [&str; 3] = ["TCP", "UDP", "SCTP"];

/// The ports of a protocol a set holds at most.
const FULL: (u16, u16) = (1, u16::MAX);

/// Ports per protocol ([`PROTOCOLS`] order), each as sorted, disjoint, non-adjacent inclusive
/// ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PortSet {
    ranges: [Vec<(u16, u16)>; 3],
}

fn protocol_index(protocol: &str) -> Option<usize> {
    PROTOCOLS.iter().position(|p| *p == protocol)
}

impl PortSet {
    /// Every port of every protocol.
    pub fn all() -> Self {
        PortSet {
            ranges: [vec![FULL], vec![FULL], vec![FULL]],
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.ranges.iter().all(Vec::is_empty)
    }

    /// Whether the set holds every port of every protocol.
    pub fn is_all(&self) -> bool {
        self.ranges.iter().all(|r| r.as_slice() == [FULL])
    }

    /// Add `first..=last` of `protocol` (an unknown protocol adds nothing: the API server
    /// accepts only TCP, UDP and SCTP).
    pub fn insert(&mut self, protocol: &str, first: u16, last: u16) {
        let Some(i) = protocol_index(protocol) else {
            return;
        };
        let (first, last) = (first.max(1), last);
        if first > last {
            return;
        }
        let ranges = &mut self.ranges[i];
        ranges.push((first, last));
        ranges.sort_unstable();
        let mut merged: Vec<(u16, u16)> = Vec::with_capacity(ranges.len());
        for &(a, b) in ranges.iter() {
            match merged.last_mut() {
                Some(last) if u32::from(a) <= u32::from(last.1) + 1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        *ranges = merged;
    }

    /// Add every port of `protocol`.
    pub fn insert_protocol(&mut self, protocol: &str) {
        self.insert(protocol, FULL.0, FULL.1);
    }

    /// Add every range of `other`.
    pub fn union(&mut self, other: &PortSet) {
        for (i, protocol) in PROTOCOLS.iter().enumerate() {
            for &(a, b) in &other.ranges[i] {
                self.insert(protocol, a, b);
            }
        }
    }

    /// The ports both sets hold.
    pub fn intersect(&self, other: &PortSet) -> PortSet {
        let mut out = PortSet::default();
        for i in 0..PROTOCOLS.len() {
            let (a, b) = (&self.ranges[i], &other.ranges[i]);
            let (mut x, mut y) = (0, 0);
            while x < a.len() && y < b.len() {
                let lo = a[x].0.max(b[y].0);
                let hi = a[x].1.min(b[y].1);
                if lo <= hi {
                    out.ranges[i].push((lo, hi));
                }
                if a[x].1 < b[y].1 { x += 1 } else { y += 1 }
            }
        }
        out
    }

    /// Whether `port`/`protocol` is in the set.
    pub fn contains(&self, protocol: &str, port: u16) -> bool {
        protocol_index(protocol)
            .is_some_and(|i| self.ranges[i].iter().any(|&(a, b)| (a..=b).contains(&port)))
    }

    /// The non-empty protocols with their ports as `80,443,8000-9000`.
    pub fn by_protocol(&self) -> Vec<(&'static str, String)> {
        PROTOCOLS
            .iter()
            .zip(&self.ranges)
            .filter(|(_, r)| !r.is_empty())
            .map(|(p, r)| {
                let ports: Vec<String> = r
                    .iter()
                    .map(|&(a, b)| {
                        if a == b {
                            a.to_string()
                        } else {
                            format!("{a}-{b}")
                        }
                    })
                    .collect();
                (*p, ports.join(","))
            })
            .collect()
    }
}

impl fmt::Display for PortSet {
    /// `all`, or `TCP 80,443 UDP 53`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("all");
        }
        let parts: Vec<String> = self
            .by_protocol()
            .into_iter()
            .map(|(p, ports)| format!("{p} {ports}"))
            .collect();
        f.write_str(&parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_and_intersect() {
        let mut a = PortSet::default();
        a.insert("TCP", 443, 443);
        a.insert("TCP", 80, 80);
        a.insert("TCP", 8000, 8999);
        a.insert("TCP", 9000, 9000);
        a.insert("UDP", 53, 53);
        a.insert("ICMP", 1, 1);
        assert_eq!(a.to_string(), "TCP 80,443,8000-9000 UDP 53");
        let mut b = PortSet::default();
        b.insert_protocol("TCP");
        assert_eq!(a.intersect(&b).to_string(), "TCP 80,443,8000-9000");
        let mut c = PortSet::default();
        c.insert("TCP", 444, 8500);
        assert_eq!(a.intersect(&c).to_string(), "TCP 8000-8500");
        assert!(a.contains("TCP", 8500) && !a.contains("TCP", 81) && !a.contains("SCTP", 80));
        assert!(PortSet::all().is_all() && PortSet::all().to_string() == "all");
        let mut d = a.clone();
        d.union(&PortSet::all());
        assert!(d.is_all());
        assert!(a.intersect(&PortSet::default()).is_empty());
    }
}
