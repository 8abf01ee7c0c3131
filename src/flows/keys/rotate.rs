//! A rotation in the access-key flow, in the order that keeps it from ever being half-done:
//!
//! 1. `r` on the key list opens a confirmation ([`RotatePlan`]): a user with IAM's 2 keys loses
//!    the key under the cursor first (its ID typed if it is active and was used this week); the
//!    remaining active key is the old key.
//! 2. The worker deletes that key, makes the new one and gives it the old key's description;
//!    the new key goes to the one-time reveal, where it is proven in the background
//!    (`sts:GetCallerIdentity` signed with it) while the admin saves it. `a` offers the profile
//!    of the credentials file that holds the old key.
//! 3. Once the admin has left the reveal (so has the new key) and the new key works, the old key
//!    is deactivated; the key list then shows it inactive, to delete now or later. A new key that
//!    never works is deleted again, and the old key is left as it was.
//!
//! A new key whose secret nobody has (the admin quits, or a signal ends the wizard, before it
//! was shown, copied or saved) is deleted again: the user keeps the keys they had.

use crossterm::event::{KeyCode, KeyEvent};

use super::rules::{check_rotate, plan_rotation};
use super::work::{load, send_then};
use super::{Rotation, Stage};
use crate::app::reveal::{Made, Reveal};
use crate::app::{App, Command, Remote, Screen};
use crate::kit::field::{FieldRule, edit};
use crate::model::keys::{KeyRef, RotateFailure, Rotated};
use crate::protocol::{KeyChange, KeyProof, Request};

/// What a typed key ID may hold.
const KEY_ID: FieldRule = FieldRule {
    secret: false,
    what: "an access key ID",
    allowed: |c| c.is_ascii_alphanumeric(),
    chars: "letters and digits",
    max: 128,
};

/// `r` on the key list: the confirmation of a rotation, or why there is none.
pub(crate) fn ask(app: &mut App) {
    let k = &app.flows.keys;
    if let Some(why) = busy(app) {
        app.info(why);
        return;
    }
    match &k.keys {
        Some(Remote::Ready(_)) => {}
        Some(Remote::Failed(_)) => {
            app.info("The keys could not be read: Ctrl-R tries again.");
            return;
        }
        _ => {
            app.info("The keys are still loading.");
            return;
        }
    }
    let plan = plan_rotation(k.list(), k.cursor, k.now);
    app.flows.keys.rotate = Some(plan);
}

/// Why nothing else may start now: a change or a rotation is under way.
pub(crate) fn busy(app: &App) -> Option<String> {
    let k = &app.flows.keys;
    if let Some(p) = &k.pending {
        return Some(format!("Wait until {} is {}.", p.id, p.change.done()));
    }
    k.rotation
        .as_ref()
        .map(|_| "Wait until the rotation under way has finished.".to_string())
}

