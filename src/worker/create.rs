//! Creating users: `CreateUser` (carrying tags and boundary), then everything else at once, and
//! on any failure a rollback (`super::teardown::rollback`) in the order IAM requires before
//! `DeleteUser` succeeds. Each step's call, with its lost-answer check, is in
//! [`crate::aws::users`].
//!
//! A batch that attaches the policy requiring MFA first finds or creates it, once for the run
//! ([`crate::aws::mfa::ensure_policy`]): a policy of that name that says something else fails
//! the run before any user exists. The rollback deletes the policy only when this run made it,
//! after every user it was attached to.

use std::future::Future;
use std::sync::{Arc, Mutex};

use futures::future::join_all;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use super::password;
use super::teardown::rollback;
pub(super) use crate::aws::local_error;
use crate::aws::mark::RunMark;
use crate::aws::mfa::{self, PolicyFound};
use crate::aws::{Clients, access_keys, users};
use crate::keys::proof::{Proof, prove_as};
use crate::model::mfa_policy::require_mfa_policy;
use crate::protocol::{
    AccessKeyPair, AwsError, CreatedUser, CreationResult, Event, KeyProof, Leftover,
    PasswordSource, StepKind, StepStatus, UserSpec, run_steps, sign_in_url,
};
use crate::secret::Secret;

/// What a finished step produced that the rollback or the reveal needs.
pub(super) enum Made {
    Nothing,
    User {
        arn: String,
    },
    AccessKey(AccessKeyPair),
    Password(Secret),
    /// The policy that requires MFA, and whether this run made it.
    Policy {
        arn: String,
        created: bool,
    },
}

/// Sends the status of steps as [`Event::Step`]s; `first_group` is added to every group index, so
/// that a batch can be one group among others (the encryption set-up's key comes before its user).
pub(super) struct Reporter<'a> {
    pub(super) run: u64,
    pub(super) events: &'a UnboundedSender<Event>,
    pub(super) first_group: usize,
}

impl Reporter<'_> {
    pub(super) fn status(&self, user: usize, index: usize, status: StepStatus) {
        let _ = self.events.send(Event::Step {
            run: self.run,
            user: self.first_group + user,
            index,
            status,
        });
    }

    /// The run made the require-MFA policy `arn` (see [`Event::PolicyCreated`]).
    pub(super) fn policy_created(&self, arn: &str) {
        let _ = self.events.send(Event::PolicyCreated {
            run: self.run,
            arn: arn.to_string(),
        });
    }
}

/// Runs one step of user `user`, reporting it as running and then done or failed.
async fn tracked(
    c: &Clients,
    report: &Reporter<'_>,
    user: usize,
    index: usize,
    spec: &UserSpec,
    kind: &StepKind,
    mark: &RunMark,
) -> Result<Made, AwsError> {
    report.status(user, index, StepStatus::Running);
    let result = run_step(c, spec, kind, mark).await;
    report.status(
        user,
        index,
        match &result {
            Ok(_) => StepStatus::Done,
            Err(e) => StepStatus::Failed(e.clone()),
        },
    );
    result
}

/// Creates the users `specs` describe, streaming each step's status: every `CreateUser` at once,
/// then every other step of every user at once. If any step fails, everything made for the whole
/// batch is undone, so a batch is created whole or not at all.
pub async fn create_users(
    c: &Clients,
    run: u64,
    specs: Vec<UserSpec>,
    events: &UnboundedSender<Event>,
) -> CreationResult {
    create_users_at(c, run, specs, events, 0, &RunMark::draw()).await
}

