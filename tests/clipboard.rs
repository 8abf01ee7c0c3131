//! The clipboard: OSC 52 bytes and clearing, OSC 52 wrapped for GNU screen, the system clipboard
//! under a real X server (Xvfb), read and overwritten from outside by `xclip`, and tmux's paste
//! buffers on real tmux servers of the tests' own.
//!
//! Needs the Debian packages `xvfb`, `xclip` and `tmux`; without them the tests that use them fail
//! and say so.
//!
//! A test binary of its own, not a module of tests/runner.rs: the system clipboard test sets
//! `DISPLAY` for the whole process (the clipboard library reads it from there), which must not
//! change under the other tests' threads nor outlive its Xvfb in their child processes.

use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use iamwiz::clipboard::{
    ClearOutcome, Clipboard, UNAVAILABLE_MESSAGE, Via, for_screen, osc52_clear, osc52_set,
};
use iamwiz::secret::Secret;

fn secret(s: &str) -> Secret {
    Secret::new(s.to_string())
}

// ---------------------------------------------------------------------------------------------
// OSC 52: no display needed.

#[test]
fn osc52_set_is_esc_52_c_base64_bel() {
    assert_eq!(
        osc52_set("AKIA/secret+x"),
        b"\x1b]52;c;QUtJQS9zZWNyZXQreA==\x07"
    );
    assert_eq!(
        osc52_set("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        b"\x1b]52;c;d0phbHJYVXRuRkVNSS9LN01ERU5HL2JQeFJmaUNZRVhBTVBMRUtFWQ==\x07"
    );
    // UTF-8 is encoded as bytes.
    assert_eq!(osc52_set("päss wörd!"), b"\x1b]52;c;cMOkc3Mgd8O2cmQh\x07");
    assert_eq!(osc52_set("a"), b"\x1b]52;c;YQ==\x07");
}

#[test]
fn osc52_clear_is_the_empty_sequence() {
    assert_eq!(osc52_clear(), b"\x1b]52;c;\x07");
    assert_eq!(osc52_set(""), osc52_clear());
}

#[test]
fn osc52_copy_writes_exactly_the_set_sequence() {
    let mut cb = Clipboard::osc52();
    assert_eq!(cb.describe(), "terminal (OSC 52)");
    assert!(!cb.needs_terminal_clear());
    let mut out = Vec::new();
    assert_eq!(cb.copy(&secret("AKIA/secret+x"), &mut out), Ok(Via::Osc52));
    assert_eq!(out, osc52_set("AKIA/secret+x"));
    assert!(cb.needs_terminal_clear());
    assert!(
        Via::Osc52
            .notice()
            .contains("the terminal, not iamwiz, now holds it")
    );
}

#[test]
fn osc52_clear_writes_the_empty_sequence_once() {
    let mut cb = Clipboard::osc52();
    let mut out = Vec::new();
    cb.copy(&secret("AKIA/secret+x"), &mut out).unwrap();

    let mut out = Vec::new();
    assert_eq!(cb.clear_if_ours(&mut out), Ok(ClearOutcome::Cleared));
    assert_eq!(out, b"\x1b]52;c;\x07");
    assert!(!cb.needs_terminal_clear());

    let mut out = Vec::new();
    assert_eq!(cb.clear_if_ours(&mut out), Ok(ClearOutcome::Nothing));
    assert!(out.is_empty(), "a second clear must write nothing");
}

#[test]
fn osc52_clear_before_any_copy_writes_nothing() {
    let mut cb = Clipboard::osc52();
    let mut out = Vec::new();
    assert_eq!(cb.clear_if_ours(&mut out), Ok(ClearOutcome::Nothing));
    assert!(out.is_empty());
}

