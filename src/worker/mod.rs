//! The async worker: the one actor that owns the AWS clients. It takes [`Request`]s from `update`
//! and answers with [`Event`]s that carry their results.
//!
//! Every request runs in its own task, so a slow list never holds up another. Creation runs are
//! tracked, and so are discards of users (see [`discard`]): when the request channel closes (the
//! wizard is quitting), the worker drops pending reads but lets each creation finish or roll back,
//! and each discard finish, before it returns.

pub mod discard;
pub mod encryption;
pub mod password;
pub mod plan;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::{JoinHandle, JoinSet};

use crate::aws::{self, AwsSettings, Clients};
use crate::protocol::{Event, Request};

pub struct WorkerHandle {
    pub requests: UnboundedSender<Request>,
    pub task: JoinHandle<()>,
}

/// Starts the worker on the current tokio runtime. It resolves the AWS configuration itself, so
/// the caller never waits on it.
pub fn spawn(settings: AwsSettings, events: UnboundedSender<Event>) -> WorkerHandle {
    let (requests, rx) = unbounded_channel();
    let task = tokio::spawn(run(settings, rx, events));
    WorkerHandle { requests, task }
}

async fn run(
    settings: AwsSettings,
    mut rx: UnboundedReceiver<Request>,
    events: UnboundedSender<Event>,
) {
    let clients = aws::connect(&settings).await;
    let mut reads = JoinSet::new();
    let mut creations = JoinSet::new();
    while let Some(request) = rx.recv().await {
        let c = clients.clone();
        let ev = events.clone();
        match request {
            Request::Create { run, specs } => {
                creations.spawn(async move {
                    let result = plan::create_users(&c, run, specs, &ev).await;
                    let _ = ev.send(Event::Finished { run, result });
                });
            }
            Request::CreateEncryption { run, spec } => {
                creations.spawn(async move {
                    let result = encryption::create(&c, run, spec, &ev).await;
                    let _ = ev.send(Event::EncryptionFinished { run, result });
                });
            }
            // A change to the account: like a creation, it finishes (or rolls back) on quit.
            Request::CreateGroup {
                seq,
                name,
                path,
                policies,
            } => {
                creations.spawn(async move {
                    let result = aws::groups::create_group(&c, &name, &path, &policies).await;
                    let _ = ev.send(Event::GroupCreated { seq, result });
                });
            }
            // Deleting users is a change to the account too: it finishes before the worker
            // returns.
            Request::Discard { run, users } => {
                creations.spawn(async move {
                    let users = discard::discard_users(&c, &users).await;
                    let _ = ev.send(Event::Discarded { run, users });
                });
            }
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

async fn handle_read(c: &Clients, request: Request, events: &UnboundedSender<Event>) {
    if crate::tui::CrashTest::from_env() == crate::tui::CrashTest::Worker {
        panic!("IAMWIZ_CRASH_TEST=worker: a deliberate crash in the worker");
    }
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
        Request::CheckUserName { seq, name } => {
            let result = aws::iam::find_user(c, &name).await;
            Event::UserNameCheck { seq, name, result }
        }
        Request::LoadPasswordPolicy => Event::PasswordPolicy(aws::iam::password_policy(c).await),
        Request::LoadAccountAlias => Event::AccountAlias(aws::iam::account_alias(c).await),
        Request::LoadKmsKeys { seq, region } => {
            let result = aws::kms::list_keys(c, &region).await;
            Event::KmsKeys {
                seq,
                region,
                result,
            }
        }
        Request::Create { .. } => unreachable!("creation requests are handled by run()"),
        Request::CreateGroup { .. } => unreachable!("group creation is handled by run()"),
        Request::CreateEncryption { .. } => {
            unreachable!("encryption set-ups are handled by run()")
        }
        Request::Discard { .. } => unreachable!("discards are handled by run()"),
    };
    let _ = events.send(event);
}
