//! The fault matrix: every step of the creation plan, faulted once at the HTTP layer with each
//! kind of fault, against the shared moto with the real SDK and the real worker.
//!
//! - HTTP error responses (`Throttling`/400, `ServiceFailure`/500, `AccessDenied`/403,
//!   `LimitExceeded`/409, `EntityAlreadyExists`/409) come from [`Faults`], an SDK interceptor. On
//!   the faulted attempt it rewrites the request, just before it is sent, into a harmless read
//!   (`ListAccountAliases`), so moto never applies it, and then replaces moto's answer with an
//!   error response in IAM's own query-protocol XML. The SDK parses and classifies it exactly as
//!   it would a real one.
//! - Connection resets and timeouts come from [`Proxy`], a small TCP proxy in front of moto that
//!   reads each request's `Action=` and, for the faulted one, resets the connection (SO_LINGER 0)
//!   or holds it past the SDK's attempt timeout, in both cases without forwarding it; or, for the
//!   "after applied" faults, forwards it first, so that moto applies the call and only its answer
//!   is lost.
//!
//! Retryable faults (throttling, 5xx, reset, timeout) must be retried and the user made whole;
//! the others must fail the plan at that step with that code, roll back in the order IAM requires
//! (asserted on the calls made, since moto does not enforce it), and leave no trace of the user.
//! The table of outcomes is in docs/faults.md.

use crate::common;

use common::faults::Injection;
use common::proxy::{Cut, Verdict};
use common::worker::run_plan;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use futures::future::join_all;
use iamwiz::aws::AwsSettings;
use iamwiz::protocol::{
    CreationResult, InlinePolicy, Leftover, LoginSpec, PasswordPolicy, PasswordSource, StepKind,
    UserSpec,
};

const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const INLINE: &str = "inline";

/// The SDK's attempt timeout in the timeout cases, and how long the proxy holds the request.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(1500);
const STALL: Duration = Duration::from_secs(3);

/// Every step kind of a full plan, by the operation that makes it.
const STEPS: [&str; 6] = [
    "CreateUser",
    "CreateLoginProfile",
    "CreateAccessKey",
    "AddUserToGroup",
    "AttachUserPolicy",
    "PutUserPolicy",
];

/// The undo calls, in the order real IAM requires before `DeleteUser` succeeds.
const UNDO_ORDER: [&str; 6] = common::IAM_DELETE_ORDER;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Throttling,
    ServerError,
    ConnectionReset,
    Timeout,
    AccessDenied,
    LimitExceeded,
    EntityAlreadyExists,
    /// The proxy forwards the request, moto applies it, and the response is reset.
    ResetAfterApplied,
    /// The proxy forwards the request, moto applies it, and the response is held past the timeout.
    TimeoutAfterApplied,
}

impl Fault {
    /// Status, code and message of the error response an HTTP-level fault is answered with.
    fn response(self) -> Option<(u16, &'static str, &'static str, &'static str)> {
        Some(match self {
            Fault::Throttling => (400, "Sender", "Throttling", "Rate exceeded"),
            Fault::ServerError => (500, "Receiver", "ServiceFailure", "Internal failure"),
            Fault::AccessDenied => (
                403,
                "Sender",
                "AccessDenied",
                "User is not authorized to perform this action",
            ),
            Fault::LimitExceeded => (409, "Sender", "LimitExceeded", "Cannot exceed quota"),
            Fault::EntityAlreadyExists => (
                409,
                "Sender",
                "EntityAlreadyExists",
                "The entity already exists",
            ),
            _ => return None,
        })
    }

    fn retryable(self) -> bool {
        matches!(
            self,
            Fault::Throttling
                | Fault::ServerError
                | Fault::ConnectionReset
                | Fault::Timeout
                | Fault::ResetAfterApplied
                | Fault::TimeoutAfterApplied
        )
    }

    fn by_proxy(self) -> bool {
        self.response().is_none()
    }

    fn times_out(self) -> bool {
        matches!(self, Fault::Timeout | Fault::TimeoutAfterApplied)
    }
}

// ---------------------------------------------------------------------------------------------
// The fault-injecting interceptor (HTTP error responses), which also records the calls made
// ---------------------------------------------------------------------------------------------

