//! An enrolment, in the order that never leaves a device nobody can use:
//!
//! 1. `n` on the device list: `CreateVirtualMFADevice`, named after the user (the require-MFA
//!    policy lets a user manage only `mfa/${aws:username}`).
//! 2. The QR code of its `otpauth://` URI on screen (or, in a small terminal, the size to enlarge
//!    it to and the Base32 seed, masked until `s`), and two fields for two consecutive codes.
//! 3. Enter checks the codes against the seed here ([`check_two_codes`]): codes that are wrong,
//!    not consecutive, or from a phone whose clock is off are explained and nothing is sent; a
//!    pair that passes goes to `EnableMFADevice`.
//!
//! A device that was never enabled is deleted again (`DeleteVirtualMFADevice`): on Esc, when
//! IAM refuses to enable it, on quit and on a signal. Quitting waits while the device is being
//! made or enabled, so neither is left half-known. Once IAM has enabled it, nothing here deletes
//! it.

use crossterm::event::{KeyCode, KeyEvent};

use super::leave::DiscardedOnEnd;
use super::rules::CODE;
use super::update::busy;
use super::work::load;
use super::{Enrolment, Stage};
use crate::app::{App, Command, Remote, Screen};
use crate::kit::field::{Edit, edit, paste_into};
use crate::model::mfa::{EnableError, NewVirtualDevice, copy_seed};
use crate::model::totp::{
    AWS_ISSUER, CodeField, DIGITS, Verdict, aws_account_label, check_two_codes, otpauth_uri,
};
use crate::protocol::{AwsError, MfaChange, Request};
use crate::secret::Secret;

/// `n` on the device list: asks IAM for a new virtual device named after the user.
pub(crate) fn start(app: &mut App) -> Vec<Command> {
    if let Some(why) = busy(app) {
        app.info(why);
        return Vec::new();
    }
    let Some(user) = app.flows.mfa.user.clone() else {
        return Vec::new();
    };
    let spare = match &app.flows.mfa.devices {
        Some(Remote::Ready(d)) => d.spare.clone(),
        _ => {
            app.info("The devices are still loading: n works once they are read.");
            return Vec::new();
        }
    };
    if let Some(spare) = spare {
        app.info(format!(
            "A virtual device named {user} exists already and no one has it ({spare}): x \
             deletes it, then n makes a new one."
        ));
        return Vec::new();
    }
    let run = app.next_seq();
    app.flows.mfa.enrol = Some(Enrolment::new(run, user.clone()));
    app.flows.mfa.confirm = None;
    app.screen = Screen::MfaEnrol;
    app.info(format!("Making a virtual MFA device for {user}…"));
    vec![Command::Worker(Request::CreateMfaDevice { run, user })]
}

/// The `otpauth://` URI of the new device, as IAM's own QR codes name it (`Amazon Web
/// Services:user@account`); the account is left out until the caller's identity is known.
pub fn uri(app: &App) -> Option<Secret> {
    let e = app.flows.mfa.enrol.as_ref()?;
    let seed = e.seed.as_ref()?;
    let account = match &app.catalog.identity {
        Remote::Ready(id) => aws_account_label(&e.user, &id.account),
        _ => e.user.clone(),
    };
    Some(otpauth_uri(AWS_ISSUER, &account, seed))
}

/// The keys of the enrolment screen.
pub(crate) fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let Some(e) = app.flows.mfa.enrol.as_mut() else {
        return Vec::new();
    };
    match e.stage {
        Stage::Ready => {}
        Stage::Creating if key.code == KeyCode::Esc => {
            app.info("The device is still being made: Esc deletes it again once it is there.");
            return Vec::new();
        }
        Stage::Enabling => {
            app.info("IAM is enabling the device: wait for its answer.");
            return Vec::new();
        }
        _ => return Vec::new(),
    }
    match key.code {
        KeyCode::Esc => {
            let why = "Enrolment cancelled.".to_string();
            return discard(app, why);
        }
        KeyCode::Enter => return check(app),
        KeyCode::Char('s') => e.show_seed = !e.show_seed,
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => e.field = 1 - e.field,
        _ => {
            let field = e.field;
            match edit(&mut e.codes[field], CODE, &key) {
                Ok(Edit::Changed) => {
                    e.verdict = None;
                    advance(e);
                }
                Ok(_) => {}
                Err(why) => app.error(why),
            }
        }
    }
    Vec::new()
}

