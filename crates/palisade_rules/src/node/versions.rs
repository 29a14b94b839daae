//! Component versions as nodes report them, and the known vulnerabilities of their ranges.

/// `major.minor.patch` of a version string such as `v1.30.2-eks-1234`,
/// `containerd://1.6.19-1` or `1.7.13`: what follows the numbers is ignored.
pub(crate) fn parse(version: &str) -> Option<(u64, u64, u64)> {
    let v = version.rsplit("://").next()?.trim_start_matches('v');
    let mut parts = v.split(['.', '-', '+', '~']).map(|p| p.parse::<u64>());
    let major = parts.next()?.ok()?;
    let minor = parts.next()?.ok()?;
    let patch = parts.next().and_then(Result::ok).unwrap_or(0);
    Some((major, minor, patch))
}

/// A vulnerability fixed in some patch release of each affected minor line.
pub(crate) struct Cve {
    pub id: &'static str,
    pub what: &'static str,
    /// `(major, minor, first fixed patch)`; minors older than every listed line are affected,
    /// minors newer than every listed line are not.
    pub fixed: &'static [(u64, u64, u64)],
    /// Only on nodes of this operating system (`linux`, `windows`), when set.
    pub os: Option<&'static str>,
}

impl Cve {
    /// Whether `version` is affected.
    pub fn affects(&self, version: (u64, u64, u64)) -> bool {
        let (major, minor, patch) = version;
        if let Some(&(_, _, fixed)) = self
            .fixed
            .iter()
            .find(|(ma, mi, _)| *ma == major && *mi == minor)
        {
            return patch < fixed;
        }
        let oldest = self.fixed.iter().map(|(ma, mi, _)| (*ma, *mi)).min();
        oldest.is_some_and(|oldest| (major, minor) < oldest)
    }

    /// The fixed release of `version`'s line, or the oldest fixed line.
    pub fn fix_for(&self, version: (u64, u64, u64)) -> String {
        match self
            .fixed
            .iter()
            .find(|(ma, mi, _)| *ma == version.0 && *mi == version.1)
        {
            Some((ma, mi, p)) => format!("{ma}.{mi}.{p}"),
            None => {
                let (ma, mi, p) = self.fixed.iter().min().copied().unwrap_or_default();
                format!("{ma}.{mi}.{p} or later")
            }
        }
    }
}

/// Kubelet vulnerabilities that let a workload or its author reach the node.
pub(crate) static KUBELET_CVES: &[Cve] = &[
    Cve {
        id: "CVE-2024-10220",
        what: "a gitRepo volume can run commands on the node",
        fixed: &[(1, 28, 12), (1, 29, 7), (1, 30, 3)],
        os: None,
    },
    Cve {
        id: "CVE-2024-5321",
        what: "container logs on Windows nodes are writable by non-admin users",
        fixed: &[(1, 27, 16), (1, 28, 12), (1, 29, 7), (1, 30, 3)],
        os: Some("windows"),
    },
    Cve {
        id: "CVE-2023-5528",
        what: "in-tree storage lets a pod run commands as SYSTEM on Windows nodes",
        fixed: &[(1, 25, 16), (1, 26, 11), (1, 27, 8), (1, 28, 4)],
        os: Some("windows"),
    },
    Cve {
        id: "CVE-2023-3676",
        what: "a pod's subPath lets its author run commands as SYSTEM on Windows nodes",
        fixed: &[(1, 24, 17), (1, 25, 13), (1, 26, 8), (1, 27, 5)],
        os: Some("windows"),
    },
    Cve {
        id: "CVE-2021-25741",
        what: "a subPath volume mount can reach any file on the node through a symlink",
        fixed: &[(1, 19, 15), (1, 20, 11), (1, 21, 5), (1, 22, 2)],
        os: None,
    },
];

/// containerd vulnerabilities that break container isolation.
pub(crate) static CONTAINERD_CVES: &[Cve] = &[
    Cve {
        id: "CVE-2022-23648",
        what: "an image's volume definitions can expose host files to the container",
        fixed: &[(1, 4, 13), (1, 5, 10), (1, 6, 1)],
        os: None,
    },
    Cve {
        id: "CVE-2023-25173",
        what: "supplementary groups of the image are not applied, so a container keeps groups it should drop",
        fixed: &[(1, 5, 18), (1, 6, 18)],
        os: None,
    },
    Cve {
        id: "CVE-2022-24769",
        what: "containers start with inheritable capabilities, which an exec'd binary with file capabilities can raise",
        fixed: &[(1, 5, 11), (1, 6, 2)],
        os: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_as_nodes_report_them() {
        assert_eq!(parse("v1.30.2-eks-1234"), Some((1, 30, 2)));
        assert_eq!(parse("v1.35.0+k3s1"), Some((1, 35, 0)));
        assert_eq!(parse("containerd://1.6.19-1"), Some((1, 6, 19)));
        assert_eq!(parse("cri-o://1.30.4"), Some((1, 30, 4)));
        assert_eq!(parse("docker://"), None);
        assert_eq!(parse("v1.29"), Some((1, 29, 0)));
    }

    #[test]
    fn a_line_is_affected_below_its_fix_and_older_lines_entirely() {
        let cve = &KUBELET_CVES[0];
        assert!(cve.affects((1, 30, 2)));
        assert!(!cve.affects((1, 30, 3)));
        assert!(cve.affects((1, 27, 99)), "older than every fixed line");
        assert!(!cve.affects((1, 31, 0)), "newer than every fixed line");
        assert_eq!(cve.fix_for((1, 29, 1)), "1.29.7");
        assert_eq!(cve.fix_for((1, 26, 1)), "1.28.12 or later");
    }
}
