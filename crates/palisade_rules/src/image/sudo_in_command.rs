//! IMG013 sudo-in-command.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags containers whose `command` or `args` run `sudo`.
    ///
    /// ## Why is this bad?
    /// `sudo` inside a container means the image ships a set-user-ID root binary and the
    /// process expects to become root: privilege escalation is part of the design, and
    /// `allowPrivilegeEscalation: false` or a non-root user will break it or be disabled for it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: setup
    /// spec:
    ///   containers:
    ///   - name: setup
    ///     image: example.com/setup:1.0
    ///     command: ["sh", "-c", "sudo sysctl -w net.core.somaxconn=1024"] # expect: IMG013
    /// ```
    ///
    /// ## Remediation
    /// Do the privileged step outside the container (node configuration, an init process with
    /// a reviewed capability) and run the container as a non-root user without `sudo`.
    ///
    /// ## References
    /// - kubescape C-0062 Sudo in container entrypoint
    pub static RULE = {
        id: "IMG013",
        name: "sudo-in-command",
        title: "Container command uses sudo",
        severity: Medium,
        layer: Container,
        frameworks: [Mitre("T1548.003")],
        remediation: "Run the container as a non-root user without sudo; move privileged steps out of the container.",
        hook: Hook::Pod(check),
    }
}

fn mentions_sudo(text: &str) -> bool {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '`' | '"' | '\'')
    })
    .any(|word| word == "sudo" || word.ends_with("/sudo"))
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for c in pod.containers() {
        for field in ["command", "args"] {
            let Some(list) = c.node.get(field) else {
                continue;
            };
            if let Some(i) = list
                .items()
                .position(|item| item.as_str().is_some_and(mentions_sudo))
            {
                ctx.report_container(
                    c,
                    &format!("{field}/{i}"),
                    format!("container {:?} runs sudo in its {field}", c.name),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_sudo_as_a_word() {
        assert!(super::mentions_sudo("sudo -E make"));
        assert!(super::mentions_sudo("a && /usr/bin/sudo x"));
        assert!(!super::mentions_sudo("pseudocode"));
        assert!(!super::mentions_sudo("sudoers-check"));
    }
}