/// [`create_users`], reporting user `u`'s steps as group `first_group + u`.
pub async fn create_users_at(
    c: &Clients,
    run: u64,
    specs: Vec<UserSpec>,
    events: &UnboundedSender<Event>,
    first_group: usize,
    mark: &RunMark,
) -> CreationResult {
    let steps: Vec<Vec<StepKind>> = run_steps(&specs);
    // Where each user's `CreateUser` is: first, after the run's own step in the first list.
    let create_at: Vec<usize> = steps
        .iter()
        .map(|kinds| {
            kinds
                .iter()
                .position(|k| *k == StepKind::CreateUser)
                .unwrap_or(0)
        })
        .collect();
    let report = Reporter {
        run,
        events,
        first_group,
    };
    // The alias names the console sign-in URL: it is read alongside the whole creation, so it
    // holds up neither wave (without it, or without permission to read it, the account ID
    // serves).
    let creation = async {
        let mut made: Vec<Vec<(usize, Made)>> = specs.iter().map(|_| Vec::new()).collect();
        // The first failure, by user and then step, so the report does not depend on timing.
        let mut first_failure: Option<(usize, usize, AwsError)> = None;
        let fail =
            |first: &mut Option<(usize, usize, AwsError)>, u: usize, i: usize, e: AwsError| {
                if first.as_ref().is_none_or(|(fu, fi, _)| (u, i) < (*fu, *fi)) {
                    *first = Some((u, i, e));
                }
            };

        // The run's own step (the policy every user gets), before any user exists.
        let run_own = steps.first().map_or(&[][..], |s| &s[..create_at[0]]);
        for (i, kind) in run_own.iter().enumerate() {
            match tracked(c, &report, 0, i, &specs[0], kind, mark).await {
                Ok(m) => {
                    if let Made::Policy { arn, created: true } = &m {
                        report.policy_created(arn);
                    }
                    made[0].push((i, m))
                }
                Err(e) => {
                    fail(&mut first_failure, 0, i, e);
                    break;
                }
            }
        }

        let users = if first_failure.is_none() {
            join_all(specs.iter().enumerate().map(|(u, spec)| {
                tracked(
                    c,
                    &report,
                    u,
                    create_at[u],
                    spec,
                    &StepKind::CreateUser,
                    mark,
                )
            }))
            .await
        } else {
            Vec::new()
        };
        for (u, result) in users.into_iter().enumerate() {
            match result {
                Ok(m) => made[u].push((create_at[u], m)),
                Err(e) => fail(&mut first_failure, u, create_at[u], e),
            }
        }

        if first_failure.is_none() {
            let rest =
                join_all(steps.iter().enumerate().flat_map(|(u, kinds)| {
                    let (report, spec) = (&report, &specs[u]);
                    kinds.iter().enumerate().skip(create_at[u] + 1).map(
                        move |(i, kind)| async move {
                            (u, i, tracked(c, report, u, i, spec, kind, mark).await)
                        },
                    )
                }))
                .await;
            for (u, i, result) in rest {
                match result {
                    Ok(m) => made[u].push((i, m)),
                    Err(e) => fail(&mut first_failure, u, i, e),
                }
            }
        } else {
            for (u, kinds) in steps.iter().enumerate() {
                for i in 0..kinds.len() {
                    let sent = made[u].iter().any(|(j, _)| *j == i)
                        || first_failure
                            .as_ref()
                            .is_some_and(|(fu, fi, _)| (*fu, *fi) == (u, i));
                    if !sent {
                        report.status(u, i, StepStatus::Skipped);
                    }
                }
            }
        }
        (made, first_failure)
    };
    let ((made, first_failure), alias) = tokio::join!(creation, crate::aws::iam::account_alias(c));
    let alias = alias.ok().flatten();

    if let Some((u, i, error)) = first_failure {
        // The undo has a deadline of its own: a creation that spent its time waiting out
        // throttling is still undone as patiently.
        let undo_deadline = tokio::time::Instant::now() + c.settings.run_timeout();
        // The policy goes last, once no user holds it.
        let mut made = made;
        let policy: Vec<(usize, Made)> = match made.first_mut() {
            Some(first) => {
                let (policy, rest) = std::mem::take(first)
                    .into_iter()
                    .partition(|(_, m)| matches!(m, Made::Policy { .. }));
                *first = rest;
                policy
            }
            None => Vec::new(),
        };
        let undo = async {
            let mut leftovers = join_all(
                made.into_iter()
                    .enumerate()
                    .map(|(v, m)| rollback(c, &specs[v].name, v, &steps[v], m, &report)),
            )
            .await
            .concat();
            leftovers.extend(undo_policy(c, &steps[0], policy, &leftovers, &report).await);
            leftovers
        };
        let leftovers = crate::aws::rate::until(undo_deadline, undo).await;
        return CreationResult::Failed {
            user: specs[u].name.clone(),
            step: steps[u][i].clone(),
            error,
            leftovers,
        };
    }

    let created = specs
        .iter()
        .zip(made)
        .map(|(spec, made)| {
            let mut user = CreatedUser {
                name: spec.name.clone(),
                arn: String::new(),
                sign_in_url: String::new(),
                access_key: None,
                password: None,
                require_reset: spec.login.as_ref().is_some_and(|l| l.require_reset),
            };
            for (_, m) in made {
                match m {
                    Made::User { arn } => {
                        let account = arn.split(':').nth(4).unwrap_or_default();
                        user.sign_in_url = sign_in_url(account, alias.as_deref());
                        user.arn = arn;
                    }
                    Made::AccessKey(key) => user.access_key = Some(key),
                    Made::Password(p) => user.password = Some(p),
                    Made::Nothing | Made::Policy { .. } => {}
                }
            }
            user
        })
        .collect();
    CreationResult::Created(created)
}

