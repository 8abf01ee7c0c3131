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

use std::time::{Duration, Instant};

use futures::future::OptionFuture;
use serde_json::json;
use tokio::sync::mpsc::UnboundedSender;

use super::plan::{Made, Reporter, local_error};
use crate::aws::keys::{RegionKms, round_trip};
use crate::aws::mark::RunMark;
use crate::aws::shell::{arg, quote};
use crate::aws::{Clients, lookup, roles};
use crate::protocol::{
    AwsError, CreatedRole, CreationResult, EncryptionAccount, EncryptionCreated, EncryptionResult,
    EncryptionSpec, Event, KeyChoice, Leftover, ServiceAccount, StepKind, StepStatus,
    TrustedPrincipal, Verification, kms_policy_document,
};

/// How long the worker keeps retrying the check with a new access key.
pub const VERIFY_BUDGET: Duration = Duration::from_secs(60);

/// How many days a key made in a failed run waits before KMS deletes it: the minimum KMS allows.
pub const KEY_DELETION_DAYS: i32 = 7;

/// A key made in this run, for the rollback.
struct NewKey {
    id: String,
    arn: String,
    /// The alias name without `alias/`, once `CreateAlias` succeeded.
    alias: Option<String>,
    /// Keys that earlier attempts of a retried `CreateKey` made, and what became of them.
    strays: Strays,
}

/// Keys made by attempts of `CreateKey` whose answers were lost: KMS made each, the SDK retried,
/// and the retry made the key this run keeps. Each is scheduled for deletion, as the rollback
/// would a key of a failed run.
#[derive(Default)]
struct Strays {
    /// What became of each, or that they could not be looked for, in sentences for the admin.
    told: Vec<String>,
    /// The ones that could not be scheduled for deletion.
    leftovers: Vec<Leftover>,
}

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

    // What this run makes carries its mark (see `super::mark`).
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
            match super::plan::create_users_at(c, run, vec![user], events, account_group, &mark)
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

/// A name this run would create that is already taken, found before anything is made: the step
/// that would have failed on it (its group and index in the plan), and why.
struct Clash {
    group: usize,
    index: usize,
    step: StepKind,
    error: AwsError,
}

