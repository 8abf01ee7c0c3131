//! A driver for the real `iamwiz` binary in a pseudo-terminal: keys in, the screen (as a
//! terminal would show it) and the raw output out.

use std::io::{ErrorKind, Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use tempfile::TempDir;

/// How long any one thing may take to appear on screen (or the process to exit).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Keys as a terminal sends them.
pub mod keys {
    pub const ENTER: &str = "\r";
    pub const TAB: &str = "\t";
    pub const UP: &str = "\x1b[A";
    pub const DOWN: &str = "\x1b[B";
    pub const RIGHT: &str = "\x1b[C";
    pub const SPACE: &str = " ";
    pub const CTRL_C: &str = "\x03";
    pub const CTRL_N: &str = "\x0e";
}

/// How often the screen is looked at while waiting.
const POLL: Duration = Duration::from_millis(50);

/// Everything the program printed, as a screen and as raw bytes.
struct Output {
    parser: vt100::Parser,
    raw: Vec<u8>,
    /// The pty reported end of output: the program and everything it started are gone.
    closed: bool,
}

/// `iamwiz` running in a pty. Dropping it kills the program if it is still running, so a
/// failed test leaves nothing behind.
pub struct Wizard {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    /// Kept for the whole run: dropping it would send end-of-file to the program.
    writer: Box<dyn Write + Send>,
    output: Arc<Mutex<Output>>,
    /// HOME, XDG directories and the (absent) AWS config files live here.
    home: TempDir,
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("a terminal size is not zero")
}

impl Wizard {
    /// Starts `iamwiz --endpoint-url <moto>` in a `cols`x`rows` pty, with dummy credentials
    /// and nothing from the environment of the test run.
    pub fn spawn(cols: u16, rows: u16) -> Wizard {
        Wizard::spawn_with(cols, rows, &[])
    }

    /// Like [`Wizard::spawn`], with more flags for iamwiz.
    pub fn spawn_with(cols: u16, rows: u16, args: &[&str]) -> Wizard {
        Wizard::spawn_env(cols, rows, args, &[], &[])
    }

    /// Like [`Wizard::spawn_with`], with the environment changed after the usual set-up: the
    /// variables in `remove` unset (e.g. the dummy credentials, or `HOME`), then those in `set`
    /// set.
    pub fn spawn_env(
        cols: u16,
        rows: u16,
        args: &[&str],
        remove: &[&str],
        set: &[(&str, &str)],
    ) -> Wizard {
        Wizard::spawn_at(&super::endpoint(), cols, rows, args, remove, set)
    }

    /// Like [`Wizard::spawn_env`], with iamwiz talking to `endpoint` (e.g. a proxy in front of
    /// moto) rather than to moto itself.
    pub fn spawn_at(
        endpoint: &str,
        cols: u16,
        rows: u16,
        args: &[&str],
        remove: &[&str],
        set: &[(&str, &str)],
    ) -> Wizard {
        let program = std::path::Path::new(env!("CARGO_BIN_EXE_iamwiz"));
        Wizard::spawn_program(program, endpoint, cols, rows, args, remove, set)
    }

    /// Like [`Wizard::spawn_at`], running `program` (e.g. a release build of iamwiz).
    pub fn spawn_program(
        program: &std::path::Path,
        endpoint: &str,
        cols: u16,
        rows: u16,
        args: &[&str],
        remove: &[&str],
        set: &[(&str, &str)],
    ) -> Wizard {
        let home = tempfile::tempdir().expect("a temporary HOME");
        let pair = native_pty_system()
            .openpty(size(cols, rows))
            .expect("open a pty");

        let mut cmd = CommandBuilder::new(program);
        cmd.args(["--endpoint-url", endpoint]);
        cmd.args(args);
        cmd.cwd(home.path());
        cmd.env_clear();
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home.path());
        for (var, dir) in [
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
            ("XDG_STATE_HOME", "state"),
        ] {
            let path = home.path().join(dir);
            std::fs::create_dir_all(&path).expect("create an XDG directory");
            cmd.env(var, path);
        }
        // No profile files: the credentials come from the environment only.
        cmd.env("AWS_CONFIG_FILE", home.path().join("no-aws-config"));
        cmd.env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("no-aws-credentials"),
        );
        cmd.env("AWS_ACCESS_KEY_ID", "testing");
        cmd.env("AWS_SECRET_ACCESS_KEY", "testing");
        cmd.env("AWS_REGION", "us-east-1");
        cmd.env("AWS_EC2_METADATA_DISABLED", "true");
        for var in remove {
            cmd.env_remove(var);
        }
        for (var, value) in set {
            cmd.env(var, value);
        }

        let child = pair.slave.spawn_command(cmd).expect("start iamwiz");
        // Only the program holds the terminal side now, so its exit ends the output.
        drop(pair.slave);

        let parser = vt100::Parser::new(nonzero(rows), nonzero(cols), 0);
        let output = Arc::new(Mutex::new(Output {
            parser,
            raw: Vec::new(),
            closed: false,
        }));
        let mut reader = pair.master.try_clone_reader().expect("a pty reader");
        let sink = Arc::clone(&output);
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        let mut out = lock(&sink);
                        out.parser.process(&buf[..n]);
                        out.raw.extend_from_slice(&buf[..n]);
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    // EIO once the program has exited.
                    Err(_) => break,
                }
            }
            lock(&sink).closed = true;
        });
        let writer = pair.master.take_writer().expect("a pty writer");

        Wizard {
            child,
            master: pair.master,
            writer,
            output,
            home,
        }
    }

    /// The temporary HOME (and working directory) the program runs in; its XDG directories are
    /// below it.
    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }

    /// Types `keys` (text or escape sequences) as raw bytes.
    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .and_then(|()| self.writer.flush())
            .unwrap_or_else(|e| panic!("could not type {keys:?}: {e}"));
    }

    /// Enter on Review, as a person presses it: again while the wizard says it is still reading
    /// what creating depends on (the password policy, the lists, a name's check).
    /// In `iamwiz encryption`: Purpose named after `app` (CSFLE, the region in use), then the
    /// Key step with "New key" chosen. Returns that screen.
    pub fn encryption_to_new_key(&mut self, app: &str) -> String {
        self.wait_for("Step 1 of 4");
        self.wait_until("the region filled in", |s| {
            line_with(s, &["Region", "us-east-1"]).is_some()
        });
        self.send(keys::DOWN);
        self.send(keys::DOWN);
        self.send(app);
        self.wait_for(app);
        self.send(keys::ENTER);
        self.wait_for("Step 2 of 4");
        self.send(keys::UP);
        self.send(keys::UP);
        self.wait_for("› Master key");
        // A region without a usable key starts on New key by itself; otherwise → chooses it.
        // Once chosen, → only toggles, so this settles on New key either way.
        for _ in 0..20 {
            if self.screen().contains("(•) New key") {
                break;
            }
            self.send(keys::RIGHT);
            std::thread::sleep(Duration::from_millis(300));
        }
        self.wait_for("(•) New key")
    }

    pub fn create(&mut self) {
        for attempt in 1.. {
            self.send("\r");
            std::thread::sleep(Duration::from_millis(200));
            let screen = self.screen();
            if !screen.contains("Still reading") && !screen.contains("Still checking") {
                return;
            }
            assert!(
                attempt < 100,
                "Enter on Review never started the creation:\n{screen}"
            );
        }
    }

    /// The text on the emulated screen, one line per row.
    pub fn screen(&self) -> String {
        lock(&self.output).parser.screen().contents()
    }

    /// Every byte the program has printed so far.
    pub fn raw_output(&self) -> Vec<u8> {
        lock(&self.output).raw.clone()
    }

    pub fn on_alternate_screen(&self) -> bool {
        lock(&self.output).parser.screen().alternate_screen()
    }

    /// Waits until the screen satisfies `ready`, and returns it. Fails with the screen after
    /// [`TIMEOUT`], or as soon as the program's output has ended.
    #[track_caller]
    pub fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let (screen, closed) = {
                let out = lock(&self.output);
                (out.parser.screen().contents(), out.closed)
            };
            if ready(&screen) {
                return screen;
            }
            if closed {
                panic!("iamwiz exited while waiting for {what}; the screen shows:\n{screen}");
            }
            if start.elapsed() > TIMEOUT {
                panic!(
                    "timed out after {TIMEOUT:?} waiting for {what}; the screen shows:\n{screen}"
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Waits until `text` is on screen, and returns the screen.
    #[track_caller]
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Moves the cursor (`›`) of the list on screen down to the entry called `name`, one row
    /// at a time, waiting for each move to be drawn.
    #[track_caller]
    pub fn move_cursor_to(&mut self, name: &str) {
        let screen = self.wait_until("a list with a cursor", |s| cursor_row(s).is_some());
        let mut row = cursor_row(&screen).unwrap_or_default();
        // A generous bound: moto knows about 1,400 managed policies.
        for _ in 0..2_000 {
            if entry_name(&row) == Some(name) {
                return;
            }
            self.send(keys::DOWN);
            let previous = row;
            let screen = self.wait_until(&format!("the cursor to move past {previous:?}"), |s| {
                cursor_row(s).is_some_and(|r| r != previous)
            });
            row = cursor_row(&screen).unwrap_or_default();
        }
        panic!("{name:?} not found in the list:\n{}", self.screen());
    }

    /// Resizes the terminal, as a window manager would: the program gets SIGWINCH.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        lock(&self.output)
            .parser
            .set_size(nonzero(rows), nonzero(cols));
        self.master
            .resize(size(cols, rows))
            .expect("resize the pty");
    }

    /// Waits (at most [`TIMEOUT`]) for the program to exit, and checks it succeeded.
    #[track_caller]
    pub fn wait_for_exit_success(&mut self) {
        let code = self.wait_for_exit();
        assert_eq!(
            code,
            0,
            "iamwiz exited with code {code}; the screen shows:\n{}",
            self.screen()
        );
    }

    /// The program's process ID.
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("iamwiz's process ID")
    }

    /// Sends `signal` (e.g. "TERM", "HUP") to the program.
    pub fn signal(&self, signal: &str) {
        super::send_signal(
            self.child.process_id().expect("iamwiz's process ID"),
            signal,
        );
    }

    /// Waits (at most [`TIMEOUT`]) for the program to exit, and returns its exit code.
    #[track_caller]
    pub fn wait_for_exit(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            match self.child.try_wait().expect("query iamwiz's status") {
                Some(status) => return status.exit_code(),
                None if start.elapsed() > TIMEOUT => panic!(
                    "iamwiz still running {TIMEOUT:?} after it should have quit; the screen \
                     shows:\n{}",
                    self.screen()
                ),
                None => thread::sleep(POLL),
            }
        }
    }

    /// After the program exited: waits until all it printed has been read, and returns it.
    #[track_caller]
    pub fn wait_for_output_end(&self) -> Vec<u8> {
        let start = Instant::now();
        loop {
            {
                let out = lock(&self.output);
                if out.closed {
                    return out.raw.clone();
                }
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "the pty output did not end after iamwiz exited"
            );
            thread::sleep(POLL);
        }
    }
}

