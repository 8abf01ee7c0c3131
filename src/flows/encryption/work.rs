//! The encryption flow's traffic with the worker: entering and starting over, the region's keys,
//! the live name checks, the creation request and its answer.

use super::update::focus_item;
use super::*;
use crate::app::reveal::{Documents, Row};
use crate::app::{App, Command, Creation, Failure, Remote, Reveal, Screen};
use crate::kit::text::TextField;
use crate::mongo::Language;
use crate::protocol::{
    AwsError, DiscardKey, EncryptionAccount, EncryptionResult, KmsKey, Request, StepStatus,
};

/// Opens the encryption flow on Purpose; `from_users` when entered from User details.
pub(crate) fn enter(app: &mut App, from_users: bool) {
    app.flow = crate::flows::Flow::Encryption;
    app.enc.from_users = from_users;
    app.screen = Screen::EncPurpose;
    seed_region(app);
}

/// The region follows the admin's (from the identity) until typed. An Enter pressed on Purpose
/// while it was being read goes through now.
pub(crate) fn seed_region(app: &mut App) -> Vec<Command> {
    let waited = std::mem::take(&mut app.enc.enter_when_region);
    let Some(id) = app.catalog.identity.ready() else {
        return Vec::new();
    };
    let d = &mut app.enc.draft;
    if !d.region_edited && d.region.is_empty() && !id.region.is_empty() {
        d.region = TextField::new(&id.region);
    }
    if waited && app.screen == Screen::EncPurpose {
        app.notice = None;
        return super::update::next_step(app);
    }
    Vec::new()
}

/// A fresh encryption flow after a run, with the same entry.
pub(crate) fn start_over(app: &mut App) {
    // The keys are read again: the run may have made one.
    let from_users = app.enc.from_users;
    app.enc = Enc::default();
    enter(app, from_users);
}

/// Asks for the region's keys when they are not loaded (or `force`).
pub(crate) fn load_kms_keys(app: &mut App, force: bool) -> Vec<Command> {
    let region = app.enc.draft.region.value().to_string();
    if validate_region(&region).is_err() {
        return Vec::new();
    }
    let loaded =
        matches!(&app.enc.keys, Some((r, Remote::Ready(_) | Remote::Loading)) if *r == region);
    if loaded && !force {
        return Vec::new();
    }
    if app
        .enc
        .draft
        .chosen
        .as_ref()
        .is_some_and(|k| arn_region(&k.arn) != region)
    {
        app.enc.draft.chosen = None;
    }
    let seq = app.next_seq();
    app.enc.keys_seq = seq;
    app.enc.keys = Some((region.clone(), Remote::Loading));
    app.enc.focus.keys.cursor = 0;
    vec![Command::Worker(Request::LoadKmsKeys { seq, region })]
}

pub(crate) fn on_kms_keys(
    app: &mut App,
    seq: u64,
    region: String,
    result: Result<Vec<KmsKey>, AwsError>,
) {
    if seq != app.enc.keys_seq {
        return;
    }
    let keys = Remote::from(result);
    if let (Remote::Ready(list), Some(chosen)) = (&keys, app.enc.draft.chosen.as_ref()) {
        // The key as KMS describes it now (its state may have changed), or none if it is gone.
        app.enc.draft.chosen = list.iter().find(|k| k.arn == chosen.arn).cloned();
    }
    // A region with no key to use starts on a new one, unless the admin chose.
    let none_usable =
        matches!(&keys, Remote::Ready(list) if list.iter().all(|k| k.refusal().is_some()));
    let shown = region.clone();
    app.enc.keys = Some((region, keys));
    let n = app.filtered_kms_keys().len();
    app.enc.focus.keys.cursor = app.enc.focus.keys.cursor.min(n.saturating_sub(1));
    let d = &mut app.enc.draft;
    if none_usable && !d.key_mode_chosen && d.key_mode == KeyMode::Existing {
        d.key_mode = KeyMode::New;
        if app.screen == Screen::EncKey {
            focus_item(app, Item::KeyMode);
            app.info(format!(
                "{shown} has no key you can use: a new key it is (←→ for an existing one)."
            ));
        }
    }
}

