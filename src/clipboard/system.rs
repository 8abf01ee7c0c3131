//! The system clipboard's own thread: one `arboard` handle that lives as long as the
//! [`super::Clipboard`] does, since on X11 the owner of the selection has to stay alive for a
//! paste to work. Requests travel over a channel and every answer is waited for with a timeout, so
//! a wedged clipboard never wedges the wizard.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use zeroize::Zeroizing;

use super::ClearOutcome;
use crate::secret::Secret;

/// How long a request to the clipboard thread may take before we give up on it. `arboard` has its
/// own, shorter timeouts for X11 round trips; this only guards against a wedged thread.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

enum Request {
    Set(Secret, Sender<Result<(), String>>),
    ClearIfHolds(Secret, Sender<Result<ClearOutcome, String>>),
    Quit(Sender<()>),
}

/// The handle to the thread that owns the one `arboard::Clipboard`.
pub(super) struct Owner {
    requests: Option<Sender<Request>>,
}

impl Owner {
    pub(super) fn start() -> Result<Owner, String> {
        let (tx, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        thread::Builder::new()
            .name("iamwiz-clipboard".into())
            .spawn(move || serve(rx, ready_tx))
            .map_err(|e| format!("could not start the clipboard thread: {e}"))?;
        match ready_rx.recv_timeout(REPLY_TIMEOUT) {
            Ok(Ok(())) => Ok(Owner { requests: Some(tx) }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("the clipboard did not start in time".into()),
        }
    }

    fn ask<T>(&self, make: impl FnOnce(Sender<T>) -> Request) -> Result<T, String> {
        let requests = self
            .requests
            .as_ref()
            .ok_or("the clipboard thread has stopped")?;
        let (tx, rx) = mpsc::channel();
        requests
            .send(make(tx))
            .map_err(|_| "the clipboard thread has stopped".to_string())?;
        wait(&rx)
    }

    pub(super) fn set(&self, text: Secret) -> Result<(), String> {
        self.ask(|reply| Request::Set(text, reply))?
    }

    pub(super) fn clear_if_holds(&self, text: Secret) -> Result<ClearOutcome, String> {
        self.ask(|reply| Request::ClearIfHolds(text, reply))?
    }

    /// Ends the thread, which drops the `arboard` handle; waits a little for it, never forever.
    pub(super) fn shut_down(&mut self) {
        if let Some(requests) = self.requests.take() {
            let (tx, rx) = mpsc::channel();
            if requests.send(Request::Quit(tx)).is_ok() {
                let _ = wait(&rx);
            }
        }
    }
}

fn wait<T>(rx: &Receiver<T>) -> Result<T, String> {
    rx.recv_timeout(REPLY_TIMEOUT).map_err(|e| match e {
        RecvTimeoutError::Timeout => "the clipboard did not answer in time".to_string(),
        RecvTimeoutError::Disconnected => "the clipboard thread has stopped".to_string(),
    })
}

/// The clipboard thread: owns the `arboard` handle until asked to quit or every sender is gone.
fn serve(requests: Receiver<Request>, ready: Sender<Result<(), String>>) {
    let mut clipboard = match arboard::Clipboard::new() {
        Ok(c) => c,
        Err(e) => {
            let _ = ready.send(Err(format!("the system clipboard is not available: {e}")));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    for request in requests {
        match request {
            Request::Set(text, reply) => {
                let _ = reply.send(set_excluded(&mut clipboard, &text));
            }
            Request::ClearIfHolds(text, reply) => {
                let _ = reply.send(clear_if_holds(&mut clipboard, &text));
            }
            Request::Quit(done) => {
                drop(clipboard);
                let _ = done.send(());
                return;
            }
        }
    }
}

/// Sets the text, marked to stay out of clipboard history where the platform has a way.
fn set_excluded(clipboard: &mut arboard::Clipboard, text: &Secret) -> Result<(), String> {
    let set = clipboard.set();
    #[cfg(all(
        unix,
        not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
    ))]
    let set = {
        use arboard::SetExtLinux;
        // Adds the `x-kde-passwordManagerHint` target (honoured by Klipper and others), and
        // keeps arboard from handing the text to a clipboard manager when the handle is dropped.
        set.exclude_from_history()
    };
    #[cfg(target_os = "macos")]
    let set = {
        use arboard::SetExtApple;
        // `org.nspasteboard.ConcealedType`.
        set.exclude_from_history()
    };
    #[cfg(windows)]
    let set = {
        use arboard::SetExtWindows;
        // `ExcludeClipboardContentFromMonitorProcessing`: neither clipboard history nor cloud
        // sync (arboard advises against combining it with the narrower two).
        set.exclude_from_monitoring()
    };
    set.text(text.expose())
        .map_err(|e| format!("could not set the system clipboard: {e}"))
}

/// Reads the clipboard back and clears it only if it holds exactly `text`.
fn clear_if_holds(
    clipboard: &mut arboard::Clipboard,
    text: &Secret,
) -> Result<ClearOutcome, String> {
    let now = match clipboard.get_text() {
        Ok(s) => Zeroizing::new(s),
        // Empty, or something other than text.
        Err(arboard::Error::ContentNotAvailable) => return Ok(ClearOutcome::Nothing),
        Err(e) => return Err(format!("could not read the system clipboard back: {e}")),
    };
    if !same_text(&now, text.expose()) {
        return Ok(ClearOutcome::NotOurs);
    }
    // On X11 the check above and this clear are two steps; a copy made in between (a few
    // milliseconds) would be cleared too.
    clipboard
        .clear()
        .map_err(|e| format!("could not clear the system clipboard: {e}"))?;
    Ok(ClearOutcome::Cleared)
}

/// Compares without stopping at the first difference; says only whether the two are equal.
fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_compares_exactly() {
        assert!(same_text("abc", "abc"));
        assert!(!same_text("abc", "abd"));
        assert!(!same_text("abc", "abcd"));
        assert!(same_text("", ""));
    }
}
