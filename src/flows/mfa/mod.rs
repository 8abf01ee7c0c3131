//! The MFA flow (`iamwiz mfa [USER]`): choose a user (fuzzy over the account's users), see their
//! MFA devices (serial, kind, when enabled; a spare virtual device named after them that no user
//! has), deactivate or delete one after a confirmation, and enrol a new virtual device: IAM makes
//! it (named after the user, as the require-MFA policy expects), the terminal draws its QR code
//! (or, when the terminal is too small, asks for a larger one and offers the Base32 seed), the
//! admin types two consecutive codes, which are checked here first, and only a pair that passes
//! goes to `EnableMFADevice`.
//!
//! A new device that was never enabled is deleted again: on Esc, on a failure, on quit and on a
//! signal. A device IAM enabled is never deleted by a quit.
//!
//! [`state`] is what the flow holds, [`rules`] what it allows, [`update`] its keys, [`help`]
//! their help, [`work`] its requests to the worker and their answers, [`enrol`] the enrolment
//! from the new device to its end, [`leave`] what quitting or a signal leaves, and [`view`]
//! draws it.

pub mod enrol;
pub mod help;
pub mod leave;
pub mod rules;
pub mod state;
pub mod update;
pub mod view;
pub mod work;

pub(crate) use enrol::{making, on_quit, on_signal};
pub use leave::{ending_note, quit_warning};
pub use state::*;
pub(crate) use work::{open, start_over};

use crossterm::event::KeyEvent;

use super::Reply;
use crate::app::{App, Command, Screen};
use crate::protocol::Event;

/// A key on the flow's screens.
pub fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match app.screen {
        Screen::MfaUser => update::user_key(app, key),
        Screen::MfaList => update::list_key(app, key),
        Screen::MfaEnrol => enrol::key(app, key),
        _ => Vec::new(),
    }
}

/// Pasted text goes into the field on show: the user filter, or a code.
pub fn paste(app: &mut App, text: &str) {
    match app.screen {
        Screen::MfaUser => update::paste(app, text),
        Screen::MfaEnrol => enrol::paste(app, text),
        _ => {}
    }
}

/// Whether `?` is text where the focus is: never (user names and codes have no `?`).
pub fn typing(_app: &App) -> bool {
    false
}

/// The worker's replies to the flow's requests.
pub fn on_event(app: &mut App, event: Event) -> Reply {
    let cmds = match event {
        Event::MfaDevices { seq, user, result } => {
            work::on_devices(app, seq, user, result);
            Vec::new()
        }
        Event::MfaDeviceCreated { run, user, result } => enrol::on_created(app, run, user, result),
        Event::MfaDeviceEnabled {
            run,
            serial,
            result,
            ..
        } => enrol::on_enabled(app, run, serial, result),
        Event::MfaDeviceChanged {
            seq,
            serial,
            change,
            result,
            ..
        } => work::on_changed(app, seq, serial, change, result),
        other => return Reply::Unhandled(other),
    };
    Reply::Handled(cmds)
}

/// Whether quitting would lose a decision under way: a confirmation is open, or an enrolment has
/// a device that is not enabled yet.
pub fn dirty(app: &App) -> bool {
    let m = &app.flows.mfa;
    m.confirm.is_some() || m.enrol.is_some()
}