/// Undoes the run's require-MFA policy (group 0's `steps`) if this run made it: deleted, unless a
/// user it was attached to is among `left` (IAM refuses to delete an attached policy).
async fn undo_policy(
    c: &Clients,
    steps: &[StepKind],
    policy: Vec<(usize, Made)>,
    left: &[Leftover],
    report: &Reporter<'_>,
) -> Vec<Leftover> {
    let made: Vec<(usize, Made)> = policy
        .into_iter()
        .filter(|(_, m)| matches!(m, Made::Policy { created: true, .. }))
        .collect();
    let Some((i, Made::Policy { arn, .. })) = made.first() else {
        // Found rather than made: it stays, as it was.
        return Vec::new();
    };
    if left.is_empty() {
        return rollback(c, "", 0, steps, made, report).await;
    }
    let item = crate::aws::teardown::Attachment::Policy(arn.clone());
    report.status(
        0,
        *i,
        StepStatus::UndoFailed(AwsError {
            operation: item.operation().to_string(),
            code: "DeleteConflict".to_string(),
            message: "not attempted: users it may be attached to are left".to_string(),
            hint: "Remove what is listed as left, then delete the policy.".to_string(),
        }),
    );
    vec![item.leftover("")]
}

async fn run_step(
    c: &Clients,
    spec: &UserSpec,
    kind: &StepKind,
    mark: &RunMark,
) -> Result<Made, AwsError> {
    let op = kind.operation();
    let user = spec.name.as_str();
    match kind {
        StepKind::CreateUser => Ok(Made::User {
            arn: users::create_user(c, spec, mark).await?,
        }),
        StepKind::CreateLoginProfile => {
            let login = spec.login.as_ref().expect("planned only with a login spec");
            let generated;
            let password = match &login.password {
                PasswordSource::Custom(p) => p,
                PasswordSource::Generate { policy } => {
                    generated = password::generate_for(policy)
                        .map_err(|e| local_error(op, &format!("no OS random source: {e}")))?;
                    &generated
                }
            };
            users::create_login_profile(c, user, password, login.require_reset).await?;
            Ok(Made::Password(Secret::new(password.expose().to_string())))
        }
        StepKind::CreateAccessKey => {
            let key = users::create_access_key(c, user, mark).await?;
            if let Some(text) = &spec.key_description {
                // The console's way: a user tag whose key is the access key ID. If it cannot be
                // set, the key goes again (nobody has seen its secret) and the step fails.
                if let Err(e) = access_keys::set_description(c, user, &key.id, text).await {
                    let _ = access_keys::delete_key(c, user, &key.id).await;
                    return Err(e);
                }
            }
            Ok(Made::AccessKey(key))
        }
        StepKind::AddToGroup(group) => {
            users::add_user_to_group(c, user, group).await?;
            Ok(Made::Nothing)
        }
        StepKind::AttachPolicy(arn) => {
            users::attach_user_policy(c, user, arn).await?;
            Ok(Made::Nothing)
        }
        StepKind::PutInlinePolicy(name) => {
            let doc = spec
                .inline
                .iter()
                .find(|p| &p.name == name)
                .map(|p| p.document.as_str())
                .unwrap_or_default();
            users::put_user_policy(c, user, name, doc).await?;
            Ok(Made::Nothing)
        }
        StepKind::EnsurePolicy(_) => Ok(
            match mfa::ensure_policy(c, &require_mfa_policy(), mark).await? {
                PolicyFound::Created { arn } => Made::Policy { arn, created: true },
                PolicyFound::Existing { arn } => Made::Policy {
                    arn,
                    created: false,
                },
            },
        ),
        // The encryption set-up makes these itself (see `super::encryption`); a user's plan
        // never holds them.
        StepKind::CreateKey
        | StepKind::CreateAlias(_)
        | StepKind::CreateRole
        | StepKind::PutRolePolicy(_)
        | StepKind::CreateInstanceProfile
        | StepKind::AddRoleToInstanceProfile
        | StepKind::Verify => Err(local_error(
            op,
            &format!("{kind:?} is not a step of a user"),
        )),
    }
}

