//! Deliberate crashes, for checking what a panic leaves behind (tests/panic.rs drives a release
//! build in a pseudo-terminal). Compiled only with the `crash-test` cargo feature: other builds
//! have no such code, and ignore `IAMWIZ_CRASH_TEST`.
//!
//! `IAMWIZ_CRASH_TEST=reveal` crashes once the credentials screen has been drawn; `copied` once
//! something on it has been copied; `worker` in a task of the runtime, on the worker's first
//! read: the terminal loop hands its requests to the worker through [`CrashTest::requests`],
//! which panics on the first read instead of passing it on. The worker itself knows nothing of
//! it.

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::app::{App, Screen};
use crate::protocol::Request;

/// Where to crash, as `IAMWIZ_CRASH_TEST` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashTest {
    None,
    Reveal,
    Copied,
    Worker,
}

impl CrashTest {
    pub fn from_env() -> CrashTest {
        match std::env::var("IAMWIZ_CRASH_TEST").as_deref() {
            Ok("reveal") => CrashTest::Reveal,
            Ok("copied") => CrashTest::Copied,
            Ok("worker") => CrashTest::Worker,
            _ => CrashTest::None,
        }
    }

    /// After a frame of `app` was drawn: crashes on the credentials screen (`reveal`), or once
    /// something on it was copied (`copied`).
    pub fn after_frame(self, app: &App) {
        if self == CrashTest::Reveal && app.screen == Screen::Reveal {
            panic!("IAMWIZ_CRASH_TEST=reveal: a deliberate crash on the credentials screen");
        }
        if self == CrashTest::Copied && app.reveal.as_ref().is_some_and(|r| r.copied.is_some()) {
            panic!("IAMWIZ_CRASH_TEST=copied: a deliberate crash after a copy");
        }
    }

    /// The worker's request channel as the terminal loop should use it. For `worker`, a channel
    /// whose requests a task of the runtime passes on to `requests`, panicking at the first
    /// read (a request that does not change the account); otherwise `requests` itself.
    pub fn requests(self, requests: UnboundedSender<Request>) -> UnboundedSender<Request> {
        if self != CrashTest::Worker {
            return requests;
        }
        let (tx, mut rx) = unbounded_channel();
        tokio::spawn(async move {
            while let Some(request) = rx.recv().await {
                if !crate::worker::changes_account(&request) {
                    panic!("IAMWIZ_CRASH_TEST=worker: a deliberate crash in the worker");
                }
                if requests.send(request).is_err() {
                    return;
                }
            }
        });
        tx
    }
}