/// Checks, all at once and before anything is made, that every name this run would create is
/// free: a new key's alias in the key's region (`DescribeKey` of `alias/NAME`: `NotFoundException`
/// means free), the user (`GetUser`) or the role (`GetRole`) and, for a role trusted by EC2, its
/// instance profile (`GetInstanceProfile`; `NoSuchEntity` means free). Returns the names that are
/// taken, in plan order, each as the error its creating step would have met.
///
/// A check that fails for any other reason (the admin may not call it, throttling, the network)
/// counts as free: the check only spares a key made and deleted again, and the creating call
/// still refuses a taken name itself, which fails the run and undoes what was made as it did
/// before the check existed. Only the operation and the code of such an error are logged.
async fn preflight(
    c: &Clients,
    kms: &RegionKms,
    spec: &EncryptionSpec,
    groups: &[(String, Vec<StepKind>)],
) -> Vec<Clash> {
    let region = spec.region.as_str();
    // A check not answered counts as free (see above): the creating call still refuses a taken
    // name, and the rollback undoes what was made.
    let unchecked = |e: AwsError| {
        tracing::debug!(
            operation = %e.operation,
            code = %e.code,
            "name check not answered; creating anyway"
        );
        None
    };
    let created = |h: &lookup::Holder| {
        h.created
            .as_deref()
            .map(|d| format!(", created {d}"))
            .unwrap_or_default()
    };

    let alias = OptionFuture::from(match &spec.key {
        KeyChoice::New { alias, .. } => Some(async move {
            match kms.alias_target(alias).await {
                Ok(Some(key)) => Some(taken(
                    StepKind::CreateAlias(alias.clone()),
                    "AlreadyExistsException",
                    format!("alias/{alias} already exists in {region}: it names KMS key {key}."),
                    "iamwiz never moves an alias that exists: choose another alias, or \
                     choose the key it names as an existing key.",
                    2,
                )),
                Ok(None) => None,
                Err(e) => unchecked(e),
            }
        }),
        KeyChoice::Existing(_) => None,
    });

    let (user, role, profile) = match &spec.account {
        ServiceAccount::User { name, .. } => (Some(name.as_str()), None, None),
        ServiceAccount::Role { name, trusted, .. } => (
            None,
            Some(name.as_str()),
            (*trusted == TrustedPrincipal::Ec2).then_some(name.as_str()),
        ),
    };
    let user = OptionFuture::from(user.map(|name| async move {
        match lookup::user(c, name).await {
            Ok(Some(u)) => Some(taken(
                StepKind::CreateUser,
                "EntityAlreadyExists",
                format!(
                    "User {} already exists in this account ({}{}).",
                    u.name,
                    u.arn,
                    created(&u)
                ),
                "iamwiz never changes a user that exists: choose another user name.",
                3,
            )),
            Ok(None) => None,
            Err(e) => unchecked(e),
        }
    }));
    let role = OptionFuture::from(role.map(|name| async move {
        match lookup::role(c, name).await {
            Ok(Some(r)) => Some(taken(
                StepKind::CreateRole,
                "EntityAlreadyExists",
                format!(
                    "Role {} already exists in this account ({}{}).",
                    r.name,
                    r.arn,
                    created(&r)
                ),
                "iamwiz never changes a role that exists: choose another role name.",
                3,
            )),
            Ok(None) => None,
            Err(e) => unchecked(e),
        }
    }));
    let profile = OptionFuture::from(profile.map(|name| async move {
        match lookup::instance_profile(c, name).await {
            Ok(Some(p)) => {
                let holding = match p.roles.as_slice() {
                    [] => "no role".to_string(),
                    roles => format!("role {}", roles.join(", ")),
                };
                Some(taken(
                    StepKind::CreateInstanceProfile,
                    "EntityAlreadyExists",
                    format!(
                        "Instance profile {name} already exists in this account ({}{}), \
                         holding {holding}; a role trusted by EC2 gets an instance profile of its \
                         own name.",
                        p.arn,
                        created(&p)
                    ),
                    &format!(
                        "Choose another role name, or, if nothing uses the instance profile, \
                         delete it (aws iam delete-instance-profile{}).",
                        arg("--instance-profile-name", name)
                    ),
                    3,
                ))
            }
            Ok(None) => None,
            Err(e) => unchecked(e),
        }
    }));

    let (alias, user, role, profile) = tokio::join!(alias, user, role, profile);
    [alias, user, role, profile]
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|(step, error)| {
            let (group, index) = groups.iter().enumerate().find_map(|(g, (_, steps))| {
                steps.iter().position(|s| *s == step).map(|i| (g, i))
            })?;
            Some(Clash {
                group,
                index,
                step,
                error,
            })
        })
        .collect()
}

/// The error `step` would meet on a name that is taken, with `hint` and the way back to the step
/// of the wizard that names it (`screen`, the key Review opens it with).
fn taken(
    step: StepKind,
    code: &str,
    message: String,
    hint: &str,
    screen: u8,
) -> (StepKind, AwsError) {
    let error = AwsError {
        operation: step.operation().to_string(),
        code: code.to_string(),
        message,
        hint: format!(
            "{hint} Esc goes back to Review, where {screen} opens the step that names it."
        ),
    };
    (step, error)
}

/// Adds what became of the stray keys of a failed run to its leftovers and to the sentence about
/// its key.
fn tell_strays(strays: &Strays, leftovers: &mut Vec<Leftover>, sentence: &mut String) {
    for told in &strays.told {
        sentence.push(' ');
        sentence.push_str(told);
    }
    leftovers.extend(strays.leftovers.iter().cloned());
}