#[test]
fn osc52_second_copy_replaces_the_first_and_one_clear_covers_both() {
    let mut cb = Clipboard::osc52();
    let mut out = Vec::new();
    cb.copy(&secret("first"), &mut out).unwrap();
    cb.copy(&secret("second"), &mut out).unwrap();
    assert_eq!(out, [osc52_set("first"), osc52_set("second")].concat());
    let mut out = Vec::new();
    assert_eq!(cb.clear_if_ours(&mut out), Ok(ClearOutcome::Cleared));
    assert_eq!(cb.clear_if_ours(&mut out), Ok(ClearOutcome::Nothing));
    assert_eq!(out, osc52_clear());
}

struct Broken;

impl Write for Broken {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::BrokenPipe, "terminal gone"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn osc52_write_errors_are_reported_and_nothing_is_remembered() {
    let mut cb = Clipboard::osc52();
    let err = cb.copy(&secret("AKIA/secret+x"), &mut Broken).unwrap_err();
    assert!(err.contains("terminal"), "{err}");
    assert!(!err.contains("AKIA/secret+x"));
    assert!(!cb.needs_terminal_clear());
}

#[test]
fn osc52_failed_clear_is_kept_for_a_retry() {
    let mut cb = Clipboard::osc52();
    cb.copy(&secret("AKIA/secret+x"), &mut Vec::new()).unwrap();
    assert!(cb.clear_if_ours(&mut Broken).is_err());
    assert!(cb.needs_terminal_clear());
    let mut out = Vec::new();
    assert_eq!(cb.clear_if_ours(&mut out), Ok(ClearOutcome::Cleared));
    assert_eq!(out, osc52_clear());
}

#[test]
fn unavailable_says_so_plainly_and_writes_nothing() {
    let mut cb = Clipboard::unavailable();
    assert!(cb.describe().starts_with("no clipboard: "));
    let mut out = Vec::new();
    assert_eq!(
        cb.copy(&secret("AKIA/secret+x"), &mut out),
        Err(UNAVAILABLE_MESSAGE.to_string())
    );
    assert_eq!(
        UNAVAILABLE_MESSAGE,
        "No clipboard here: no display and this terminal cannot take OSC 52. Save the \
         credentials as CSV or a profile instead."
    );
    assert_eq!(cb.clear_if_ours(&mut out), Ok(ClearOutcome::Nothing));
    assert!(out.is_empty());
    assert!(!cb.needs_terminal_clear());
}

// ---------------------------------------------------------------------------------------------
// GNU screen: OSC 52 wrapped in device control strings, which screen passes on as they are.

/// What the terminal behind screen receives: the pieces of every `ESC P … ESC \`, joined.
fn unwrap_screen(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        assert!(
            rest.starts_with(b"\x1bP"),
            "each piece starts a DCS: {rest:?}"
        );
        let end = rest
            .windows(2)
            .position(|w| w == b"\x1b\\")
            .expect("each piece ends with ESC \\");
        let piece = &rest[2..end];
        assert!(piece.len() <= 76, "a piece fits screen's string buffer");
        out.extend_from_slice(piece);
        rest = &rest[end + 2..];
    }
    out
}

#[test]
fn screen_copy_passes_the_whole_osc52_through_in_short_pieces_and_clears_it() {
    // Long enough (the kmsProviders document) to need several pieces.
    let doc = format!(
        "{{\"aws\": {{\"accessKeyId\": \"AKIAEXAMPLE000000001\", \"secretAccessKey\": \"{}\"}}}}",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    );
    let mut cb = Clipboard::screen();
    assert_eq!(cb.describe(), "terminal through GNU screen (OSC 52)");
    let mut out = Vec::new();
    assert_eq!(cb.copy(&secret(&doc), &mut out), Ok(Via::Screen));
    assert!(out.len() > 2 * 76, "several pieces");
    assert_eq!(unwrap_screen(&out), osc52_set(&doc));
    assert!(
        cb.needs_terminal_clear(),
        "only the terminal writer can clear it"
    );
    assert!(
        Via::Screen
            .notice()
            .contains("screen's own paste register is not touched")
    );

    let mut out = Vec::new();
    assert_eq!(cb.clear_if_ours(&mut out), Ok(ClearOutcome::Cleared));
    assert_eq!(out, for_screen(&osc52_clear()));
    assert_eq!(unwrap_screen(&out), osc52_clear());
    assert!(!cb.needs_terminal_clear());
}

