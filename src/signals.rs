//! The signals that end iamwiz, as one stream of signal numbers: SIGINT (Ctrl-C where the
//! terminal is not in raw mode, or `kill -INT`), SIGTERM (a service manager, `kill`), SIGHUP (the
//! terminal or SSH connection went away) and SIGQUIT (Ctrl-\ or `kill -QUIT`).
//!
//! Once a [`Signals`] exists, these no longer end the process by their default action (SIGQUIT's
//! would dump core, with whatever secrets are in memory): every command that takes it finishes
//! what is in flight, removes what nobody can use, and exits with `128 + n` itself.

pub const SIGHUP: i32 = 1;
pub const SIGINT: i32 = 2;
pub const SIGQUIT: i32 = 3;
pub const SIGTERM: i32 = 15;

/// `SIGINT`, `SIGTERM`…: the name of signal `n`, for messages.
pub fn name(n: i32) -> String {
    match n {
        SIGHUP => "SIGHUP".to_string(),
        SIGINT => "SIGINT".to_string(),
        SIGQUIT => "SIGQUIT".to_string(),
        SIGTERM => "SIGTERM".to_string(),
        other => format!("signal {other}"),
    }
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT, as one stream of signal numbers (never fires where there
/// are none).
pub struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
    #[cfg(unix)]
    quit: tokio::signal::unix::Signal,
}

impl Signals {
    /// Takes over the four signals from their default actions. Must be called inside a Tokio
    /// runtime.
    #[cfg(unix)]
    pub fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
        })
    }

    #[cfg(not(unix))]
    pub fn new() -> std::io::Result<Signals> {
        Ok(Signals {})
    }

    /// The next signal's number.
    #[cfg(unix)]
    pub async fn next(&mut self) -> i32 {
        tokio::select! {
            _ = self.int.recv() => SIGINT,
            _ = self.term.recv() => SIGTERM,
            _ = self.hup.recv() => SIGHUP,
            _ = self.quit.recv() => SIGQUIT,
        }
    }

    #[cfg(not(unix))]
    pub async fn next(&mut self) -> i32 {
        std::future::pending().await
    }

    /// A signal that has arrived and not yet been taken, without waiting.
    pub fn arrived(&mut self) -> Option<i32> {
        use futures::FutureExt;
        self.next().now_or_never()
    }
}
