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

/// The four signals, in the order of [`ARRIVED`].
#[cfg(unix)]
const TAKEN_OVER: [i32; 4] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT];

/// How many times each signal of [`TAKEN_OVER`] has arrived, counted in the signal handler
/// itself. Tokio's streams learn of a signal only when its driver next runs; these counts know at
/// once, so a signal that arrived just before the work it interrupts finished is never missed.
#[cfg(unix)]
static ARRIVED: [std::sync::atomic::AtomicU64; 4] =
    [const { std::sync::atomic::AtomicU64::new(0) }; 4];

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
    /// The counts of [`ARRIVED`] already taken.
    #[cfg(unix)]
    taken: [u64; 4],
}

impl Signals {
    /// Takes over the four signals from their default actions. Must be called inside a Tokio
    /// runtime.
    #[cfg(unix)]
    pub fn new() -> std::io::Result<Signals> {
        use std::sync::atomic::Ordering;
        use tokio::signal::unix::{SignalKind, signal};
        static COUNTING: std::sync::Once = std::sync::Once::new();
        let mut counting = Ok(());
        COUNTING.call_once(|| {
            for (i, n) in TAKEN_OVER.into_iter().enumerate() {
                // SAFETY: the action only adds to an atomic, which is async-signal-safe.
                let registered = unsafe {
                    signal_hook_registry::register(n, move || {
                        ARRIVED[i].fetch_add(1, Ordering::SeqCst);
                    })
                };
                if let Err(e) = registered {
                    counting = Err(e);
                }
            }
        });
        counting?;
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
            taken: std::array::from_fn(|i| ARRIVED[i].load(Ordering::SeqCst)),
        })
    }

    #[cfg(not(unix))]
    pub fn new() -> std::io::Result<Signals> {
        Ok(Signals {})
    }

    /// A signal counted since the last one taken (several of the same kind count once, as
    /// Tokio's streams merge them).
    #[cfg(unix)]
    fn take_counted(&mut self) -> Option<i32> {
        for (i, n) in TAKEN_OVER.into_iter().enumerate() {
            let arrived = ARRIVED[i].load(std::sync::atomic::Ordering::SeqCst);
            if arrived > self.taken[i] {
                self.taken[i] = arrived;
                return Some(n);
            }
        }
        None
    }

    /// The next signal's number.
    #[cfg(unix)]
    pub async fn next(&mut self) -> i32 {
        loop {
            if let Some(n) = self.take_counted() {
                return n;
            }
            // A stream fires after the count went up; a signal `arrived` already took only
            // wakes this loop again.
            tokio::select! {
                _ = self.int.recv() => {}
                _ = self.term.recv() => {}
                _ = self.hup.recv() => {}
                _ = self.quit.recv() => {}
            }
        }
    }

    #[cfg(not(unix))]
    pub async fn next(&mut self) -> i32 {
        std::future::pending().await
    }

    /// A signal that has arrived and not yet been taken, without waiting.
    #[cfg(unix)]
    pub fn arrived(&mut self) -> Option<i32> {
        self.take_counted()
    }

    #[cfg(not(unix))]
    pub fn arrived(&mut self) -> Option<i32> {
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_signal_is_known_the_moment_it_arrives_not_when_the_runtime_next_turns() {
        // A runtime that never turns between the signal and the question: Tokio's own stream
        // cannot have heard of it yet.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let _inside = runtime.enter();
        let mut signals = Signals::new().expect("the signals");
        assert_eq!(signals.arrived(), None);
        // SAFETY: raising a signal whose handler is installed (it only counts).
        assert_eq!(unsafe { libc::raise(SIGHUP) }, 0);
        assert_eq!(signals.arrived(), Some(SIGHUP));
        // Taken once.
        assert_eq!(signals.arrived(), None);
    }
}
