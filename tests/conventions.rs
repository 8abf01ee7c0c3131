//! What users expect of a command-line tool: no colour when asked (NO_COLOR, `--color`), in the
//! terminal UI and on the command line; shell completions that a real bash loads and uses; and
//! manual pages that groff renders without a warning.

use crate::common;

use std::process::{Command, Output};

use common::apply::{CLOSED, Home};
use common::fixtures::{answer_loads, type_str};
use iamwiz::app::{App, Options};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const BIN: &str = env!("CARGO_BIN_EXE_iamwiz");

/// The users wizard on Details, with a name refused for its space (an error notice shows), drawn
/// in colour or not.
fn refused_name_screen(color: bool) -> Buffer {
    let (mut app, cmds) = App::with_options(
        (80, 24),
        Options {
            color,
            ..Options::default()
        },
    );
    answer_loads(&mut app, &cmds);
    type_str(&mut app, "ops ");
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| iamwiz::ui::view(&app, f)).unwrap();
    terminal.backend().buffer().clone()
}

/// The first cell showing `symbol` on the row that holds `text`.
fn cell_of<'a>(buf: &'a Buffer, text: &str, symbol: &str) -> &'a ratatui::buffer::Cell {
    let width = buf.area.width as usize;
    buf.content
        .chunks(width)
        .find(|row| {
            row.iter()
                .map(|c| c.symbol())
                .collect::<String>()
                .contains(text)
        })
        .and_then(|row| row.iter().find(|c| c.symbol() == symbol))
        .unwrap_or_else(|| panic!("no {symbol:?} on the row of {text:?}"))
}

#[test]
fn without_colour_no_cell_is_coloured_and_focus_errors_and_the_cursor_still_show() {
    let plain = refused_name_screen(false);
    let coloured: Vec<_> = plain
        .content
        .iter()
        .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
        .map(|c| (c.symbol().to_string(), c.fg, c.bg))
        .collect();
    assert!(coloured.is_empty(), "coloured cells: {coloured:?}");

    // The focused row's pointer, the error's mark and the cursor in the name field.
    let pointer = cell_of(&plain, "User name", "›");
    assert!(pointer.modifier.contains(Modifier::BOLD));
    let error = cell_of(&plain, "not allowed", "✗");
    assert!(error.modifier.contains(Modifier::BOLD));
    let cursor = plain
        .content
        .iter()
        .filter(|c| c.modifier.contains(Modifier::REVERSED))
        .count();
    assert!(cursor >= 1, "the cursor is drawn reversed");

    // The same text as in colour: only the colours went.
    let colour = refused_name_screen(true);
    assert!(
        colour.content.iter().any(|c| c.fg != Color::Reset),
        "in colour, something is coloured"
    );
    let text = |b: &Buffer| b.content.iter().map(|c| c.symbol()).collect::<String>();
    assert_eq!(text(&plain), text(&colour));
}

/// `iamwiz ARGS` with `env` only (besides PATH and dummy credentials), outside any terminal.
fn run(env: &[(&str, &str)], args: &[&str]) -> Output {
    let home = Home::new();
    let mut cmd = home.command(BIN);
    cmd.envs(env.iter().copied()).args(args);
    cmd.output().expect("run iamwiz")
}