/// The confirmation's keys: Enter (or y when no ID is asked for) rotates, Esc (or n) cancels,
/// anything else types the ID of the key deleted first.
pub(crate) fn confirm_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let Some(p) = app.flows.keys.rotate.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => app.flows.keys.rotate = None,
        KeyCode::Char('n') if !p.needs_id => app.flows.keys.rotate = None,
        KeyCode::Enter => return go(app),
        KeyCode::Char('y') if !p.needs_id => return go(app),
        _ if p.needs_id => {
            if let Err(e) = edit(&mut p.typed, KEY_ID, &key) {
                app.error(e);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Pasted text: into the ID the confirmation asks for.
pub(crate) fn paste(app: &mut App, text: &str) {
    if let Some(p) = app.flows.keys.rotate.as_mut().filter(|p| p.needs_id)
        && let Err(e) = crate::kit::field::paste_into(&mut p.typed, KEY_ID, text)
    {
        app.error(e);
    }
}

/// Sends the confirmed rotation to the worker.
fn go(app: &mut App) -> Vec<Command> {
    let Some(p) = app.flows.keys.rotate.as_ref() else {
        return Vec::new();
    };
    if let Err(e) = check_rotate(p) {
        app.error(e);
        return Vec::new();
    }
    let (Some(p), Some(user)) = (app.flows.keys.rotate.take(), app.flows.keys.user.clone()) else {
        return Vec::new();
    };
    let run = app.next_seq();
    let old = p.old.as_ref().map(|k| k.id.clone());
    app.flows.keys.rotation = Some(Rotation {
        run,
        user: user.clone(),
        old: old.clone(),
        new: None,
        stage: Stage::Making,
        proof: None,
    });
    app.info(match &p.replace {
        Some(r) => format!("Deleting {} and making {user}'s new access key…", r.id),
        None => format!("Making {user}'s new access key…"),
    });
    vec![Command::Worker(Request::RotateAccessKey {
        run,
        user,
        replace: p.replace.as_ref().map(|k| k.id.clone()),
        description: p.description(),
        old,
    })]
}

/// Whether the rotation's new key is being made: quitting waits for it (its secret would be
/// nowhere), and so does the end on a signal.
pub fn making(app: &App) -> bool {
    app.flows
        .keys
        .rotation
        .as_ref()
        .is_some_and(|r| r.stage == Stage::Making)
}

/// The worker's answer: the new key on the one-time reveal, or why none was made.
pub(crate) fn on_rotated(
    app: &mut App,
    run: u64,
    user: String,
    result: Result<Rotated, RotateFailure>,
) -> Vec<Command> {
    let Some(rotation) = app.flows.keys.rotation.as_mut().filter(|r| r.run == run) else {
        return Vec::new();
    };
    let rotated = match result {
        Ok(rotated) => rotated,
        Err(f) => {
            app.flows.keys.rotation = None;
            let what = match (&f.leftover, f.replaced_gone) {
                (Some(l), _) => format!(
                    "The new key could not be deleted again: remove {} with: {}",
                    l.what, l.command
                ),
                (None, true) => "The key deleted first is gone; no new key is left.".to_string(),
                (None, false) => "Nothing was changed.".to_string(),
            };
            let text = format!(
                "Could not rotate {user}'s key: {}. {} {what}",
                f.error, f.error.hint
            );
            app.error(text);
            return load(app);
        }
    };
    let Some(id) = rotated.key.access_key.as_ref().map(|k| k.id.clone()) else {
        return Vec::new();
    };
    rotation.new = Some(id.clone());
    rotation.stage = Stage::Revealed;
    let old = rotation.old.clone();
    let mut reveal = Reveal::new(vec![rotated.key], app.options.csv_dir.clone());
    reveal.proof_run = Some(run);
    reveal.made = Made::AccessKey {
        key: KeyRef {
            user: user.clone(),
            id: id.clone(),
        },
        old,
        old_profile: rotated.old_profile,
    };
    app.reveal = Some(reveal);
    app.screen = Screen::Reveal;
    app.info(format!("{id} was made: save it, then leave this screen."));
    Vec::new()
}

/// News of the new key's proof: for the reveal while it is on screen, and, once the admin has
/// left it, the moment the old key goes (or the new one, if it never works).
pub(crate) fn on_proof(app: &mut App, run: u64, user: String, proof: KeyProof) -> Vec<Command> {
    if let Some(reveal) = app.reveal.as_mut() {
        reveal.on_proof(run, user, proof.clone());
    }
    let Some(r) = app.flows.keys.rotation.as_mut().filter(|r| r.run == run) else {
        return Vec::new();
    };
    r.proof = Some(proof);
    if r.stage == Stage::Proving {
        settle(app)
    } else {
        Vec::new()
    }
}

/// The admin left the reveal (they have the new key): back to the key list, where the rotation
/// finishes once the new key works. `None` when the reveal was not a rotation's.
pub(crate) fn after_reveal(app: &mut App) -> Option<Vec<Command>> {
    let r = app
        .flows
        .keys
        .rotation
        .as_mut()
        .filter(|r| r.stage == Stage::Revealed)?;
    r.stage = Stage::Proving;
    app.screen = Screen::KeysList;
    let mut cmds = settle(app);
    if app.flows.keys.rotation.is_some() {
        // Still waiting: the list shows the new key meanwhile.
        cmds.extend(load(app));
    }
    Some(cmds)
}

/// With the admin holding the new key: once it works, the old key is deactivated; if it never
/// works, it is deleted again and the old key is left as it was; meanwhile, the wait is shown.
fn settle(app: &mut App) -> Vec<Command> {
    let Some(r) = app.flows.keys.rotation.clone() else {
        return Vec::new();
    };
    let Some(new) = r.new.clone() else {
        return Vec::new();
    };
    match &r.proof {
        Some(KeyProof::Works { secs }) => {
            app.flows.keys.rotation = None;
            match r.old {
                Some(old) => {
                    let then = format!(
                        "{new} works ({secs} s): the rotation is done. x deletes {old} now, or \
                         later here."
                    );
                    app.info(format!("{new} works: deactivating {old}…"));
                    send_then(app, old, KeyChange::Deactivate, Some(then))
                }
                None => {
                    app.info(format!(
                        "{new} works ({secs} s): {}'s new key is ready.",
                        r.user
                    ));
                    load(app)
                }
            }
        }
        Some(KeyProof::Failed { why, what_to_do }) => {
            app.flows.keys.rotation = None;
            let kept = match &r.old {
                Some(old) => format!("{old} was left as it was"),
                None => "nothing else was changed".to_string(),
            };
            let then = format!(
                "{new} never worked ({why}), so it is deleted again; {kept}. Remove it from \
                 where you saved it. {what_to_do}."
            );
            send_then(app, new, KeyChange::Delete, Some(then))
        }
        Some(KeyProof::Waiting { .. }) | None => {
            let then = match &r.old {
                Some(old) => format!(" before {old} is deactivated"),
                None => String::new(),
            };
            app.info(format!("Waiting for {new} to work{then}…"));
            Vec::new()
        }
    }
}

/// Quitting on the reveal of a new key nobody has: the key is deleted again (the worker
/// finishes it before the process ends), the old key left as it was.
pub(crate) fn on_quit(app: &App) -> Vec<Command> {
    let Some(reveal) = app.reveal.as_ref().filter(|r| r.nobody_has_secrets()) else {
        return Vec::new();
    };
    let Made::AccessKey { key, .. } = &reveal.made else {
        return Vec::new();
    };
    vec![Command::Worker(Request::ChangeAccessKey {
        seq: 0,
        user: key.user.clone(),
        id: key.id.clone(),
        change: KeyChange::Delete,
    })]
}

/// What quitting now does to a rotation under way, for the quit question.
pub fn quit_warning(app: &App) -> Option<String> {
    let r = app.flows.keys.rotation.as_ref()?;
    let new = r.new.as_deref()?;
    let unseen = app.reveal.as_ref().is_some_and(|v| v.nobody_has_secrets());
    let old = r.old.as_deref();
    Some(match (unseen, old) {
        (true, Some(old)) => format!(
            "The new key {new} was never shown, copied or saved: it is deleted again, and {old} \
             stays as it is."
        ),
        (true, None) => {
            format!("The new key {new} was never shown, copied or saved: it is deleted again.")
        }
        (false, Some(old)) => format!(
            "The new key {new} is kept, but {old} stays active: deactivate it once {new} works \
             (iamwiz keys {}).",
            r.user
        ),
        (false, None) => format!("The new key {new} is kept."),
    })
}

/// For the admin, when a signal ends the wizard while a proven-to-be rotation waits: the keys as
/// they are left.
pub fn ending_note(app: &App) -> Option<String> {
    let r = app.flows.keys.rotation.as_ref()?;
    let new = r.new.as_deref()?;
    if r.stage != Stage::Proving {
        return None;
    }
    Some(match &r.old {
        Some(old) => format!(
            "{}'s new key {new} was not yet proven, so {old} is still active: once {new} \
             works, deactivate {old} with: iamwiz keys {}",
            r.user, r.user
        ),
        None => format!("{}'s new key {new} was not yet proven", r.user),
    })
}
