//! The worker and the creation plan, run for real against moto over HTTP with the real SDK.
//!
//! Each test drives `iamwiz::worker::spawn` the way the wizard does (a `Request` in, `Event`s out),
//! then checks what an admin would check afterwards — through its own SDK client
//! (`common::admin()`), never through the code under test. Where moto is less strict than IAM
//! (EMULATOR.md), the tests record the requests the SDK sent with an interceptor and assert on those.
//!
//! Tests share one moto server and run in parallel, so every user, group and policy has a
//! `common::unique` name and no test resets or reconfigures the shared server.

use crate::common;

use common::moto::PrivateMoto;
use common::worker::{DEADLINE, ask, bare_spec, event_name, run_batch, run_plan};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::operation::create_login_profile::CreateLoginProfileInput;
use aws_sdk_iam::operation::create_user::CreateUserInput;
use aws_sdk_iam::operation::remove_user_from_group::RemoveUserFromGroupInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::{Intercept, SharedInterceptor};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use iamwiz::aws::AwsSettings;
use iamwiz::protocol::{
    CreatedUser, CreationResult, Event, InlinePolicy, LoginSpec, PasswordPolicy, PasswordSource,
    PolicyScope, Request, StepKind, StepStatus, UserSpec, creation_steps,
};
use serde_json::Value;
use tokio::time::timeout;

const ACCOUNT: &str = "123456789012";
const POWER_USER: &str = "arn:aws:iam::aws:policy/PowerUserAccess";
const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const VIEW_ONLY: &str = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess";
const CHANGE_PASSWORD: &str = "arn:aws:iam::aws:policy/IAMUserChangePassword";

// ---------------------------------------------------------------------------------------------
// Driving the worker
// ---------------------------------------------------------------------------------------------

/// The statuses step `index` went through, in order.
fn history(steps: &[(usize, StepStatus)], index: usize) -> Vec<StepStatus> {
    steps
        .iter()
        .filter(|(i, _)| *i == index)
        .map(|(_, s)| s.clone())
        .collect()
}

/// The users a creation made, or a panic saying why it failed.
fn expect_created_all(result: CreationResult) -> Vec<CreatedUser> {
    match result {
        CreationResult::Created(users) => users,
        CreationResult::Failed {
            user,
            step,
            error,
            leftovers,
        } => {
            panic!(
                "creation of {user} failed at {step:?}: {error} (hint: {}); leftovers: \
                 {leftovers:?}",
                error.hint
            )
        }
    }
}

/// The one user a single-user creation made.
fn expect_created(result: CreationResult) -> CreatedUser {
    let mut users = expect_created_all(result);
    assert_eq!(users.len(), 1, "one user was asked for");
    users.remove(0)
}

// ---------------------------------------------------------------------------------------------
// What a spec looks like
// ---------------------------------------------------------------------------------------------

fn generated_password(require_reset: bool) -> Option<LoginSpec> {
    Some(LoginSpec {
        password: PasswordSource::Generate {
            policy: PasswordPolicy::aws_default(),
        },
        require_reset,
    })
}

/// A policy document allowing `actions` on everything.
fn policy_document(actions: &[&str]) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{ "Effect": "Allow", "Action": actions, "Resource": "*" }],
    })
    .to_string()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

// ---------------------------------------------------------------------------------------------
// Setting up and checking IAM state, independently of the code under test
// ---------------------------------------------------------------------------------------------

/// Creates a customer managed policy and returns its ARN.
async fn create_customer_policy(iam: &aws_sdk_iam::Client, name: &str) -> String {
    iam.create_policy()
        .policy_name(name)
        .policy_document(policy_document(&["s3:ListAllMyBuckets"]))
        .description("created by tests/create.rs")
        .send()
        .await
        .expect("CreatePolicy")
        .policy
        .and_then(|p| p.arn)
        .expect("CreatePolicy returns the ARN")
}

/// Creates a group, with `policy` attached when given.
async fn create_group(iam: &aws_sdk_iam::Client, name: &str, policy: Option<&str>) {
    iam.create_group()
        .group_name(name)
        .send()
        .await
        .expect("CreateGroup");
    if let Some(arn) = policy {
        iam.attach_group_policy()
            .group_name(name)
            .policy_arn(arn)
            .send()
            .await
            .expect("AttachGroupPolicy");
    }
}

/// Asserts that IAM knows no user called `name`.
async fn assert_no_user(iam: &aws_sdk_iam::Client, name: &str) {
    match iam.get_user().user_name(name).send().await {
        Ok(_) => panic!("user {name} still exists"),
        Err(e) => assert_eq!(e.code(), Some("NoSuchEntity"), "GetUser {name}: {e:?}"),
    }
}