/// `CreateKey`: a symmetric encryption key with the account's default key policy (no `Policy`
/// parameter), so the service account gets no administrative rights on it. When the SDK retried
/// it, the keys earlier attempts made are found and scheduled for deletion (see [`Strays`]).
async fn create_key(
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
async fn undo_key(kms: &RegionKms, key: &NewKey, report: &Reporter<'_>) -> (Vec<Leftover>, String) {
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
pub(super) async fn remove_key(
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

/// The role variant's choices.
struct RoleSpec<'a> {
    name: &'a str,
    tags: &'a [(String, String)],
    trusted: &'a TrustedPrincipal,
    policy_name: &'a str,
    key_arn: &'a str,
    mark: &'a RunMark,
}

/// The trust policy of the production role: `trusted` may `sts:AssumeRole` it. A service is a
/// `Service` principal; a 12-digit account ID becomes that account's root ARN in `partition`
/// (`aws`, `aws-cn`, `aws-us-gov`), and an ARN is used as it is.
pub fn trust_policy_document(trusted: &TrustedPrincipal, partition: &str) -> String {
    let principal = match trusted {
        TrustedPrincipal::Ec2 => json!({"Service": "ec2.amazonaws.com"}),
        TrustedPrincipal::EcsTasks => json!({"Service": "ecs-tasks.amazonaws.com"}),
        TrustedPrincipal::Lambda => json!({"Service": "lambda.amazonaws.com"}),
        TrustedPrincipal::Arn(who) => {
            let who = who.trim();
            if who.len() == 12 && who.bytes().all(|b| b.is_ascii_digit()) {
                json!({"AWS": format!("arn:{partition}:iam::{who}:root")})
            } else {
                json!({"AWS": who})
            }
        }
    };
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": principal,
            "Action": "sts:AssumeRole",
        }],
    })
    .to_string()
}

