//! Shared set-up for the tests that talk to the moto emulator.
//!
//! `scripts/test` starts one moto server for the whole run and exports its URL as
//! `IAMWIZ_TEST_ENDPOINT`. Tests use unique names instead of resetting moto, so they can run in
//! parallel against the same server.
#![allow(dead_code)]

pub mod apply;
pub mod faults;
pub mod fixtures;
pub mod iam_keys;
pub mod moto;
pub mod proxy;
pub mod pty;
pub mod throttle;
pub mod worker;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use iamwiz::aws::{AwsSettings, Clients};

/// The calls that remove a user with everything attached to it, in the order real IAM requires
/// before `DeleteUser` succeeds.
pub const IAM_DELETE_ORDER: [&str; 6] = [
    "DeleteAccessKey",
    "DeleteLoginProfile",
    "DetachUserPolicy",
    "DeleteUserPolicy",
    "RemoveUserFromGroup",
    "DeleteUser",
];

/// `tags` without iamwiz's mark of the run (`iamwiz:run`), which must be among them exactly once,
/// with a 128-bit value in hex.
pub fn without_mark(tags: Vec<(String, String)>) -> Vec<(String, String)> {
    let (marks, rest): (Vec<_>, Vec<_>) = tags.into_iter().partition(|(k, _)| k == "iamwiz:run");
    assert_eq!(marks.len(), 1, "one mark of the run: {marks:?}");
    let value = &marks[0].1;
    assert!(
        value.len() == 32 && value.chars().all(|c| c.is_ascii_hexdigit()),
        "a 128-bit mark: {value}"
    );
    rest
}

/// The moto endpoint, or a clear failure saying how to get one.
pub fn endpoint() -> String {
    match std::env::var("IAMWIZ_TEST_ENDPOINT") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "IAMWIZ_TEST_ENDPOINT is not set: these tests need the moto AWS emulator. \
             Run them with scripts/test (it installs and starts moto), or start \
             `MOTO_IAM_LOAD_MANAGED_POLICIES=true .venv/bin/moto_server -p PORT` yourself and set \
             IAMWIZ_TEST_ENDPOINT=http://127.0.0.1:PORT"
        ),
    }
}

/// Static dummy credentials for moto, set once for the whole test process.
pub fn use_dummy_credentials() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: called once, before any test thread reads the environment through the SDK.
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
            std::env::set_var("AWS_REGION", "us-east-1");
            std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
            std::env::remove_var("AWS_PROFILE");
        }
    });
}

/// Settings that point iamwiz's worker at moto.
pub fn settings() -> AwsSettings {
    use_dummy_credentials();
    AwsSettings {
        profile: None,
        region: Some("us-east-1".to_string()),
        endpoint_url: Some(endpoint()),
        credentials: None,
        interceptors: Vec::new(),
        timeouts: None,
        run_timeout: None,
    }
}

/// SDK clients against moto, for setting up and checking state independently of the code under
/// test's own calls.
pub async fn admin() -> Clients {
    iamwiz::aws::connect(&settings()).await
}

/// A name no other test (or earlier run against the same moto) uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos % 100_000
    )
}

/// Sends `SIG{signal}` (e.g. "TERM", "INT") to process `pid` with `kill`, as someone outside
/// would.
pub fn send_signal(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} {pid} failed");
}

/// The IDs of `user`'s access keys (`ListAccessKeys`).
pub async fn access_key_ids(iam: &aws_sdk_iam::Client, user: &str) -> Vec<String> {
    iam.list_access_keys()
        .user_name(user)
        .send()
        .await
        .expect("ListAccessKeys")
        .access_key_metadata
        .into_iter()
        .filter_map(|k| k.access_key_id)
        .collect()
}

/// The names of the groups `user` is a member of (`ListGroupsForUser`).
pub async fn group_names(iam: &aws_sdk_iam::Client, user: &str) -> Vec<String> {
    iam.list_groups_for_user()
        .user_name(user)
        .send()
        .await
        .expect("ListGroupsForUser")
        .groups
        .into_iter()
        .map(|g| g.group_name)
        .collect()
}

/// The ARNs of the managed policies attached to `user` (`ListAttachedUserPolicies`).
pub async fn attached_policy_arns(iam: &aws_sdk_iam::Client, user: &str) -> Vec<String> {
    iam.list_attached_user_policies()
        .user_name(user)
        .send()
        .await
        .expect("ListAttachedUserPolicies")
        .attached_policies
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.policy_arn)
        .collect()
}

/// The names of `user`'s inline policies (`ListUserPolicies`).
pub async fn inline_policy_names(iam: &aws_sdk_iam::Client, user: &str) -> Vec<String> {
    iam.list_user_policies()
        .user_name(user)
        .send()
        .await
        .expect("ListUserPolicies")
        .policy_names
}

/// Whether the account's password policy lets users change their own password (else iamwiz
/// attaches IAMUserChangePassword, as the console does).
pub async fn users_may_change_password(iam: &aws_sdk_iam::Client) -> bool {
    match iam.get_account_password_policy().send().await {
        Ok(out) => out
            .password_policy()
            .is_some_and(|p| p.allow_users_to_change_password()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            false
        }
        Err(e) => panic!("GetAccountPasswordPolicy: {e:?}"),
    }
}

/// The document of `user`'s inline policy `name`, as JSON text (`GetUserPolicy`, which returns
/// it URL-encoded).
pub async fn inline_policy_text(iam: &aws_sdk_iam::Client, user: &str, name: &str) -> String {
    let out = iam
        .get_user_policy()
        .user_name(user)
        .policy_name(name)
        .send()
        .await
        .expect("GetUserPolicy");
    iamwiz::aws::iam::decode_policy_document(&out.policy_document)
}
