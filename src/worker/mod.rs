//! The async worker: the one actor that owns the AWS clients. It takes [`Request`]s from `update`
//! and answers with [`Event`]s that carry their results.
//!
//! Every request runs in its own task, so a slow list never holds up another. Creation runs are
//! tracked, and so are discards of users (see [`teardown`]): when the request channel closes (the
//! wizard is quitting), the worker drops pending reads but lets each creation finish or roll back,
//! and each discard finish, before it returns.
//!
//! Given a cache directory ([`spawn_with_cache`]), the worker answers a request for the policy
//! catalogue first with the copy saved by an earlier run (if any), then with the live list, and
//! saves each live list it reads (see [`crate::cache`]).

pub mod create;
pub mod encryption;
pub mod keys;
pub mod mfa;
pub mod password;
pub mod teardown;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::{JoinHandle, JoinSet};

use crate::aws::{self, AwsSettings, Clients};
use crate::cache::{self, PolicyCache};
use crate::protocol::{Event, Request};

pub struct WorkerHandle {
    pub requests: UnboundedSender<Request>,
    pub task: JoinHandle<()>,
}

/// Starts the worker on the current tokio runtime. It resolves the AWS configuration itself, so
/// the caller never waits on it.
pub fn spawn(settings: AwsSettings, events: UnboundedSender<Event>) -> WorkerHandle {
    spawn_with_cache(settings, events, None)
}

/// Like [`spawn`], keeping the policy catalogue in `cache_dir` (none: the catalogue is only ever
/// read live). The file is the one for the profile and endpoint the clients resolve to.
pub fn spawn_with_cache(
    settings: AwsSettings,
    events: UnboundedSender<Event>,
    cache_dir: Option<PathBuf>,
) -> WorkerHandle {
    let (requests, rx) = unbounded_channel();
    let task = tokio::spawn(run(settings, cache_dir, rx, events));
    WorkerHandle { requests, task }
}

