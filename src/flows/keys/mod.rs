//! The access-key flow (`iamwiz keys [USER]`): choose a user (fuzzy over the account's users),
//! see their keys (status, created and age, last use, the console's description; keys older
//! than 90 days or never used are marked), and activate, deactivate or delete one after a
//! confirmation that shows its last use.
//!
//! [`state`] is what the flow holds, [`rules`] what it allows and the marks it shows, [`update`]
//! its keys, [`help`] their help, [`work`] its requests to the worker and their answers, and
//! [`view`] draws it. [`rotate`] is a rotation, from its confirmation to the old key's end.

pub mod help;
pub mod rotate;
pub mod rules;
pub mod state;
pub mod update;
pub mod view;
pub mod work;

pub(crate) use rotate::{after_reveal, on_quit};
pub use rotate::{ending_note, making, quit_warning};
pub use state::*;
pub(crate) use work::{enter, open, start_over};

use crossterm::event::KeyEvent;

use super::Reply;
use crate::app::{App, Command, Screen};
use crate::protocol::Event;

/// A key on the flow's screens.
pub fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match app.screen {
        Screen::KeysUser => update::user_key(app, key),
        Screen::KeysList => update::list_key(app, key),
        _ => Vec::new(),
    }
}

/// Pasted text goes into the field on show: the user filter, or the key ID a confirmation asks
/// for.
pub fn paste(app: &mut App, text: &str) {
    update::paste(app, text);
}

/// Whether `?` is text where the focus is: never (user names and key IDs have no `?`).
pub fn typing(_app: &App) -> bool {
    false
}

/// The worker's replies to the flow's requests.
pub fn on_event(app: &mut App, event: Event) -> Reply {
    match event {
        Event::AccessKeys {
            seq,
            user,
            now,
            result,
        } => work::on_keys(app, seq, user, now, result),
        Event::AccessKeyChanged {
            seq,
            id,
            change,
            result,
            ..
        } => return Reply::Handled(work::on_changed(app, seq, id, change, result)),
        Event::AccessKeyRotated { run, user, result } => {
            return Reply::Handled(rotate::on_rotated(app, run, user, result));
        }
        Event::KeyProof { run, user, proof } => {
            return Reply::Handled(rotate::on_proof(app, run, user, proof));
        }
        other => return Reply::Unhandled(other),
    }
    Reply::Handled(Vec::new())
}

/// Whether quitting would lose a decision under way: a confirmation is open, or a rotation
/// waits for its new key to work before the old key goes.
pub fn dirty(app: &App) -> bool {
    let k = &app.flows.keys;
    k.confirm.is_some() || k.rotate.is_some() || k.rotation.is_some()
}