/// Pasted text goes into the code field with the focus.
pub(crate) fn paste(app: &mut App, text: &str) {
    let Some(e) = app
        .flows
        .mfa
        .enrol
        .as_mut()
        .filter(|e| e.stage == Stage::Ready)
    else {
        return;
    };
    let field = e.field;
    match paste_into(&mut e.codes[field], CODE, text.trim()) {
        Ok(()) => {
            e.verdict = None;
            advance(e);
        }
        Err(why) => app.error(why),
    }
}

/// Once the first code has its six digits, typing goes on in the second.
fn advance(e: &mut Enrolment) {
    let digits = e.codes[0].value().chars().filter(char::is_ascii_digit);
    if e.field == 0 && digits.count() == DIGITS as usize {
        e.field = 1;
    }
}

/// Enter: the codes are checked against the seed at this moment; only a pair that passes is
/// sent to IAM.
fn check(app: &mut App) -> Vec<Command> {
    let now = (app.flows.mfa.clock)();
    let Some(e) = app.flows.mfa.enrol.as_mut() else {
        return Vec::new();
    };
    let (Some(seed), Some(serial)) = (e.seed.as_ref(), e.serial.clone()) else {
        return Vec::new();
    };
    let verdict = check_two_codes(seed, e.codes[0].value(), e.codes[1].value(), now);
    match verdict {
        Verdict::Ok { .. } => {
            let request = Request::EnableMfaDevice {
                run: e.run,
                user: e.user.clone(),
                serial: serial.clone(),
                seed: copy_seed(seed),
                codes: [
                    Secret::new(e.codes[0].value().to_string()),
                    Secret::new(e.codes[1].value().to_string()),
                ],
            };
            e.stage = Stage::Enabling;
            e.verdict = None;
            app.info(format!("The codes are right: enabling {serial}…"));
            vec![Command::Worker(request)]
        }
        Verdict::Malformed(which) => {
            e.field = usize::from(which == CodeField::Second);
            refused(app, verdict)
        }
        _ => {
            e.codes = Default::default();
            e.field = 0;
            refused(app, verdict)
        }
    }
}

/// Codes that failed the check: why, on screen; nothing was sent.
fn refused(app: &mut App, verdict: Verdict) -> Vec<Command> {
    let text = format!("{} Nothing was sent to AWS.", verdict.message());
    if let Some(e) = app.flows.mfa.enrol.as_mut() {
        e.verdict = Some(text.clone());
    }
    app.error(text);
    Vec::new()
}

/// Deletes the new device again (it was never enabled): the seed goes at once, the list comes
/// back, and `why` is said with the news of the deletion.
fn discard(app: &mut App, why: String) -> Vec<Command> {
    let Some(e) = app.flows.mfa.enrol.as_mut() else {
        return Vec::new();
    };
    let Some(serial) = e.serial.clone() else {
        return Vec::new();
    };
    e.stage = Stage::Discarding;
    e.seed = None;
    e.codes = Default::default();
    e.show_seed = false;
    e.why = Some(why.clone());
    let request = Request::ChangeMfaDevice {
        seq: e.run,
        user: e.user.clone(),
        serial: serial.clone(),
        change: MfaChange::Discard,
    };
    if app.screen == Screen::MfaEnrol {
        app.screen = Screen::MfaList;
    }
    app.info(format!("{why} Deleting the new device {serial} again…"));
    vec![Command::Worker(request)]
}

/// The worker's answer to `CreateVirtualMFADevice`: the enrolment screen with its QR code, or
/// why no device was made. A device that arrives while a signal ends the wizard goes again.
pub(crate) fn on_created(
    app: &mut App,
    run: u64,
    user: String,
    result: Result<NewVirtualDevice, AwsError>,
) -> Vec<Command> {
    let Some(e) = app.flows.mfa.enrol.as_mut().filter(|e| e.run == run) else {
        return Vec::new();
    };
    match result {
        Ok(device) => {
            e.serial = Some(device.serial.clone());
            e.seed = Some(device.seed);
            e.stage = Stage::Ready;
            if app.ending.is_some() {
                return discard(app, "The wizard is ending.".to_string());
            }
            app.info(format!(
                "{user}'s device is made: scan it, then type two consecutive codes."
            ));
            Vec::new()
        }
        Err(err) => {
            app.flows.mfa.enrol = None;
            if app.screen == Screen::MfaEnrol {
                app.screen = Screen::MfaList;
            }
            app.error(format!(
                "Could not make {user}'s virtual MFA device: {err}. {}",
                err.hint
            ));
            load(app)
        }
    }
}