async fn group_members(iam: &aws_sdk_iam::Client, group: &str) -> Vec<String> {
    iam.get_group()
        .group_name(group)
        .send()
        .await
        .expect("GetGroup")
        .users
        .into_iter()
        .map(|u| u.user_name)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Recording the requests the SDK sends
// ---------------------------------------------------------------------------------------------

/// One request as the SDK was about to send it. Only what the tests assert on is kept — never a
/// password or a secret key.
#[derive(Clone, Debug, PartialEq)]
struct Call {
    /// The operation name, e.g. `CreateUser`.
    operation: String,
    detail: Detail,
}

#[derive(Clone, Debug, PartialEq)]
enum Detail {
    None,
    CreateUser {
        path: Option<String>,
        boundary: Option<String>,
        tags: Vec<(String, String)>,
    },
    /// Only the flag: the password in the same input is deliberately not recorded.
    CreateLoginProfile {
        password_reset_required: Option<bool>,
    },
    RemoveUserFromGroup {
        group: Option<String>,
    },
}

/// An SDK interceptor that records every call made through the clients it is installed on, in
/// the order they were started.
#[derive(Clone, Debug, Default)]
struct Recorder {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Recorder {
    /// Settings pointing at moto with this recorder on every client.
    fn settings(&self) -> AwsSettings {
        AwsSettings {
            interceptors: vec![SharedInterceptor::new(self.clone())],
            ..common::settings()
        }
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    fn operations(&self) -> Vec<String> {
        self.calls().into_iter().map(|c| c.operation).collect()
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "tests::Recorder"
    }

    // Not `read_before_execution`: for an interceptor installed on the client, that hook runs
    // before the operation's own configuration (which holds its `Metadata`) is applied.
    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_default();
        let input = context.input();
        let detail = if let Some(i) = input.downcast_ref::<CreateUserInput>() {
            Detail::CreateUser {
                path: i.path().map(str::to_string),
                boundary: i.permissions_boundary().map(str::to_string),
                tags: i
                    .tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string()))
                    .collect(),
            }
        } else if let Some(i) = input.downcast_ref::<CreateLoginProfileInput>() {
            Detail::CreateLoginProfile {
                password_reset_required: i.password_reset_required(),
            }
        } else if let Some(i) = input.downcast_ref::<RemoveUserFromGroupInput>() {
            Detail::RemoveUserFromGroup {
                group: i.group_name().map(str::to_string),
            }
        } else {
            Detail::None
        };
        self.calls.lock().unwrap().push(Call { operation, detail });
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Creating users
// ---------------------------------------------------------------------------------------------

/// The full wizard: every option at once. What the admin would check in the console afterwards
/// is all there, and the reveal carries a working key, a strong password and the right URL.
#[tokio::test(flavor = "multi_thread")]
async fn creates_a_user_with_every_option() {
    let admin = common::admin().await;
    let iam = &admin.iam;
    let user = common::unique("every-option");
    let with_policy = common::unique("grp-with-policy");
    let plain = common::unique("grp-plain");
    let customer = common::unique("pol-customer");
    create_group(iam, &with_policy, Some(CHANGE_PASSWORD)).await;
    create_group(iam, &plain, None).await;
    let customer_arn = create_customer_policy(iam, &customer).await;

    let tags = vec![
        ("team".to_string(), "platform".to_string()),
        ("cost-center".to_string(), "4242".to_string()),
        ("owner".to_string(), "alice@example.com".to_string()),
    ];
    let inline_doc = policy_document(&["s3:GetObject", "s3:ListBucket"]);
    let spec = UserSpec {
        key_description: None,
        name: user.clone(),
        path: "/eng/".to_string(),
        tags: tags.clone(),
        boundary: Some(POWER_USER.to_string()),
        access_key: true,
        login: generated_password(true),
        groups: vec![with_policy.clone(), plain.clone()],
        policies: vec![
            READ_ONLY.to_string(),
            VIEW_ONLY.to_string(),
            customer_arn.clone(),
        ],
        inline: vec![InlinePolicy {
            name: "s3-read".to_string(),
            document: inline_doc.clone(),
        }],
    };
    let planned = creation_steps(&spec);
    assert_eq!(
        planned.len(),
        9,
        "user, password, key, 2 groups, 3 policies, 1 inline"
    );

    let (steps, result) = run_plan(common::settings(), spec).await;

    // Every step ran once and finished: Running, then Done.
    for (index, kind) in planned.iter().enumerate() {
        assert_eq!(
            history(&steps, index),
            [StepStatus::Running, StepStatus::Done],
            "step {index} ({kind:?})"
        );
    }
    // CreateUser finished before anything that needs the user started.
    let user_done = steps
        .iter()
        .position(|s| *s == (0, StepStatus::Done))
        .expect("CreateUser reported Done");
    let first_other = steps
        .iter()
        .position(|(i, s)| *i > 0 && *s == StepStatus::Running)
        .expect("the other steps started");
    assert!(
        user_done < first_other,
        "a step started before CreateUser finished: {steps:?}"
    );

    // The reveal.
    let created = expect_created(result);
    assert_eq!(created.name, user);
    assert_eq!(
        created.arn,
        format!("arn:aws:iam::{ACCOUNT}:user/eng/{user}")
    );
    // The sign-in URL names the account by its alias when it has one (the shared emulator may
    // have one set by the try-out seed), else by its ID.
    let alias = iam
        .list_account_aliases()
        .send()
        .await
        .expect("ListAccountAliases")
        .account_aliases
        .into_iter()
        .next();
    assert_eq!(
        created.sign_in_url,
        format!(
            "https://{}.signin.aws.amazon.com/console",
            alias.as_deref().unwrap_or(ACCOUNT)
        )
    );
    assert!(
        created.require_reset,
        "the reveal says the password must be changed"
    );
    let key = created
        .access_key
        .as_ref()
        .expect("an access key was created");
    assert!(
        !key.secret.expose().is_empty(),
        "the secret access key is empty"
    );
    let listed = common::access_key_ids(iam, &user).await;
    assert_eq!(
        listed,
        std::slice::from_ref(&key.id),
        "IAM lists exactly the key we reveal"
    );

    let password = created
        .password
        .as_ref()
        .expect("a console password was set");
    let p = password.expose();
    assert_eq!(p.chars().count(), 20, "generated password length");
    assert!(
        p.chars().any(|c| c.is_ascii_uppercase()),
        "password has no upper-case letter"
    );
    assert!(
        p.chars().any(|c| c.is_ascii_lowercase()),
        "password has no lower-case letter"
    );
    assert!(
        p.chars().any(|c| c.is_ascii_digit()),
        "password has no digit"
    );
    assert!(
        p.chars().any(|c| c.is_ascii_punctuation()),
        "password has no symbol"
    );

    // The user, as IAM now describes it.
    let got = iam
        .get_user()
        .user_name(&user)
        .send()
        .await
        .expect("GetUser")
        .user
        .expect("GetUser returns the user");
    assert_eq!(got.path, "/eng/");
    assert_eq!(got.arn, created.arn);
    let mut got_tags: Vec<(String, String)> = common::without_mark(
        got.tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect(),
    );
    got_tags.sort();
    let mut want_tags = tags;
    want_tags.sort();
    assert_eq!(got_tags, want_tags);

    let mut groups = common::group_names(iam, &user).await;
    groups.sort();
    let mut want_groups = vec![with_policy, plain];
    want_groups.sort();
    assert_eq!(groups, want_groups);

    let mut attached = common::attached_policy_arns(iam, &user).await;
    attached.sort();
    let mut want_attached = vec![READ_ONLY.to_string(), VIEW_ONLY.to_string(), customer_arn];
    want_attached.sort();
    assert_eq!(attached, want_attached);

    let inline = common::inline_policy_text(iam, &user, "s3-read").await;
    assert_eq!(
        json(&inline),
        json(&inline_doc),
        "the inline policy document IAM stored"
    );

    let login = iam
        .get_login_profile()
        .user_name(&user)
        .send()
        .await
        .expect("GetLoginProfile: the user can sign in to the console");
    assert_eq!(login.login_profile.map(|l| l.user_name), Some(user));
}

/// moto silently drops `PermissionsBoundary` from CreateUser and ignores `PasswordResetRequired`
/// on CreateLoginProfile (EMULATOR.md), so reading the user back cannot prove we asked for them.
/// Instead this records the requests the SDK sent: the boundary and the tags ride on CreateUser
/// itself (one round trip, no TagUser or PutUserPermissionsBoundary afterwards), and the login
/// profile asks for a password reset.
#[tokio::test(flavor = "multi_thread")]
async fn boundary_tags_and_reset_flag_are_sent_though_moto_drops_boundary_and_reset() {
    let user = common::unique("sent-fields");
    let tags = vec![
        ("team".to_string(), "data".to_string()),
        ("env".to_string(), "prod".to_string()),
    ];
    let spec = UserSpec {
        key_description: None,
        path: "/eng/".to_string(),
        tags: tags.clone(),
        boundary: Some(POWER_USER.to_string()),
        login: generated_password(true),
        ..bare_spec(&user)
    };
    let recorder = Recorder::default();

    let (_, result) = run_plan(recorder.settings(), spec).await;
    expect_created(result);

    let calls = recorder.calls();
    let create_user: Vec<Detail> = calls
        .iter()
        .filter(|c| c.operation == "CreateUser")
        .map(|c| match &c.detail {
            Detail::CreateUser {
                path,
                boundary,
                tags,
            } => Detail::CreateUser {
                path: path.clone(),
                boundary: boundary.clone(),
                tags: common::without_mark(tags.clone()),
            },
            other => other.clone(),
        })
        .collect();
    assert_eq!(
        create_user,
        [Detail::CreateUser {
            path: Some("/eng/".to_string()),
            boundary: Some(POWER_USER.to_string()),
            tags,
        }],
        "one CreateUser carrying the path, the boundary, the tags and the run's mark"
    );
    let login: Vec<&Detail> = calls
        .iter()
        .filter(|c| c.operation == "CreateLoginProfile")
        .map(|c| &c.detail)
        .collect();
    assert_eq!(
        login,
        [&Detail::CreateLoginProfile {
            password_reset_required: Some(true),
        }]
    );
    let ops = recorder.operations();
    for extra in ["TagUser", "PutUserPermissionsBoundary"] {
        assert!(
            !ops.iter().any(|o| o == extra),
            "unexpected {extra} call: {ops:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Failing and rolling back
// ---------------------------------------------------------------------------------------------

/// A group that does not exist fails the plan after the user, its key, password and policies were
/// made: everything is undone, the admin is told which step failed and why, and no user is left.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_step_rolls_back_everything() {
    let admin = common::admin().await;
    let iam = &admin.iam;
    let user = common::unique("rollback");
    let existing = common::unique("grp-existing");
    let missing = common::unique("grp-missing");
    create_group(iam, &existing, None).await;

    let spec = UserSpec {
        key_description: None,
        access_key: true,
        login: generated_password(false),
        groups: vec![existing.clone(), missing.clone()],
        policies: vec![READ_ONLY.to_string()],
        inline: vec![InlinePolicy {
            name: "inline".to_string(),
            document: policy_document(&["s3:ListAllMyBuckets"]),
        }],
        ..bare_spec(&user)
    };
    let planned = creation_steps(&spec);
    let failed_index = planned
        .iter()
        .position(|k| *k == StepKind::AddToGroup(missing.clone()))
        .unwrap();

    let (steps, result) = run_plan(common::settings(), spec).await;

    let CreationResult::Failed {
        user: _,
        step,
        error,
        leftovers,
    } = result
    else {
        panic!("the creation should have failed on the missing group");
    };
    assert_eq!(step, StepKind::AddToGroup(missing.clone()));
    assert_eq!(error.code, "NoSuchEntity", "{error}");
    assert_eq!(error.operation, "iam:AddUserToGroup");
    assert!(!error.hint.is_empty(), "the admin is told what to do");
    assert_eq!(leftovers, [], "the rollback removed everything");

    // The failed step shows why; every step that had succeeded is shown undone.
    for (index, kind) in planned.iter().enumerate() {
        let seen = history(&steps, index);
        if index == failed_index {
            assert_eq!(seen.len(), 2, "step {index} ({kind:?}): {seen:?}");
            assert_eq!(seen[0], StepStatus::Running);
            assert!(
                matches!(&seen[1], StepStatus::Failed(e) if e.code == "NoSuchEntity"),
                "step {index} ({kind:?}): {seen:?}"
            );
        } else {
            assert_eq!(
                seen,
                [
                    StepStatus::Running,
                    StepStatus::Done,
                    StepStatus::Undoing,
                    StepStatus::Undone
                ],
                "step {index} ({kind:?})"
            );
        }
    }

    // Nothing is left in the account.
    assert_no_user(iam, &user).await;
    assert!(
        !group_members(iam, &existing).await.contains(&user),
        "the user is still a member of {existing}"
    );
}

/// Real IAM refuses DeleteUser while the user still has access keys, a login profile, policies or
/// group memberships, so the undo must run in this order. moto does not enforce it (its DeleteUser
/// only refuses while policies remain), so a rollback succeeding against moto proves nothing about
/// the order: the calls recorded here are the proof.
#[tokio::test(flavor = "multi_thread")]
async fn rollback_runs_in_the_order_iam_requires() {
    let admin = common::admin().await;
    let iam = &admin.iam;
    let user = common::unique("undo-order");
    let first = common::unique("grp-first");
    let second = common::unique("grp-second");
    let missing = common::unique("grp-missing");
    create_group(iam, &first, None).await;
    create_group(iam, &second, None).await;

    let spec = UserSpec {
        key_description: None,
        access_key: true,
        login: generated_password(true),
        groups: vec![first.clone(), missing.clone(), second.clone()],
        policies: vec![READ_ONLY.to_string()],
        inline: vec![InlinePolicy {
            name: "inline".to_string(),
            document: policy_document(&["s3:ListAllMyBuckets"]),
        }],
        ..bare_spec(&user)
    };
    let recorder = Recorder::default();

    let (_, result) = run_plan(recorder.settings(), spec).await;
    let CreationResult::Failed {
        step, leftovers, ..
    } = result
    else {
        panic!("the creation should have failed on the missing group");
    };
    assert_eq!(step, StepKind::AddToGroup(missing));
    assert_eq!(leftovers, []);

    let calls = recorder.calls();
    const UNDO: [&str; 6] = common::IAM_DELETE_ORDER;
    let is_undo = |op: &str| UNDO.contains(&op);
    let undo: Vec<&str> = calls
        .iter()
        .map(|c| c.operation.as_str())
        .filter(|op| is_undo(op))
        .collect();
    assert_eq!(
        undo,
        [
            "DeleteAccessKey",
            "DeleteLoginProfile",
            "DetachUserPolicy",
            "DeleteUserPolicy",
            "RemoveUserFromGroup",
            "RemoveUserFromGroup",
            "DeleteUser",
        ]
    );
    // Each existing group is left, and only those (the missing group was never joined).
    let mut removed_from: Vec<Option<String>> = calls
        .iter()
        .filter_map(|c| match &c.detail {
            Detail::RemoveUserFromGroup { group } => Some(group.clone()),
            _ => None,
        })
        .collect();
    removed_from.sort();
    let mut want = vec![Some(first), Some(second)];
    want.sort();
    assert_eq!(removed_from, want);
    // The undo starts only once every creating call has been made.
    let first_undo = calls.iter().position(|c| is_undo(&c.operation)).unwrap();
    assert!(
        calls[first_undo..].iter().all(|c| is_undo(&c.operation)),
        "a creating call was made during the rollback: {:?}",
        recorder.operations()
    );
    assert_no_user(iam, &user).await;
}

/// Choosing a name that is taken fails at the first call: nothing else is attempted, the admin is
/// told to choose another name, and the existing user — who is not ours to undo — is untouched.
#[tokio::test(flavor = "multi_thread")]
async fn creating_an_existing_user_fails_cleanly() {
    let admin = common::admin().await;
    let iam = &admin.iam;
    let user = common::unique("taken");
    let group = common::unique("grp-taken");
    create_group(iam, &group, None).await;
    iam.create_user()
        .user_name(&user)
        .send()
        .await
        .expect("CreateUser");
    let existing_key = iam
        .create_access_key()
        .user_name(&user)
        .send()
        .await
        .expect("CreateAccessKey")
        .access_key
        .expect("CreateAccessKey returns the key")
        .access_key_id;

    let spec = UserSpec {
        key_description: None,
        access_key: true,
        login: generated_password(true),
        groups: vec![group.clone()],
        policies: vec![READ_ONLY.to_string()],
        inline: vec![InlinePolicy {
            name: "inline".to_string(),
            document: policy_document(&["s3:ListAllMyBuckets"]),
        }],
        ..bare_spec(&user)
    };
    let planned = creation_steps(&spec);

    let (steps, result) = run_plan(common::settings(), spec).await;

    let CreationResult::Failed {
        user: _,
        step,
        error,
        leftovers,
    } = result
    else {
        panic!("creating a user whose name is taken should fail");
    };
    assert_eq!(step, StepKind::CreateUser);
    assert_eq!(error.code, "EntityAlreadyExists", "{error}");
    assert_eq!(error.operation, "iam:CreateUser");
    let hint = error.hint.to_lowercase();
    assert!(
        hint.contains("name") && hint.contains("choose another"),
        "the hint should say to choose another name: {}",
        error.hint
    );
    assert_eq!(leftovers, []);

    assert_eq!(history(&steps, 0).first(), Some(&StepStatus::Running));
    assert!(
        matches!(history(&steps, 0).last(), Some(StepStatus::Failed(e)) if e.code == "EntityAlreadyExists")
    );
    for (index, kind) in planned.iter().enumerate().skip(1) {
        assert_eq!(
            history(&steps, index),
            [StepStatus::Skipped],
            "step {index} ({kind:?})"
        );
    }

    // The existing user is as it was: same key, no password, no groups, no policies.
    let got = iam
        .get_user()
        .user_name(&user)
        .send()
        .await
        .expect("the existing user is still there");
    assert_eq!(got.user.map(|u| u.path), Some("/".to_string()));
    let keys = common::access_key_ids(iam, &user).await;
    assert_eq!(keys, [existing_key], "the existing user's keys");
    let login = iam.get_login_profile().user_name(&user).send().await;
    assert_eq!(
        login
            .err()
            .and_then(|e| e.code().map(str::to_string))
            .as_deref(),
        Some("NoSuchEntity"),
        "no console password was added to the existing user"
    );
    assert!(group_members(iam, &group).await.is_empty());
    assert!(common::attached_policy_arns(iam, &user).await.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Connection and permission problems
// ---------------------------------------------------------------------------------------------

/// Nothing listens on port 9 (discard): the admin gets a clear "cannot reach AWS" error naming the
/// endpoint as something to check, promptly, not a hang.
#[tokio::test(flavor = "multi_thread")]
async fn unreachable_endpoint_is_reported() {
    let settings = AwsSettings {
        endpoint_url: Some("http://127.0.0.1:9".to_string()),
        ..common::settings()
    };
    let replies = timeout(
        DEADLINE,
        ask(settings, vec![Request::LoadGroups { seq: 3 }]),
    )
    .await
    .expect("the error came back within the deadline");
    let [Event::Groups { seq: 3, result }] = replies.as_slice() else {
        panic!(
            "expected one Groups reply, got {:?}",
            replies.iter().map(event_name).collect::<Vec<_>>()
        );
    };
    let error = result.as_ref().expect_err("nothing listens on 127.0.0.1:9");
    assert!(
        error.code == "EndpointUnreachable" || error.code == "Timeout",
        "{error}"
    );
    assert_eq!(error.operation, "iam:GetAccountAuthorizationDetails");
    assert!(
        error.hint.contains("endpoint-url") && error.hint.contains("network"),
        "the hint should point at the endpoint and the network: {}",
        error.hint
    );
}

// ---------------------------------------------------------------------------------------------
// The lists behind the wizard's screens
// ---------------------------------------------------------------------------------------------

/// The reads behind the group, user and policy pickers and "copy permissions from a user".
#[tokio::test(flavor = "multi_thread")]
async fn lists_groups_users_policies_and_copy_source() {
    let admin = common::admin().await;
    let iam = &admin.iam;
    let group = common::unique("grp-listed");
    let user = common::unique("copy-source");
    let customer = common::unique("pol-listed");
    let customer_arn = create_customer_policy(iam, &customer).await;
    create_group(iam, &group, Some(&customer_arn)).await;
    iam.create_user()
        .user_name(&user)
        .send()
        .await
        .expect("CreateUser");
    iam.add_user_to_group()
        .user_name(&user)
        .group_name(&group)
        .send()
        .await
        .expect("AddUserToGroup");
    iam.attach_user_policy()
        .user_name(&user)
        .policy_arn(READ_ONLY)
        .send()
        .await
        .expect("AttachUserPolicy");
    let inline_doc = policy_document(&["s3:GetObject"]);
    iam.put_user_policy()
        .user_name(&user)
        .policy_name("copied-inline")
        .policy_document(&inline_doc)
        .send()
        .await
        .expect("PutUserPolicy");

    let replies = ask(
        common::settings(),
        vec![
            Request::LoadGroups { seq: 1 },
            Request::LoadUsers { seq: 2 },
            Request::LoadPolicies { seq: 3 },
            Request::LoadUserPermissions {
                seq: 4,
                user: user.clone(),
            },
            Request::LoadIdentity,
        ],
    )
    .await;

    let (mut groups, mut users, mut policies, mut permissions, mut identity) =
        (None, None, None, None, None);
    // Each request runs in its own task, so the replies come in any order.
    for reply in replies {
        match reply {
            Event::Groups { seq, result } => {
                assert_eq!(seq, 1);
                groups = Some(result.expect("LoadGroups"));
            }
            Event::Users { seq, result } => {
                assert_eq!(seq, 2);
                users = Some(result.expect("LoadUsers"));
            }
            Event::Policies { seq, result } => {
                assert_eq!(seq, 3);
                policies = Some(result.expect("LoadPolicies"));
            }
            Event::UserPermissions {
                seq,
                user: u,
                result,
            } => {
                assert_eq!((seq, u.as_str()), (4, user.as_str()));
                permissions = Some(result.expect("LoadUserPermissions"));
            }
            Event::Identity(result) => identity = Some(result.expect("LoadIdentity")),
            other => panic!("unexpected reply: {}", event_name(&other)),
        }
    }

    let groups = groups.expect("a Groups reply");
    let listed = groups
        .iter()
        .find(|g| g.name == group)
        .unwrap_or_else(|| panic!("{group} is not listed"));
    assert_eq!(
        listed.policies,
        std::slice::from_ref(&customer),
        "the group's policy names"
    );

    let users = users.expect("a Users reply");
    let listed = users
        .iter()
        .find(|u| u.name == user)
        .unwrap_or_else(|| panic!("{user} is not listed"));
    assert_eq!(listed.path, "/");

    // The whole catalogue, not just the first page (moto loads about 1,580 AWS managed policies).
    let policies = policies.expect("a Policies reply");
    assert!(
        policies.len() >= 1000,
        "only {} policies listed",
        policies.len()
    );
    let read_only = policies
        .iter()
        .find(|p| p.name == "ReadOnlyAccess")
        .expect("ReadOnlyAccess is listed");
    assert_eq!(
        (read_only.arn.as_str(), read_only.scope),
        (READ_ONLY, PolicyScope::Aws)
    );
    let ours = policies
        .iter()
        .find(|p| p.name == customer)
        .unwrap_or_else(|| panic!("{customer} is not listed"));
    assert_eq!(
        (ours.arn.as_str(), ours.scope),
        (customer_arn.as_str(), PolicyScope::Customer)
    );

    let permissions = permissions.expect("a UserPermissions reply");
    assert_eq!(permissions.groups, [group]);
    assert_eq!(permissions.policies, [READ_ONLY.to_string()]);
    assert_eq!(permissions.inline.len(), 1, "{:?}", permissions.inline);
    assert_eq!(permissions.inline[0].name, "copied-inline");
    assert_eq!(json(&permissions.inline[0].document), json(&inline_doc));

    let identity = identity.expect("an Identity reply");
    assert_eq!(identity.account, ACCOUNT);
    assert_eq!(identity.region, "us-east-1");
}

// ---------------------------------------------------------------------------------------------
// Access denied, against a private moto with auth enforcement
// ---------------------------------------------------------------------------------------------

/// An identity that may only list is refused CreateUser, and the admin is told exactly which
/// permission to add.
#[tokio::test(flavor = "multi_thread")]
async fn access_denied_names_the_missing_permission() {
    let moto = PrivateMoto::start().await;
    let admin = iamwiz::aws::connect(&moto.settings()).await;
    let iam = &admin.iam;

    // Set up while auth is still off; afterwards only the limited user's keys are used, and
    // enforcement is switched off again before checking the outcome, so no admin user is needed.
    iam.create_user()
        .user_name("limited")
        .send()
        .await
        .expect("CreateUser");
    iam.put_user_policy()
        .user_name("limited")
        .policy_name("list-only")
        .policy_document(policy_document(&["iam:List*", "sts:GetCallerIdentity"]))
        .send()
        .await
        .expect("PutUserPolicy");
    let key = iam
        .create_access_key()
        .user_name("limited")
        .send()
        .await
        .expect("CreateAccessKey")
        .access_key
        .expect("CreateAccessKey returns the key");
    moto.reset_auth("0");

    let limited = AwsSettings {
        credentials: Some(aws_credential_types::Credentials::new(
            key.access_key_id,
            key.secret_access_key,
            None,
            None,
            "limited-user",
        )),
        ..moto.settings()
    };

    // The limited identity is recognised and may list: auth is on and the keys are good.
    match ask(limited.clone(), vec![Request::LoadGroups { seq: 1 }])
        .await
        .pop()
    {
        Some(Event::Groups { result: Ok(_), .. }) => {}
        Some(Event::Groups { result: Err(e), .. }) => panic!("listing was refused: {e}"),
        other => panic!("unexpected reply {:?}", other.as_ref().map(event_name)),
    }

    // …but may not create a user, and the admin is told which permission is missing.
    let spec = UserSpec {
        key_description: None,
        access_key: true,
        login: generated_password(true),
        policies: vec![READ_ONLY.to_string()],
        ..bare_spec("denied-user")
    };
    let later_steps = creation_steps(&spec).len() - 1;
    let (steps, result) = run_plan(limited, spec).await;
    let CreationResult::Failed {
        user: _,
        step,
        error,
        leftovers,
    } = result
    else {
        panic!("a list-only identity created a user");
    };
    assert_eq!(step, StepKind::CreateUser);
    assert_eq!(error.code, "AccessDenied", "{error}");
    assert_eq!(error.operation, "iam:CreateUser");
    assert!(
        error.hint.contains("\"iam:CreateUser\""),
        "the hint names the permission: {}",
        error.hint
    );
    assert!(leftovers.is_empty());
    let skipped = steps
        .iter()
        .filter(|(i, s)| *i > 0 && *s == StepStatus::Skipped)
        .count();
    assert_eq!(skipped, later_steps, "the later steps were not started");

    moto.reset_auth("inf");
    assert_no_user(iam, "denied-user").await;
}

// ---------------------------------------------------------------------------------------------
// Several users at once
// ---------------------------------------------------------------------------------------------

/// Three users with the same choices: each exists with every option, with its own key.
#[tokio::test(flavor = "multi_thread")]
async fn creates_a_batch_of_users_each_with_its_own_key() {
    let admin = common::admin().await;
    let iam = &admin.iam;
    let group = common::unique("grp-batch");
    create_group(iam, &group, None).await;
    let names: Vec<String> = (0..3).map(|_| common::unique("batch")).collect();
    let specs = names
        .iter()
        .map(|n| UserSpec {
            key_description: None,
            access_key: true,
            login: generated_password(true),
            groups: vec![group.clone()],
            policies: vec![READ_ONLY.to_string()],
            tags: vec![("team".into(), "batch".into())],
            ..bare_spec(n)
        })
        .collect();
    let (_, result) = run_batch(common::settings(), specs).await;
    let users = expect_created_all(result);
    assert_eq!(
        users.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        names.iter().map(String::as_str).collect::<Vec<_>>()
    );
    let mut key_ids = Vec::new();
    for user in &users {
        let key = user.access_key.as_ref().expect("each user has a key");
        key_ids.push(key.id.clone());
        let ids = common::access_key_ids(iam, &user.name).await;
        assert_eq!(ids, [key.id.as_str()], "{}'s keys", user.name);
        let groups = common::group_names(iam, &user.name).await;
        assert_eq!(groups.len(), 1, "{}'s groups", user.name);
        let attached = common::attached_policy_arns(iam, &user.name).await;
        assert_eq!(attached.len(), 1, "{}'s policies", user.name);
        iam.get_login_profile()
            .user_name(&user.name)
            .send()
            .await
            .expect("each user has a console password");
    }
    key_ids.sort();
    key_ids.dedup();
    assert_eq!(key_ids.len(), 3, "three different keys");
    let passwords: std::collections::BTreeSet<&str> = users
        .iter()
        .map(|u| u.password.as_ref().unwrap().expose())
        .collect();
    assert_eq!(passwords.len(), 3, "three different generated passwords");
}

/// A batch is created whole or not at all: when a step of one user fails, the users made
/// before it are removed too.
#[tokio::test(flavor = "multi_thread")]
async fn a_failure_for_one_user_rolls_back_the_whole_batch() {
    let admin = common::admin().await;
    let iam = &admin.iam;
    let missing = common::unique("grp-missing");
    let good: Vec<String> = (0..2).map(|_| common::unique("batch-ok")).collect();
    let bad = common::unique("batch-bad");
    let mut specs: Vec<UserSpec> = good
        .iter()
        .map(|n| UserSpec {
            key_description: None,
            access_key: true,
            ..bare_spec(n)
        })
        .collect();
    specs.push(UserSpec {
        key_description: None,
        access_key: true,
        groups: vec![missing.clone()],
        ..bare_spec(&bad)
    });
    let (steps, result) = run_batch(common::settings(), specs).await;
    let CreationResult::Failed {
        user,
        step,
        error,
        leftovers,
    } = result
    else {
        panic!("the batch should have failed on the missing group");
    };
    assert_eq!(user, bad);
    assert_eq!(step, StepKind::AddToGroup(missing));
    assert_eq!(error.code, "NoSuchEntity");
    assert!(leftovers.is_empty(), "{leftovers:?}");
    for name in good.iter().chain([&bad]) {
        assert_no_user(iam, name).await;
    }
    // Every user's CreateUser was undone.
    for u in 0..3 {
        assert!(
            steps
                .iter()
                .any(|(v, i, s)| *v == u && *i == 0 && *s == StepStatus::Undone),
            "user {u}'s CreateUser was not undone"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The account password policy, against a private moto
// ---------------------------------------------------------------------------------------------

/// Asks a fresh worker for the account password policy.
async fn load_password_policy(settings: AwsSettings) -> PasswordPolicy {
    match ask(settings, vec![Request::LoadPasswordPolicy]).await.pop() {
        Some(Event::PasswordPolicy(Ok(policy))) => policy,
        Some(Event::PasswordPolicy(Err(e))) => panic!("reading the password policy failed: {e}"),
        other => panic!("unexpected reply {:?}", other.as_ref().map(event_name)),
    }
}

/// `UpdateAccountPasswordPolicy` is account-wide, so this test sets a strict policy on a moto of
/// its own, never on the shared server. moto does not enforce the policy on
/// `CreateLoginProfile` (EMULATOR.md), so the generated password is checked against it here.
#[tokio::test(flavor = "multi_thread")]
async fn a_strict_password_policy_is_read_met_and_answered_with_iam_user_change_password() {
    use common::fixtures::{create_spec, loaded, press, type_str};
    use crossterm::event::KeyCode;
    use iamwiz::app::{Msg, Screen, update};
    use iamwiz::flows::users::draft::validate_password;

    let moto = PrivateMoto::start_with_managed_policies().await;
    let settings = moto.settings();
    let admin = iamwiz::aws::connect(&settings).await;
    let iam = &admin.iam;

    // No policy set: NoSuchEntity, which means the AWS default.
    assert_eq!(
        load_password_policy(settings.clone()).await,
        PasswordPolicy::aws_default()
    );

    iam.update_account_password_policy()
        .minimum_password_length(24)
        .require_uppercase_characters(true)
        .require_lowercase_characters(true)
        .require_numbers(true)
        .require_symbols(true)
        .allow_users_to_change_password(false)
        .send()
        .await
        .expect("UpdateAccountPasswordPolicy");
    let strict = PasswordPolicy {
        min_length: 24,
        require_uppercase: true,
        require_lowercase: true,
        require_digit: true,
        require_symbol: true,
        allow_users_to_change_password: false,
        is_default: false,
    };
    let policy = load_password_policy(settings.clone()).await;
    assert_eq!(policy, strict);

    // The wizard, told of that policy, asks for a password generated for it, reset at first
    // sign-in, and IAMUserChangePassword so the user can do that reset.
    let name = common::unique("pw-policy");
    let mut app = loaded();
    update(&mut app, Msg::Worker(Event::PasswordPolicy(Ok(policy))));
    type_str(&mut app, &name);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' ')); // console password, autogenerated, reset required
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter);
    }
    assert_eq!(app.screen, Screen::Review, "{:?}", app.notice);
    let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
    assert_eq!(spec.name, name);
    assert_eq!(spec.policies, [CHANGE_PASSWORD]);
    let login = spec.login.as_ref().expect("a console password");
    assert!(login.require_reset);
    assert!(matches!(login.password, PasswordSource::Generate { policy } if policy == strict));

    let user = expect_created(run_plan(settings, spec).await.1);
    let password = user.password.expect("the generated password");
    assert_eq!(password.expose().len(), 24);
    if let Err(e) = validate_password(password.expose(), &strict) {
        panic!("the generated password does not meet the policy: {e}");
    }
    iam.get_login_profile()
        .user_name(&name)
        .send()
        .await
        .expect("the user has a console password");
    let attached = common::attached_policy_arns(iam, &name).await;
    assert_eq!(attached, [CHANGE_PASSWORD]);
}

/// The policy picker over the real AWS catalogue (the shared moto runs with
/// `MOTO_IAM_LOAD_MANAGED_POLICIES=true`): loaded through the worker, fed into the wizard, and
/// searched the way an admin would. Also reads one policy's default version for the preview.
#[tokio::test(flavor = "multi_thread")]
async fn the_picker_with_the_real_catalogue_from_moto() {
    use common::fixtures::{ctrl, seq_of, type_str};
    use iamwiz::app::{App, Msg, PermPane, Screen, update};
    use iamwiz::flows::users::picker::PolicyType;

    let replies = ask(
        common::settings(),
        vec![
            Request::LoadPolicies { seq: 1 },
            Request::LoadPolicyDocument {
                seq: 2,
                arn: READ_ONLY.to_string(),
            },
        ],
    )
    .await;
    let (mut catalogue, mut document) = (None, None);
    for reply in replies {
        match reply {
            Event::Policies { seq, result } => {
                assert_eq!(seq, 1);
                catalogue = Some(result.expect("LoadPolicies"));
            }
            Event::PolicyDocument { seq, arn, result } => {
                assert_eq!((seq, arn.as_str()), (2, READ_ONLY));
                document = Some(result.expect("LoadPolicyDocument"));
            }
            other => panic!("unexpected {}", event_name(&other)),
        }
    }
    let catalogue = catalogue.expect("the policies arrived");
    assert!(
        catalogue.len() > 1000,
        "moto lists the real AWS managed catalogue (MOTO_IAM_LOAD_MANAGED_POLICIES=true), got {}",
        catalogue.len()
    );
    let view_only = catalogue
        .iter()
        .find(|p| p.arn == VIEW_ONLY)
        .expect("ViewOnlyAccess is listed");
    assert!(view_only.is_job_function(), "{view_only:?}");

    let document = document.expect("the document arrived");
    assert!(document.version.starts_with('v'), "{}", document.version);
    assert!(
        document.document.lines().count() > 10,
        "the document is pretty-printed"
    );
    let parsed = json(&document.document);
    assert!(parsed.get("Statement").is_some(), "{parsed}");

    // Into the wizard, on the Permissions step's Policies pane.
    let (mut app, cmds) = App::new((80, 24));
    let seq = seq_of(&cmds, |r| match r {
        Request::LoadPolicies { seq } => Some(*seq),
        _ => None,
    });
    update(
        &mut app,
        Msg::Worker(Event::Policies {
            seq,
            result: Ok(catalogue),
        }),
    );
    app.screen = Screen::Permissions;
    app.focus.pane = PermPane::Policies;
    let search = |app: &mut App, text: &str| -> Vec<String> {
        ctrl(app, 'u');
        type_str(app, text);
        app.filtered_policies(&app.focus.policies)
            .iter()
            .map(|p| p.name.clone())
            .collect()
    };
    let rank = |names: &[String], name: &str| names.iter().position(|n| n == name);

    assert_eq!(search(&mut app, "readonly")[0], "ReadOnlyAccess");
    assert_eq!(search(&mut app, "rdonly")[0], "ReadOnlyAccess");
    assert_eq!(search(&mut app, "ReadOnlyAccess")[0], "ReadOnlyAccess");
    assert_eq!(search(&mut app, "poweruser")[0], "PowerUserAccess");
    assert_eq!(search(&mut app, "viewonly")[0], "ViewOnlyAccess");
    assert_eq!(
        search(&mut app, "changepassword")[0],
        "IAMUserChangePassword"
    );
    for query in ["s3full", "s3 full", "S3FullAccess"] {
        // Space chooses a policy, so a query with words is pasted.
        ctrl(&mut app, 'u');
        update(&mut app, Msg::Paste(query.to_string()));
        let names: Vec<String> = app
            .filtered_policies(&app.focus.policies)
            .iter()
            .map(|p| p.name.clone())
            .collect();
        let at = rank(&names, "AmazonS3FullAccess");
        assert!(
            at.is_some_and(|i| i < 3),
            "{query:?}: AmazonS3FullAccess at {at:?} in {:?}",
            &names[..names.len().min(10)]
        );
    }

    // Job function only: ViewOnlyAccess is one, AmazonS3FullAccess is not.
    ctrl(&mut app, 'u');
    for _ in 0..3 {
        ctrl(&mut app, 't');
    }
    assert_eq!(app.focus.policies.policy_type, PolicyType::JobFunction);
    let jobs = search(&mut app, "");
    assert!(jobs.contains(&"ViewOnlyAccess".to_string()), "{jobs:?}");
    assert!(!jobs.contains(&"AmazonS3FullAccess".to_string()));
    assert!((5..50).contains(&jobs.len()), "{jobs:?}");
    assert!(search(&mut app, "s3full").is_empty());
}

/// With an account alias, the console sign-in URL on the credentials screen uses it, as the
/// console's does. The alias is account-wide, so this runs on a private emulator.
#[tokio::test(flavor = "multi_thread")]
async fn the_sign_in_url_uses_the_account_alias() {
    let moto = PrivateMoto::start().await;
    let admin = iamwiz::aws::connect(&moto.settings()).await;
    match ask(moto.settings(), vec![Request::LoadAccountAlias])
        .await
        .pop()
    {
        Some(Event::AccountAlias(Ok(None))) => {}
        other => panic!(
            "expected no alias, got {:?}",
            other.as_ref().map(event_name)
        ),
    }
    admin
        .iam
        .create_account_alias()
        .account_alias("example-corp")
        .send()
        .await
        .expect("CreateAccountAlias");
    match ask(moto.settings(), vec![Request::LoadAccountAlias])
        .await
        .pop()
    {
        Some(Event::AccountAlias(Ok(Some(alias)))) => assert_eq!(alias, "example-corp"),
        other => panic!(
            "expected the alias, got {:?}",
            other.as_ref().map(event_name)
        ),
    }
    let (_, result) = run_plan(moto.settings(), bare_spec("aliased")).await;
    assert_eq!(
        expect_created(result).sign_in_url,
        "https://example-corp.signin.aws.amazon.com/console"
    );
}

/// An inline policy typed in the editor (pretty-printed, over several lines) reaches IAM as the
/// same document.
#[tokio::test(flavor = "multi_thread")]
async fn a_typed_inline_policy_is_put_on_the_user() {
    use common::fixtures::{create_spec, loaded, press, type_str};
    use crossterm::event::KeyCode;
    use iamwiz::app::Screen;

    let user = common::unique("typed-inline");
    let doc = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \
               \"Allow\",\n      \"Action\": [\"s3:GetObject\", \"s3:ListBucket\"],\n      \
               \"Resource\": \"*\"\n    }\n  ]\n}";

    let mut app = loaded();
    type_str(&mut app, &user);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Up);
    type_str(&mut app, "typed-s3");
    press(&mut app, KeyCode::Enter);
    // Typed by hand: Enter for each line break.
    for (i, l) in doc.lines().enumerate() {
        if i > 0 {
            press(&mut app, KeyCode::Enter);
        }
        type_str(&mut app, l);
    }
    assert_eq!(app.draft.inline_doc.text(), doc);
    press(&mut app, KeyCode::F(2));
    assert_eq!(app.screen, Screen::Boundary);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
    assert_eq!(spec.inline.len(), 1);

    let (_, result) = run_plan(common::settings(), spec).await;
    let created = expect_created(result);
    assert_eq!(created.name, user);

    let admin = common::admin().await;
    let stored = common::inline_policy_text(&admin.iam, &user, "typed-s3").await;
    assert_eq!(
        json(&stored),
        json(doc),
        "the inline policy document IAM stored"
    );
}

// ---------------------------------------------------------------------------------------------
// Creating a group from the Groups pane
// ---------------------------------------------------------------------------------------------

/// The one `GroupCreated` reply to a `CreateGroup` request.
async fn create_group_via_worker(
    settings: AwsSettings,
    name: &str,
    policies: Vec<String>,
) -> (
    u64,
    Result<iamwiz::protocol::GroupInfo, iamwiz::protocol::AwsError>,
) {
    let replies = ask(
        settings,
        vec![Request::CreateGroup {
            seq: 7,
            name: name.to_string(),
            path: "/teams/".to_string(),
            policies,
        }],
    )
    .await;
    match replies.into_iter().next() {
        Some(Event::GroupCreated { seq, result }) => (seq, result),
        other => panic!("expected GroupCreated, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn creates_a_group_with_two_policies() {
    let admin = common::admin().await;
    let custom = create_customer_policy(&admin.iam, &common::unique("grp-pol")).await;
    let name = common::unique("new-group");
    let (seq, result) = create_group_via_worker(
        common::settings(),
        &name,
        vec![READ_ONLY.to_string(), custom.clone()],
    )
    .await;
    assert_eq!(seq, 7);
    let group = result.expect("the group is created");
    assert_eq!(group.name, name);
    let mut expected = vec![
        "ReadOnlyAccess".to_string(),
        iamwiz::protocol::policy_name(&custom).to_string(),
    ];
    let mut listed = group.policies.clone();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected, "the reply lists the policies by name");

    let got = admin
        .iam
        .get_group()
        .group_name(&name)
        .send()
        .await
        .expect("GetGroup");
    assert_eq!(got.group.map(|g| g.path), Some("/teams/".to_string()));
    let mut attached: Vec<String> = admin
        .iam
        .list_attached_group_policies()
        .group_name(&name)
        .send()
        .await
        .expect("ListAttachedGroupPolicies")
        .attached_policies
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.policy_arn)
        .collect();
    attached.sort();
    let mut want = vec![READ_ONLY.to_string(), custom];
    want.sort();
    assert_eq!(attached, want);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_attach_removes_the_group_again() {
    let admin = common::admin().await;
    let name = common::unique("half-group");
    let missing = format!(
        "arn:aws:iam::{ACCOUNT}:policy/{}",
        common::unique("no-such-policy")
    );
    let recorder = Recorder::default();
    let (_, result) = create_group_via_worker(
        recorder.settings(),
        &name,
        vec![READ_ONLY.to_string(), missing],
    )
    .await;
    let error = result.expect_err("attaching a policy that does not exist fails");
    assert_eq!(error.operation, "iam:AttachGroupPolicy", "{error}");
    assert_eq!(error.code, "NoSuchEntity", "{error}");
    assert!(!error.hint.is_empty());
    // Real IAM refuses DeleteGroup while policies are attached (moto may not): the policy that
    // was attached is detached first.
    let ops = recorder.operations();
    assert_eq!(
        ops.first().map(String::as_str),
        Some("CreateGroup"),
        "{ops:?}"
    );
    assert_eq!(
        ops.iter().filter(|o| *o == "AttachGroupPolicy").count(),
        2,
        "{ops:?}"
    );
    let detach = ops.iter().position(|o| o == "DetachGroupPolicy");
    let delete = ops.iter().position(|o| o == "DeleteGroup");
    assert!(
        detach.is_some() && delete.is_some() && detach < delete,
        "detach, then delete: {ops:?}"
    );
    assert_eq!(
        ops.iter().filter(|o| *o == "DetachGroupPolicy").count(),
        1,
        "only the policy that was attached is detached: {ops:?}"
    );
    match admin.iam.get_group().group_name(&name).send().await {
        Ok(g) => panic!("group {name} was left behind: {g:?}"),
        Err(e) => assert_eq!(e.code(), Some("NoSuchEntity"), "GetGroup {name}: {e:?}"),
    }
}

/// The account alias only names the console sign-in URL: a slow `ListAccountAliases` holds up
/// neither wave of the creation (its calls go out while the alias is still being read).
#[tokio::test]
async fn a_slow_account_alias_holds_up_no_creation_call() {
    const ALIAS_DELAY: Duration = Duration::from_secs(3);
    let arrivals: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let log = arrivals.clone();
    let proxy = common::proxy::Proxy::start(move |action| {
        log.lock()
            .unwrap()
            .push((action.to_string(), Instant::now()));
        if action == "ListAccountAliases" {
            common::proxy::Verdict::Forward(ALIAS_DELAY)
        } else {
            common::proxy::Verdict::Forward(Duration::ZERO)
        }
    });
    let settings = AwsSettings {
        endpoint_url: Some(proxy.endpoint.clone()),
        ..common::settings()
    };
    let user = common::unique("slow-alias");
    let spec = UserSpec {
        key_description: None,
        access_key: true,
        ..bare_spec(&user)
    };
    let (_, result) = run_plan(settings, spec).await;
    assert!(
        matches!(result, CreationResult::Created(_)),
        "the creation failed: {result:?}"
    );
    let arrivals = arrivals.lock().unwrap();
    let at = |action: &str| {
        arrivals
            .iter()
            .find(|(a, _)| a == action)
            .map(|(_, t)| *t)
            .unwrap_or_else(|| panic!("no {action} in {arrivals:?}"))
    };
    let (alias, key) = (at("ListAccountAliases"), at("CreateAccessKey"));
    assert!(
        key < alias + ALIAS_DELAY / 2,
        "CreateAccessKey went out {:?} after ListAccountAliases: it waited for the alias",
        key.saturating_duration_since(alias)
    );
}

// ---------------------------------------------------------------------------------------------
// Under a request quota, and the cost of reading the account
// ---------------------------------------------------------------------------------------------

/// The groups and their policies cost a page of `GetAccountAuthorizationDetails`, not a
/// `ListAttachedGroupPolicies` per group: at IAM's 300 groups the old way was 300 requests of the
/// account's shared quota.
#[tokio::test(flavor = "multi_thread")]
async fn groups_cost_a_page_not_a_request_per_group() {
    let iam = common::admin().await.iam;
    let prefix = common::unique("paged-grp");
    for i in 0..25u32 {
        let name = format!("{prefix}-{i}");
        iam.create_group().group_name(&name).send().await.unwrap();
        if i.is_multiple_of(5) {
            iam.attach_group_policy()
                .group_name(&name)
                .policy_arn(READ_ONLY)
                .send()
                .await
                .unwrap();
        }
    }
    let counter = common::throttle::Throttle::start(1e6, 1e6);
    let settings = AwsSettings {
        endpoint_url: Some(counter.endpoint.clone()),
        ..common::settings()
    };
    let replies = ask(settings, vec![Request::LoadGroups { seq: 4 }]).await;
    let [Event::Groups { seq: 4, result }] = replies.as_slice() else {
        panic!("{:?}", replies.iter().map(event_name).collect::<Vec<_>>());
    };
    let groups = result.as_ref().expect("the groups");
    let ours: Vec<_> = groups
        .iter()
        .filter(|g| g.name.starts_with(&prefix))
        .collect();
    assert_eq!(ours.len(), 25);
    for g in ours {
        let i: usize = g.name.rsplit('-').next().unwrap().parse().unwrap();
        let expected: &[&str] = if i.is_multiple_of(5) {
            &["ReadOnlyAccess"]
        } else {
            &[]
        };
        assert_eq!(g.policies, expected, "{}", g.name);
    }
    assert_eq!(
        counter.actions(),
        ["GetAccountAuthorizationDetails"],
        "one page for every group of the account"
    );
}

/// A step AWS refuses for real, under a quota of 5 requests a second that throttles the
/// creation and its undo alike: the rollback completes and nothing of the batch is left.
#[tokio::test(flavor = "multi_thread")]
async fn a_real_failure_under_a_quota_is_rolled_back_whole() {
    let iam = common::admin().await.iam;
    let names: Vec<String> = (0..4)
        .map(|i| common::unique(&format!("quota-rb{i}")))
        .collect();
    let missing = common::unique("no-such-group");
    let specs: Vec<UserSpec> = names
        .iter()
        .map(|name| UserSpec {
            key_description: None,
            access_key: true,
            login: generated_password(false),
            policies: vec![READ_ONLY.to_string(), VIEW_ONLY.to_string()],
            groups: vec![missing.clone()],
            ..bare_spec(name)
        })
        .collect();
    let throttle = common::throttle::Throttle::start(5.0, 5.0);
    let settings = AwsSettings {
        endpoint_url: Some(throttle.endpoint.clone()),
        ..common::settings()
    };
    let (_, result) = run_batch(settings, specs).await;
    let CreationResult::Failed {
        step,
        error,
        leftovers,
        ..
    } = result
    else {
        panic!("the batch names a group that does not exist");
    };
    assert_eq!(step, StepKind::AddToGroup(missing));
    assert_eq!(error.code, "NoSuchEntity", "{error}");
    assert!(leftovers.is_empty(), "left: {leftovers:?}");
    assert!(throttle.refused() > 0, "the quota was never reached");
    for name in &names {
        match iam.get_user().user_name(name).send().await {
            Err(e) => assert_eq!(e.code(), Some("NoSuchEntity"), "GetUser {name}: {e:?}"),
            Ok(_) => panic!("{name} was left"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Another admin at the same time
// ---------------------------------------------------------------------------------------------

/// A proxy that loses the first `action` request on the wire (moto never sees it), after telling
/// `colleague` so that another admin's entity can appear while the SDK waits to retry.
fn losing_first(
    action: &'static str,
    colleague: std::sync::mpsc::Sender<()>,
) -> common::proxy::Proxy {
    let seen = std::sync::atomic::AtomicBool::new(false);
    let colleague = Mutex::new(colleague);
    common::proxy::Proxy::start(move |a| {
        if a == action && !seen.swap(true, std::sync::atomic::Ordering::SeqCst) {
            let _ = colleague.lock().unwrap().send(());
            return common::proxy::Verdict::Lost {
                applied: false,
                cut: common::proxy::Cut::Stall(Duration::from_secs(2)),
            };
        }
        common::proxy::Verdict::Forward(Duration::ZERO)
    })
}

/// The first `CreateUser` is lost on the wire while a colleague creates a plain user of that
/// name; the SDK's retry meets `EntityAlreadyExists`. The colleague's user lacks this run's mark:
/// it is a clash, never given a key, and the rollback of the step that then fails never deletes
/// it.
#[tokio::test(flavor = "multi_thread")]
async fn a_retried_create_user_never_takes_a_colleagues_user() {
    let iam = common::admin().await.iam;
    let name = common::unique("colleague-x");
    let (tx, rx) = std::sync::mpsc::channel();
    let proxy = losing_first("CreateUser", tx);
    let colleague = {
        let (iam, name) = (iam.clone(), name.clone());
        tokio::spawn(async move {
            tokio::task::spawn_blocking(move || rx.recv())
                .await
                .unwrap()
                .expect("the first CreateUser reached the proxy");
            iam.create_user().user_name(&name).send().await.unwrap();
        })
    };
    let spec = UserSpec {
        key_description: None,
        access_key: true,
        policies: vec!["arn:aws:iam::aws:policy/NoSuchPolicyAnywhere".to_string()],
        ..bare_spec(&name)
    };
    let settings = AwsSettings {
        endpoint_url: Some(proxy.endpoint.clone()),
        ..common::settings()
    };
    let (_, result) = run_plan(settings, spec).await;
    colleague.await.unwrap();
    let CreationResult::Failed { step, error, .. } = result else {
        panic!("the name was taken by the colleague");
    };
    assert_eq!(step, StepKind::CreateUser);
    assert_eq!(error.code, "EntityAlreadyExists", "{error}");
    iam.get_user()
        .user_name(&name)
        .send()
        .await
        .expect("the colleague's user is still there");
    assert!(
        common::access_key_ids(&iam, &name).await.is_empty(),
        "given a key"
    );
    assert!(common::attached_policy_arns(&iam, &name).await.is_empty());
}

/// What one transmitted request said about its connection.
#[derive(Clone, Debug, PartialEq)]
struct Sent {
    operation: String,
    /// Its `Connection` header.
    connection: Option<String>,
    /// Whether that header was signed.
    signed: bool,
}

/// Records a [`Sent`] for every request transmitted through the clients it is installed on.
#[derive(Clone, Debug, Default)]
struct ConnectionHeaders {
    seen: Arc<Mutex<Vec<Sent>>>,
}

impl Intercept for ConnectionHeaders {
    fn name(&self) -> &'static str {
        "tests::ConnectionHeaders"
    }

    /// Runs after every interceptor's `modify_before_transmit`: the request as it goes out.
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_default();
        let headers = context.request().headers();
        let connection = headers.get("connection").map(str::to_string);
        let signed = headers
            .get("authorization")
            .and_then(|a| a.split("SignedHeaders=").nth(1))
            .is_some_and(|s| s.split([',', ';']).any(|h| h.trim() == "connection"));
        self.seen.lock().unwrap().push(Sent {
            operation,
            connection,
            signed,
        });
        Ok(())
    }
}

/// The response to `CreateAccessKey` carries the new secret: its connection is closed after it
/// rather than pooled with the response still in its read buffer (moto closes every connection,
/// so this is checked on the request). The header is not signed: proxies may drop it.
#[tokio::test(flavor = "multi_thread")]
async fn the_connection_that_brings_a_new_secret_key_is_not_kept_for_reuse() {
    let recorder = ConnectionHeaders::default();
    let settings = AwsSettings {
        interceptors: vec![SharedInterceptor::new(recorder.clone())],
        ..common::settings()
    };
    let name = common::unique("conn");
    let spec = UserSpec {
        key_description: None,
        access_key: true,
        login: generated_password(false),
        ..bare_spec(&name)
    };
    let (_, result) = run_plan(settings, spec).await;
    expect_created(result);
    let seen = recorder.seen.lock().unwrap().clone();
    let of = |op: &str| {
        seen.iter()
            .find(|s| s.operation == op)
            .cloned()
            .unwrap_or_else(|| panic!("no {op} request in {seen:?}"))
    };
    assert_eq!(
        of("CreateAccessKey"),
        Sent {
            operation: "CreateAccessKey".to_string(),
            connection: Some("close".to_string()),
            signed: false,
        },
        "Connection: close, unsigned"
    );
    assert_eq!(
        of("CreateLoginProfile").connection,
        None,
        "other calls keep the connection for reuse"
    );
}

/// The access key's description is stored the console's way: a user tag whose key is the new
/// access key ID, next to the user's own tags.
#[tokio::test(flavor = "multi_thread")]
async fn the_access_keys_description_is_a_user_tag_named_by_the_key_id() {
    let admin = common::admin().await;
    let name = common::unique("described");
    let spec = UserSpec {
        access_key: true,
        key_description: Some("CI deploys: build/2 @ eu".into()),
        tags: vec![("team".into(), "data".into())],
        ..bare_spec(&name)
    };
    let (_, result) = run_plan(common::settings(), spec).await;
    let users = expect_created_all(result);
    let key = users[0].access_key.as_ref().expect("a key").id.clone();
    let tags = admin
        .iam
        .list_user_tags()
        .user_name(&name)
        .send()
        .await
        .unwrap();
    let mut tags: Vec<(String, String)> = tags
        .tags()
        .iter()
        .filter(|t| t.key() != "iamwiz:run")
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect();
    tags.sort();
    let mut expected = vec![
        ("team".to_string(), "data".to_string()),
        (key, "CI deploys: build/2 @ eu".to_string()),
    ];
    expected.sort();
    assert_eq!(tags, expected);
}

/// After the creation's answer, the worker proves the new key and reports it: waiting while the
/// key propagates (a proxy answers `InvalidClientTokenId` for its first seconds), then works.
#[tokio::test(flavor = "multi_thread")]
async fn the_worker_proves_the_new_key_after_the_answer_and_reports_the_wait() {
    use iamwiz::protocol::KeyProof;
    let (proxy, _) = common::proxy::propagation_proxy(Some(Duration::from_secs(3)));
    let settings = AwsSettings {
        endpoint_url: Some(proxy.endpoint.clone()),
        ..common::settings()
    };
    let name = common::unique("proven");
    let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let worker = iamwiz::worker::spawn(settings, events_tx);
    let spec = UserSpec {
        access_key: true,
        ..bare_spec(&name)
    };
    worker
        .requests
        .send(Request::Create {
            run: 3,
            specs: vec![spec],
        })
        .unwrap();
    let mut order = Vec::new();
    let outcome = timeout(Duration::from_secs(60), async {
        while let Some(event) = events.recv().await {
            match event {
                Event::Finished { result, .. } => {
                    expect_created_all(result);
                    order.push("Finished".to_string());
                }
                Event::KeyProof { run, user, proof } => {
                    assert_eq!((run, user.as_str()), (3, name.as_str()));
                    order.push(format!("{proof:?}"));
                    if !matches!(proof, KeyProof::Waiting { .. }) {
                        return proof;
                    }
                }
                _ => {}
            }
        }
        panic!("the worker stopped before the proof ended: {order:?}");
    })
    .await
    .expect("the proof ends within its limit");
    assert!(
        matches!(outcome, KeyProof::Works { secs } if secs >= 2),
        "{outcome:?}"
    );
    assert_eq!(
        order[0], "Finished",
        "the answer does not wait for the proof"
    );
    assert!(
        order[1].contains("InvalidClientTokenId"),
        "the wait is reported: {order:?}"
    );
}

/// If the description cannot be stored (`TagUser` refused), the creation fails on that step and
/// is undone whole: the new key is deleted before the user (IAM refuses `DeleteUser` while a key
/// remains; moto does not, so the calls are read from a proxy), so nothing is left.
#[tokio::test(flavor = "multi_thread")]
async fn a_description_that_cannot_be_stored_rolls_the_creation_back() {
    use common::proxy::{self, Proxy, Verdict};
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    let proxy = Proxy::start(move |action| {
        log.lock().unwrap().push(action.to_string());
        if action == "TagUser" {
            proxy::iam_error("403 Forbidden", "AccessDenied", "not allowed to tag users")
        } else {
            Verdict::Forward(Duration::ZERO)
        }
    });
    let settings = AwsSettings {
        endpoint_url: Some(proxy.endpoint.clone()),
        ..common::settings()
    };
    let name = common::unique("undescribed");
    let spec = UserSpec {
        access_key: true,
        key_description: Some("ci".into()),
        ..bare_spec(&name)
    };
    let (_, result) = run_plan(settings, spec).await;
    match result {
        CreationResult::Failed {
            step,
            error,
            leftovers,
            ..
        } => {
            assert_eq!(step, StepKind::CreateAccessKey);
            assert_eq!(
                (error.operation.as_str(), error.code.as_str()),
                ("iam:TagUser", "AccessDenied")
            );
            assert!(leftovers.is_empty(), "{leftovers:?}");
        }
        CreationResult::Created(_) => panic!("the creation should fail on TagUser"),
    }
    let admin = common::admin().await;
    assert!(
        !common::apply::user_exists(&admin.iam, &name).await,
        "the user is gone"
    );
    let seen = seen.lock().unwrap().clone();
    let at = |a: &str| seen.iter().position(|s| s == a);
    let (key_gone, user_gone) = (at("DeleteAccessKey"), at("DeleteUser"));
    assert!(
        key_gone.is_some() && key_gone < user_gone,
        "the key is deleted before the user: {seen:?}"
    );
}

/// `EndProof` (the credentials screen was left) stops a proof that is still waiting: no call is
/// signed with the new key afterwards, and no more news of it comes.
#[tokio::test(flavor = "multi_thread")]
async fn ending_the_proof_stops_the_calls_signed_with_the_new_key() {
    use iamwiz::protocol::KeyProof;
    let (proxy, seen) = common::proxy::propagation_proxy(None);
    let settings = AwsSettings {
        endpoint_url: Some(proxy.endpoint.clone()),
        ..common::settings()
    };
    let name = common::unique("unproven");
    let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let worker = iamwiz::worker::spawn(settings, events_tx);
    let spec = UserSpec {
        access_key: true,
        ..bare_spec(&name)
    };
    let create = Request::Create {
        run: 5,
        specs: vec![spec],
    };
    worker.requests.send(create).unwrap();
    timeout(Duration::from_secs(30), async {
        while let Some(event) = events.recv().await {
            if let Event::KeyProof {
                proof: KeyProof::Waiting { .. },
                ..
            } = event
            {
                return;
            }
        }
    })
    .await
    .expect("the proof waits while the key is refused");
    worker.requests.send(Request::EndProof { run: 5 }).unwrap();
    let by_key = |seen: &common::proxy::Seen| {
        seen.lock()
            .unwrap()
            .iter()
            .filter(|(a, admin, _)| a == "GetCallerIdentity" && !admin)
            .count()
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let tries = by_key(&seen);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(by_key(&seen), tries, "no try after the end");
    while let Ok(event) = events.try_recv() {
        assert!(
            !matches!(event, Event::KeyProof { .. }),
            "news of an ended proof"
        );
    }
}
