//! The guided service account for MongoDB CSFLE and Queryable Encryption: the KMS key (created, or
//! one that exists), an IAM user (through the user-creation engine) or a role carrying the one
//! inline policy, and a check that the new access key can wrap and unwrap a data key.
//!
//! Before anything is made, every name the run would take (the new key's alias, the user or the
//! role and its instance profile) is checked free, all at once: a taken name fails the run with
//! nothing made, rather than after a key was created only to be scheduled for deletion again.
//!
//! All of it is made, or (after a rollback) none of it: a key created in this run is scheduled for
//! deletion after the account part is undone. A failed check does not roll back: the user is as
//! asked, and the result says what failed.
//!
//! The sections: `preflight` (the names), `key` (the new KMS key and its removal), `role`
//! (the role variant) and `verify` (the check); this module runs them in order.

mod key;
mod preflight;
mod role;
mod verify;

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::create::Reporter;
use crate::aws::Clients;
use crate::aws::keys::RegionKms;
use crate::aws::mark::RunMark;
use crate::protocol::{
    CreationResult, EncryptionAccount, EncryptionCreated, EncryptionResult, EncryptionSpec, Event,
    KeyChoice, ServiceAccount, StepKind, StepStatus, Verification,
};
pub(super) use key::remove_key;
use key::{create_key, tell_strays, undo_key};
use preflight::preflight;
pub use role::trust_policy_document;
use role::{RoleSpec, create_role};
pub use verify::verify;

/// How long the worker keeps retrying the check with a new access key.
pub const VERIFY_BUDGET: Duration = Duration::from_secs(60);

/// How many days a key made in a failed run waits before KMS deletes it: the minimum KMS allows.
pub const KEY_DELETION_DAYS: i32 = 7;