fn has_escape(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\x1b[")
}

#[test]
fn no_color_or_never_keeps_escapes_out_of_the_command_line_output() {
    // A usage error (clap), an AWS error (keys list, mfa list) and a refused plan (apply).
    let home = Home::new();
    let plan = home.plan(
        "plan.json",
        &serde_json::json!({"version": 1, "users": ["bad name!"]}),
    );
    let plan = plan.to_str().unwrap();
    let runs: [&[&str]; 4] = [
        &["apply"],
        &["--endpoint-url", CLOSED, "keys", "list", "alice"],
        &["--endpoint-url", CLOSED, "mfa", "list", "alice"],
        &["apply", plan],
    ];
    for args in runs {
        for (env, flag) in [
            (&[("NO_COLOR", "1")][..], None),
            // CLICOLOR_FORCE asks for colour; --color never still wins.
            (&[("CLICOLOR_FORCE", "1")][..], Some("never")),
        ] {
            let mut all: Vec<&str> = Vec::new();
            if let Some(when) = flag {
                all.extend(["--color", when]);
            }
            all.extend(args);
            let out = run(env, &all);
            assert_ne!(out.status.code(), Some(0), "{all:?} fails");
            assert!(!out.stderr.is_empty(), "{all:?} says why");
            assert!(
                !has_escape(&out.stderr) && !has_escape(&out.stdout),
                "{env:?} {all:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn color_always_colours_even_with_no_color_set() {
    let out = run(&[("NO_COLOR", "1")], &["--color", "always", "apply"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        has_escape(&out.stderr),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&[("NO_COLOR", "1")], &["--color=always", "--help"]);
    assert!(has_escape(&out.stdout), "help in colour");
}

#[test]
fn completions_for_every_shell_are_printed_and_bash_loads_and_uses_them() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&[], &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("iamwiz") && script.contains("rotate"),
            "{shell}: the subcommands are in it"
        );
    }
    // Real bash: the script loads, registers the completion, and completes `iamwiz ke` and
    // `iamwiz keys rotate --del`.
    let script = format!(
        "source <({BIN} completions bash) && complete -p iamwiz && \
         COMP_WORDS=(iamwiz ke) COMP_CWORD=1 && _iamwiz iamwiz ke iamwiz && echo \"1:${{COMPREPLY[*]}}\" && \
         COMP_WORDS=(iamwiz keys rotate --del) COMP_CWORD=3 && _iamwiz iamwiz --del rotate && \
         echo \"2:${{COMPREPLY[*]}}\""
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .output()
        .expect("bash is installed (.ci/run installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("complete ") && l.ends_with("-F _iamwiz iamwiz")),
        "{text}"
    );
    assert!(text.contains("1:keys"), "{text}");
    assert!(text.contains("2:--delete-old"), "{text}");
}

#[test]
fn every_manual_page_renders_without_a_warning() {
    let pages = iamwiz::manual::pages();
    assert!(pages.contains(&vec!["keys".to_string(), "rotate".to_string()]));
    for page in pages {
        let mut args = vec!["man"];
        args.extend(page.iter().map(String::as_str));
        let out = run(&[], &args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let roff = out.stdout;
        let mut groff = Command::new("groff")
            // -k: UTF-8 input through preconv, as man(1) does; -P -cbou: plain text out.
            .args(["-k", "-man", "-Tutf8", "-ww", "-P", "-cbou"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("groff is installed (Debian groff-base; .ci/run installs it)");
        use std::io::Write as _;
        groff.stdin.take().unwrap().write_all(&roff).unwrap();
        let shown = groff.wait_with_output().unwrap();
        let warnings = String::from_utf8_lossy(&shown.stderr);
        assert!(
            shown.status.success() && warnings.is_empty(),
            "{args:?}: {warnings}"
        );
        let text = String::from_utf8_lossy(&shown.stdout);
        let title = std::iter::once("iamwiz")
            .chain(page.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("-");
        assert!(text.contains(&title), "{args:?} is {title}'s page");
        if page.is_empty() {
            for sub in ["apply", "keys", "mfa", "completions", "man"] {
                assert!(
                    text.contains(&format!("iamwiz-{sub}")),
                    "iamwiz(1) names {sub}"
                );
            }
        }
    }
    let out = run(&[], &["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no subcommand `nope`"));
}

/// The parameters of every SGR sequence (`ESC [ … m`) in `raw` that sets a colour (foreground
/// or background, 16, 256 or true colour); resets (39, 49) are not colours.
fn colours_set(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let mut found = Vec::new();
    for part in text.split("\x1b[").skip(1) {
        let Some(end) = part.find(|c: char| !(c.is_ascii_digit() || c == ';')) else {
            continue;
        };
        if !part[end..].starts_with('m') {
            continue;
        }
        let params = &part[..end];
        let colour = params.split(';').any(|p| {
            matches!(
                p.parse::<u32>(),
                Ok(30..=38 | 40..=48 | 90..=97 | 100..=107)
            )
        });
        if colour {
            found.push(params.to_string());
        }
    }
    found
}

/// The real binary in a terminal: main.rs hands the choice to the UI (and, for `always`, past
/// crossterm's own NO_COLOR check).
#[test]
fn the_wizard_in_a_terminal_sends_no_colour_with_no_color_set_and_colour_when_always() {
    let no_color = &[("NO_COLOR", "1")][..];
    for (args, env, colour) in [
        (&[][..], &[][..], true),
        (&[][..], no_color, false),
        (&["--color", "never"][..], &[][..], false),
        (&["--color", "always"][..], no_color, true),
    ] {
        let mut w = common::pty::Wizard::spawn_env(80, 24, args, &[], env);
        w.wait_for("User details");
        w.send(common::pty::keys::CTRL_C);
        w.wait_for_exit_success();
        let set = colours_set(&w.raw_output());
        assert_eq!(
            !set.is_empty(),
            colour,
            "{args:?} {env:?}: colours set: {set:?}"
        );
    }
}
