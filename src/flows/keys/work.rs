//! The access-key flow's traffic with the worker: opening (on a user named on the command line,
//! or on the user list), reading a user's keys, sending a confirmed change and its answer.

use super::AccessKeys;
use crate::app::{App, Command, Remote, Screen};
use crate::model::keys::AccessKeyInfo;
use crate::protocol::{AwsError, KeyChange, Request};

/// Opens the flow: on the keys of the user `iamwiz keys USER` named, else on the user list.
pub(crate) fn open(app: &mut App) -> Vec<Command> {
    app.flow = crate::flows::Flow::Keys;
    match app.options.user.clone() {
        Some(user) => choose(app, user),
        None => {
            app.screen = Screen::KeysUser;
            Vec::new()
        }
    }
}

/// Opens the flow on the user list from User details (Ctrl-K), which Esc goes back to.
pub(crate) fn enter(app: &mut App) {
    app.flows.keys.from_users = true;
    app.flow = crate::flows::Flow::Keys;
    app.screen = Screen::KeysUser;
}

/// A fresh flow on the user list, with the same entry.
pub(crate) fn start_over(app: &mut App) {
    let from_users = app.flows.keys.from_users;
    app.flows.keys = AccessKeys {
        from_users,
        ..AccessKeys::default()
    };
    app.flow = crate::flows::Flow::Keys;
    app.screen = Screen::KeysUser;
}

/// Shows `user`'s keys, reading them.
pub(crate) fn choose(app: &mut App, user: String) -> Vec<Command> {
    let k = &mut app.flows.keys;
    if k.user.as_deref() != Some(user.as_str()) {
        k.cursor = 0;
        k.keys = None;
    }
    k.user = Some(user);
    k.confirm = None;
    k.rotate = None;
    app.screen = Screen::KeysList;
    load(app)
}

/// Reads the chosen user's keys (again); an earlier answer still on its way is dropped. Keys
/// already on show stay there, and usable, until the answer comes.
pub(crate) fn load(app: &mut App) -> Vec<Command> {
    let Some(user) = app.flows.keys.user.clone() else {
        return Vec::new();
    };
    let seq = app.next_seq();
    let k = &mut app.flows.keys;
    k.keys_seq = seq;
    k.reading = true;
    if !matches!(k.keys, Some(Remote::Ready(_))) {
        k.keys = Some(Remote::Loading);
    }
    vec![Command::Worker(Request::LoadAccessKeys { seq, user })]
}

pub(crate) fn on_keys(
    app: &mut App,
    seq: u64,
    user: String,
    now: i64,
    result: Result<Vec<AccessKeyInfo>, AwsError>,
) {
    let k = &mut app.flows.keys;
    if seq != k.keys_seq || k.user.as_deref() != Some(user.as_str()) {
        return;
    }
    k.now = now;
    k.reading = false;
    k.keys = Some(Remote::from(result));
    k.cursor = k.cursor.min(k.list().len().saturating_sub(1));
}

/// Sends the confirmed change.
pub(crate) fn send(app: &mut App, id: String, change: KeyChange) -> Vec<Command> {
    let commands = send_then(app, id.clone(), change, None);
    app.info(format!("{} {id}…", progress(change)));
    commands
}

/// Sends `change`, with `then` said after its news once it is done.
pub(crate) fn send_then(
    app: &mut App,
    id: String,
    change: KeyChange,
    then: Option<String>,
) -> Vec<Command> {
    let Some(user) = app.flows.keys.user.clone() else {
        return Vec::new();
    };
    let seq = app.next_seq();
    app.flows.keys.pending = Some(super::Pending {
        seq,
        id: id.clone(),
        change,
        then,
    });
    vec![Command::Worker(Request::ChangeAccessKey {
        seq,
        user,
        id,
        change,
    })]
}

/// The notice while a change is in flight.
fn progress(change: KeyChange) -> &'static str {
    match change {
        KeyChange::Activate => "Activating",
        KeyChange::Deactivate => "Deactivating",
        KeyChange::Delete => "Deleting",
    }
}

/// The worker's answer to a change: says what happened, and reads the keys again (a failure may
/// have changed some of them too).
pub(crate) fn on_changed(
    app: &mut App,
    seq: u64,
    id: String,
    change: KeyChange,
    result: Result<(), AwsError>,
) -> Vec<Command> {
    let Some(pending) = app.flows.keys.pending.take_if(|p| p.seq == seq) else {
        return Vec::new();
    };
    match result {
        Ok(()) => match pending.then {
            Some(then) => app.info(format!("{id} {}. {then}", change.done())),
            None => app.info(format!("{id} {}.", change.done())),
        },
        Err(e) => app.error(format!("Could not {} {id}: {e}. {}", change.verb(), e.hint)),
    }
    load(app)
}
