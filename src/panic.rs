//! The panic path: one hook, installed at start, that ends the process cleanly whatever panicked.
//!
//! Outside the wizard (`iamwiz apply`, argument errors) it only prints color-eyre's report. Once
//! the wizard has taken the terminal, a panic on any thread (a worker task's too, which the runtime
//! would otherwise catch, leaving the wizard on a terminal no longer set up for it) ends the
//! process with code 101, in this order:
//!
//! 1. The terminal loop is stopped: it draws and writes only while holding [`terminal_turn`], which
//!    the hook takes (waiting a bounded time for a frame in flight) and never gives back, so no
//!    frame with a secret lands on the normal screen after the alternate one is left.
//! 2. A secret iamwiz put on the clipboard is cleared.
//! 3. The screen is wiped while still on the alternate screen (GNU screen, tmux with its
//!    alternate screen off and PuTTY would otherwise keep the credentials in their scrollback),
//!    then the terminal is restored.
//! 4. The report is printed on the normal screen. Nothing in the hook panics: every write ignores
//!    its failure (the terminal may be gone), since a panic inside the hook aborts the process.
//!
//! Users whose secrets nobody saw are not deleted from here: the hook cannot reach the state the
//! terminal loop owns (it may be what panicked) or wait for the worker's answers, which go to
//! that loop; the report names them with the commands that delete them (see [`unseen_users`]).

use std::io::{Write, stderr, stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use crossterm::cursor::Show;
use crossterm::execute;
use crossterm::terminal::{Clear, ClearType, LeaveAlternateScreen};

use crate::clipboard::{ClearOutcome, Clipboard};

/// How long the hook waits for the terminal loop to finish a frame, or for the clipboard.
const WAIT: Duration = Duration::from_millis(500);

/// Set once a panic is being reported: the terminal is the hook's from then on.
static PANICKED: AtomicBool = AtomicBool::new(false);
/// Set while the wizard has the terminal (raw mode, alternate screen).
static WIZARD: AtomicBool = AtomicBool::new(false);
/// Held while the terminal loop writes to the terminal.
static TERMINAL: Mutex<()> = Mutex::new(());
/// The wizard's clipboard, for the hook to clear.
static CLIPBOARD: Mutex<Option<Arc<Mutex<Clipboard>>>> = Mutex::new(None);
/// Users made in this run whose secrets nobody has seen, for the report.
static UNSEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Installs the one panic hook; `report` formats the report (color-eyre's).
pub fn install(report: color_eyre::config::PanicHook) {
    std::panic::set_hook(Box::new(move |info| {
        if !WIZARD.load(Ordering::SeqCst) {
            let _ = writeln!(stderr(), "{}", report.panic_report(info));
            return;
        }
        // One report: a second panic (another thread) waits for the first to end the process.
        if PANICKED.swap(true, Ordering::SeqCst) {
            park_forever();
        }
        // Never given back: the process ends below.
        let _turn = lock_within(&TERMINAL, WAIT);
        let mut notes = Vec::new();
        let mut out = stdout();
        if let Some(note) = clear_clipboard(&mut out) {
            notes.push(note);
        }
        let _ = execute!(out, Clear(ClearType::All));
        restore_terminal();
        let mut err = stderr();
        let _ = writeln!(err, "{}", report.panic_report(info));
        notes.extend(unseen_users());
        for note in notes {
            let _ = writeln!(err, "iamwiz: {note}");
        }
        std::process::exit(101);
    }));
}

/// Tells the hook the wizard has the terminal, and which clipboard to clear.
pub fn wizard_started(clipboard: Arc<Mutex<Clipboard>>) {
    *lock(&CLIPBOARD) = Some(clipboard);
    WIZARD.store(true, Ordering::SeqCst);
}

/// Tells the hook the wizard has given the terminal back.
pub fn wizard_ended() {
    WIZARD.store(false, Ordering::SeqCst);
    lock(&CLIPBOARD).take();
}

/// The right to write to the terminal, held while drawing a frame or writing to the terminal.
/// Once a panic is being reported it is never granted: the caller waits for the process to end.
pub fn terminal_turn() -> MutexGuard<'static, ()> {
    let turn = lock(&TERMINAL);
    hold_while_a_panic_is_reported();
    turn
}

/// Waits for the process to end if a panic is being reported (on another thread), so that
/// nothing is drawn over the report or the terminal restored in its middle.
fn hold_while_a_panic_is_reported() {
    if PANICKED.load(Ordering::SeqCst) {
        park_forever();
    }
}

/// Records the users made in this run whose secrets nobody has seen yet (none once they have
/// been, or were deleted), for a report after a panic.
pub fn set_unseen_users(users: Vec<String>) {
    let mut unseen = lock(&UNSEEN);
    if *unseen != users {
        *unseen = users;
    }
}

/// What the report says about users whose secrets nobody saw: they exist, and how to delete them.
fn unseen_users() -> Vec<String> {
    let Some(users) = lock_within(&UNSEEN, WAIT) else {
        return Vec::new();
    };
    users
        .iter()
        .map(|u| {
            format!(
                "user {u} was created but nobody saw its secrets; delete it (console: IAM > Users \
                 > {u} > Delete, or the AWS CLI: aws iam list-access-keys --user-name {u}, aws iam \
                 delete-access-key --user-name {u} --access-key-id ID for each, aws iam \
                 delete-login-profile --user-name {u}, then aws iam delete-user --user-name {u} \
                 once its policies and groups are removed)"
            )
        })
        .collect()
}

/// Clears what iamwiz copied, if it is still there; a line for the report when that failed or
/// could not be checked.
fn clear_clipboard(out: &mut dyn Write) -> Option<String> {
    let shared = lock_within(&CLIPBOARD, WAIT)?.clone()?;
    let Some(mut clipboard) = lock_within(&shared, WAIT) else {
        return Some(
            "the clipboard may still hold a secret iamwiz copied: copy something else over it"
                .to_string(),
        );
    };
    match clipboard.clear_if_ours(out) {
        Ok(ClearOutcome::Cleared) => Some("cleared the clipboard".to_string()),
        Ok(ClearOutcome::Nothing | ClearOutcome::NotOurs) => None,
        Err(e) => Some(format!(
            "could not clear the clipboard ({e}): copy something else over it"
        )),
    }
}

/// Leaves raw mode and the alternate screen and shows the cursor, ignoring failures: unlike
/// `ratatui::restore`, it prints nothing, since printing to a terminal that is gone fails (and a
/// failed print panics).
pub fn restore_terminal() {
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = execute!(stdout(), LeaveAlternateScreen, Show);
}

fn park_forever() -> ! {
    loop {
        std::thread::park();
    }
}

/// A lock, whether or not a panic poisoned it (what it guards stays usable).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The lock, if it can be had within `wait`: the thread that holds it may be the one that
/// panicked, in the middle of a frame.
fn lock_within<T>(m: &Mutex<T>, wait: Duration) -> Option<MutexGuard<'_, T>> {
    let deadline = Instant::now() + wait;
    loop {
        match m.try_lock() {
            Ok(guard) => return Some(guard),
            Err(TryLockError::Poisoned(e)) => return Some(e.into_inner()),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(TryLockError::WouldBlock) => return None,
        }
    }
}