/// How long the proof of a new key waits for AWS to accept it.
pub const PROOF_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// The proofs in progress, by creation run, so that leaving the credentials screen ends them
/// (with the copy of the secret they sign with).
#[derive(Clone, Default)]
pub struct Proofs(Arc<Mutex<Vec<(u64, AbortHandle)>>>);

impl Proofs {
    /// Ends the proofs of run `run`, if any are still going.
    pub fn end(&self, run: u64) {
        let mut running = self.0.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|(r, handle)| {
            if *r == run {
                handle.abort();
            }
            *r != run && !handle.is_finished()
        });
    }

    fn start(&self, run: u64, proof: impl Future<Output = ()> + Send + 'static) {
        let handle = tokio::spawn(proof).abort_handle();
        let mut running = self.0.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|(_, h)| !h.is_finished());
        running.push((run, handle));
    }
}

/// [`create_users`], sends [`Event::Finished`], then proves each new access key at once
/// ([`prove_key`]) on a task of its own (in `proofs`), reporting each as [`Event::KeyProof`]. The
/// reveal does not wait for it, nor does quitting: it changes nothing in the account.
pub async fn create_and_prove(
    c: &Clients,
    run: u64,
    specs: Vec<UserSpec>,
    events: &UnboundedSender<Event>,
    proofs: &Proofs,
) {
    let result = create_users(c, run, specs, events).await;
    let mut signers = Vec::new();
    if let CreationResult::Created(users) = &result {
        for u in users {
            if let Some(key) = &u.access_key {
                signers.push((
                    u.name.clone(),
                    u.arn.clone(),
                    c.connect_as_key(key, &c.region).await,
                ));
            }
        }
    }
    let _ = events.send(Event::Finished { run, result });
    prove_in_background(run, signers, events, proofs);
}

/// Proves each new key of run `run` on a task of its own (in `proofs`): `signers` holds each
/// user's name, ARN and clients that sign with the new key. Each wait and the outcome are sent as
/// [`Event::KeyProof`].
pub fn prove_in_background(
    run: u64,
    signers: Vec<(String, String, Clients)>,
    events: &UnboundedSender<Event>,
    proofs: &Proofs,
) {
    if signers.is_empty() {
        return;
    }
    let events = events.clone();
    proofs.start(run, async move {
        join_all(signers.iter().map(|(user, arn, as_key)| {
            let events = &events;
            async move {
                let send = |proof: KeyProof| {
                    let _ = events.send(Event::KeyProof {
                        run,
                        user: user.clone(),
                        proof,
                    });
                };
                let proof = prove_key(as_key, arn, PROOF_LIMIT, &send).await;
                send(proof);
            }
        }))
        .await;
    });
}

/// Proves a new key with clients that sign with it (`sts:GetCallerIdentity` answered with
/// `user_arn`), telling `on_wait` of each wait; the outcome as a [`KeyProof`].
pub async fn prove_key(
    as_key: &Clients,
    user_arn: &str,
    limit: std::time::Duration,
    on_wait: &impl Fn(KeyProof),
) -> KeyProof {
    let limit_secs = limit.as_secs();
    let proof = prove_as(as_key, user_arn, limit, |waited, e| {
        on_wait(KeyProof::Waiting {
            waited_secs: waited.as_secs(),
            limit_secs,
            code: e.code.clone(),
        })
    })
    .await;
    match proof {
        Proof::Works(took) => KeyProof::Works {
            secs: took.as_secs(),
        },
        Proof::TimedOut(e) => KeyProof::Failed {
            why: format!("it did not work within {limit_secs} s ({})", e.code),
            what_to_do: "AWS may still be spreading it; try it in a few minutes (aws sts \
                         get-caller-identity with the key) before you hand it over"
                .to_string(),
        },
        Proof::Failed(e) => KeyProof::Failed {
            why: format!("{}: {}", e.operation, e.code),
            what_to_do: e.hint,
        },
        Proof::WrongIdentity(arn) => KeyProof::Failed {
            why: format!("it signed as {arn}, not as {user_arn}"),
            what_to_do: "check the endpoint and the key before you hand it over".to_string(),
        },
    }
}
