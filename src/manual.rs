//! `iamwiz completions SHELL` and `iamwiz man [COMMAND…]`: the shell completion scripts and the
//! manual pages, generated at run time from the same clap definition as `--help` ([`crate::cli`]),
//! so they never fall behind the flags and need no build step.
//!
//! `iamwiz man` is iamwiz(1), whose SUBCOMMANDS section names every command's own page;
//! `iamwiz man keys rotate` is iamwiz-keys-rotate(1).

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "iamwiz", &mut out);
    out
}

/// The manual page (roff) of the command `path` names (`[]`: iamwiz itself; `["keys",
/// "rotate"]`: `iamwiz keys rotate`), or why there is none.
pub fn man_page(path: &[String]) -> Result<Vec<u8>, String> {
    let mut cmd = Cli::command();
    // Gives every subcommand its full name (iamwiz-keys-rotate), which its page is titled by.
    cmd.build();
    let mut at = &cmd;
    for (i, name) in path.iter().enumerate() {
        at = at.find_subcommand(name).ok_or_else(|| {
            let known: Vec<&str> = at
                .get_subcommands()
                .filter(|c| c.get_name() != "help")
                .map(|c| c.get_name())
                .collect();
            let parent = std::iter::once("iamwiz")
                .chain(path[..i].iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            if known.is_empty() {
                format!("`{parent}` has no subcommands, so no page `{name}`")
            } else {
                format!(
                    "`{parent}` has no subcommand `{name}`; its pages: {}",
                    known.join(", ")
                )
            }
        })?;
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(at.clone())
        .render(&mut out)
        .map_err(|e| format!("the page could not be written: {e}"))?;
    Ok(out)
}

/// Every command that has a page, as `iamwiz man` takes it: `[]`, `["apply"]`, `["keys",
/// "rotate"]`…
pub fn pages() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, at: Vec<String>, out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|c| c.get_name() != "help") {
            let mut path = at.clone();
            path.push(sub.get_name().to_string());
            walk(sub, path.clone(), out);
            out.push(path);
        }
    }
    let mut out = vec![Vec::new()];
    walk(&Cli::command(), Vec::new(), &mut out);
    out.sort();
    out
}

/// Writes `bytes` to stdout; `false` (and a message on stderr) when it cannot.
pub fn print(bytes: &[u8]) -> bool {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => true,
        // A reader that went away early (`| head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => true,
        Err(e) => {
            crate::eprintln_clean!("iamwiz: cannot write to stdout: {e}");
            false
        }
    }
}
