//! The creation plan: `CreateUser` (carrying tags and boundary), then everything else at once, and
//! on any failure a rollback in the order IAM requires before `DeleteUser` succeeds. The rollback
//! also undoes the role of the encryption set-up (see [`super::encryption`]), in the order IAM
//! requires before `DeleteRole` succeeds.
//!
//! (Past 600 lines: each step's call, its lost-answer check and its undo side by side; the split
//! belongs to the move of the flows into modules of their own.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use futures::future::join_all;
use tokio::sync::mpsc::UnboundedSender;

use super::mark::RunMark;
use super::password;
use super::teardown::rollback;
pub(super) use crate::aws::local_error;
use crate::aws::{Clients, map_sdk_error};
use crate::protocol::{
    AccessKeyPair, AwsError, CreatedUser, CreationResult, Event, PasswordSource, StepKind,
    StepStatus, UserSpec, plan_steps, sign_in_url,
};
use crate::secret::Secret;

/// What a finished step produced that the rollback or the reveal needs.
pub(super) enum Made {
    Nothing,
    User { arn: String },
    AccessKey(AccessKeyPair),
    Password(Secret),
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
    let steps: Vec<Vec<StepKind>> = specs.iter().map(plan_steps).collect();
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

        let users = join_all(
            specs
                .iter()
                .enumerate()
                .map(|(u, spec)| tracked(c, &report, u, 0, spec, &StepKind::CreateUser, mark)),
        )
        .await;
        for (u, result) in users.into_iter().enumerate() {
            match result {
                Ok(m) => made[u].push((0, m)),
                Err(e) => fail(&mut first_failure, u, 0, e),
            }
        }

        if first_failure.is_none() {
            let rest = join_all(steps.iter().enumerate().flat_map(|(u, kinds)| {
                let (report, spec) = (&report, &specs[u]);
                kinds
                    .iter()
                    .enumerate()
                    .skip(1)
                    .map(move |(i, kind)| async move {
                        (u, i, tracked(c, report, u, i, spec, kind, mark).await)
                    })
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
                for i in 1..kinds.len() {
                    report.status(u, i, StepStatus::Skipped);
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
        let leftovers = crate::aws::rate::until(
            undo_deadline,
            join_all(
                made.into_iter()
                    .enumerate()
                    .map(|(v, m)| rollback(c, &specs[v].name, v, &steps[v], m, &report)),
            ),
        )
        .await
        .concat();
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
                    Made::Nothing => {}
                }
            }
            user
        })
        .collect();
    CreationResult::Created(created)
}

/// Counts the attempts of one call. The SDK retries a timeout or a dropped connection, and the
/// lost attempt may have been applied: the three calls that are not idempotent need to know.
#[derive(Clone, Debug, Default)]
pub(super) struct Attempts(Arc<AtomicU32>);

impl Attempts {
    pub(super) fn retried(&self) -> bool {
        self.0.load(Ordering::SeqCst) > 1
    }
}

impl Intercept for Attempts {
    fn name(&self) -> &'static str {
        "iamwiz::Attempts"
    }