async fn run(
    settings: AwsSettings,
    cache_dir: Option<PathBuf>,
    mut rx: UnboundedReceiver<Request>,
    events: UnboundedSender<Event>,
) {
    // Requests that come while the configuration is resolved wait for it. If the wizard quits
    // meanwhile having asked only for reads, there is nothing to finish: the worker returns at
    // once instead of waiting for the configuration (the SDK may look for a region or
    // credentials for seconds).
    let mut early = VecDeque::new();
    let connect = aws::connect(&settings);
    tokio::pin!(connect);
    let clients = loop {
        tokio::select! {
            clients = &mut connect => break clients,
            request = rx.recv() => match request {
                Some(request) => early.push_back(request),
                None if !early.iter().any(changes_account) => return,
                None => break connect.await,
            },
        }
    };
    let policy_cache = cache_dir.map(|dir| {
        let profile = cache::profile_in_use(settings.profile.as_deref());
        Arc::new(PolicyCache::for_target(
            &dir,
            profile.as_deref(),
            clients.endpoint_url.as_deref(),
        ))
    });
    let mut reads = JoinSet::new();
    let mut creations = JoinSet::new();
    let proofs = create::Proofs::default();
    // The screens hear of throttling as it happens (aborted with the reads on quit).
    let rate_events = events.clone();
    reads.spawn(aws::rate::follow(
        clients.rates.clone(),
        move |service, status| rate_events.send(Event::Rate { service, status }).is_ok(),
    ));
    loop {
        let request = match early.pop_front() {
            Some(request) => request,
            None => match rx.recv().await {
                Some(request) => request,
                None => break,
            },
        };
        let c = clients.clone();
        let ev = events.clone();
        // A change to the account waits out throttling until its deadline (`--timeout`).
        let deadline = tokio::time::Instant::now() + settings.run_timeout();
        match request {
            Request::Create { run, specs } => {
                let proofs = proofs.clone();
                creations.spawn(aws::rate::until(deadline, async move {
                    create::create_and_prove(&c, run, specs, &ev, &proofs).await;
                }));
            }
            Request::CreateEncryption { run, spec } => {
                creations.spawn(aws::rate::until(deadline, async move {
                    let result = encryption::create(&c, run, spec, &ev).await;
                    let _ = ev.send(Event::EncryptionFinished { run, result });
                }));
            }
            // A change to the account: like a creation, it finishes (or rolls back) on quit.
            Request::CreateGroup {
                seq,
                name,
                path,
                policies,
            } => {
                creations.spawn(aws::rate::until(deadline, async move {
                    let result = aws::groups::create_group(&c, &name, &path, &policies).await;
                    let _ = ev.send(Event::GroupCreated { seq, result });
                }));
            }
            // Deleting users is a change to the account too: it finishes before the worker
            // returns. The users go first, then their key.
            Request::Discard {
                run,
                users,
                key,
                access_key,
            } => {
                creations.spawn(aws::rate::until(deadline, async move {
                    let mut users = teardown::discard_users(&c, &users).await;
                    if let Some(access_key) = &access_key {
                        users.push(keys::discard_key(&c, access_key).await);
                    }
                    let key = match &key {
                        Some(key) => Some(teardown::discard_key(&c, key).await),
                        None => None,
                    };
                    let _ = ev.send(Event::Discarded { run, users, key });
                }));
            }
            // A change to one access key finishes on quit, like a creation.
            Request::ChangeAccessKey {
                seq,
                user,
                id,
                change,
            } => {
                creations.spawn(aws::rate::until(deadline, async move {
                    let result = keys::change(&c, &user, &id, change).await;
                    let _ = ev.send(Event::AccessKeyChanged {
                        seq,
                        user,
                        id,
                        change,
                        result,
                    });
                }));
            }
            // A rotation's new key is made whole (or not at all) on quit, like a creation.
            Request::RotateAccessKey {
                run,
                user,
                replace,
                old,
                description,
            } => {
                let proofs = proofs.clone();
                let ask = keys::RotateAsk {
                    user,
                    replace,
                    old,
                    description,
                };
                creations.spawn(aws::rate::until(deadline, async move {
                    keys::rotate(&c, run, ask, &ev, &proofs).await;
                }));
            }
            // What makes or changes an MFA device finishes on quit, like a creation.
            Request::CreateMfaDevice { run, user } => {
                creations.spawn(aws::rate::until(deadline, async move {
                    let result = mfa::create(&c, &user).await;
                    let _ = ev.send(Event::MfaDeviceCreated { run, user, result });
                }));
            }
            Request::EnableMfaDevice {
                run,
                user,
                serial,
                seed,
                codes,
            } => {
                creations.spawn(aws::rate::until(deadline, async move {
                    let result = mfa::enable(&c, &user, &serial, &seed, &codes).await;
                    drop(seed);
                    let _ = ev.send(Event::MfaDeviceEnabled {
                        run,
                        user,
                        serial,
                        result,
                    });
                }));
            }
            Request::ChangeMfaDevice {
                seq,
                user,
                serial,
                change,
            } => {
                creations.spawn(aws::rate::until(deadline, async move {
                    let result = mfa::change(&c, &user, &serial, change).await;
                    let _ = ev.send(Event::MfaDeviceChanged {
                        seq,
                        user,
                        serial,
                        change,
                        result,
                    });
                }));
            }
            Request::LoadPolicies { seq } if policy_cache.is_some() => {
                let saved = policy_cache.clone().expect("a cache");
                reads.spawn(async move { load_policies(&c, saved, seq, &ev).await });
            }
            Request::EndProof { run } => proofs.end(run),
            read => {
                reads.spawn(async move { handle_read(&c, read, &ev).await });
            }
        }
        // Reap finished tasks so the sets do not grow for the life of the program.
        while reads.try_join_next().is_some() {}
        while creations.try_join_next().is_some() {}
    }
    reads.abort_all();
    while creations.join_next().await.is_some() {}
}