// ---------------------------------------------------------------------------------------------
// tmux: real servers on sockets of the tests' own.

const INSTALL_TMUX: &str = "run `apt-get install -y tmux` (Debian package tmux)";

/// A tmux server on a socket in a directory of its own, with one session; killed on drop.
struct TmuxServer {
    dir: tempfile::TempDir,
}

impl TmuxServer {
    fn start(options: &[(&str, &str)]) -> TmuxServer {
        let server = TmuxServer {
            dir: tempfile::tempdir().expect("a directory for the tmux socket"),
        };
        server.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "100",
            "-y",
            "30",
            "sleep 600",
        ]);
        for (name, value) in options {
            server.run(&["set-option", "-g", name, value]);
        }
        server
    }

    fn socket(&self) -> std::path::PathBuf {
        self.dir.path().join("socket")
    }

    fn command(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-S").arg(self.socket()).env_remove("TMUX");
        c
    }

    /// Runs a tmux command on this server, which must succeed; returns what it printed.
    fn run(&self, args: &[&str]) -> String {
        let out = self
            .command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run tmux ({e}); {INSTALL_TMUX}"));
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 from tmux")
    }

    /// Every paste buffer: (name, content).
    fn buffers(&self) -> Vec<(String, String)> {
        self.run(&["list-buffers", "-F", "#{buffer_name}"])
            .lines()
            .map(|name| (name.to_string(), self.run(&["show-buffer", "-b", name])))
            .collect()
    }

    /// Waits until the buffers are `want` (for a server that hears from another one).
    fn wait_for_buffers(&self, want: &[(&str, &str)]) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let got = self.buffers();
            let same = got.len() == want.len()
                && got
                    .iter()
                    .zip(want)
                    .all(|((n, c), (wn, wc))| n.starts_with(wn) && c == wc);
            if same {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "tmux buffers: wanted {want:?}, got {got:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for TmuxServer {
    fn drop(&mut self) {
        let _ = self
            .command()
            .arg("kill-server")
            .stderr(Stdio::null())
            .status();
    }
}

#[test]
fn tmux_copy_goes_to_a_buffer_of_its_own_and_clearing_leaves_no_secret_there() {
    let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    // tmux's default (`external`: an OSC 52 from iamwiz would go nowhere) and `on` (it would
    // become a buffer the empty OSC 52 does not clear): the copy reaches tmux either way.
    for setting in ["external", "on"] {
        let tmux = TmuxServer::start(&[("set-clipboard", setting)]);
        let mut cb = Clipboard::tmux(Some(tmux.socket()));
        let buffer = cb.tmux_buffer().expect("a tmux buffer").to_string();
        assert_eq!(buffer, format!("iamwiz-{}", std::process::id()));
        assert_eq!(cb.describe(), format!("tmux buffer {buffer}"));
        let mut terminal = Vec::new();

        // Copied: the buffer holds it exactly, and nothing else does.
        assert_eq!(
            cb.copy(&secret(key), &mut terminal),
            Ok(Via::Tmux),
            "{setting}"
        );
        assert_eq!(
            tmux.buffers(),
            [(buffer.clone(), key.to_string())],
            "{setting}"
        );
        assert!(!cb.needs_terminal_clear());

        // A second copy replaces it in the same buffer.
        cb.copy(&secret("carol"), &mut terminal).unwrap();
        assert_eq!(tmux.buffers(), [(buffer.clone(), "carol".to_string())]);

        // The timed clear (or leaving the credentials screen): the buffer is gone.
        cb.copy(&secret(key), &mut terminal).unwrap();
        assert_eq!(cb.clear_if_ours(&mut terminal), Ok(ClearOutcome::Cleared));
        assert_eq!(tmux.buffers(), [], "{setting}: no buffer is left");
        assert_eq!(cb.clear_if_ours(&mut terminal), Ok(ClearOutcome::Nothing));

        // A buffer of the admin's own is left alone.
        tmux.run(&["set-buffer", "-b", "mine", "the admin's own"]);
        cb.copy(&secret(key), &mut terminal).unwrap();
        assert_eq!(cb.clear_if_ours(&mut terminal), Ok(ClearOutcome::Cleared));
        assert_eq!(tmux.buffers(), [("mine".into(), "the admin's own".into())]);
        tmux.run(&["delete-buffer", "-b", "mine"]);

        // Exit with the secret still copied: dropping deletes the buffer.
        cb.copy(&secret(key), &mut terminal).unwrap();
        drop(cb);
        assert_eq!(tmux.buffers(), [], "{setting}: nothing is left after exit");

        // tmux is asked through its own commands: nothing goes to the terminal.
        assert!(terminal.is_empty());
    }
}