    fn read_before_attempt(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

async fn run_step(
    c: &Clients,
    spec: &UserSpec,
    kind: &StepKind,
    mark: &RunMark,
) -> Result<Made, AwsError> {
    let op = kind.operation();
    let user = spec.name.as_str();
    let attempts = Attempts::default();
    match kind {
        StepKind::CreateUser => {
            let mut tags = spec
                .tags
                .iter()
                .map(|(k, v)| aws_sdk_iam::types::Tag::builder().key(k).value(v).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| local_error(op, &e.to_string()))?;
            tags.push(mark.iam_tag());
            let sent = c
                .iam
                .create_user()
                .user_name(user)
                .path(&spec.path)
                .set_tags(Some(tags))
                .set_permissions_boundary(spec.boundary.clone())
                .customize()
                .interceptor(attempts.clone())
                .send()
                .await;
            let arn = match sent {
                Ok(out) => out.user.map(|u| u.arn).unwrap_or_default(),
                // A retry after an attempt whose response was lost: that attempt may have made
                // the user. It is ours only if it carries this run's mark and is as that attempt
                // would have made it; a user someone else created meanwhile is a clash, never
                // given a key, never deleted.
                Err(e) if attempts.retried() && e.code() == Some("EntityAlreadyExists") => {
                    let found = c
                        .iam
                        .get_user()
                        .user_name(user)
                        .send()
                        .await
                        .map_err(|e| map_sdk_error("iam:GetUser", e))?
                        .user;
                    match found {
                        Some(u) if made_as_sent(&u, spec, mark) => u.arn,
                        _ => return Err(map_sdk_error(op, e)),
                    }
                }
                Err(e) => return Err(map_sdk_error(op, e)),
            };
            Ok(Made::User { arn })
        }
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
            let sent = c
                .iam
                .create_login_profile()
                .user_name(user)
                .password(password.expose())
                .password_reset_required(login.require_reset)
                .customize()
                .interceptor(attempts.clone())
                .send()
                .await;
            match sent {
                Ok(_) => {}
                // The user is ours and new: a login profile it already has is the one a lost
                // attempt of this very call set.
                Err(e) if attempts.retried() && e.code() == Some("EntityAlreadyExists") => {}
                Err(e) => return Err(map_sdk_error(op, e)),
            }
            Ok(Made::Password(Secret::new(password.expose().to_string())))
        }
        StepKind::CreateAccessKey => {
            let out = c
                .iam
                .create_access_key()
                .user_name(user)
                .customize()
                .interceptor(attempts.clone())
                // The response carries the secret: no pooled connection keeps it in its buffer.
                .interceptor(super::no_reuse::CloseAfterResponse)
                .send()
                .await
                .map_err(|e| map_sdk_error(op, e))?;
            let key = out
                .access_key
                .ok_or_else(|| local_error(op, "the response carried no access key"))?;
            if attempts.retried() {
                // A lost attempt may have made a key whose secret nobody saw: the user is ours and
                // new, so every other key is such an orphan.
                remove_other_keys(c, user, &key.access_key_id, mark).await?;
            }
            Ok(Made::AccessKey(AccessKeyPair {
                id: key.access_key_id,
                secret: Secret::new(key.secret_access_key),
            }))
        }
        StepKind::AddToGroup(group) => {
            c.iam
                .add_user_to_group()
                .user_name(user)
                .group_name(group)
                .send()
                .await
                .map_err(|e| map_sdk_error(op, e))?;
            Ok(Made::Nothing)
        }
        StepKind::AttachPolicy(arn) => {
            c.iam
                .attach_user_policy()
                .user_name(user)
                .policy_arn(arn)
                .send()
                .await
                .map_err(|e| map_sdk_error(op, e))?;
            Ok(Made::Nothing)
        }
        StepKind::PutInlinePolicy(name) => {
            let doc = spec
                .inline
                .iter()
                .find(|p| &p.name == name)
                .map(|p| p.document.as_str())
                .unwrap_or_default();
            c.iam
                .put_user_policy()
                .user_name(user)
                .policy_name(name)
                .policy_document(doc)
                .send()
                .await
                .map_err(|e| map_sdk_error(op, e))?;
            Ok(Made::Nothing)
        }
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

/// Whether `found` is the user this run's `CreateUser` of `spec` made: it carries the run's
/// mark, was made since the run started, and has the path, tags and permissions boundary sent.
fn made_as_sent(found: &aws_sdk_iam::types::User, spec: &UserSpec, mark: &RunMark) -> bool {
    let created = Some(found.create_date().secs());
    if !mark.is_on(found.tags().iter().map(|t| (t.key(), t.value())), created) {
        return false;
    }
    let mut tags: Vec<(&str, &str)> = found
        .tags()
        .iter()
        .map(|t| (t.key(), t.value()))
        .filter(|(k, _)| *k != super::mark::TAG_KEY)
        .collect();
    let mut sent: Vec<(&str, &str)> = spec
        .tags
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    tags.sort_unstable();
    sent.sort_unstable();
    let boundary = found
        .permissions_boundary()
        .and_then(|b| b.permissions_boundary_arn());
    found.path() == spec.path && tags == sent && boundary == spec.boundary.as_deref()
}

/// Deletes every access key of `user` made since the run started but `keep` (orphans of a lost
/// `CreateAccessKey` attempt: the user is this run's, marked and new).
async fn remove_other_keys(
    c: &Clients,
    user: &str,
    keep: &str,
    mark: &RunMark,
) -> Result<(), AwsError> {
    let keys = c
        .iam
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .map_err(|e| map_sdk_error("iam:ListAccessKeys", e))?;
    for id in keys
        .access_key_metadata
        .into_iter()
        .filter(|k| mark.made_since_start(k.create_date.map(|d| d.secs())))
        .filter_map(|k| k.access_key_id)
        .filter(|id| id != keep)
    {
        c.iam
            .delete_access_key()
            .user_name(user)
            .access_key_id(&id)
            .send()
            .await
            .map_err(|e| map_sdk_error("iam:DeleteAccessKey", e))?;
    }
    Ok(())
}
