//! The real binary inside a real tmux pane, against moto: a secret copied on the credentials
//! screen must reach tmux (under tmux's default `set-clipboard external` as under `on`), and
//! nothing that holds it may be left in tmux once the admin leaves the credentials screen or
//! iamwiz exits. The tmux server is the test's own, on a socket in a temporary directory, driven
//! with `send-keys` and read with `capture-pane`; `list-buffers` / `show-buffer` say what tmux
//! holds, as an admin would check.
//!
//! Needs the Debian package `tmux`; without it the tests fail and say so.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const INSTALL: &str = "run `apt-get install -y tmux` (Debian package tmux)";
const TIMEOUT: Duration = Duration::from_secs(60);

/// A tmux server of the test's own whose one pane runs iamwiz; killed on drop.
/// What the shell around iamwiz prints before its exit status.
const EXITED: &str = "iamwiz exited with ";

struct Pane {
    dir: tempfile::TempDir,
}

impl Pane {
    /// Starts iamwiz at 80x24 in a new tmux server with `set-clipboard` set to `setting`. iamwiz
    /// runs under a shell that prints its exit status in the pane and stays: tmux, which would
    /// otherwise be its parent, was seen to miss its end (a zombie tmux reaped only on a later
    /// SIGCHLD), so the shell, its parent, reports it instead.
    fn start(setting: &str) -> Pane {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).expect("a HOME");
        let conf = dir.path().join("tmux.conf");
        std::fs::write(&conf, format!("set -g set-clipboard {setting}\n"))
            .expect("write tmux.conf");
        let pane = Pane { dir };
        let program = Path::new(env!("CARGO_BIN_EXE_iamwiz"));
        let command = format!(
            "'{}' --endpoint-url '{}'; echo \"{EXITED}$?\"; exec sleep 3600",
            program.display(),
            common::endpoint()
        );
        let mut tmux = pane.tmux();
        tmux.arg("-f").arg(&conf);
        tmux.args([
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "80",
            "-y",
            "24",
            &command,
        ]);
        // What iamwiz sees, besides $TMUX, which tmux sets: no display (so the clipboard is
        // tmux's), moto's dummy credentials, a HOME of its own.
        tmux.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TERM", "xterm-256color")
            .env("HOME", &home)
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                home.join("no-aws-credentials"),
            )
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        check(tmux, "new-session");
        pane
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("socket")
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-S").arg(self.socket()).env_remove("TMUX");
        c
    }

    fn run(&self, args: &[&str]) -> String {
        let mut c = self.tmux();
        c.args(args);
        check(c, args[0])
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {text:?}; the pane shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `keys` literally.
    fn type_text(&self, keys: &str) {
        self.run(&["send-keys", "-t", "t", "-l", keys]);
    }

    /// Presses named keys (`Enter`, `Down`).
    fn press(&self, key: &str) {
        self.run(&["send-keys", "-t", "t", key]);
    }

    /// Every paste buffer tmux holds: (name, content).
    fn buffers(&self) -> Vec<(String, String)> {
        self.run(&["list-buffers", "-F", "#{buffer_name}"])
            .lines()
            .map(|name| (name.to_string(), self.run(&["show-buffer", "-b", name])))
            .collect()
    }

    /// Waits until iamwiz has exited; its exit status, as the shell it runs under printed it.
    fn wait_for_exit(&self) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let screen = self.run(&["capture-pane", "-p", "-t", "t", "-S", "-"]);
            if let Some(status) = screen.lines().find_map(|l| l.trim().strip_prefix(EXITED)) {
                return status.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "iamwiz did not exit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// iamwiz's process ID (the shell's child in the pane).
    fn iamwiz_pid(&self) -> String {
        let shell = self.run(&["display-message", "-p", "-t", "t", "#{pane_pid}"]);
        let children = Command::new("pgrep")
            .args(["-P", shell.trim()])
            .output()
            .expect("run pgrep");
        let pid = String::from_utf8_lossy(&children.stdout).trim().to_string();
        assert!(
            !pid.is_empty() && !pid.contains('\n'),
            "iamwiz's pid: {pid:?}"
        );
        pid
    }

    /// Through the wizard with the default draft (an access key, nothing else) to the
    /// credentials screen, then copies the secret access key.
    fn create_and_copy_the_secret(&self, name: &str) {
        self.wait_for("Step 1 of 6");
        self.type_text(name);
        self.wait_for(name);
        for step in [
            "Step 2 of 6",
            "Step 3 of 6",
            "Step 4 of 6",
            "Step 5 of 6",
            "Step 6 of 6",
        ] {
            self.press("Enter");
            self.wait_for(step);
        }
        // Enter on Review, again while iamwiz is still reading what creating depends on.
        let deadline = Instant::now() + TIMEOUT;
        while !self.screen().contains("This is the only time") {
            let screen = self.screen();
            if screen.contains("Press Enter to create") || screen.contains("Still") {
                self.press("Enter");
            }
            assert!(
                Instant::now() < deadline,
                "no credentials screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        self.press("Down");
        self.press("Down");
        self.type_text("c");
        self.wait_for("Secret access key → tmux buffer, deleted in");
    }

    /// The secret copied: in iamwiz's own buffer only, 40 characters.
    fn copied_secret(&self) -> String {
        let buffers = self.buffers();
        match buffers.as_slice() {
            [(name, secret)] if name.starts_with("iamwiz-") && secret.len() == 40 => secret.clone(),
            other => panic!("wanted the secret access key in iamwiz's buffer only: {other:?}"),
        }
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = self
            .tmux()
            .arg("kill-server")
            .stderr(Stdio::null())
            .status();
    }
}

fn check(mut c: Command, what: &str) -> String {
    let out = c
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run tmux ({e}); {INSTALL}"));
    assert!(
        out.status.success(),
        "tmux {what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 from tmux")
}

#[test]
fn under_tmux_set_clipboard_on_leaving_the_credentials_screen_leaves_no_secret_in_tmux() {
    let pane = Pane::start("on");
    pane.create_and_copy_the_secret(&common::unique("tmux-on"));
    let secret = pane.copied_secret();

    pane.press("Enter");
    pane.wait_for("Leave the credentials screen?");
    pane.type_text("y");
    pane.wait_for("was created");
    assert_eq!(pane.buffers(), [], "nothing is left in tmux");

    pane.type_text("q");
    assert_eq!(pane.wait_for_exit(), "0");
    let left = pane.buffers();
    assert!(
        left.iter().all(|(_, content)| !content.contains(&secret)),
        "no buffer holds the secret after exit: {left:?}"
    );
    assert_eq!(left, [], "nothing is left in tmux after exit");
}

#[test]
fn under_tmux_default_clipboard_the_copy_reaches_tmux_and_exit_removes_it() {
    let pane = Pane::start("external");
    pane.create_and_copy_the_secret(&common::unique("tmux-ext"));
    pane.copied_secret();

    // Ended on the credentials screen, the secret still copied.
    let pid = pane.iamwiz_pid();
    let status = Command::new("kill")
        .args(["-TERM", pid.trim()])
        .status()
        .expect("run kill");
    assert!(status.success());
    assert_eq!(pane.wait_for_exit(), "143", "128 + SIGTERM");
    assert_eq!(pane.buffers(), [], "nothing is left in tmux after exit");
}