/// The worker's answer to `EnableMFADevice`: done, codes refused by the worker's own check
/// (nothing sent), or IAM's refusal, after which the device is deleted again.
pub(crate) fn on_enabled(
    app: &mut App,
    run: u64,
    serial: String,
    result: Result<(), EnableError>,
) -> Vec<Command> {
    let Some(e) = app
        .flows
        .mfa
        .enrol
        .as_mut()
        .filter(|e| e.run == run && e.stage == Stage::Enabling)
    else {
        return Vec::new();
    };
    match result {
        Ok(()) => {
            let user = e.user.clone();
            // Dropping the enrolment zeroes the seed.
            app.flows.mfa.enrol = None;
            if app.screen == Screen::MfaEnrol {
                app.screen = Screen::MfaList;
            }
            app.info(format!("MFA enabled for {user} ({serial})."));
            load(app)
        }
        Err(EnableError::Codes(_)) if app.ending.is_some() => {
            discard(app, "The wizard is ending.".to_string())
        }
        Err(EnableError::Codes(verdict)) => {
            e.stage = Stage::Ready;
            e.codes = Default::default();
            e.field = 0;
            refused(app, verdict)
        }
        Err(EnableError::Aws(err)) => discard(
            app,
            format!(
                "Could not enable {serial}: {err}. {} The device is of no use now: n makes a new \
                 one (scan its new code).",
                err.hint
            ),
        ),
    }
}

/// The worker's answer to the deletion of a device never enabled.
pub(crate) fn on_discarded(
    app: &mut App,
    run: u64,
    serial: String,
    result: Result<(), AwsError>,
) -> Vec<Command> {
    let ours = app
        .flows
        .mfa
        .enrol
        .as_ref()
        .is_some_and(|e| e.run == run && e.stage == Stage::Discarding);
    if !ours {
        return Vec::new();
    }
    let Some(e) = app.flows.mfa.enrol.take() else {
        return Vec::new();
    };
    if app.ending.is_some() {
        app.flows.mfa.discarded_on_end = Some(DiscardedOnEnd {
            user: e.user.clone(),
            serial: serial.clone(),
            error: result.as_ref().err().cloned(),
        });
    }
    let why = e.why.unwrap_or_default();
    match result {
        Ok(()) => app.info(format!(
            "{why} The new device {serial} was never enabled and is deleted again."
        )),
        Err(err) => app.error(format!(
            "{why} Could not delete the new device {serial}: {err}. Delete it with: aws iam \
             delete-virtual-mfa-device --serial-number {serial}"
        )),
    }
    if app.ending.is_some() {
        return Vec::new();
    }
    load(app)
}

/// Whether the device is being made, enabled or deleted again: quitting waits for it, and so
/// does the end on a signal.
pub fn making(app: &App) -> bool {
    app.flows
        .mfa
        .enrol
        .as_ref()
        .is_some_and(|e| e.stage != Stage::Ready)
}

/// The admin quits for good: a new device that was never enabled is deleted again (the worker
/// finishes it before the process ends).
pub(crate) fn on_quit(app: &App) -> Vec<Command> {
    let Some(e) = app
        .flows
        .mfa
        .enrol
        .as_ref()
        .filter(|e| e.stage == Stage::Ready)
    else {
        return Vec::new();
    };
    let Some(serial) = e.serial.clone() else {
        return Vec::new();
    };
    vec![Command::Worker(Request::ChangeMfaDevice {
        seq: e.run,
        user: e.user.clone(),
        serial,
        change: MfaChange::Discard,
    })]
}

/// A signal ends the wizard: a new device that was never enabled is deleted again, and the end
/// waits for it. One being made or enabled is waited for ([`making`]) and dealt with when its
/// answer comes.
pub(crate) fn on_signal(app: &mut App) -> Vec<Command> {
    let ready = app
        .flows
        .mfa
        .enrol
        .as_ref()
        .is_some_and(|e| e.stage == Stage::Ready && e.serial.is_some());
    if ready {
        discard(app, "The wizard is ending.".to_string())
    } else {
        Vec::new()
    }
}