/// Fault the `nth` attempt (1-based) of `operation` with `fault`.
#[derive(Debug)]
struct Rule {
    operation: &'static str,
    nth: u32,
    fault: Fault,
    attempts: AtomicU32,
}

/// The shared interceptor with the rules of this file, and how many attempts it faulted.
#[derive(Clone, Debug)]
struct Faults {
    interceptor: common::faults::Faults,
    injected: Arc<AtomicU32>,
}

impl Faults {
    fn new(rules: Vec<(&'static str, u32, Fault)>) -> Faults {
        let rules: Vec<Rule> = rules
            .into_iter()
            .map(|(operation, nth, fault)| Rule {
                operation,
                nth,
                fault,
                attempts: AtomicU32::new(0),
            })
            .collect();
        let injected = Arc::new(AtomicU32::new(0));
        let counter = injected.clone();
        let interceptor = common::faults::Faults::new(move |op, _| {
            let mut inject = None;
            for rule in rules.iter().filter(|r| r.operation == op) {
                if rule.fault.response().is_some()
                    && rule.attempts.fetch_add(1, Ordering::SeqCst) + 1 == rule.nth
                {
                    inject = Some(rule.fault);
                }
            }
            let (status, kind, code, message) = inject?.response()?;
            counter.fetch_add(1, Ordering::SeqCst);
            Some(Injection {
                status,
                kind,
                code,
                message: message.to_string(),
                applied: false,
            })
        });
        Faults {
            interceptor,
            injected,
        }
    }

    fn calls(&self) -> Vec<String> {
        self.interceptor.calls()
    }
}

// ---------------------------------------------------------------------------------------------
// The fault-injecting proxy (connection resets and timeouts)
// ---------------------------------------------------------------------------------------------

/// A TCP proxy on 127.0.0.1 in front of the shared moto. The `nth` request carrying `Action=action`
/// is not forwarded: its connection is reset, or held for [`STALL`] and then closed.
struct Proxy {
    endpoint: String,
    injected: Arc<AtomicU32>,
}

impl Proxy {
    fn start(action: &'static str, nth: u32, fault: Fault) -> Proxy {
        let seen = AtomicU32::new(0);
        let injected = Arc::new(AtomicU32::new(0));
        let counter = injected.clone();
        let proxy = common::proxy::Proxy::start(move |request| {
            if request != action || seen.fetch_add(1, Ordering::SeqCst) + 1 != nth {
                return Verdict::Forward(Duration::ZERO);
            }
            counter.fetch_add(1, Ordering::SeqCst);
            Verdict::Lost {
                applied: matches!(fault, Fault::ResetAfterApplied | Fault::TimeoutAfterApplied),
                cut: match fault {
                    Fault::ConnectionReset | Fault::ResetAfterApplied => Cut::Reset,
                    _ => Cut::Stall(STALL),
                },
            }
        });
        Proxy {
            endpoint: proxy.endpoint,
            injected,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running a plan
// ---------------------------------------------------------------------------------------------

/// A full plan: user, console password, access key, a group, a managed and an inline policy.
fn full_spec(user: &str, group: &str) -> UserSpec {
    UserSpec {
        key_description: None,
        name: user.to_string(),
        path: "/".to_string(),
        tags: vec![("team".to_string(), "faults".to_string())],
        boundary: None,
        access_key: true,
        login: Some(LoginSpec {
            password: PasswordSource::Generate {
                policy: PasswordPolicy::aws_default(),
            },
            require_reset: false,
        }),
        groups: vec![group.to_string()],
        policies: vec![READ_ONLY.to_string()],
        inline: vec![InlinePolicy {
            name: INLINE.to_string(),
            document: serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{ "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*" }],
            })
            .to_string(),
        }],
    }
}

fn step_kind(operation: &str, group: &str) -> StepKind {
    match operation {
        "CreateUser" => StepKind::CreateUser,
        "CreateLoginProfile" => StepKind::CreateLoginProfile,
        "CreateAccessKey" => StepKind::CreateAccessKey,
        "AddUserToGroup" => StepKind::AddToGroup(group.to_string()),
        "AttachUserPolicy" => StepKind::AttachPolicy(READ_ONLY.to_string()),
        "PutUserPolicy" => StepKind::PutInlinePolicy(INLINE.to_string()),
        other => panic!("not a step: {other}"),
    }
}

/// The undo call for the step made by `operation`.
fn undo_of(operation: &str) -> &'static str {
    let i = STEPS.iter().position(|s| *s == operation).unwrap();
    [
        "DeleteUser",
        "DeleteLoginProfile",
        "DeleteAccessKey",
        "RemoveUserFromGroup",
        "DetachUserPolicy",
        "DeleteUserPolicy",
    ][i]
}