#[test]
fn tmux_passes_the_copy_on_to_the_outer_clipboard_and_clearing_blanks_it() {
    let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    for setting in ["external", "on"] {
        // The admin's own terminal, played by an outer tmux whose one-slot clipboard takes OSC 52.
        let outer = TmuxServer::start(&[
            ("set-clipboard", "on"),
            ("buffer-limit", "1"),
            ("default-terminal", "xterm-256color"),
        ]);
        let inner = TmuxServer::start(&[("set-clipboard", setting)]);
        // The admin attached to the inner tmux from that terminal.
        let attach = format!(
            "env -u TMUX tmux -S '{}' attach -t t",
            inner.socket().display()
        );
        outer.run(&["new-window", "-t", "t:", &attach]);
        let deadline = Instant::now() + Duration::from_secs(5);
        while inner.run(&["list-clients"]).is_empty() {
            assert!(Instant::now() < deadline, "the inner tmux got no client");
            std::thread::sleep(Duration::from_millis(50));
        }

        let mut cb = Clipboard::tmux(Some(inner.socket()));
        let mut terminal = Vec::new();
        cb.copy(&secret(key), &mut terminal).unwrap();
        outer.wait_for_buffers(&[("buffer", key)]);

        assert_eq!(cb.clear_if_ours(&mut terminal), Ok(ClearOutcome::Cleared));
        // What a paste in the admin's terminal gives now: a blank, not the secret.
        outer.wait_for_buffers(&[("buffer", " ")]);
        assert_eq!(inner.buffers(), [], "{setting}");
    }
}

// ---------------------------------------------------------------------------------------------
// The system clipboard under Xvfb. Everything that needs DISPLAY is in this one test, since the
// environment is process-wide.

const INSTALL: &str = "run `apt-get install -y xvfb xclip` (Debian packages xvfb and xclip)";

