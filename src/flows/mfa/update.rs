//! The keys of the MFA flow's lists: the user list (type to filter, move, Enter to choose), the
//! device list (move, new device, deactivate, delete, reload, back) and the confirmation over it.

use crossterm::event::{KeyCode, KeyEvent};

use super::Confirm;
use super::rules::refusal;
use super::work::{choose, load, send};
use crate::app::{App, Command, ListUi, Remote, Screen, is_ctrl};
use crate::flows::user_pick::{self, Picked};
use crate::protocol::MfaChange;

/// Where the flow keeps its user list.
fn pick(app: &mut App) -> &mut ListUi {
    &mut app.flows.mfa.pick
}

/// The keys of the user list.
pub(crate) fn user_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match user_pick::key(app, key, pick) {
        Picked::User(user) => choose(app, user),
        Picked::Esc => {
            app.info("This is the first step. Ctrl-C quits.");
            Vec::new()
        }
        Picked::Done(cmds) => cmds,
    }
}

/// The keys of the device list, and of the confirmation when one is open.
pub(crate) fn list_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    if app.flows.mfa.confirm.is_some() {
        return confirm_key(app, key);
    }
    if is_ctrl(&key, 'r') {
        app.info("Reading the devices again…");
        return load(app);
    }
    let n = app.flows.mfa.rows().len();
    let m = &mut app.flows.mfa;
    match key.code {
        KeyCode::Up => m.cursor = m.cursor.saturating_sub(1),
        KeyCode::Down => m.cursor = (m.cursor + 1).min(n.saturating_sub(1)),
        KeyCode::Char('n') => return super::enrol::start(app),
        KeyCode::Char('d') => ask(app, MfaChange::Deactivate),
        KeyCode::Char('x') | KeyCode::Delete => ask(app, MfaChange::Delete),
        KeyCode::Esc => {
            app.screen = Screen::MfaUser;
            app.flows.mfa.devices = None;
        }
        _ => {}
    }
    Vec::new()
}

/// Why nothing else may start now: a change or an enrolment is under way.
pub(crate) fn busy(app: &App) -> Option<String> {
    let m = &app.flows.mfa;
    if let Some(p) = &m.pending {
        return Some(format!("Wait until {} is {}.", p.serial, p.change.done()));
    }
    m.enrol
        .as_ref()
        .map(|_| "Wait until the new device is deleted again.".to_string())
}

/// Opens the confirmation of `change` for the device under the cursor, or says why not.
fn ask(app: &mut App, change: MfaChange) {
    if let Some(why) = busy(app) {
        app.info(why);
        return;
    }
    let Some(row) = app.flows.mfa.current() else {
        app.info(match app.flows.mfa.devices {
            Some(Remote::Loading) => "The devices are still loading.",
            Some(Remote::Failed(_)) => "The devices could not be read: Ctrl-R tries again.",
            _ => "This user has no MFA device: n enrols one.",
        });
        return;
    };
    if let Some(why) = refusal(&row, change) {
        app.info(why);
        return;
    }
    app.flows.mfa.confirm = Some(Confirm {
        serial: row.serial,
        change,
    });
}

/// The confirmation's keys: y or Enter goes ahead, n or Esc cancels.
fn confirm_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match key.code {
        KeyCode::Esc | KeyCode::Char('n') => app.flows.mfa.confirm = None,
        KeyCode::Enter | KeyCode::Char('y') => {
            if let Some(c) = app.flows.mfa.confirm.take() {
                return send(app, c.serial, c.change);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Pasted text on the user list goes into the filter.
pub(crate) fn paste(app: &mut App, text: &str) {
    user_pick::paste(app, text, pick);
}
