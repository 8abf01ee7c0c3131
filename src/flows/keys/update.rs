//! The keys of the access-key flow: the user list (type to filter, move, Enter to choose), the
//! key list (move, activate, deactivate, delete, reload, back) and the confirmation over it.

use crossterm::event::{KeyCode, KeyEvent};

use super::Confirm;
use super::rules::{check_confirm, needs_id, refusal};
use super::work::{choose, load, send};
use crate::app::{App, Command, ListUi, Remote, Screen, is_ctrl};
use crate::flows::user_pick::{self, Picked};
use crate::kit::field::{FieldRule, edit, paste_into};
use crate::kit::text::TextField;
use crate::protocol::KeyChange;

/// What a typed key ID may hold.
const KEY_ID: FieldRule = FieldRule {
    secret: false,
    what: "an access key ID",
    allowed: |c| c.is_ascii_alphanumeric(),
    chars: "letters and digits",
    max: 128,
};

/// Where the flow keeps its user list.
fn pick(app: &mut App) -> &mut ListUi {
    &mut app.flows.keys.pick
}

/// The keys of the user list.
pub(crate) fn user_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match user_pick::key(app, key, pick) {
        Picked::User(user) => choose(app, user),
        Picked::Esc if app.flows.keys.from_users => {
            app.flow = crate::flows::Flow::Users;
            app.screen = Screen::Details;
            Vec::new()
        }
        Picked::Esc => {
            app.info("This is the first step. Ctrl-C quits.");
            Vec::new()
        }
        Picked::Done(cmds) => cmds,
    }
}

/// The keys of the key list, and of the confirmation when one is open.
pub(crate) fn list_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    if app.flows.keys.confirm.is_some() {
        return confirm_key(app, key);
    }
    if app.flows.keys.rotate.is_some() {
        return super::rotate::confirm_key(app, key);
    }
    if is_ctrl(&key, 'r') {
        app.info("Reading the keys again…");
        return load(app);
    }
    let n = app.flows.keys.list().len();
    let k = &mut app.flows.keys;
    match key.code {
        KeyCode::Up => k.cursor = k.cursor.saturating_sub(1),
        KeyCode::Down => k.cursor = (k.cursor + 1).min(n.saturating_sub(1)),
        KeyCode::Char('a') => ask(app, KeyChange::Activate),
        KeyCode::Char('d') => ask(app, KeyChange::Deactivate),
        KeyCode::Char('x') | KeyCode::Delete => ask(app, KeyChange::Delete),
        KeyCode::Char('r') => super::rotate::ask(app),
        KeyCode::Esc => {
            app.screen = Screen::KeysUser;
            app.flows.keys.keys = None;
        }
        _ => {}
    }
    Vec::new()
}

/// Opens the confirmation of `change` for the key under the cursor, or says why not.
fn ask(app: &mut App, change: KeyChange) {
    if let Some(why) = super::rotate::busy(app) {
        app.info(why);
        return;
    }
    let now = app.flows.keys.now;
    let Some(key) = app.flows.keys.current() else {
        app.info(match app.flows.keys.keys {
            Some(Remote::Loading) => "The keys are still loading.",
            Some(Remote::Failed(_)) => "The keys could not be read: Ctrl-R tries again.",
            _ => "This user has no access key.",
        });
        return;
    };
    if let Some(why) = refusal(key, change) {
        app.info(why);
        return;
    }
    let confirm = Confirm {
        id: key.id.clone(),
        change,
        needs_id: needs_id(key, change, now),
        typed: TextField::default(),
    };
    app.flows.keys.confirm = Some(confirm);
}

/// The confirmation's keys: Enter (or y when no ID is asked for) goes ahead, Esc (or n) cancels,
/// anything else types the ID.
fn confirm_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let Some(c) = app.flows.keys.confirm.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => app.flows.keys.confirm = None,
        KeyCode::Char('n') if !c.needs_id => app.flows.keys.confirm = None,
        KeyCode::Enter => return go_ahead(app),
        KeyCode::Char('y') if !c.needs_id => return go_ahead(app),
        _ if c.needs_id => {
            if let Err(e) = edit(&mut c.typed, KEY_ID, &key) {
                app.error(e);
            }
        }
        _ => {}
    }
    Vec::new()
}

fn go_ahead(app: &mut App) -> Vec<Command> {
    let Some(c) = app.flows.keys.confirm.as_ref() else {
        return Vec::new();
    };
    if let Err(e) = check_confirm(c) {
        app.error(e);
        return Vec::new();
    }
    let Some(c) = app.flows.keys.confirm.take() else {
        return Vec::new();
    };
    send(app, c.id, c.change)
}

/// Pasted text: into the ID a confirmation asks for, or into the user filter.
pub(crate) fn paste(app: &mut App, text: &str) {
    if app.flows.keys.rotate.is_some() {
        return super::rotate::paste(app, text);
    }
    if app.flows.keys.confirm.is_none() && app.screen == Screen::KeysUser {
        return user_pick::paste(app, text, pick);
    }
    if let Some(c) = app.flows.keys.confirm.as_mut().filter(|c| c.needs_id)
        && let Err(e) = paste_into(&mut c.typed, KEY_ID, text)
    {
        app.error(e);
    }
}