/// The policy catalogue with a cache: the saved copy as soon as it is read, the live list as soon
/// as it arrives (whichever comes first), then the live list saved with the account it came from
/// (`GetCallerIdentity`, asked alongside `ListPolicies`). Nothing is saved when either call fails.
async fn load_policies(
    c: &Clients,
    saved: Arc<PolicyCache>,
    seq: u64,
    events: &UnboundedSender<Event>,
) {
    let reader = Arc::clone(&saved);
    let from_disk = async {
        let read = tokio::task::spawn_blocking(move || reader.read()).await;
        if let Ok(Some(cached)) = read {
            let age_secs = cached.age_at(cache::now());
            let _ = events.send(Event::CachedPolicies {
                seq,
                account: cached.account,
                saved_at: cached.saved_at,
                age_secs,
                policies: cached.policies,
            });
        }
    };
    let live = async {
        let list = async {
            let result = aws::iam::policies(c).await;
            let copy = result.as_ref().ok().cloned();
            let _ = events.send(Event::Policies { seq, result });
            copy
        };
        let account = async { aws::iam::identity(c).await.ok().map(|i| i.account) };
        tokio::join!(list, account)
    };
    let ((), (list, account)) = tokio::join!(from_disk, live);
    let (Some(list), Some(account)) = (list, account) else {
        return;
    };
    let saved_at = cache::now();
    let written =
        tokio::task::spawn_blocking(move || saved.write(&account, saved_at, &list).map(|()| saved))
            .await;
    match written {
        Ok(Ok(saved)) => tracing::debug!(path = %saved.path().display(), "policy list saved"),
        Ok(Err(e)) => tracing::info!(error = %e, "could not save the policy list"),
        Err(e) => tracing::info!(error = %e, "could not save the policy list"),
    }
}

/// Whether `request` changes the account (and so must finish even when the wizard quits).
pub fn changes_account(request: &Request) -> bool {
    matches!(
        request,
        Request::Create { .. }
            | Request::CreateEncryption { .. }
            | Request::CreateGroup { .. }
            | Request::Discard { .. }
            | Request::ChangeAccessKey { .. }
            | Request::RotateAccessKey { .. }
            | Request::CreateMfaDevice { .. }
            | Request::EnableMfaDevice { .. }
            | Request::ChangeMfaDevice { .. }
    )
}

async fn handle_read(c: &Clients, request: Request, events: &UnboundedSender<Event>) {
    let event = match request {
        Request::LoadIdentity => Event::Identity(aws::iam::identity(c).await),
        Request::LoadGroups { seq } => Event::Groups {
            seq,
            result: aws::iam::groups(c).await,
        },
        Request::LoadUsers { seq } => Event::Users {
            seq,
            result: aws::iam::users(c).await,
        },
        Request::LoadPolicies { seq } => Event::Policies {
            seq,
            result: aws::iam::policies(c).await,
        },
        Request::LoadUserPermissions { seq, user } => {
            let result = aws::iam::user_permissions(c, &user).await;
            Event::UserPermissions { seq, user, result }
        }
        Request::LoadPolicyDocument { seq, arn } => {
            let result = aws::iam::policy_document(c, &arn).await;
            Event::PolicyDocument { seq, arn, result }
        }
        Request::CheckName { seq, kind, name } => {
            let result = aws::iam::find_name(c, kind, &name).await;
            Event::NameCheck {
                seq,
                kind,
                name,
                result,
            }
        }
        Request::LoadPasswordPolicy => Event::PasswordPolicy(aws::iam::password_policy(c).await),
        Request::LoadAccountAlias => Event::AccountAlias(aws::iam::account_alias(c).await),
        Request::LoadIdentityCenter => {
            Event::IdentityCenter(aws::sso::recommends_identity_center(c).await)
        }
        Request::LoadKmsKeys { seq, region } => {
            let result = aws::kms::list_keys(c, &region).await;
            Event::KmsKeys {
                seq,
                region,
                result,
            }
        }
        Request::LoadAccessKeys { seq, user } => {
            let (now, result) = keys::load(c, &user).await;
            Event::AccessKeys {
                seq,
                user,
                now,
                result,
            }
        }
        Request::LoadMfaDevices { seq, user } => {
            let result = mfa::load(c, &user).await;
            Event::MfaDevices { seq, user, result }
        }
        Request::CreateMfaDevice { .. }
        | Request::EnableMfaDevice { .. }
        | Request::ChangeMfaDevice { .. } => unreachable!("MFA changes are handled by run()"),
        Request::ChangeAccessKey { .. } | Request::RotateAccessKey { .. } => {
            unreachable!("key changes are handled by run()")
        }
        Request::Create { .. } => unreachable!("creation requests are handled by run()"),
        Request::CreateGroup { .. } => unreachable!("group creation is handled by run()"),
        Request::CreateEncryption { .. } => {
            unreachable!("encryption set-ups are handled by run()")
        }
        Request::Discard { .. } => unreachable!("discards are handled by run()"),
        Request::EndProof { .. } => unreachable!("proofs are ended by run()"),
    };
    let _ = events.send(event);
}
