//! Finding and running the external renderers (`helm`, `kubectl`) with a time and size bound,
//! cut off from any cluster and, unless remote bases are allowed, from the network.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

/// An external program Palisade drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `helm`, for charts.
    Helm,
    /// `kubectl` (its built-in kustomize), for kustomizations; `kustomize` works too.
    Kubectl,
}

impl Tool {
    /// The program name.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Helm => "helm",
            Tool::Kubectl => "kubectl",
        }
    }

    /// The environment variable that names the binary.
    pub(crate) fn env(self) -> &'static str {
        match self {
            Tool::Helm => "PALISADE_HELM",
            Tool::Kubectl => "PALISADE_KUBECTL",
        }
    }

    fn install_hint(self) -> &'static str {
        match self {
            Tool::Helm => "install Helm (https://helm.sh/docs/intro/install/)",
            Tool::Kubectl => "install kubectl (https://kubernetes.io/docs/tasks/tools/)",
        }
    }

    /// The binary to run: the configured path, then `$PALISADE_HELM` / `$PALISADE_KUBECTL`,
    /// then the first match on `PATH`.
    pub fn locate(self, configured: Option<&Path>) -> Result<PathBuf, String> {
        self.locate_in(
            configured,
            std::env::var_os(self.env()),
            std::env::var_os("PATH"),
        )
    }

    fn locate_in(
        self,
        configured: Option<&Path>,
        env: Option<OsString>,
        path: Option<OsString>,
    ) -> Result<PathBuf, String> {
        if let Some(path) = configured {
            return Ok(path.to_path_buf());
        }
        if let Some(path) = env.filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(path));
        }
        let name = self.name();
        path.iter()
            .flat_map(std::env::split_paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
            .ok_or_else(|| {
                format!(
                    "`{name}` was not found on PATH; {}, or set {} to the binary, or scan without rendering",
                    self.install_hint(),
                    self.env()
                )
            })
    }
}

/// What a tool may reach over the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// Nothing: rendering needs no network, and a chart or kustomization must not make CI
    /// fetch from (or report to) a host of its choosing.
    Denied,
    /// Kustomize may fetch remote bases (`--allow-remote-bases`).
    Allowed,
}

/// A kubeconfig path that cannot exist (`/dev/null` is not a directory), so that neither tool
/// finds credentials for a cluster, whatever the environment says.
#[cfg(unix)]
const NO_KUBECONFIG: &str = "/dev/null/palisade-no-kubeconfig";
#[cfg(not(unix))]
const NO_KUBECONFIG: &str = "NUL\\palisade-no-kubeconfig";

/// A proxy address nothing listens on: HTTP clients that honour the proxy variables (Go's, and
/// git's curl) fail at once instead of reaching the network.
const DEAD_PROXY: &str = "http://127.0.0.1:9";

/// Cut a tool off from clusters (no kubeconfig, no in-cluster service account, no Helm
/// connection overrides) and, when `network` is denied, from the network as far as the
/// environment can: proxies that refuse every connection, and git limited to local
/// repositories. `helm template` without `--validate` never contacts a cluster (its `lookup`
/// returns nothing); this makes sure of it even in a pod or with a kubeconfig at hand.
/// `inherited` is the names of the variables the tool would inherit.
fn isolate(command: &mut Command, network: Network, inherited: impl Iterator<Item = OsString>) {
    for key in inherited {
        let key_text = key.to_string_lossy();
        if key_text.starts_with("KUBERNETES_SERVICE_") || key_text.starts_with("HELM_KUBE") {
            command.env_remove(&key);
        }
    }
    command.env("KUBECONFIG", NO_KUBECONFIG);
    if network == Network::Denied {
        for key in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ] {
            command.env(key, DEAD_PROXY);
        }
        command
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .env("GIT_ALLOW_PROTOCOL", "file")
            .env("GIT_TERMINAL_PROMPT", "0");
    }
}

/// A path argument that cannot be mistaken for an option (`-x` becomes `./-x`).
pub(crate) fn path_arg(path: &Path) -> String {
    let text = path.to_string_lossy();
    if text.starts_with('-') {
        format!("./{text}")
    } else {
        text.into_owned()
    }
}

