//! The encryption set-up's new KMS key: its creation (finding and scheduling for deletion the keys
//! that lost attempts of a retried `CreateKey` made), and its removal when the run fails or its
//! user is discarded (`DeleteAlias`, then `ScheduleKeyDeletion`), with what is left and a
//! sentence saying what happened to the key.

use std::time::Instant;

use super::KEY_DELETION_DAYS;
use crate::aws::keys::RegionKms;
use crate::aws::shell::{arg, quote};
use crate::protocol::{AwsError, Leftover, StepKind, StepStatus};
use crate::worker::create::{Reporter, local_error};

/// A key made in this run, for the rollback.
pub(super) struct NewKey {
    pub(super) id: String,
    pub(super) arn: String,
    /// The alias name without `alias/`, once `CreateAlias` succeeded.
    pub(super) alias: Option<String>,
    /// Keys that earlier attempts of a retried `CreateKey` made, and what became of them.
    pub(super) strays: Strays,
}

/// Keys made by attempts of `CreateKey` whose answers were lost: KMS made each, the SDK retried,
/// and the retry made the key this run keeps. Each is scheduled for deletion, as the rollback
/// would a key of a failed run.
#[derive(Default)]
pub(super) struct Strays {
    /// What became of each, or that they could not be looked for, in sentences for the admin.
    pub(super) told: Vec<String>,
    /// The ones that could not be scheduled for deletion.
    pub(super) leftovers: Vec<Leftover>,
}

/// Adds what became of the stray keys of a failed run to its leftovers and to the sentence about
/// its key.
pub(super) fn tell_strays(strays: &Strays, leftovers: &mut Vec<Leftover>, sentence: &mut String) {
    for told in &strays.told {
        sentence.push(' ');
        sentence.push_str(told);
    }
    leftovers.extend(strays.leftovers.iter().cloned());
}

/// `CreateKey`: a symmetric encryption key with the account's default key policy (no `Policy`
/// parameter), so the service account gets no administrative rights on it. When the SDK retried
/// it, the keys earlier attempts made are found and scheduled for deletion (see [`Strays`]).
pub(super) async fn create_key(
    kms: &RegionKms,
    description: &str,
    tag_pairs: &[(String, String)],
) -> Result<NewKey, AwsError> {
    let started = Instant::now();
    let made = kms.create_key(description, tag_pairs).await?;
    let mut key = NewKey {
        arn: made.arn,
        id: made.id,
        alias: None,
        strays: Strays::default(),
    };
    if made.retried {
        // On KMS's clock: from a little before the first attempt started (the kept key's creation
        // date less the time the call took) until a little after the kept key was made.
        let window = made.created.map(|d| {
            let took = i64::try_from(started.elapsed().as_secs()).unwrap_or(i64::MAX);
            d.saturating_sub(took).saturating_sub(STRAY_SLACK_SECS)
                ..=d.saturating_add(STRAY_SLACK_SECS)
        });
        key.strays = remove_strays(kms, &key.id, description, tag_pairs, window).await;
    }
    Ok(key)
}

/// Seconds allowed, on KMS's clock, between starting the first `CreateKey` attempt and KMS
/// stamping the key that attempt made, and for the rounding of the stamps.
const STRAY_SLACK_SECS: i64 = 5;

/// Finds ([`RegionKms::find_strays`]) and schedules for deletion the keys that earlier attempts
/// of this run's `CreateKey` made (`kept` is the key its last attempt made), made within `made`
/// (seconds since the epoch, on KMS's clock).
async fn remove_strays(
    kms: &RegionKms,
    kept: &str,
    description: &str,
    tags: &[(String, String)],
    made: Option<std::ops::RangeInclusive<i64>>,
) -> Strays {
    let region = kms.region();
    let mut strays = Strays::default();
    let found = match made {
        Some(made) => kms.find_strays(kept, description, tags, &made).await,
        None => Err(local_error(
            StepKind::CreateKey.operation(),
            "KMS gave the new key no creation date",
        )),
    };
    let found = match found {
        Ok(found) => found,
        Err(e) => {
            strays.told.push(format!(
                "KMS answered CreateKey only after a retry, and a key an earlier attempt may have \
                 made could not be looked for ({} on {}): look in {region} for a key described \
                 \"{description}\" without an alias, and schedule its deletion.",
                e.code, e.operation
            ));
            return strays;
        }
    };
    for id in found {
        match kms.schedule_deletion(&id, KEY_DELETION_DAYS).await {
            Ok(_) => strays.told.push(format!(
                "KMS answered CreateKey only after a retry, and the attempt whose answer was lost \
                 had made KMS key {id} too: it is scheduled for deletion in {KEY_DELETION_DAYS} \
                 days ({} keeps it).",
                cancel_command(&id, region)
            )),
            Err(e) => {
                strays.told.push(format!(
                    "KMS answered CreateKey only after a retry, and the attempt whose answer was \
                     lost had made KMS key {id} too; it could not be scheduled for deletion ({}): \
                     it is listed as left.",
                    e.code
                ));
                strays.leftovers.push(key_left(&id, region));
            }
        }
    }
    strays
}