/// The partition of an ARN (`arn:aws:kms:…` → `aws`).
fn partition(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

/// Creates the role (`CreateRole`), then at once its policy (`PutRolePolicy`) and, for EC2, its
/// instance profile (`CreateInstanceProfile`, then `AddRoleToInstanceProfile`). On a failure, what
/// was made is undone in the order IAM requires before `DeleteRole` succeeds.
async fn create_role(
    c: &Clients,
    role: &RoleSpec<'_>,
    steps: &[StepKind],
    report: &Reporter<'_>,
    g: usize,
) -> Result<CreatedRole, (StepKind, AwsError, Vec<Leftover>)> {
    let name = role.name;
    let index = |kind: &StepKind| steps.iter().position(|s| s == kind);
    let tracked = |i: usize, result: Result<(), AwsError>| {
        report.status(
            g,
            i,
            match &result {
                Ok(()) => StepStatus::Done,
                Err(e) => StepStatus::Failed(e.clone()),
            },
        );
        result
    };

    report.status(g, 0, StepStatus::Running);
    let created = roles::create_role(
        c,
        name,
        trust_policy_document(role.trusted, partition(role.key_arn)),
        role.tags,
        role.mark,
    )
    .await;
    let arn = match created {
        Ok(arn) => {
            report.status(g, 0, StepStatus::Done);
            arn
        }
        Err(e) => {
            report.status(g, 0, StepStatus::Failed(e.clone()));
            for i in 1..steps.len() {
                report.status(g, i, StepStatus::Skipped);
            }
            return Err((StepKind::CreateRole, e, Vec::new()));
        }
    };

    let policy_step = StepKind::PutRolePolicy(role.policy_name.to_string());
    let policy_index = index(&policy_step).expect("the plan puts the role's policy");
    let put_policy = async {
        report.status(g, policy_index, StepStatus::Running);
        let put =
            roles::put_role_policy(c, name, role.policy_name, kms_policy_document(role.key_arn))
                .await;
        vec![(policy_index, tracked(policy_index, put))]
    };
    let profile_steps =
        index(&StepKind::CreateInstanceProfile).zip(index(&StepKind::AddRoleToInstanceProfile));
    let instance_profile = OptionFuture::from(profile_steps.map(|(p, a)| async move {
        report.status(g, p, StepStatus::Running);
        let made = roles::create_instance_profile(c, name, role.mark).await;
        if let Err(e) = tracked(p, made) {
            report.status(g, a, StepStatus::Skipped);
            return vec![(p, Err(e))];
        }
        report.status(g, a, StepStatus::Running);
        let added = roles::add_role_to_instance_profile(c, name).await;
        vec![(p, Ok(())), (a, tracked(a, added))]
    }));
    let (mut results, profile) = tokio::join!(put_policy, instance_profile);
    results.extend(profile.unwrap_or_default());

    let mut made: Vec<(usize, Made)> = vec![(0, Made::Nothing)];
    // The first failure in plan order, so the report does not depend on timing.
    let mut first_failure: Option<(usize, AwsError)> = None;
    for (i, result) in results {
        match result {
            Ok(()) => made.push((i, Made::Nothing)),
            Err(e) if first_failure.as_ref().is_none_or(|(f, _)| i < *f) => {
                first_failure = Some((i, e));
            }
            Err(_) => {}
        }
    }
    match first_failure {
        None => Ok(CreatedRole {
            name: name.to_string(),
            arn,
            instance_profile: profile_steps.map(|_| name.to_string()),
        }),
        Some((i, error)) => {
            let leftovers = super::teardown::rollback(c, name, g, steps, made, report).await;
            Err((steps[i].clone(), error, leftovers))
        }
    }
}

/// Wraps and unwraps a random data key with `key_arn` (`Encrypt`, then `Decrypt` of the
/// ciphertext), as a MongoDB driver does, signed as `as_user`. Retries what a new access key
/// answers before it is usable everywhere (`UnrecognizedClientException`,
/// `InvalidSignatureException`, `AccessDeniedException`, throttling) with a bounded backoff
/// (1, 2, 4, then 5 s) while the next attempt would start within `budget`, calling `waiting` with
/// the attempt that failed, the seconds waited so far and the error before each wait. Any other
/// error fails at once.
pub async fn verify(
    as_user: &Clients,
    key_arn: &str,
    budget: Duration,
    waiting: impl Fn(u32, u64, &AwsError),
) -> Verification {
    let start = Instant::now();
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let error = match round_trip(as_user, key_arn).await {
            Ok(()) => {
                return Verification::Verified {
                    attempts,
                    seconds: start.elapsed().as_secs(),
                };
            }
            Err(e) => e,
        };
        let waited = start.elapsed();
        let delay = Duration::from_secs(match attempts {
            1 => 1,
            2 => 2,
            3 => 4,
            _ => 5,
        });
        if !waits_mend(&error.code) || waited + delay > budget {
            return Verification::Failed {
                attempts,
                seconds: waited.as_secs(),
                error,
            };
        }
        waiting(attempts, waited.as_secs(), &error);
        tokio::time::sleep(delay).await;
    }
}

/// Errors a new access key gives until IAM has propagated it (or KMS is busy).
fn waits_mend(code: &str) -> bool {
    matches!(
        code,
        "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "InvalidSignatureException"
            | "AccessDeniedException"
            | "AccessDenied"
            | "ThrottlingException"
            | "Throttling"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_id_becomes_the_root_of_that_account_in_the_key_s_partition() {
        let doc = trust_policy_document(&TrustedPrincipal::Arn(" 123456789012 ".into()), "aws-cn");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&doc).unwrap(),
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws-cn:iam::123456789012:root"},
                    "Action": "sts:AssumeRole",
                }],
            })
        );
        assert_eq!(
            partition("arn:aws-us-gov:kms:us-gov-west-1:1:key/x"),
            "aws-us-gov"
        );
        assert_eq!(partition("not an arn"), "aws");
    }
}
