//! Copying inside tmux through tmux itself, so that what iamwiz copies can be taken back.
//!
//! An OSC 52 copy written inside tmux does not reach the admin's terminal as written: with tmux's
//! `set-clipboard on` tmux turns it into a paste buffer of its own (and passes it on), and ignores
//! the empty OSC 52 that would clear it, so the secret outlives iamwiz in `tmux list-buffers`;
//! with tmux's default (`external`) it goes nowhere at all. So inside tmux iamwiz asks tmux
//! directly:
//!
//! * copy: `tmux load-buffer -b iamwiz-<pid> -w -`, the text on standard input (never in the
//!   arguments, where `ps` would show it). The named buffer holds it, and `-w` asks tmux to pass
//!   it on to the admin's terminal clipboard (tmux does that when it knows the terminal can take
//!   it: its `clipboard` terminal feature).
//! * clear: the same named buffer is loaded with a single space and `-w`, which replaces what tmux
//!   passed on to the terminal's clipboard, and then the buffer is deleted
//!   (`tmux delete-buffer -b iamwiz-<pid>`). tmux takes no empty buffer, hence the space.
//!
//! Every tmux run is waited for with a timeout, so a wedged tmux server never wedges the wizard.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long one `tmux` command may take.
const TIMEOUT: Duration = Duration::from_secs(5);

/// What replaces the copied text on the terminal's clipboard when it is cleared: tmux refuses an
/// empty buffer.
const BLANK: &str = " ";

/// The tmux server iamwiz runs under, and the paste buffer it copies into.
#[derive(Debug)]
pub struct Tmux {
    /// The server's socket, from `$TMUX`; `None` leaves it to tmux.
    socket: Option<PathBuf>,
    buffer: String,
}

impl Tmux {
    /// The server at `socket`, with a buffer named after this process.
    pub fn new(socket: Option<PathBuf>) -> Tmux {
        Tmux {
            socket,
            buffer: format!("iamwiz-{}", std::process::id()),
        }
    }

    /// The paste buffer's name, `iamwiz-<pid>`.
    pub fn buffer(&self) -> &str {
        &self.buffer
    }

    /// Puts `text` in the buffer (replacing what it held) and asks tmux to pass it on to the
    /// terminal's clipboard.
    pub fn load(&self, text: &str) -> Result<(), String> {
        self.run(&["load-buffer", "-w", "-b", &self.buffer, "-"], Some(text))
    }

    /// Blanks what tmux passed on to the terminal's clipboard, then deletes the buffer.
    pub fn clear(&self) -> Result<(), String> {
        self.load(BLANK)?;
        self.run(&["delete-buffer", "-b", &self.buffer], None)
    }

    fn run(&self, args: &[&str], input: Option<&str>) -> Result<(), String> {
        let what = args[0];
        let mut command = Command::new("tmux");
        if let Some(socket) = &self.socket {
            command.arg("-S").arg(socket);
        }
        let mut child = command
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            // The wizard owns the terminal: nothing of tmux's may be printed on it.
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not run tmux {what}: {e}. Is tmux on PATH?"))?;
        if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
            // Dropping stdin closes it: tmux then reads to the end.
            if let Err(e) = stdin.write_all(text.as_bytes()) {
                finish(&mut child);
                return Err(format!("could not hand the text to tmux {what}: {e}"));
            }
        }
        let status = wait(&mut child, TIMEOUT)
            .ok_or_else(|| format!("tmux {what} did not finish within {} s", TIMEOUT.as_secs()))?;
        if status.success() {
            return Ok(());
        }
        let mut said = String::new();
        if let Some(mut err) = child.stderr.take() {
            let _ = err.read_to_string(&mut said);
        }
        Err(format!("tmux {what} failed ({status}): {}", said.trim()))
    }

    /// The socket path named in `$TMUX` (`<socket>,<server pid>,<session>`), if it names one.
    pub fn socket_from_env(value: &str) -> Option<PathBuf> {
        let mut parts = value.rsplitn(3, ',');
        let (_, _, path) = (parts.next()?, parts.next()?, parts.next()?);
        (!path.is_empty()).then(|| Path::new(path).to_path_buf())
    }
}

/// Waits up to `limit` for `child`; kills it if it takes longer.
fn wait(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                finish(child);
                return None;
            }
        }
    }
}

fn finish(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_socket_is_what_precedes_the_pid_and_session_in_tmux() {
        assert_eq!(
            Tmux::socket_from_env("/tmp/tmux-1000/default,4242,0"),
            Some(PathBuf::from("/tmp/tmux-1000/default"))
        );
        assert_eq!(
            Tmux::socket_from_env("/tmp/odd,name/s,1,2"),
            Some(PathBuf::from("/tmp/odd,name/s"))
        );
        assert_eq!(Tmux::socket_from_env("garbage"), None);
        assert_eq!(Tmux::socket_from_env(",1,2"), None);
    }

    #[test]
    fn the_buffer_is_named_after_the_process() {
        assert_eq!(
            Tmux::new(None).buffer(),
            format!("iamwiz-{}", std::process::id())
        );
    }
}