/// Run `program args` in `dir`, returning standard output. Errors carry the tool's own message
/// (its last lines of standard error).
pub fn run(
    program: &Path,
    args: &[String],
    dir: Option<&Path>,
    network: Network,
    timeout: Duration,
    max_output: u64,
) -> Result<String, String> {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    isolate(
        &mut command,
        network,
        std::env::vars_os().map(|(key, _)| key),
    );
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        return Err(format!("cannot read the output of {}", program.display()));
    };
    // Drain both pipes concurrently so that a chatty tool cannot block on a full pipe.
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let read = (&mut stdout)
            .take(max_output.saturating_add(1))
            .read_to_end(&mut bytes);
        // Keep draining past the limit so that the child can exit.
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        read.map(|_| bytes)
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut bytes);
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let status = match child.wait_timeout(timeout) {
        Ok(Some(status)) => status,
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{} did not finish within {} (render-timeout)",
                program.display(),
                crate::read::display_duration(timeout)
            ));
        }
        Err(e) => return Err(format!("cannot wait for {}: {e}", program.display())),
    };
    let stderr = err.join().unwrap_or_default();
    let stdout = out
        .join()
        .map_err(|_| "output reader failed".to_string())?
        .map_err(|e| format!("cannot read the output of {}: {e}", program.display()))?;
    if !status.success() {
        // The tool's error line, not the deprecation warnings printed before it.
        let message: Vec<&str> = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("# Warning") && !l.starts_with("WARNING"))
            .collect();
        let first_error = message
            .iter()
            .position(|l| l.to_ascii_lowercase().starts_with("error"))
            .unwrap_or(message.len().saturating_sub(3));
        let tail = message[first_error..message.len().min(first_error + 3)].join(" ");
        return Err(if tail.is_empty() {
            format!("{} failed ({status})", program.display())
        } else {
            let tail = tail.as_str();
            tail.strip_prefix("Error: ")
                .or_else(|| tail.strip_prefix("error: "))
                .unwrap_or(tail)
                .to_string()
        });
    }
    if stdout.len() as u64 > max_output {
        return Err(format!(
            "rendered output is over the max-file-size limit of {max_output} bytes"
        ));
    }
    String::from_utf8(stdout).map_err(|_| "rendered output is not valid UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_are_found_in_order_and_missing_ones_name_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("helm"), "").unwrap();
        let path = Some(dir.path().as_os_str().to_owned());
        let found = Tool::Helm.locate_in(None, None, path.clone()).unwrap();
        assert_eq!(found, dir.path().join("helm"));
        let env = Tool::Helm
            .locate_in(None, Some("/opt/helm".into()), path.clone())
            .unwrap();
        assert_eq!(env, PathBuf::from("/opt/helm"));
        let flag = Tool::Helm
            .locate_in(Some(Path::new("/x/helm")), Some("/opt/helm".into()), path)
            .unwrap();
        assert_eq!(flag, PathBuf::from("/x/helm"));
        let e = Tool::Kubectl
            .locate_in(None, None, Some(dir.path().as_os_str().to_owned()))
            .unwrap_err();
        assert!(e.contains("`kubectl` was not found"), "{e}");
        assert!(e.contains("https://kubernetes.io/docs/tasks/tools/"), "{e}");
        assert!(e.contains("scan without rendering"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn failures_timeouts_and_limits_are_errors() {
        let sh = Path::new("/bin/sh");
        let args = |s: &str| vec!["-c".to_string(), s.to_string()];
        let t = Duration::from_secs(10);
        let off = Network::Denied;
        assert_eq!(
            run(sh, &args("echo ok"), None, off, t, 100).unwrap(),
            "ok\n"
        );
        let e = run(
            sh,
            &args("echo 'Error: bad chart' >&2; exit 1"),
            None,
            off,
            t,
            100,
        )
        .unwrap_err();
        assert_eq!(e, "bad chart");
        let script =
            "echo \"# Warning: 'vars' is deprecated\" >&2; echo 'Error: no base' >&2; exit 1";
        assert_eq!(
            run(sh, &args(script), None, off, t, 100).unwrap_err(),
            "no base"
        );
        let e = run(
            sh,
            &args("sleep 5"),
            None,
            off,
            Duration::from_millis(200),
            100,
        )
        .unwrap_err();
        assert_eq!(
            e, "/bin/sh did not finish within 200ms (render-timeout)",
            "{e}"
        );
        let e = run(sh, &args("yes | head -c 5000"), None, off, t, 100).unwrap_err();
        assert!(e.contains("limit"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn tools_see_no_cluster_and_no_network_unless_allowed() {
        let sh = Path::new("/bin/sh");
        let show = vec![
            "-c".to_string(),
            "echo \"$KUBECONFIG|${KUBERNETES_SERVICE_HOST-unset}|$HTTPS_PROXY|$https_proxy|${NO_PROXY-unset}|${GIT_ALLOW_PROTOCOL-any}\""
                .to_string(),
        ];
        let t = Duration::from_secs(10);
        // The variables a pod or a CI job may carry are not passed on.
        let mut command = Command::new(sh);
        let inherited = [
            "KUBERNETES_SERVICE_HOST",
            "HELM_KUBETOKEN",
            "HOME",
            "NO_PROXY",
        ];
        isolate(
            &mut command,
            Network::Denied,
            inherited.iter().map(OsString::from),
        );
        let mut removed: Vec<_> = command
            .get_envs()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        removed.sort();
        assert_eq!(
            removed,
            vec![
                "HELM_KUBETOKEN",
                "KUBERNETES_SERVICE_HOST",
                "NO_PROXY",
                "no_proxy"
            ]
        );
        let denied = run(sh, &show, None, Network::Denied, t, 1000).unwrap();
        assert_eq!(
            denied.trim(),
            format!("{NO_KUBECONFIG}|unset|{DEAD_PROXY}|{DEAD_PROXY}|unset|file")
        );
        let allowed = run(sh, &show, None, Network::Allowed, t, 1000).unwrap();
        assert!(
            allowed.starts_with(&format!("{NO_KUBECONFIG}|unset|")),
            "{allowed}"
        );
        assert!(allowed.trim_end().ends_with("|any"), "{allowed}");
        assert_eq!(path_arg(Path::new("-x/chart")), "./-x/chart");
        assert_eq!(path_arg(Path::new("web")), "web");
    }
}