/// An Xvfb server on a display it picked itself; killed on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            // Xvfb picks a free display and writes its number to stdout once it accepts
            // connections.
            .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "640x480x24"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start Xvfb ({e}): the system clipboard test needs an X server; {INSTALL}")
            });
        let mut line = String::new();
        let read = BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
        let number = line.trim();
        if read.is_err() || number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Xvfb started but did not report a display number (got {line:?}); {INSTALL}");
        }
        Xvfb {
            display: format!(":{number}"),
            child,
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn xclip(display: &str) -> Command {
    let mut c = Command::new("xclip");
    c.env("DISPLAY", display).args(["-selection", "clipboard"]);
    c
}

/// What another program pasting would get: `None` when the clipboard holds no text.
fn paste(display: &str) -> Option<String> {
    let out = xclip(display)
        .args(["-o", "-t", "UTF8_STRING"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run xclip ({e}); {INSTALL}"));
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).expect("UTF-8 from xclip"))
}

fn targets(display: &str) -> String {
    let out = xclip(display)
        .args(["-o", "-t", "TARGETS"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run xclip ({e}); {INSTALL}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Another program (the admin copying something else) takes the clipboard. xclip stays in the
/// background serving it until someone else takes it or the X server goes away.
fn copy_elsewhere(display: &str, text: &str) {
    let mut child = xclip(display)
        .arg("-i")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run xclip ({e}); {INSTALL}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "xclip -i failed: {status}");
    wait_for(display, Some(text));
}

/// Waits until pasting gives `want`, and asserts it does.
fn wait_for(display: &str, want: Option<&str>) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let got = paste(display);
        if got.as_deref() == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "clipboard: wanted {want:?}, got {got:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn system_clipboard_clears_only_its_own_content() {
    let x = Xvfb::start();
    let d = x.display.as_str();
    // Safety: the only thing in this test binary that reads the environment is Rust code (the
    // other tests here read none), and std serialises its own environment access.
    unsafe { std::env::set_var("DISPLAY", d) };

    let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let mut cb = system_clipboard();
    assert_eq!(cb.describe(), "system clipboard");
    let mut terminal = Vec::new();

    // Copy: another program can paste it, and it carries the password-manager hint.
    assert_eq!(cb.copy(&secret(key), &mut terminal), Ok(Via::System));
    assert_eq!(paste(d).as_deref(), Some(key));
    assert!(
        targets(d).lines().any(|t| t == "x-kde-passwordManagerHint"),
        "targets offered: {:?}",
        targets(d)
    );
    assert!(!cb.needs_terminal_clear());

    // Still ours at the timeout: cleared, and only once.
    assert_eq!(cb.clear_if_ours(&mut terminal), Ok(ClearOutcome::Cleared));
    wait_for(d, None);
    assert_eq!(cb.clear_if_ours(&mut terminal), Ok(ClearOutcome::Nothing));

    // The admin copied something else meanwhile: left alone.
    cb.copy(&secret(key), &mut terminal).unwrap();
    assert_eq!(paste(d).as_deref(), Some(key));
    copy_elsewhere(d, "arn:aws:iam::123456789012:user/alice");
    assert_eq!(cb.clear_if_ours(&mut terminal), Ok(ClearOutcome::NotOurs));
    assert_eq!(
        paste(d).as_deref(),
        Some("arn:aws:iam::123456789012:user/alice")
    );
    assert_eq!(cb.clear_if_ours(&mut terminal), Ok(ClearOutcome::Nothing));

    // A different text that starts the same is not ours either.
    cb.copy(&secret(key), &mut terminal).unwrap();
    copy_elsewhere(d, &key[..20]);
    assert_eq!(cb.clear_if_ours(&mut terminal), Ok(ClearOutcome::NotOurs));
    assert_eq!(paste(d).as_deref(), Some(&key[..20]));

    // Exit while ours is still there: dropping clears it.
    cb.copy(&secret(key), &mut terminal).unwrap();
    assert_eq!(paste(d).as_deref(), Some(key));
    drop(cb);
    wait_for(d, None);

    // Exit after the admin copied something else: dropping leaves theirs.
    let mut cb = system_clipboard();
    cb.copy(&secret(key), &mut terminal).unwrap();
    assert_eq!(paste(d).as_deref(), Some(key));
    copy_elsewhere(d, "something of the admin's");
    drop(cb);
    assert_eq!(paste(d).as_deref(), Some("something of the admin's"));

    // The system clipboard never writes to the terminal.
    assert!(terminal.is_empty());
    drop(x);
}

/// The system clipboard against the test's X server. Connecting can time out on a machine busy
/// compiling (it did in CI with both cores loaded), so a few attempts are allowed; what the test
/// checks is what iamwiz clears, not how fast arboard connects.
fn system_clipboard() -> Clipboard {
    let mut last = String::new();
    for _ in 0..5 {
        match Clipboard::system() {
            Ok(cb) => return cb,
            Err(e) => last = e,
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    panic!("arboard did not start against Xvfb in 5 attempts: {last}");
}
