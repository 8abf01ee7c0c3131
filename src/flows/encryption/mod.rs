//! The guided MongoDB encryption service account: Purpose, Key, Account and Review, the request
//! that creates the key and the account, and the role result screen. The secrets of a new user
//! go to the one-time reveal like the users flow's.
//!
//! [`state`] is what the flow holds, [`rules`] the rules its fields follow, [`queries`] what the
//! views and Review read from it, [`update`] its keys, [`work`] its requests to the worker and
//! their answers, and [`view`] draws it.

pub mod help;
pub mod queries;
pub mod rules;
pub mod state;
pub mod update;
pub mod view;
pub mod work;

pub use rules::*;
pub use state::*;
pub(crate) use work::{enter, seed_region, start_over, tick};

use crossterm::event::KeyEvent;

use super::Reply;
use crate::app::{App, Command, Screen};
use crate::protocol::Event;

/// The key policy, in the words Key and Review show.
pub const KEY_POLICY_SENTENCE: &str = "The key policy stays the account default: the service \
                                       account gets no administrative rights on the key.";

/// A key on one of the flow's steps or on the role result.
pub fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    if app.screen == Screen::EncRole {
        update::role_key(app, key)
    } else {
        update::key(app, key)
    }
}

/// Pasted text goes into the focused field of a step.
pub fn paste(app: &mut App, text: &str) {
    if app.flow.step_index(app.screen).is_some() {
        update::paste(app, text);
    }
}

/// Whether `?` is text where the focus is (a free-text field).
pub fn typing(app: &App) -> bool {
    app.enc_free_text_focused()
}

/// The worker's replies to the flow's own requests.
pub fn on_event(app: &mut App, event: Event) -> Reply {
    match event {
        Event::KmsKeys {
            seq,
            region,
            result,
        } => work::on_kms_keys(app, seq, region, result),
        Event::EncryptionFinished { run, result }
            if app.creation.as_ref().is_some_and(|c| c.run == run) =>
        {
            work::finish(app, result)
        }
        other => return Reply::Unhandled(other),
    }
    Reply::Handled(Vec::new())
}

/// Whether anything was entered or chosen in the flow.
pub fn dirty(app: &App) -> bool {
    app.enc.dirty
}