// ---------------------------------------------------------------------------------------------
// Checking the account, through the SDK
// ---------------------------------------------------------------------------------------------

async fn assert_complete(iam: &aws_sdk_iam::Client, user: &str, group: &str, case: &str) {
    iam.get_user()
        .user_name(user)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{case}: GetUser: {e:?}"));
    iam.get_login_profile()
        .user_name(user)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{case}: GetLoginProfile: {e:?}"));
    let keys = common::access_key_ids(iam, user).await;
    assert_eq!(keys.len(), 1, "{case}: exactly one access key");
    assert!(
        group_members(iam, group).await.iter().any(|u| u == user),
        "{case}: a member of {group}"
    );
    let arns = common::attached_policy_arns(iam, user).await;
    assert_eq!(arns, [READ_ONLY], "{case}: managed policies");
    let inline = common::inline_policy_names(iam, user).await;
    assert_eq!(inline, [INLINE], "{case}: inline policies");
}

async fn assert_no_user(iam: &aws_sdk_iam::Client, user: &str, group: &str, case: &str) {
    match iam.get_user().user_name(user).send().await {
        Ok(_) => panic!("{case}: user {user} is still there"),
        Err(e) => assert_eq!(e.code(), Some("NoSuchEntity"), "{case}: GetUser: {e:?}"),
    }
    assert!(
        !group_members(iam, group).await.iter().any(|u| u == user),
        "{case}: {group} still lists {user}"
    );
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

/// The undo calls among `calls`, which must all come after the last creating call.
fn undo_calls(calls: &[String], case: &str) -> Vec<String> {
    let first = calls
        .iter()
        .position(|c| UNDO_ORDER.contains(&c.as_str()))
        .unwrap_or(calls.len());
    assert!(
        calls[first..]
            .iter()
            .all(|c| UNDO_ORDER.contains(&c.as_str())),
        "{case}: a creating call was made during the rollback: {calls:?}"
    );
    calls[first..].to_vec()
}

// ---------------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------------

/// One cell: a full plan with `fault` injected once into `step`; checks the outcome the table in
/// docs/faults.md gives.
async fn cell(step: &'static str, fault: Fault) {
    let admin = common::admin().await;
    let iam = &admin.iam;
    let case = format!("{fault:?} on {step}");
    let user = common::unique("fault");
    let group = common::unique("fault-grp");
    iam.create_group()
        .group_name(&group)
        .send()
        .await
        .expect("CreateGroup");

    let faults = Faults::new(vec![(step, 1, fault)]);
    let mut settings = AwsSettings {
        interceptors: vec![SharedInterceptor::new(faults.interceptor.clone())],
        ..common::settings()
    };
    let proxy = match fault {
        _ if fault.by_proxy() => {
            let proxy = Proxy::start(step, 1, fault);
            settings.endpoint_url = Some(proxy.endpoint.clone());
            if fault.times_out() {
                settings.timeouts = Some(
                    TimeoutConfig::builder()
                        .connect_timeout(Duration::from_secs(5))
                        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                        .operation_timeout(Duration::from_secs(30))
                        .build(),
                );
            }
            Some(proxy)
        }
        _ => None,
    };

    let (_, result) = run_plan(settings, full_spec(&user, &group)).await;

    let injected = match &proxy {
        Some(p) => p.injected.load(Ordering::SeqCst),
        None => faults.injected.load(Ordering::SeqCst),
    };
    assert_eq!(injected, 1, "{case}: the fault was injected once");

    if fault.retryable() {
        if let CreationResult::Failed {
            step,
            error,
            leftovers,
            ..
        } = &result
        {
            panic!("{case}: not retried: failed at {step:?}: {error}; leftovers {leftovers:?}");
        }
        assert_complete(iam, &user, &group, &case).await;
        // Nothing was undone, except the key a lost CreateAccessKey made, which nobody saw.
        let orphan = matches!(fault, Fault::ResetAfterApplied | Fault::TimeoutAfterApplied)
            && step == "CreateAccessKey";
        let undone: Vec<String> = faults
            .calls()
            .into_iter()
            .filter(|c| UNDO_ORDER.contains(&c.as_str()))
            .collect();
        let expected: &[&str] = if orphan { &["DeleteAccessKey"] } else { &[] };
        assert_eq!(undone, expected, "{case}: undo calls");
        return;
    }

    let CreationResult::Failed {
        user: failed_user,
        step: failed_step,
        error,
        leftovers,
    } = result
    else {
        panic!("{case}: the creation should have failed");
    };
    let (_, _, code, _) = fault.response().unwrap();
    assert_eq!(failed_user, user, "{case}");
    assert_eq!(failed_step, step_kind(step, &group), "{case}");
    assert_eq!(error.code, code, "{case}: {error}");
    assert_eq!(error.operation, format!("iam:{step}"), "{case}");
    assert_eq!(leftovers, [], "{case}: the rollback removed everything");
    assert_no_user(iam, &user, &group, &case).await;

    // Everything that was made is undone, in IAM's order: the failed step's undo is left out,
    // and a failed CreateUser leaves nothing to undo.
    let expected: Vec<&str> = if step == "CreateUser" {
        Vec::new()
    } else {
        UNDO_ORDER
            .iter()
            .copied()
            .filter(|u| *u != undo_of(step))
            .collect()
    };
    assert_eq!(
        undo_calls(&faults.calls(), &case),
        expected,
        "{case}: rollback order"
    );
}

async fn column(fault: Fault) {
    join_all(STEPS.iter().map(|step| cell(step, fault))).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_is_retried_at_every_step() {
    column(Fault::Throttling).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_are_retried_at_every_step() {
    column(Fault::ServerError).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn connection_resets_are_retried_at_every_step() {
    column(Fault::ConnectionReset).await;
}

/// The standard retry strategy classifies an attempt timeout as transient and retries it. Here
/// the held request never reached moto, so the retry is safe.
#[tokio::test(flavor = "multi_thread")]
async fn timeouts_are_retried_at_every_step() {
    column(Fault::Timeout).await;
}

/// The lost attempt was applied: the retry of CreateUser or CreateLoginProfile meets
/// `EntityAlreadyExists` from its own first attempt, and a retried CreateAccessKey makes a second
/// key. The plan recognises these and the user ends up whole, with exactly one key.
#[tokio::test(flavor = "multi_thread")]
async fn resets_after_iam_applied_the_call_are_retried_at_every_step() {
    column(Fault::ResetAfterApplied).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn timeouts_after_iam_applied_the_call_are_retried_at_every_step() {
    column(Fault::TimeoutAfterApplied).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn access_denied_rolls_back_at_every_step() {
    column(Fault::AccessDenied).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn limit_exceeded_rolls_back_at_every_step() {
    column(Fault::LimitExceeded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn entity_already_exists_rolls_back_at_every_step() {
    column(Fault::EntityAlreadyExists).await;
}

// ---------------------------------------------------------------------------------------------
// A faulted rollback
// ---------------------------------------------------------------------------------------------

/// `AttachUserPolicy` is refused, then so is the undo `undo` (`DeleteAccessKey` or
/// `DetachUserPolicy`... here only those the plan made). What is left is listed exactly, with the
/// command that removes it, and `DeleteUser` is not attempted (real IAM would refuse it with
/// DeleteConflict; moto would delete the user regardless and make the list wrong).
async fn faulted_rollback(failing: &'static str, undo: &'static str) -> (String, Vec<Leftover>) {
    let admin = common::admin().await;
    let iam = &admin.iam;
    let user = common::unique("undo-fault");
    let group = common::unique("undo-fault-grp");
    iam.create_group()
        .group_name(&group)
        .send()
        .await
        .expect("CreateGroup");
    let faults = Faults::new(vec![
        (failing, 1, Fault::AccessDenied),
        (undo, 1, Fault::AccessDenied),
    ]);
    let settings = AwsSettings {
        interceptors: vec![SharedInterceptor::new(faults.interceptor.clone())],
        ..common::settings()
    };
    let (_, result) = run_plan(settings, full_spec(&user, &group)).await;
    let CreationResult::Failed {
        step,
        error,
        leftovers,
        ..
    } = result
    else {
        panic!("the creation should have failed at {failing}");
    };
    assert_eq!(step, step_kind(failing, &group));
    assert_eq!(error.code, "AccessDenied");
    let expected: Vec<&str> = UNDO_ORDER
        .iter()
        .copied()
        .filter(|u| *u != undo_of(failing) && *u != "DeleteUser")
        .collect();
    assert_eq!(
        undo_calls(&faults.calls(), "faulted rollback"),
        expected,
        "rollback order; DeleteUser not attempted"
    );
    // The user is still there, and (removed from its group) nothing but what is listed.
    iam.get_user()
        .user_name(&user)
        .send()
        .await
        .expect("the user is left");
    assert!(!group_members(iam, &group).await.contains(&user));
    (user, leftovers)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_faulted_delete_access_key_leaves_the_key_and_the_user_listed() {
    let (user, leftovers) = faulted_rollback("AttachUserPolicy", "DeleteAccessKey").await;
    let admin = common::admin().await;
    let iam = &admin.iam;
    let keys = common::access_key_ids(iam, &user).await;
    assert_eq!(keys.len(), 1, "the key is left");
    let key = keys[0].clone();
    assert_eq!(
        leftovers,
        [
            Leftover {
                what: format!("access key {key} of user {user}"),
                command: format!(
                    "aws iam delete-access-key --user-name {user} --access-key-id {key}"
                ),
            },
            Leftover {
                what: format!("user {user}"),
                command: format!("aws iam delete-user --user-name {user}"),
            },
        ]
    );
    // Nothing else: no password, no policies.
    assert_eq!(
        iam.get_login_profile()
            .user_name(&user)
            .send()
            .await
            .err()
            .and_then(|e| e.code().map(str::to_string))
            .as_deref(),
        Some("NoSuchEntity")
    );
    let inline = common::inline_policy_names(iam, &user).await;
    assert!(inline.is_empty(), "{inline:?}");

    // What the listed commands do, through the SDK.
    iam.delete_access_key()
        .user_name(&user)
        .access_key_id(&key)
        .send()
        .await
        .expect("DeleteAccessKey");
    iam.delete_user()
        .user_name(&user)
        .send()
        .await
        .expect("DeleteUser");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_faulted_detach_user_policy_leaves_the_policy_and_the_user_listed() {
    let (user, leftovers) = faulted_rollback("PutUserPolicy", "DetachUserPolicy").await;
    let admin = common::admin().await;
    let iam = &admin.iam;
    assert_eq!(
        leftovers,
        [
            Leftover {
                what: format!("policy ReadOnlyAccess attached to user {user}"),
                command: format!(
                    "aws iam detach-user-policy --user-name {user} --policy-arn {READ_ONLY}"
                ),
            },
            Leftover {
                what: format!("user {user}"),
                command: format!("aws iam delete-user --user-name {user}"),
            },
        ]
    );
    let keys = common::access_key_ids(iam, &user).await;
    assert!(keys.is_empty(), "the key was deleted");
    iam.detach_user_policy()
        .user_name(&user)
        .policy_arn(READ_ONLY)
        .send()
        .await
        .expect("DetachUserPolicy");
    iam.delete_user()
        .user_name(&user)
        .send()
        .await
        .expect("DeleteUser");
    match iam.get_user().user_name(&user).send().await {
        Ok(_) => panic!("user {user} is still there"),
        Err(e) => assert_eq!(e.code(), Some("NoSuchEntity")),
    }
}

/// The words a POSIX shell reads from `command`, an `aws …` command line: `aws` is made a shell
/// function that prints each of its arguments on a line of its own.
fn shell_words(command: &str) -> Vec<String> {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("aws() {{ printf '%s\\n' aws \"$@\"; }}\n{command}"))
        .output()
        .expect("sh must be installed to check that a printed command pastes into a shell");
    assert!(
        out.status.success(),
        "{command:?} is not a command a shell runs: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(str::to_string)
        .collect()
}

/// A customer managed policy whose path holds shell characters (IAM paths allow any printable
/// ASCII character) is attached, the creation fails and its detach is refused: the command
/// listed for the policy left, pasted into a shell, passes the ARN exactly as it is.
#[tokio::test(flavor = "multi_thread")]
async fn a_rollback_leftover_command_for_a_policy_path_with_shell_characters_pastes_as_it_reads() {
    let admin = common::admin().await;
    let iam = &admin.iam;
    let user = common::unique("undo-quote");
    let arn = iam
        .create_policy()
        .policy_name(common::unique("quoted"))
        .path("/a$b/it's/")
        .policy_document(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{ "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*" }],
            })
            .to_string(),
        )
        .send()
        .await
        .expect("CreatePolicy")
        .policy
        .and_then(|p| p.arn)
        .expect("the policy's ARN");
    assert!(arn.contains("/a$b/it's/"), "{arn}");
    let faults = Faults::new(vec![
        ("PutUserPolicy", 1, Fault::AccessDenied),
        ("DetachUserPolicy", 1, Fault::AccessDenied),
    ]);
    let settings = AwsSettings {
        interceptors: vec![SharedInterceptor::new(faults.interceptor.clone())],
        ..common::settings()
    };
    let spec = UserSpec {
        key_description: None,
        login: None,
        access_key: false,
        groups: Vec::new(),
        policies: vec![arn.clone()],
        ..full_spec(&user, "unused")
    };
    let (_, result) = run_plan(settings, spec).await;
    let CreationResult::Failed { leftovers, .. } = result else {
        panic!("the creation should have failed at PutUserPolicy");
    };
    assert_eq!(leftovers.len(), 2, "the policy and the user: {leftovers:?}");
    assert_eq!(
        shell_words(&leftovers[0].command),
        [
            "aws",
            "iam",
            "detach-user-policy",
            "--user-name",
            &user,
            "--policy-arn",
            &arn
        ]
    );
    assert_eq!(
        shell_words(&leftovers[1].command),
        ["aws", "iam", "delete-user", "--user-name", &user]
    );
    iam.detach_user_policy()
        .user_name(&user)
        .policy_arn(&arn)
        .send()
        .await
        .expect("DetachUserPolicy");
    iam.delete_user()
        .user_name(&user)
        .send()
        .await
        .expect("DeleteUser");
}

/// The first `CreateUser` is lost on the wire (never applied) while someone else creates a user
/// of the same name: the retry meets that user. It is not iamwiz's (its tags are not the ones
/// sent), so the creation fails with the clash, and the other user is left exactly as it was.
#[tokio::test(flavor = "multi_thread")]
async fn a_user_someone_else_made_while_an_answer_was_lost_is_a_clash_and_is_kept() {
    let admin = common::admin().await;
    let iam = &admin.iam;
    let user = common::unique("theirs");
    iam.create_user()
        .user_name(&user)
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("owner")
                .value("someone-else")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("someone else's CreateUser");

    let proxy = Proxy::start("CreateUser", 1, Fault::ConnectionReset);
    let settings = AwsSettings {
        endpoint_url: Some(proxy.endpoint.clone()),
        ..common::settings()
    };
    let (_, result) = run_plan(settings, full_spec(&user, "no-such-group")).await;
    assert_eq!(
        proxy.injected.load(Ordering::SeqCst),
        1,
        "the first CreateUser was lost, so the SDK retried it"
    );
    let CreationResult::Failed {
        step,
        error,
        leftovers,
        ..
    } = result
    else {
        panic!("the creation must fail on the clash: {result:?}");
    };
    assert_eq!(step, StepKind::CreateUser);
    assert_eq!(error.code, "EntityAlreadyExists");
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let theirs = iam
        .get_user()
        .user_name(&user)
        .send()
        .await
        .expect("the other user is still there")
        .user
        .expect("a user");
    let tags: Vec<(&str, &str)> = theirs.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(tags, [("owner", "someone-else")], "left exactly as it was");
    assert!(
        common::access_key_ids(iam, &user).await.is_empty(),
        "no access key was added to it"
    );
}