/// The heartbeat's part: checks the service account's names with AWS once typing rests on
/// Account.
pub(crate) fn tick(app: &mut App) -> Vec<Command> {
    let Some(due) = app.enc.name_check_due else {
        return Vec::new();
    };
    if app.screen != Screen::EncAccount {
        app.enc.name_check_due = None;
        return Vec::new();
    }
    if app.ticks < due {
        return Vec::new();
    }
    check_account_names(app)
}

/// Checks the service account's names that are not checked yet, now.
pub(crate) fn check_account_names(app: &mut App) -> Vec<Command> {
    app.enc.name_check_due = None;
    app.account_names()
        .into_iter()
        .filter_map(|(kind, name)| app.check_name(kind, name))
        .collect()
}

/// Checks the service account's names once the admin has rested on Account for a moment.
pub(crate) fn check_names_soon(app: &mut App) {
    app.enc.name_check_due = Some(app.ticks + crate::app::NAME_CHECK_DELAY);
}

/// Starts the creation from Review, after checking everything again.
pub(crate) fn start(app: &mut App) -> Vec<Command> {
    if let Err((screen, item, e)) = app.check_encryption() {
        app.screen = screen;
        focus_item(app, item);
        app.error(e);
        return Vec::new();
    }
    let spec = app.encryption_spec();
    let plan = spec.plan();
    let run = app.next_seq();
    app.creation = Some(Creation {
        run,
        started: app.ticks,
        groups: plan.iter().map(|(name, _)| name.clone()).collect(),
        steps: plan
            .into_iter()
            .map(|(_, steps)| {
                steps
                    .into_iter()
                    .map(|k| (k, StepStatus::Pending))
                    .collect()
            })
            .collect(),
        failure: None,
        grouped: true,
        verify: None,
    });
    app.screen = Screen::Creating;
    vec![Command::Worker(Request::CreateEncryption { run, spec })]
}

/// The worker's answer to the creation.
pub(crate) fn finish(app: &mut App, result: EncryptionResult) {
    let Some(creation) = app.creation.as_mut() else {
        return;
    };
    match result {
        EncryptionResult::Created(c) => {
            // A new key carries the alias the admin typed for it (see `encryption_spec`).
            let new_key = c.key_created.then(|| {
                let alias = app.enc.draft.alias.value();
                DiscardKey {
                    region: c.region.clone(),
                    key_arn: c.key_arn.clone(),
                    alias: (!alias.is_empty()).then(|| alias.to_string()),
                }
            });
            let docs = Documents {
                feature: c.feature,
                key_arn: c.key_arn.clone(),
                key_created: c.key_created,
                region: c.region,
                endpoint: c.endpoint,
                verification: c.verification,
                language: Language::Mongosh,
                scroll: 0,
            };
            match c.account {
                EncryptionAccount::User(user) => {
                    app.enc.made = Some(MadeByRun {
                        kind: "IAM user",
                        name: user.name.clone(),
                        key_arn: c.key_arn,
                        key_created: c.key_created,
                    });
                    app.created = vec![user.name.clone()];
                    let mut reveal = Reveal::new(vec![user], app.options.csv_dir.clone());
                    reveal.docs = Some(docs);
                    reveal.new_key = new_key;
                    app.reveal = Some(reveal);
                    app.screen = Screen::Reveal;
                }
                EncryptionAccount::Role(role) => {
                    app.enc.made = Some(MadeByRun {
                        kind: "IAM role",
                        name: role.name.clone(),
                        key_arn: c.key_arn,
                        key_created: c.key_created,
                    });
                    app.created = vec![role.name.clone()];
                    app.enc.role = Some(RoleResult {
                        role,
                        docs,
                        focus: Row::RoleArn,
                        copied: None,
                    });
                    app.screen = Screen::EncRole;
                }
            }
        }
        EncryptionResult::Failed {
            group,
            step,
            error,
            leftovers,
            key_deletion,
        } => {
            creation.failure = Some(Failure {
                user: group,
                step,
                error,
                leftovers,
                key_deletion,
            });
        }
    }
}
