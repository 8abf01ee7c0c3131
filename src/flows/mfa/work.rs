//! The MFA flow's traffic with the worker: opening (on a user named on the command line, or on
//! the user list), reading a user's devices, sending a confirmed change and its answer.

use super::Mfa;
use crate::app::{App, Command, Remote, Screen};
use crate::model::mfa::UserDevices;
use crate::protocol::{AwsError, MfaChange, Request};

/// Opens the flow: on the devices of the user `iamwiz mfa USER` named, else on the user list.
pub(crate) fn open(app: &mut App) -> Vec<Command> {
    app.flow = crate::flows::Flow::Mfa;
    match app.options.user.clone() {
        Some(user) => choose(app, user),
        None => {
            app.screen = Screen::MfaUser;
            Vec::new()
        }
    }
}

/// A fresh flow on the user list.
pub(crate) fn start_over(app: &mut App) {
    app.flows.mfa = Mfa {
        clock: app.flows.mfa.clock,
        ..Mfa::default()
    };
    app.flow = crate::flows::Flow::Mfa;
    app.screen = Screen::MfaUser;
}

/// Shows `user`'s devices, reading them.
pub(crate) fn choose(app: &mut App, user: String) -> Vec<Command> {
    let m = &mut app.flows.mfa;
    if m.user.as_deref() != Some(user.as_str()) {
        m.cursor = 0;
        m.devices = None;
    }
    m.user = Some(user);
    m.confirm = None;
    app.screen = Screen::MfaList;
    load(app)
}

/// Reads the chosen user's devices (again); an earlier answer still on its way is dropped.
pub(crate) fn load(app: &mut App) -> Vec<Command> {
    let Some(user) = app.flows.mfa.user.clone() else {
        return Vec::new();
    };
    let seq = app.next_seq();
    let m = &mut app.flows.mfa;
    m.devices_seq = seq;
    if !matches!(m.devices, Some(Remote::Ready(_))) {
        m.devices = Some(Remote::Loading);
    }
    vec![Command::Worker(Request::LoadMfaDevices { seq, user })]
}

pub(crate) fn on_devices(
    app: &mut App,
    seq: u64,
    user: String,
    result: Result<UserDevices, AwsError>,
) {
    let m = &mut app.flows.mfa;
    if seq != m.devices_seq || m.user.as_deref() != Some(user.as_str()) {
        return;
    }
    m.devices = Some(Remote::from(result));
    m.cursor = m.cursor.min(m.rows().len().saturating_sub(1));
}

/// Sends the confirmed change.
pub(crate) fn send(app: &mut App, serial: String, change: MfaChange) -> Vec<Command> {
    let Some(user) = app.flows.mfa.user.clone() else {
        return Vec::new();
    };
    let seq = app.next_seq();
    app.flows.mfa.pending = Some(super::Pending {
        seq,
        serial: serial.clone(),
        change,
    });
    let doing = match change {
        MfaChange::Deactivate => "Deactivating",
        MfaChange::Delete | MfaChange::Discard => "Deleting",
    };
    app.info(format!("{doing} {serial}…"));
    vec![Command::Worker(Request::ChangeMfaDevice {
        seq,
        user,
        serial,
        change,
    })]
}

/// The worker's answer to a change: an enrolment's discard, or a change from the list (which is
/// read again: a failure may have changed something too).
pub(crate) fn on_changed(
    app: &mut App,
    seq: u64,
    serial: String,
    change: MfaChange,
    result: Result<(), AwsError>,
) -> Vec<Command> {
    if change == MfaChange::Discard {
        return super::enrol::on_discarded(app, seq, serial, result);
    }
    if app.flows.mfa.pending.take_if(|p| p.seq == seq).is_none() {
        return Vec::new();
    }
    match result {
        Ok(()) => app.info(format!("{serial} {}.", change.done())),
        Err(e) => app.error(format!(
            "Could not {} {serial}: {e}. {}",
            change.verb(),
            e.hint
        )),
    }
    load(app)
}