/// The AWS CLI command that cancels the deletion of key `id`.
fn cancel_command(id: &str, region: &str) -> String {
    format!(
        "aws kms cancel-key-deletion{}{}",
        arg("--key-id", id),
        arg("--region", region)
    )
}

/// Key `id`, left: with the AWS CLI command that schedules its deletion.
fn key_left(id: &str, region: &str) -> Leftover {
    Leftover {
        what: format!("KMS key {id} in {region}"),
        command: format!(
            "aws kms schedule-key-deletion{} --pending-window-in-days {KEY_DELETION_DAYS}{}",
            arg("--key-id", id),
            arg("--region", region)
        ),
    }
}

/// Undoes a key made in this run (group 0) with [`remove_key`], reporting each step's status.
pub(super) async fn undo_key(
    kms: &RegionKms,
    key: &NewKey,
    report: &Reporter<'_>,
) -> (Vec<Leftover>, String) {
    remove_key(
        kms,
        &key.id,
        &key.arn,
        key.alias.as_deref(),
        |index, status| report.status(0, index, status),
    )
    .await
}

/// Removes a key made in this run, for the rollback of a failed run and for the discard of its
/// user: `DeleteAlias` (when `alias`, the name without `alias/`, is given), then
/// `ScheduleKeyDeletion` after [`KEY_DELETION_DAYS`]. A retried call that meets its own lost
/// attempt's success counts as done. `status` hears each step's status by its index in the plan's
/// key group (0: the key, 1: the alias). Returns what could not be removed (with the command that
/// removes it) and a sentence saying what happened to the key.
pub(in crate::worker) async fn remove_key(
    kms: &RegionKms,
    id: &str,
    arn: &str,
    alias: Option<&str>,
    status: impl Fn(usize, StepStatus),
) -> (Vec<Leftover>, String) {
    let region = kms.region();
    let mut leftovers = Vec::new();
    if let Some(alias) = alias {
        status(1, StepStatus::Undoing);
        match kms.delete_alias(alias).await {
            Ok(()) => status(1, StepStatus::Undone),
            Err(e) => {
                status(1, StepStatus::UndoFailed(e));
                leftovers.push(Leftover {
                    what: format!("alias alias/{alias} of KMS key {id}"),
                    command: format!(
                        "aws kms delete-alias --alias-name {}{}",
                        quote(&format!("alias/{alias}")),
                        arg("--region", region)
                    ),
                });
            }
        }
    }
    status(0, StepStatus::Undoing);
    let sentence = match kms.schedule_deletion(id, KEY_DELETION_DAYS).await {
        Ok(date) => {
            status(0, StepStatus::Undone);
            let when = date
                .map(|d| format!("on {} UTC", d.replace('T', " ").get(..16).unwrap_or(&d)))
                .unwrap_or_else(|| format!("in {KEY_DELETION_DAYS} days"));
            format!(
                "KMS key {id} ({arn}) is scheduled for deletion {when} ({KEY_DELETION_DAYS} \
                 days); to keep it, cancel with: {}",
                cancel_command(id, region)
            )
        }
        Err(e) => {
            let sentence = format!(
                "KMS key {id} ({arn}) could not be scheduled for deletion ({}): it is listed as \
                 left.",
                e.code
            );
            status(0, StepStatus::UndoFailed(e));
            leftovers.push(key_left(id, region));
            sentence
        }
    };
    (leftovers, sentence)
}