impl Drop for Wizard {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The output lock; a panic elsewhere never leaves the screen unreadable.
fn lock(output: &Mutex<Output>) -> MutexGuard<'_, Output> {
    output.lock().unwrap_or_else(|e| e.into_inner())
}

/// The list row under the cursor, from its checkbox or radio button on: `[ ] developers …`.
pub fn cursor_row(screen: &str) -> Option<String> {
    screen.lines().find_map(|line| {
        let inner = line.trim_start_matches('│').trim_start();
        let row = inner.strip_prefix("› ")?;
        (row.starts_with('[') || row.starts_with('(')).then(|| row.to_string())
    })
}

/// The name in a list row: the word after the checkbox or radio button.
fn entry_name(row: &str) -> Option<&str> {
    let (i, _) = row.char_indices().nth(4)?;
    row[i..].split_whitespace().next()
}

/// The first line that contains every one of `parts`.
pub fn line_with<'a>(screen: &'a str, parts: &[&str]) -> Option<&'a str> {
    screen
        .lines()
        .find(|line| parts.iter().all(|p| line.contains(p)))
}

/// The word after `label` on the line that starts with it (a `Label   value` row).
pub fn value_after(screen: &str, label: &str) -> Option<String> {
    screen.lines().find_map(|line| {
        let inner = line.trim_start_matches('│').trim_start();
        let rest = inner.strip_prefix(label)?;
        rest.split_whitespace().next().map(str::to_string)
    })
}