/// Creates what `spec` describes, streaming each step's status as [`Event::Step`] (group and step
/// as in [`EncryptionSpec::plan`]) and each wait of the check as [`Event::VerifyWaiting`].
pub async fn create(
    c: &Clients,
    run: u64,
    spec: EncryptionSpec,
    events: &UnboundedSender<Event>,
) -> EncryptionResult {
    let groups = spec.plan();
    let report = Reporter {
        run,
        events,
        first_group: 0,
    };
    let kms = RegionKms::new(c, &spec.region);
    let skip_from = |first: usize| {
        for (g, (_, steps)) in groups.iter().enumerate().skip(first) {
            for i in 0..steps.len() {
                report.status(g, i, StepStatus::Skipped);
            }
        }
    };
    let failed =
        |group: usize, step: StepKind, error, leftovers, key_deletion| EncryptionResult::Failed {
            group: groups[group].0.clone(),
            step,
            error,
            leftovers,
            key_deletion,
        };

    // Every name this run would take must be free before anything is made.
    let clashes = preflight(c, &kms, &spec, &groups).await;
    if let Some(first) = clashes.first() {
        for (g, (_, steps)) in groups.iter().enumerate() {
            for i in 0..steps.len() {
                let status = match clashes.iter().find(|x| (x.group, x.index) == (g, i)) {
                    Some(clash) => StepStatus::Failed(clash.error.clone()),
                    None => StepStatus::Skipped,
                };
                report.status(g, i, status);
            }
        }
        let mut error = first.error.clone();
        for other in &clashes[1..] {
            error.message.push_str(" Also: ");
            error.message.push_str(&other.error.message);
        }
        return failed(first.group, first.step.clone(), error, Vec::new(), None);
    }

    // What this run makes carries its mark (see `crate::aws::mark`).
    let mark = RunMark::draw();

    // The key: the one chosen, or a new one with its alias (group 0).
    let (key_arn, new_key, account_group) = match &spec.key {
        KeyChoice::Existing(key) => (key.arn.clone(), None, 0),
        KeyChoice::New {
            alias,
            description,
            tags,
        } => {
            report.status(0, 0, StepStatus::Running);
            let mut tags = tags.clone();
            tags.push(mark.pair());
            let mut key = match create_key(&kms, description, &tags).await {
                Ok(key) => key,
                Err(e) => {
                    report.status(0, 0, StepStatus::Failed(e.clone()));
                    report.status(0, 1, StepStatus::Skipped);
                    skip_from(1);
                    return failed(0, StepKind::CreateKey, e, Vec::new(), None);
                }
            };
            report.status(0, 0, StepStatus::Done);
            report.status(0, 1, StepStatus::Running);
            if let Err(e) = kms.create_alias(alias, &key.id).await {
                report.status(0, 1, StepStatus::Failed(e.clone()));
                skip_from(1);
                let (mut leftovers, mut deletion) = undo_key(&kms, &key, &report).await;
                tell_strays(&key.strays, &mut leftovers, &mut deletion);
                return failed(
                    0,
                    StepKind::CreateAlias(alias.clone()),
                    e,
                    leftovers,
                    Some(deletion),
                );
            }
            report.status(0, 1, StepStatus::Done);
            key.alias = Some(alias.clone());
            (key.arn.clone(), Some(key), 1)
        }
    };

    // The service account, then (for a user) the check with its new access key.
    let outcome = match &spec.account {
        ServiceAccount::User { .. } => {
            let user = spec
                .user_spec(&key_arn)
                .expect("a user spec for a user account");
            match super::create::create_users_at(c, run, vec![user], events, account_group, &mark)
                .await
            {
                CreationResult::Created(mut users) => {
                    let user = users.pop().expect("one user for one spec");
                    let check = account_group + 1;
                    report.status(check, 0, StepStatus::Running);
                    let verification = match &user.access_key {
                        Some(key) => {
                            let as_user = c.connect_as_key(key, &spec.region).await;
                            verify(&as_user, &key_arn, VERIFY_BUDGET, |attempt, waited, e| {
                                let _ = events.send(Event::VerifyWaiting {
                                    run,
                                    attempt,
                                    waited_secs: waited,
                                    error: e.clone(),
                                });
                            })
                            .await
                        }
                        None => Verification::NotRun(
                            "the user has no access key to check with".to_string(),
                        ),
                    };
                    report.status(
                        check,
                        0,
                        match &verification {
                            Verification::Failed { error, .. } => StepStatus::Failed(error.clone()),
                            _ => StepStatus::Done,
                        },
                    );
                    Ok((EncryptionAccount::User(user), verification))
                }
                CreationResult::Failed {
                    user: _,
                    step,
                    error,
                    leftovers,
                } => {
                    skip_from(account_group + 1);
                    Err((step, error, leftovers))
                }
            }
        }
        ServiceAccount::Role {
            name,
            tags,
            trusted,
        } => {
            let role = RoleSpec {
                name,
                tags,
                trusted,
                policy_name: &spec.policy_name,
                key_arn: &key_arn,
                mark: &mark,
            };
            create_role(c, &role, &groups[account_group].1, &report, account_group)
                .await
                .map(|role| {
                    (
                        EncryptionAccount::Role(role),
                        Verification::NotRun(
                            "a role's credentials are issued to what assumes it, not to iamwiz; \
                             the driver fetches them itself"
                                .to_string(),
                        ),
                    )
                })
        }
    };

    match outcome {
        Ok((account, verification)) => {
            // The success screen has no place for them yet: they go to the log (`--log`).
            for told in new_key.iter().flat_map(|k| &k.strays.told) {
                tracing::warn!(stray = %told, "CreateKey was retried");
            }
            for left in new_key.iter().flat_map(|k| &k.strays.leftovers) {
                tracing::warn!(what = %left.what, command = %left.command, "left in the account");
            }
            EncryptionResult::Created(EncryptionCreated {
                feature: spec.feature,
                key_arn,
                key_created: new_key.is_some(),
                region: spec.region.clone(),
                endpoint: c.endpoint_url.clone(),
                account,
                verification,
            })
        }
        Err((step, error, mut leftovers)) => {
            let mut key_deletion = None;
            if let Some(key) = &new_key {
                let (left, mut deletion) = undo_key(&kms, key, &report).await;
                leftovers.extend(left);
                tell_strays(&key.strays, &mut leftovers, &mut deletion);
                key_deletion = Some(deletion);
            }
            failed(account_group, step, error, leftovers, key_deletion)
        }
    }
}
