//! The guided service account for MongoDB CSFLE and Queryable Encryption, run for real against
//! moto over HTTP with the real SDK and the real worker: the key picker's list, the key, the user
//! or role with its one inline policy, the check with the new access key, and the rollback.
//!
//! Every outcome is checked the way an admin would check it, through an SDK client of the test's
//! own (`common::admin()`), never through iamwiz's code. moto is shared and never reset, so every
//! name is unique, and a test that must find "the key this run made" uses a region no other test
//! uses. Faults are injected at the HTTP layer by [`Faults`], an SDK interceptor.

use crate::common;

use common::faults::{Faults, Injection};
use common::moto::PrivateMoto;
use common::worker::{ask, run_encryption};

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_smithy_types::Blob;
use aws_smithy_types::date_time::Format;
use iamwiz::aws::iam::decode_policy_document;
use iamwiz::aws::{AwsSettings, Clients};
use iamwiz::protocol::{
    DiscardKey, EncryptionAccount, EncryptionFeature, EncryptionResult, EncryptionSpec, Event,
    KMS_POLICY_NAME, KeyChoice, KmsKey, NameKind, Request, ServiceAccount, StepKind, StepStatus,
    TrustedPrincipal, Verification, kms_policy_document,
};
use iamwiz::worker::encryption::{trust_policy_document, verify};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Driving the worker
// ---------------------------------------------------------------------------------------------

fn new_key(alias: &str) -> KeyChoice {
    KeyChoice::New {
        alias: alias.to_string(),
        description: format!("MongoDB CSFLE master key for {alias}"),
        tags: tags(&[("app", "orders"), ("purpose", "mongodb-csfle")]),
    }
}

fn user_spec(region: &str, key: KeyChoice, user: &str) -> EncryptionSpec {
    EncryptionSpec {
        feature: EncryptionFeature::Csfle,
        region: region.to_string(),
        key,
        account: ServiceAccount::User {
            name: user.to_string(),
            tags: tags(&[("app", "orders")]),
        },
        policy_name: KMS_POLICY_NAME.to_string(),
    }
}

fn role_spec(
    region: &str,
    key: KeyChoice,
    role: &str,
    trusted: TrustedPrincipal,
) -> EncryptionSpec {
    EncryptionSpec {
        feature: EncryptionFeature::QueryableEncryption,
        region: region.to_string(),
        key,
        account: ServiceAccount::Role {
            name: role.to_string(),
            tags: tags(&[("app", "orders")]),
            trusted,
        },
        policy_name: KMS_POLICY_NAME.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Setting up and checking KMS and IAM state, independently of the code under test
// ---------------------------------------------------------------------------------------------

async fn make_key(kms: &aws_sdk_kms::Client, description: &str) -> (String, String) {
    let meta = kms
        .create_key()
        .description(description)
        .send()
        .await
        .expect("CreateKey")
        .key_metadata
        .expect("key metadata");
    (meta.key_id, meta.arn.expect("a key ARN"))
}

/// Every key ID of `kms`'s region.
async fn key_ids(kms: &aws_sdk_kms::Client) -> Vec<String> {
    iamwiz::aws::kms::key_ids(kms).await.expect("ListKeys")
}

/// The keys of `kms`'s region that are not in `before`.
async fn keys_made_since(kms: &aws_sdk_kms::Client, before: &[String]) -> Vec<String> {
    key_ids(kms)
        .await
        .into_iter()
        .filter(|id| !before.contains(id))
        .collect()
}

/// `(alias name, target key ID)` of every alias of the region.
async fn aliases(kms: &aws_sdk_kms::Client) -> Vec<(String, String)> {
    iamwiz::aws::kms::aliases_by_key(kms)
        .await
        .expect("ListAliases")
        .into_iter()
        .flat_map(|(key, names)| names.into_iter().map(move |name| (name, key.clone())))
        .collect()
}

async fn assert_no_user(iam: &aws_sdk_iam::Client, name: &str) {
    let err = iam
        .get_user()
        .user_name(name)
        .send()
        .await
        .expect_err("the user should not exist");
    assert_eq!(err.code(), Some("NoSuchEntity"), "GetUser {name}: {err:?}");
}

async fn assert_no_role(iam: &aws_sdk_iam::Client, name: &str) {
    let err = iam
        .get_role()
        .role_name(name)
        .send()
        .await
        .expect_err("the role should not exist");
    assert_eq!(err.code(), Some("NoSuchEntity"), "GetRole {name}: {err:?}");
    let err = iam
        .get_instance_profile()
        .instance_profile_name(name)
        .send()
        .await
        .expect_err("the instance profile should not exist");
    assert_eq!(
        err.code(),
        Some("NoSuchEntity"),
        "GetInstanceProfile {name}: {err:?}"
    );
}

/// The key's state and, when it is pending deletion, the deletion date as `YYYY-MM-DD`.
async fn key_state(kms: &aws_sdk_kms::Client, id: &str) -> (String, Option<String>) {
    let meta = kms
        .describe_key()
        .key_id(id)
        .send()
        .await
        .expect("DescribeKey")
        .key_metadata
        .expect("key metadata");
    (
        meta.key_state.expect("a key state").as_str().to_string(),
        meta.deletion_date
            .map(|d| d.fmt(Format::DateTime).unwrap()[..10].to_string()),
    )
}

/// A KMS client of its own signed with `id`/`secret`, in `region`.
async fn kms_as(settings: &AwsSettings, id: &str, secret: &str, region: &str) -> Clients {
    iamwiz::aws::connect(&AwsSettings {
        region: Some(region.to_string()),
        credentials: Some(aws_credential_types::Credentials::new(
            id, secret, None, None, "test",
        )),
        ..settings.clone()
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Faults at the HTTP layer, for IAM (query protocol, XML errors) and KMS (JSON protocol)
// ---------------------------------------------------------------------------------------------

/// Answer attempts `first..=last` (1-based) of `operation` with the error `code`. When `applied`,
/// the attempt reaches moto (which makes the change) and only its answer is replaced: an answer
/// lost to a server error, which the SDK retries.
#[derive(Debug)]
struct Rule {
    operation: &'static str,
    first: u32,
    last: u32,
    code: &'static str,
    applied: bool,
    attempts: AtomicU32,
}

/// Attempts refused with an error code before they reach moto.
fn fail_attempts(rules: &[(&'static str, u32, u32, &'static str)]) -> Faults {
    faults_with(
        rules
            .iter()
            .map(|&(operation, first, last, code)| (operation, first, last, code, false)),
    )
}

/// The `nth` attempt of each operation is applied by moto and its answer lost to a server
/// error (`ServiceFailure` for IAM, `KMSInternalException` for KMS, both HTTP 500).
fn lost_answers(rules: &[(&'static str, u32)]) -> Faults {
    faults_with(rules.iter().map(|&(operation, nth)| {
        let code = match operation {
            "CreateAlias" | "CreateKey" | "ScheduleKeyDeletion" | "DeleteAlias" => {
                "KMSInternalException"
            }
            _ => "ServiceFailure",
        };
        (operation, nth, nth, code, true)
    }))
}

/// The interceptor for `rules`: a server error (`ServiceFailure`, `KMSInternalException`) is
/// HTTP 500, any other code 403 for IAM and 400 for KMS.
fn faults_with(
    rules: impl Iterator<Item = (&'static str, u32, u32, &'static str, bool)>,
) -> Faults {
    let rules: Vec<Rule> = rules
        .map(|(operation, first, last, code, applied)| Rule {
            operation,
            first,
            last,
            code,
            applied,
            attempts: AtomicU32::new(0),
        })
        .collect();
    Faults::new(move |op, kms| {
        let mut inject = None;
        for rule in rules.iter().filter(|r| r.operation == op) {
            let n = rule.attempts.fetch_add(1, Ordering::SeqCst) + 1;
            if (rule.first..=rule.last).contains(&n) {
                inject = Some((rule.code, rule.applied));
            }
        }
        let (code, applied) = inject?;
        let server = matches!(code, "ServiceFailure" | "KMSInternalException");
        Some(Injection {
            status: match (server, kms) {
                (true, _) => 500,
                (false, true) => 400,
                (false, false) => 403,
            },
            kind: if server { "Receiver" } else { "Sender" },
            code,
            message: format!("injected {code}"),
            applied,
        })
    })
}

// ---------------------------------------------------------------------------------------------
// The key picker's list
// ---------------------------------------------------------------------------------------------

/// The keys of a region come with their aliases, description and state; the ones MongoDB cannot
/// use are listed after the usable ones, each with the reason; keys of another region are not
/// listed.
#[tokio::test(flavor = "multi_thread")]
async fn lists_the_keys_of_the_region_with_aliases_states_and_refusals() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let tag = common::unique("list");

    let (usable, usable_arn) = make_key(&kms, &format!("usable {tag}")).await;
    for alias in [format!("alias/{tag}-b"), format!("alias/{tag}-a")] {
        kms.create_alias()
            .alias_name(alias)
            .target_key_id(&usable)
            .send()
            .await
            .expect("CreateAlias");
    }
    let (disabled, _) = make_key(&kms, &format!("disabled {tag}")).await;
    kms.disable_key()
        .key_id(&disabled)
        .send()
        .await
        .expect("DisableKey");
    let (pending, _) = make_key(&kms, &format!("pending {tag}")).await;
    kms.schedule_key_deletion()
        .key_id(&pending)
        .pending_window_in_days(7)
        .send()
        .await
        .expect("ScheduleKeyDeletion");
    let asymmetric = kms
        .create_key()
        .description(format!("asymmetric {tag}"))
        .key_spec(aws_sdk_kms::types::KeySpec::Rsa2048)
        .key_usage(aws_sdk_kms::types::KeyUsageType::EncryptDecrypt)
        .send()
        .await
        .expect("CreateKey RSA_2048")
        .key_metadata
        .unwrap()
        .key_id;
    let (elsewhere, _) = make_key(&admin.kms_in("us-east-1"), &format!("elsewhere {tag}")).await;

    let mut replies = ask(
        common::settings(),
        vec![Request::LoadKmsKeys {
            seq: 4,
            region: REGION.to_string(),
        }],
    )
    .await;
    let Some(Event::KmsKeys {
        seq,
        region,
        result,
    }) = replies.pop()
    else {
        panic!("the worker did not answer with KmsKeys");
    };
    assert_eq!((seq, region.as_str()), (4, REGION));
    let keys = result.expect("the keys are listed");
    let find = |id: &str| -> (usize, KmsKey) {
        keys.iter()
            .enumerate()
            .find(|(_, k)| k.id == id)
            .map(|(i, k)| (i, k.clone()))
            .unwrap_or_else(|| panic!("key {id} is not listed"))
    };

    let (usable_at, key) = find(&usable);
    assert_eq!(
        key,
        KmsKey {
            id: usable.clone(),
            arn: usable_arn,
            aliases: vec![format!("alias/{tag}-a"), format!("alias/{tag}-b")],
            description: format!("usable {tag}"),
            state: "Enabled".to_string(),
            spec: "SYMMETRIC_DEFAULT".to_string(),
            usage: "ENCRYPT_DECRYPT".to_string(),
            manager: "CUSTOMER".to_string(),
        }
    );
    assert_eq!(key.refusal(), None);
    assert_eq!(key.display_name(), format!("alias/{tag}-a"));

    let (disabled_at, key) = find(&disabled);
    assert_eq!(key.state, "Disabled");
    assert_eq!(key.description, format!("disabled {tag}"));
    assert!(key.aliases.is_empty());
    assert!(key.refusal().unwrap().starts_with("disabled"), "{key:?}");

    let (pending_at, key) = find(&pending);
    assert_eq!(key.state, "PendingDeletion");
    assert!(
        key.refusal().unwrap().starts_with("pending deletion"),
        "{key:?}"
    );

    let (asymmetric_at, key) = find(&asymmetric);
    assert_eq!(
        (key.spec.as_str(), key.state.as_str()),
        ("RSA_2048", "Enabled")
    );
    assert!(key.refusal().unwrap().contains("RSA_2048"), "{key:?}");

    assert!(
        keys.iter().all(|k| k.id != elsewhere),
        "a key of us-east-1 was listed for {REGION}"
    );
    // Every usable key comes before every refused one.
    let first_refused = keys
        .iter()
        .position(|k| k.refusal().is_some())
        .unwrap_or(keys.len());
    assert!(keys[first_refused..].iter().all(|k| k.refusal().is_some()));
    assert!(usable_at < first_refused);
    for at in [disabled_at, pending_at, asymmetric_at] {
        assert!(at >= first_refused);
    }
}

/// The list names the permissions an identity lacks when it may not list keys.
#[tokio::test(flavor = "multi_thread")]
async fn a_denied_key_list_names_the_permissions_to_add() {
    let faults = fail_attempts(&[("DescribeKey", 1, u32::MAX, "AccessDeniedException")]);
    let admin = common::admin().await;
    make_key(
        &admin.kms_in("eu-west-3"),
        "so that there is one to describe",
    )
    .await;
    let mut replies = ask(
        faults.settings(common::settings()),
        vec![Request::LoadKmsKeys {
            seq: 1,
            region: "eu-west-3".to_string(),
        }],
    )
    .await;
    let Some(Event::KmsKeys {
        result: Err(error), ..
    }) = replies.pop()
    else {
        panic!("a denied DescribeKey still listed the keys");
    };
    assert_eq!(error.operation, "kms:DescribeKey");
    assert_eq!(error.code, "AccessDeniedException");
    assert!(
        error
            .hint
            .contains("kms:ListKeys, kms:DescribeKey and kms:ListAliases"),
        "{}",
        error.hint
    );
}

// ---------------------------------------------------------------------------------------------
// A new key and a user
// ---------------------------------------------------------------------------------------------

/// The whole set-up with a new key: the key is symmetric with the account's default key policy,
/// its alias, description and tags; the user has exactly one access key, the tags, and exactly the
/// one inline policy; the check passed, and the returned key encrypts and decrypts with that key.
#[tokio::test(flavor = "multi_thread")]
async fn creates_a_new_key_and_a_user_that_may_only_use_it() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let (iam, kms) = (&admin.iam, admin.kms_in(REGION));
    let alias = common::unique("orders-cmk");
    let user = common::unique("orders-csfle");
    let spec = user_spec(REGION, new_key(&alias), &user);
    let plan = spec.plan();

    let outcome = run_encryption(common::settings(), spec).await;
    for (g, (_, steps)) in plan.iter().enumerate() {
        for i in 0..steps.len() {
            assert_eq!(
                outcome.history(g, i).last(),
                Some(&StepStatus::Done),
                "step {i} of group {g}"
            );
        }
    }
    assert!(outcome.waits.is_empty(), "moto takes a new key at once");
    let created = outcome.created();
    assert!(created.key_created);
    assert_eq!(created.region, REGION);
    assert_eq!(created.endpoint, Some(common::endpoint()));
    assert_eq!(created.feature, EncryptionFeature::Csfle);
    assert!(
        matches!(
            created.verification,
            Verification::Verified { attempts: 1, .. }
        ),
        "{:?}",
        created.verification
    );

    // The key.
    let key_arn = created.key_arn.clone();
    assert!(
        key_arn.starts_with(&format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/")),
        "{key_arn}"
    );
    let meta = kms
        .describe_key()
        .key_id(&key_arn)
        .send()
        .await
        .expect("DescribeKey")
        .key_metadata
        .unwrap();
    let key_id = meta.key_id.clone();
    assert_eq!(meta.key_spec.unwrap().as_str(), "SYMMETRIC_DEFAULT");
    assert_eq!(meta.key_usage.unwrap().as_str(), "ENCRYPT_DECRYPT");
    assert_eq!(meta.key_state.unwrap().as_str(), "Enabled");
    assert_eq!(
        meta.description.as_deref(),
        Some(format!("MongoDB CSFLE master key for {alias}").as_str())
    );
    let key_tags: Vec<(String, String)> = kms
        .list_resource_tags()
        .key_id(&key_id)
        .send()
        .await
        .expect("ListResourceTags")
        .tags()
        .iter()
        .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
        .collect();
    assert_eq!(
        common::without_mark(key_tags),
        tags(&[("app", "orders"), ("purpose", "mongodb-csfle")])
    );
    assert!(
        aliases(&kms)
            .await
            .contains(&(format!("alias/{alias}"), key_id.clone())),
        "alias/{alias} does not name the new key"
    );
    let key_policy = kms
        .get_key_policy()
        .key_id(&key_id)
        .policy_name("default")
        .send()
        .await
        .expect("GetKeyPolicy")
        .policy
        .expect("a key policy");
    let statements = json(&key_policy)["Statement"].clone();
    assert_eq!(statements.as_array().map(Vec::len), Some(1), "{key_policy}");
    assert_eq!(
        statements[0]["Principal"],
        json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}),
        "the key policy is the account default: {key_policy}"
    );
    assert!(!key_policy.contains(&user), "{key_policy}");

    // The user: one inline policy, exactly; one access key; nothing else.
    let EncryptionAccount::User(made) = created.account else {
        panic!("a role was made for a user spec");
    };
    assert_eq!(made.name, user);
    assert_eq!(made.arn, format!("arn:aws:iam::{ACCOUNT}:user/{user}"));
    assert!(made.password.is_none());
    let access_key = made.access_key.expect("an access key");
    let policies = common::inline_policy_names(iam, &user).await;
    assert_eq!(policies, vec![KMS_POLICY_NAME.to_string()]);
    let stored = common::inline_policy_text(iam, &user, KMS_POLICY_NAME).await;
    let expected = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"{key_arn}"}}]}}"#
    );
    assert_eq!(kms_policy_document(&key_arn), expected);
    assert_eq!(stored, expected);
    assert_eq!(json(&stored), json(&expected));

    let login = iam.get_login_profile().user_name(&user).send().await;
    assert_eq!(
        login.expect_err("no console password").code(),
        Some("NoSuchEntity")
    );
    assert!(common::group_names(iam, &user).await.is_empty());
    assert!(common::attached_policy_arns(iam, &user).await.is_empty());
    let keys = common::access_key_ids(iam, &user).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0], access_key.id);
    let user_tags: Vec<(String, String)> = iam
        .list_user_tags()
        .user_name(&user)
        .send()
        .await
        .expect("ListUserTags")
        .tags
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect();
    assert_eq!(common::without_mark(user_tags), tags(&[("app", "orders")]));

    // The returned key wraps and unwraps with the master key, as a driver would.
    let as_user = kms_as(
        &common::settings(),
        &access_key.id,
        access_key.secret.expose(),
        REGION,
    )
    .await;
    let wrapped = as_user
        .kms
        .encrypt()
        .key_id(&key_arn)
        .plaintext(Blob::new(b"a data key".to_vec()))
        .send()
        .await
        .expect("Encrypt with the new credentials")
        .ciphertext_blob
        .unwrap();
    let unwrapped = as_user
        .kms
        .decrypt()
        .key_id(&key_arn)
        .ciphertext_blob(wrapped)
        .send()
        .await
        .expect("Decrypt with the new credentials");
    assert_eq!(unwrapped.plaintext.unwrap().as_ref(), b"a data key");
}

/// With a key that exists, no key is made: the plan is the user and the check, and the policy
/// names that key.
#[tokio::test(flavor = "multi_thread")]
async fn an_existing_key_is_used_and_no_key_is_made() {
    // No other test makes keys here, so the count of keys is this test's to check.
    const REGION: &str = "ap-southeast-2";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let (_, arn) = make_key(&kms, "the team's CSFLE key").await;
    let key = iamwiz::aws::kms::list_keys(&admin, REGION)
        .await
        .expect("list keys")
        .into_iter()
        .find(|k| k.arn == arn)
        .expect("the key is listed");
    let user = common::unique("existing-key-user");
    let spec = user_spec(REGION, KeyChoice::Existing(key), &user);
    assert_eq!(
        spec.plan(),
        vec![
            (
                user.clone(),
                vec![
                    StepKind::CreateUser,
                    StepKind::CreateAccessKey,
                    StepKind::PutInlinePolicy(KMS_POLICY_NAME.to_string()),
                ]
            ),
            ("Check".to_string(), vec![StepKind::Verify]),
        ]
    );
    let before = key_ids(&kms).await;

    let outcome = run_encryption(common::settings(), spec).await;
    assert!(outcome.steps.iter().all(|(g, _, _)| *g < 2));
    assert_eq!(
        outcome.history(1, 0),
        vec![StepStatus::Running, StepStatus::Done]
    );
    let created = outcome.created();
    assert!(!created.key_created);
    assert_eq!(created.key_arn, arn);
    assert!(matches!(
        created.verification,
        Verification::Verified { .. }
    ));
    assert_eq!(keys_made_since(&kms, &before).await, Vec::<String>::new());
    assert_eq!(
        common::inline_policy_text(&admin.iam, &user, KMS_POLICY_NAME).await,
        kms_policy_document(&arn)
    );
}

// ---------------------------------------------------------------------------------------------
// Rollback
// ---------------------------------------------------------------------------------------------

/// A step of the user fails: the user is removed, and the key made in this run loses its alias
/// and is scheduled for deletion, which the result says with the date and the command to cancel.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_user_step_removes_the_user_and_schedules_the_new_key_for_deletion() {
    // No other test makes keys here, so "the key this run made" is the one new key.
    const REGION: &str = "ca-central-1";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let before = key_ids(&kms).await;
    let alias = common::unique("rollback-cmk");
    let user = common::unique("rollback-user");
    let faults = fail_attempts(&[("PutUserPolicy", 1, 1, "AccessDenied")]);

    let outcome = run_encryption(
        faults.settings(common::settings()),
        user_spec(REGION, new_key(&alias), &user),
    )
    .await;
    // The key's alias, then the key, were undone; the check never ran.
    assert_eq!(
        outcome.history(0, 1),
        vec![
            StepStatus::Running,
            StepStatus::Done,
            StepStatus::Undoing,
            StepStatus::Undone
        ]
    );
    assert_eq!(outcome.history(0, 0).last(), Some(&StepStatus::Undone));
    assert_eq!(outcome.history(2, 0), vec![StepStatus::Skipped]);
    let EncryptionResult::Failed {
        group,
        step,
        error,
        leftovers,
        key_deletion,
    } = outcome.result
    else {
        panic!("the set-up succeeded though PutUserPolicy was denied");
    };
    assert_eq!(group, user);
    assert_eq!(step, StepKind::PutInlinePolicy(KMS_POLICY_NAME.to_string()));
    assert_eq!(
        (error.operation.as_str(), error.code.as_str()),
        ("iam:PutUserPolicy", "AccessDenied")
    );
    assert_eq!(leftovers, Vec::new());

    assert_no_user(&admin.iam, &user).await;
    let made = keys_made_since(&kms, &before).await;
    assert_eq!(made.len(), 1, "one key was made: {made:?}");
    let (state, date) = key_state(&kms, &made[0]).await;
    assert_eq!(state, "PendingDeletion");
    let date = date.expect("a deletion date");
    let in_seven_days = aws_smithy_types::DateTime::from_secs(
        aws_smithy_types::DateTime::from(std::time::SystemTime::now()).secs() + 7 * 86_400,
    )
    .fmt(Format::DateTime)
    .unwrap()[..10]
        .to_string();
    assert_eq!(date, in_seven_days, "the shortest window KMS allows");
    assert!(
        aliases(&kms)
            .await
            .iter()
            .all(|(name, _)| *name != format!("alias/{alias}")),
        "alias/{alias} is left"
    );
    let sentence = key_deletion.expect("the key's fate is told");
    assert!(sentence.contains(&made[0]), "{sentence}");
    assert!(sentence.contains(&date), "{sentence}");
    assert!(
        sentence.contains(&format!(
            "aws kms cancel-key-deletion --key-id {} --region {REGION}",
            made[0]
        )),
        "{sentence}"
    );
}

/// The keys made since `before` whose description is `description`: the keys a run for that
/// description made, even while other tests make keys in the same region.
async fn keys_described_since(
    kms: &aws_sdk_kms::Client,
    before: &[String],
    description: &str,
) -> Vec<String> {
    let mut found = Vec::new();
    for id in keys_made_since(kms, before).await {
        let meta = kms
            .describe_key()
            .key_id(&id)
            .send()
            .await
            .expect("DescribeKey")
            .key_metadata
            .expect("key metadata");
        if meta.description.as_deref() == Some(description) {
            found.push(id);
        }
    }
    found
}

/// No key for `alias` was made since `before`.
async fn assert_no_key_made(kms: &aws_sdk_kms::Client, before: &[String], alias: &str) {
    assert_eq!(
        keys_described_since(
            kms,
            before,
            &format!("MongoDB CSFLE master key for {alias}")
        )
        .await,
        Vec::<String>::new()
    );
}

/// The document of `role`'s KMS policy, as JSON text (`GetRolePolicy`, which returns it
/// URL-encoded).
async fn role_kms_policy(iam: &aws_sdk_iam::Client, role: &str) -> String {
    let out = iam
        .get_role_policy()
        .role_name(role)
        .policy_name(KMS_POLICY_NAME)
        .send()
        .await
        .expect("GetRolePolicy");
    decode_policy_document(&out.policy_document)
}

/// The calls of `calls` that create, change or delete something (everything but reads).
fn writes(calls: &[String]) -> Vec<String> {
    calls
        .iter()
        .filter(|c| !["Get", "List", "Describe"].iter().any(|r| c.starts_with(r)))
        .cloned()
        .collect()
}

/// Every step's statuses, by (group, step), for a spec's plan.
fn histories(outcome: &common::worker::Outcome, spec: &EncryptionSpec) -> Vec<Vec<StepStatus>> {
    spec.plan()
        .iter()
        .enumerate()
        .flat_map(|(g, (_, steps))| (0..steps.len()).map(move |i| (g, i)))
        .map(|(g, i)| outcome.history(g, i))
        .collect()
}

/// Step 2 (`label`) failed with `EntityAlreadyExists`, and the steps `skipped` were skipped.
#[track_caller]
fn assert_only_step_taken(statuses: &[Vec<StepStatus>], label: &str, skipped: &[usize]) {
    assert!(
        matches!(statuses[2].as_slice(), [StepStatus::Failed(e)] if e.code == "EntityAlreadyExists"),
        "{label}: {:?}",
        statuses[2]
    );
    for &i in skipped {
        assert_eq!(statuses[i], [StepStatus::Skipped], "step {i}");
    }
}

/// The set-up of `name` failed at `step` because `what` exists: IAM's `EntityAlreadyExists`
/// from that step's call, a message starting with `message`, nothing left and no key to
/// delete. Returns the error's hint.
#[track_caller]
fn assert_failed_on_taken_name(
    result: EncryptionResult,
    what: &str,
    name: &str,
    step: StepKind,
    message: &str,
) -> String {
    let EncryptionResult::Failed {
        group,
        step: failed,
        error,
        leftovers,
        key_deletion,
    } = result
    else {
        panic!("the set-up succeeded though {what} exists");
    };
    assert_eq!(group, name);
    assert_eq!(failed, step);
    assert_eq!(
        (error.operation.as_str(), error.code.as_str()),
        (format!("iam:{step:?}").as_str(), "EntityAlreadyExists")
    );
    assert!(error.message.starts_with(message), "{}", error.message);
    assert_eq!(leftovers, Vec::new());
    assert_eq!(key_deletion, None);
    error.hint
}

/// The alias is taken before the run starts: nothing is made, not even the key (no `CreateKey`
/// call at all), the alias still names its own key, and the result names the key it names.
#[tokio::test(flavor = "multi_thread")]
async fn a_taken_alias_fails_before_any_key_is_made() {
    const REGION: &str = "sa-east-1";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let alias = common::unique("taken");
    let (owner, _) = make_key(&kms, "owns the alias").await;
    kms.create_alias()
        .alias_name(format!("alias/{alias}"))
        .target_key_id(&owner)
        .send()
        .await
        .expect("CreateAlias");
    let before = key_ids(&kms).await;
    let user = common::unique("taken-alias-user");
    let faults = fail_attempts(&[]);
    let spec = user_spec(REGION, new_key(&alias), &user);

    let outcome = run_encryption(faults.settings(common::settings()), spec.clone()).await;
    let mut calls = faults.calls();
    calls.sort();
    assert_eq!(
        calls,
        ["DescribeKey", "GetUser"],
        "the names are checked, and nothing else is called"
    );
    let statuses = histories(&outcome, &spec);
    assert_eq!(statuses[0], [StepStatus::Skipped], "CreateKey");
    assert!(
        matches!(statuses[1].as_slice(), [StepStatus::Failed(e)] if e.code == "AlreadyExistsException"),
        "CreateAlias: {:?}",
        statuses[1]
    );
    assert!(
        statuses[2..].iter().all(|h| h == &[StepStatus::Skipped]),
        "{statuses:?}"
    );
    let EncryptionResult::Failed {
        group,
        step,
        error,
        leftovers,
        key_deletion,
    } = outcome.result
    else {
        panic!("the set-up succeeded with a taken alias");
    };
    assert_eq!(group, format!("alias/{alias}"));
    assert_eq!(step, StepKind::CreateAlias(alias.clone()));
    assert_eq!(
        (error.operation.as_str(), error.code.as_str()),
        ("kms:CreateAlias", "AlreadyExistsException")
    );
    assert_eq!(
        error.message,
        format!("alias/{alias} already exists in {REGION}: it names KMS key {owner}.")
    );
    assert!(
        error.hint.contains("choose another alias") && error.hint.contains("Esc"),
        "{}",
        error.hint
    );
    assert_eq!(leftovers, Vec::new());
    assert_eq!(key_deletion, None, "no key was made, so none is deleted");

    assert_no_key_made(&kms, &before, &alias).await;
    assert_eq!(key_state(&kms, &owner).await, ("Enabled".to_string(), None));
    assert!(
        aliases(&kms)
            .await
            .contains(&(format!("alias/{alias}"), owner.clone())),
        "the alias no longer names its own key"
    );
    assert_no_user(&admin.iam, &user).await;
}

/// The alias is taken between the check and `CreateAlias` (here: `CreateAlias` is refused as a
/// taken alias would be): the key just made is scheduled for deletion, no alias is deleted (the
/// alias is not this run's), and no user is made.
#[tokio::test(flavor = "multi_thread")]
async fn an_alias_taken_after_the_check_schedules_the_new_key_for_deletion() {
    const REGION: &str = "sa-east-1";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let alias = common::unique("taken-late");
    let before = key_ids(&kms).await;
    let user = common::unique("taken-late-user");
    let faults = fail_attempts(&[("CreateAlias", 1, 1, "AlreadyExistsException")]);

    let outcome = run_encryption(
        faults.settings(common::settings()),
        user_spec(REGION, new_key(&alias), &user),
    )
    .await;
    for i in 0..3 {
        assert_eq!(
            outcome.history(1, i),
            vec![StepStatus::Skipped],
            "user step {i}"
        );
    }
    assert_eq!(
        outcome.history(0, 0),
        vec![
            StepStatus::Running,
            StepStatus::Done,
            StepStatus::Undoing,
            StepStatus::Undone
        ]
    );
    let EncryptionResult::Failed {
        group,
        step,
        error,
        leftovers,
        key_deletion,
    } = outcome.result
    else {
        panic!("the set-up succeeded though CreateAlias was refused");
    };
    assert_eq!(group, format!("alias/{alias}"));
    assert_eq!(step, StepKind::CreateAlias(alias.clone()));
    assert_eq!(error.code, "AlreadyExistsException");
    assert!(
        error.hint.contains("alias is already in use"),
        "{}",
        error.hint
    );
    assert!(leftovers.is_empty());
    assert_eq!(
        writes(&faults.calls()),
        ["CreateKey", "CreateAlias", "ScheduleKeyDeletion"],
        "the alias this run did not make is not deleted"
    );

    let made = keys_described_since(
        &kms,
        &before,
        &format!("MongoDB CSFLE master key for {alias}"),
    )
    .await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(key_state(&kms, &made[0]).await.0, "PendingDeletion");
    assert!(
        key_deletion
            .expect("the key's fate is told")
            .contains(&made[0])
    );
    assert_no_user(&admin.iam, &user).await;
}

/// A user of the name exists (made since the screens checked): nothing is made, not even the
/// key, the user is left as it was, and the result names it.
#[tokio::test(flavor = "multi_thread")]
async fn a_user_that_exists_fails_before_anything_is_made() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let alias = common::unique("user-exists-cmk");
    let user = common::unique("user-exists");
    let arn = admin
        .iam
        .create_user()
        .user_name(&user)
        .send()
        .await
        .expect("CreateUser")
        .user
        .expect("a user")
        .arn;
    let before = key_ids(&kms).await;
    let faults = fail_attempts(&[]);
    let spec = user_spec(REGION, new_key(&alias), &user);

    let outcome = run_encryption(faults.settings(common::settings()), spec.clone()).await;
    assert_eq!(writes(&faults.calls()), Vec::<String>::new());
    let statuses = histories(&outcome, &spec);
    // CreateKey, CreateAlias; CreateUser, CreateAccessKey, PutUserPolicy; the check.
    assert_eq!(statuses.len(), 6);
    assert_only_step_taken(&statuses, "CreateUser", &[0, 1, 3, 4, 5]);
    let hint = assert_failed_on_taken_name(
        outcome.result,
        "the user",
        &user,
        StepKind::CreateUser,
        &format!("User {user} already exists in this account ({arn}, created "),
    );
    assert!(
        hint.contains("choose another user name") && hint.contains("Esc"),
        "{hint}"
    );

    assert_no_key_made(&kms, &before, &alias).await;
    assert!(
        aliases(&kms)
            .await
            .iter()
            .all(|(name, _)| *name != format!("alias/{alias}")),
        "alias/{alias} was made"
    );
    let iam = &admin.iam;
    let policies = common::inline_policy_names(iam, &user).await;
    assert!(policies.is_empty(), "{policies:?}");
    let keys = common::access_key_ids(iam, &user).await;
    assert!(keys.is_empty(), "an access key was made for {user}");
}

/// A role of the name exists (the screens do not check role names): nothing is made, not even
/// the key or the instance profile, the role is left as it was, and the result names it.
#[tokio::test(flavor = "multi_thread")]
async fn a_role_that_exists_fails_before_anything_is_made() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let alias = common::unique("role-exists-cmk");
    let name = common::unique("role-exists");
    let arn = admin
        .iam
        .create_role()
        .role_name(&name)
        .assume_role_policy_document(trust_policy_document(&TrustedPrincipal::Lambda, "aws"))
        .send()
        .await
        .expect("CreateRole")
        .role
        .expect("a role")
        .arn;
    let before = key_ids(&kms).await;
    let faults = fail_attempts(&[]);
    let spec = role_spec(REGION, new_key(&alias), &name, TrustedPrincipal::Ec2);

    let outcome = run_encryption(faults.settings(common::settings()), spec.clone()).await;
    let mut calls = faults.calls();
    calls.sort();
    assert_eq!(
        calls,
        ["DescribeKey", "GetInstanceProfile", "GetRole"],
        "the names are checked, and nothing else is called"
    );
    let statuses = histories(&outcome, &spec);
    // CreateKey, CreateAlias; CreateRole, PutRolePolicy, CreateInstanceProfile,
    // AddRoleToInstanceProfile.
    assert_eq!(statuses.len(), 6);
    assert_only_step_taken(&statuses, "CreateRole", &[0, 1, 3, 4, 5]);
    let hint = assert_failed_on_taken_name(
        outcome.result,
        "the role",
        &name,
        StepKind::CreateRole,
        &format!("Role {name} already exists in this account ({arn}, created "),
    );
    assert!(
        hint.contains("choose another role name") && hint.contains("Esc"),
        "{hint}"
    );

    assert_no_key_made(&kms, &before, &alias).await;
    let iam = &admin.iam;
    let role_policies = iam
        .list_role_policies()
        .role_name(&name)
        .send()
        .await
        .expect("ListRolePolicies")
        .policy_names;
    assert!(role_policies.is_empty(), "{role_policies:?}");
    let trust = iam
        .get_role()
        .role_name(&name)
        .send()
        .await
        .expect("GetRole")
        .role
        .unwrap()
        .assume_role_policy_document
        .unwrap();
    assert_eq!(
        decode_policy_document(&trust),
        trust_policy_document(&TrustedPrincipal::Lambda, "aws"),
        "the role's trust policy was changed"
    );
    let err = iam
        .get_instance_profile()
        .instance_profile_name(&name)
        .send()
        .await
        .expect_err("an instance profile was made");
    assert_eq!(err.code(), Some("NoSuchEntity"));
}

/// When the admin may not make the checks (each is denied), the set-up is not blocked: it goes
/// on and makes everything, as it would without them.
#[tokio::test(flavor = "multi_thread")]
async fn denied_name_checks_do_not_block_the_set_up() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let alias = common::unique("unchecked-cmk");
    let name = common::unique("unchecked-role");
    let faults = fail_attempts(&[
        ("DescribeKey", 1, 1, "AccessDeniedException"),
        ("GetRole", 1, 1, "AccessDenied"),
        ("GetInstanceProfile", 1, 1, "AccessDenied"),
    ]);

    let outcome = run_encryption(
        faults.settings(common::settings()),
        role_spec(REGION, new_key(&alias), &name, TrustedPrincipal::Ec2),
    )
    .await;
    let calls = faults.calls();
    let created = outcome.created();
    let first_write = calls
        .iter()
        .position(|c| c == "CreateKey")
        .expect("a key was made");
    let mut checks = calls[..first_write].to_vec();
    checks.sort();
    assert_eq!(
        checks,
        ["DescribeKey", "GetInstanceProfile", "GetRole"],
        "each check was made (and denied) before anything else"
    );
    let EncryptionAccount::Role(role) = created.account else {
        panic!("a user was made for a role spec");
    };
    assert_eq!(role.arn, format!("arn:aws:iam::{ACCOUNT}:role/{name}"));
    assert_eq!(role.instance_profile, Some(name.clone()));
    let key_id = created.key_arn.rsplit('/').next().unwrap().to_string();
    assert!(
        aliases(&admin.kms_in(REGION))
            .await
            .contains(&(format!("alias/{alias}"), key_id)),
        "the alias names the new key"
    );
    assert_eq!(
        role_kms_policy(&admin.iam, &name).await,
        kms_policy_document(&created.key_arn)
    );
}

// ---------------------------------------------------------------------------------------------
// The production role
// ---------------------------------------------------------------------------------------------

/// For each kind of principal, the role trusts exactly it, carries exactly the one policy, and
/// (for EC2 only) sits in an instance profile of its name.
#[tokio::test(flavor = "multi_thread")]
async fn creates_a_role_trusted_by_each_kind_of_principal() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let iam = &admin.iam;
    let (_, arn) = make_key(&admin.kms_in(REGION), "role key").await;
    let key = iamwiz::aws::kms::list_keys(&admin, REGION)
        .await
        .expect("list keys")
        .into_iter()
        .find(|k| k.arn == arn)
        .expect("the key is listed");
    let app_role = format!("arn:aws:iam::{ACCOUNT}:role/app-server");
    let cases = [
        (
            TrustedPrincipal::Ec2,
            json!({"Service": "ec2.amazonaws.com"}),
        ),
        (
            TrustedPrincipal::EcsTasks,
            json!({"Service": "ecs-tasks.amazonaws.com"}),
        ),
        (
            TrustedPrincipal::Lambda,
            json!({"Service": "lambda.amazonaws.com"}),
        ),
        (
            TrustedPrincipal::Arn("210987654321".to_string()),
            json!({"AWS": "arn:aws:iam::210987654321:root"}),
        ),
        (
            TrustedPrincipal::Arn(app_role.clone()),
            json!({"AWS": app_role}),
        ),
    ];
    for (trusted, principal) in cases {
        let name = common::unique("csfle-role");
        let is_ec2 = trusted == TrustedPrincipal::Ec2;
        let outcome = run_encryption(
            common::settings(),
            role_spec(
                REGION,
                KeyChoice::Existing(key.clone()),
                &name,
                trusted.clone(),
            ),
        )
        .await;
        let steps = if is_ec2 { 4 } else { 2 };
        for i in 0..steps {
            assert_eq!(
                outcome.history(0, i).last(),
                Some(&StepStatus::Done),
                "{trusted:?} step {i}"
            );
        }
        let created = outcome.created();
        assert!(
            matches!(created.verification, Verification::NotRun(_)),
            "{:?}",
            created.verification
        );
        let EncryptionAccount::Role(role) = created.account else {
            panic!("a user was made for a role spec");
        };
        assert_eq!(role.name, name);
        assert_eq!(role.arn, format!("arn:aws:iam::{ACCOUNT}:role/{name}"));
        assert_eq!(role.instance_profile, is_ec2.then(|| name.clone()));

        let got = iam
            .get_role()
            .role_name(&name)
            .send()
            .await
            .expect("GetRole")
            .role
            .unwrap();
        let trust = decode_policy_document(got.assume_role_policy_document.as_deref().unwrap());
        assert_eq!(
            json(&trust),
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": "sts:AssumeRole",
                }],
            }),
            "{trusted:?}"
        );
        assert_eq!(trust, trust_policy_document(&trusted, "aws"));
        assert_eq!(role_kms_policy(iam, &name).await, kms_policy_document(&arn));
        let role_policies = iam
            .list_role_policies()
            .role_name(&name)
            .send()
            .await
            .expect("ListRolePolicies")
            .policy_names;
        assert_eq!(role_policies, vec![KMS_POLICY_NAME.to_string()]);
        let role_tags: Vec<(String, String)> = iam
            .list_role_tags()
            .role_name(&name)
            .send()
            .await
            .expect("ListRoleTags")
            .tags
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect();
        assert_eq!(common::without_mark(role_tags), tags(&[("app", "orders")]));

        let profiles: Vec<String> = iam
            .list_instance_profiles_for_role()
            .role_name(&name)
            .send()
            .await
            .expect("ListInstanceProfilesForRole")
            .instance_profiles
            .into_iter()
            .map(|p| p.instance_profile_name)
            .collect();
        if is_ec2 {
            assert_eq!(profiles, vec![name.clone()]);
        } else {
            assert!(profiles.is_empty(), "{trusted:?}: {profiles:?}");
        }
    }
}

/// A failed role policy removes the instance profile and the role in the order IAM requires, and
/// leaves a key that existed before alone.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_role_step_removes_the_role_and_its_instance_profile() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let (key_id, arn) = make_key(&kms, "kept key").await;
    let key = iamwiz::aws::kms::list_keys(&admin, REGION)
        .await
        .expect("list keys")
        .into_iter()
        .find(|k| k.arn == arn)
        .expect("the key is listed");
    let name = common::unique("failed-role");
    let faults = fail_attempts(&[("PutRolePolicy", 1, 1, "AccessDenied")]);

    let outcome = run_encryption(
        faults.settings(common::settings()),
        role_spec(
            REGION,
            KeyChoice::Existing(key),
            &name,
            TrustedPrincipal::Ec2,
        ),
    )
    .await;
    for i in [0, 2, 3] {
        assert_eq!(
            outcome.history(0, i)[2..],
            [StepStatus::Undoing, StepStatus::Undone],
            "step {i}"
        );
    }
    let EncryptionResult::Failed {
        group,
        step,
        error,
        leftovers,
        key_deletion,
    } = outcome.result
    else {
        panic!("the set-up succeeded though PutRolePolicy was denied");
    };
    assert_eq!(group, name);
    assert_eq!(step, StepKind::PutRolePolicy(KMS_POLICY_NAME.to_string()));
    assert_eq!(
        (error.operation.as_str(), error.code.as_str()),
        ("iam:PutRolePolicy", "AccessDenied")
    );
    assert!(leftovers.is_empty());
    assert_eq!(key_deletion, None);

    let undo: Vec<String> = faults
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("Delete") || c.starts_with("Remove"))
        .collect();
    assert_eq!(
        undo,
        [
            "RemoveRoleFromInstanceProfile",
            "DeleteInstanceProfile",
            "DeleteRole"
        ]
    );
    assert_no_role(&admin.iam, &name).await;
    assert_eq!(
        key_state(&kms, &key_id).await,
        ("Enabled".to_string(), None)
    );
}

// ---------------------------------------------------------------------------------------------
// The check with the new credentials
// ---------------------------------------------------------------------------------------------

/// A new access key that KMS does not accept yet is tried again, with the wait reported, until it
/// works.
#[tokio::test(flavor = "multi_thread")]
async fn the_check_waits_for_a_new_key_to_be_accepted() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let (_, arn) = make_key(&admin.kms_in(REGION), "check key").await;
    let key = iamwiz::aws::kms::list_keys(&admin, REGION)
        .await
        .expect("list keys")
        .into_iter()
        .find(|k| k.arn == arn)
        .expect("the key is listed");
    let faults = fail_attempts(&[("Encrypt", 1, 2, "UnrecognizedClientException")]);
    let user = common::unique("waiting-user");

    let outcome = run_encryption(
        faults.settings(common::settings()),
        user_spec(REGION, KeyChoice::Existing(key), &user),
    )
    .await;
    let waits: Vec<(u32, String, String)> = outcome
        .waits
        .iter()
        .map(|(attempt, _, e)| (*attempt, e.operation.clone(), e.code.clone()))
        .collect();
    assert_eq!(
        waits,
        [
            (
                1,
                "kms:Encrypt".to_string(),
                "UnrecognizedClientException".to_string()
            ),
            (
                2,
                "kms:Encrypt".to_string(),
                "UnrecognizedClientException".to_string()
            ),
        ]
    );
    assert!(
        outcome.waits[1]
            .2
            .hint
            .contains("new IAM keys take a few seconds"),
        "{}",
        outcome.waits[1].2.hint
    );
    assert!(
        (1..3).contains(&outcome.waits[1].1),
        "the second wait starts after the first (1 s) and before a second one (2 s) could end: {} s",
        outcome.waits[1].1
    );
    assert_eq!(
        outcome.history(1, 0),
        vec![StepStatus::Running, StepStatus::Done]
    );
    match outcome.created().verification {
        Verification::Verified { attempts, seconds } => {
            assert_eq!(attempts, 3);
            assert!((3..=5).contains(&seconds), "waited 1 s then 2 s: {seconds}");
        }
        other => panic!("the check did not pass: {other:?}"),
    }
}

/// What waiting cannot mend fails at once, with the operation and the code; what it can is tried
/// until the budget is spent, then fails with the last error.
#[tokio::test(flavor = "multi_thread")]
async fn a_check_that_cannot_pass_says_what_failed() {
    const REGION: &str = "eu-west-3";
    let settings = common::settings();
    let missing =
        format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-4000-8000-000000000000");
    let as_user = kms_as(&settings, "AKIAEXAMPLE", "secret", REGION).await;
    let waited = Mutex::new(Vec::new());
    let verification = verify(&as_user, &missing, Duration::from_secs(10), |a, _, e| {
        waited.lock().unwrap().push((a, e.code.clone()))
    })
    .await;
    let Verification::Failed {
        attempts, error, ..
    } = verification
    else {
        panic!("a key that does not exist was verified: {verification:?}");
    };
    assert_eq!(attempts, 1);
    assert_eq!(
        (error.operation.as_str(), error.code.as_str()),
        ("kms:Encrypt", "NotFoundException")
    );
    assert!(waited.lock().unwrap().is_empty());

    // Denied every time: tried at 0 s and after a 1 s wait; the next try (after 2 s more) would
    // start past the budget of 2.5 s.
    let admin = common::admin().await;
    let (_, arn) = make_key(&admin.kms_in(REGION), "denied key").await;
    let faults = fail_attempts(&[("Decrypt", 1, u32::MAX, "AccessDeniedException")]);
    let as_user = kms_as(&faults.settings(settings), "AKIAEXAMPLE", "secret", REGION).await;
    let verification = verify(&as_user, &arn, Duration::from_millis(2500), |a, _, e| {
        waited.lock().unwrap().push((a, e.code.clone()))
    })
    .await;
    let Verification::Failed {
        attempts,
        seconds,
        error,
    } = verification
    else {
        panic!("a denied Decrypt was verified: {verification:?}");
    };
    assert_eq!(attempts, 2);
    assert!(
        (1..=2).contains(&seconds),
        "failed after the 1 s wait, within the budget: {seconds}"
    );
    assert_eq!(
        (error.operation.as_str(), error.code.as_str()),
        ("kms:Decrypt", "AccessDeniedException")
    );
    assert!(
        error.hint.contains("not allowed to use the key yet"),
        "{}",
        error.hint
    );
    assert_eq!(
        *waited.lock().unwrap(),
        [(1, "AccessDeniedException".to_string())]
    );
    assert_eq!(
        faults.calls(),
        ["Encrypt", "Decrypt", "Encrypt", "Decrypt"],
        "each attempt wraps a new data key and unwraps it"
    );
}

// ---------------------------------------------------------------------------------------------
// What the new user may do, with moto's auth enforcement on
// ---------------------------------------------------------------------------------------------

/// The new user's credentials are recognised but may not list IAM users. (moto checks actions
/// only and denies a key-scoped Resource even for that key, see EMULATOR.md, so the key scoping is
/// proved by the exact policy document in the tests above, not by calls.)
#[tokio::test(flavor = "multi_thread")]
async fn with_auth_enforced_the_new_user_may_not_list_users() {
    let moto = PrivateMoto::start().await;
    let user = "orders-csfle";
    let outcome = run_encryption(
        moto.settings(),
        user_spec("us-east-1", new_key("orders-cmk"), user),
    )
    .await;
    let created = outcome.created();
    let EncryptionAccount::User(made) = created.account else {
        panic!("a role was made for a user spec");
    };
    let key = made.access_key.expect("an access key");
    moto.reset_auth("0");

    let as_user = kms_as(&moto.settings(), &key.id, key.secret.expose(), "us-east-1").await;
    let err = as_user
        .iam
        .list_users()
        .send()
        .await
        .expect_err("the service account listed IAM users");
    let mapped = iamwiz::aws::map_sdk_error("iam:ListUsers", err);
    assert_eq!(mapped.code, "AccessDenied", "{mapped}");
    assert!(
        mapped.message.contains(&format!("user/{user}")),
        "denied as the new user: {mapped}"
    );
}

/// When the key made in this run cannot be scheduled for deletion, it is listed as left with the
/// command that schedules it, and the result says so.
#[tokio::test(flavor = "multi_thread")]
async fn a_key_that_cannot_be_scheduled_for_deletion_is_listed_as_left() {
    const REGION: &str = "ap-northeast-3";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let alias = common::unique("unscheduled-cmk");
    let user = common::unique("unscheduled-user");
    let faults = fail_attempts(&[
        ("CreateAccessKey", 1, 1, "AccessDenied"),
        ("ScheduleKeyDeletion", 1, 1, "AccessDeniedException"),
    ]);

    let outcome = run_encryption(
        faults.settings(common::settings()),
        user_spec(REGION, new_key(&alias), &user),
    )
    .await;
    let undo_failed = outcome.history(0, 0);
    assert!(
        matches!(undo_failed.last(), Some(StepStatus::UndoFailed(e)) if e.code == "AccessDeniedException"),
        "{undo_failed:?}"
    );
    let EncryptionResult::Failed {
        step,
        leftovers,
        key_deletion,
        ..
    } = outcome.result
    else {
        panic!("the set-up succeeded though CreateAccessKey was denied");
    };
    assert_eq!(step, StepKind::CreateAccessKey);
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    // The key is found by what is left, then checked independently.
    let key_id = leftovers[0]
        .what
        .strip_prefix("KMS key ")
        .and_then(|w| w.strip_suffix(&format!(" in {REGION}")))
        .expect("the leftover names the key and its region")
        .to_string();
    assert_eq!(
        leftovers[0].command,
        format!(
            "aws kms schedule-key-deletion --key-id {key_id} --pending-window-in-days 7 --region {REGION}"
        )
    );
    let sentence = key_deletion.expect("the key's fate is told");
    assert!(
        sentence.contains(&key_id) && sentence.contains("could not be scheduled"),
        "{sentence}"
    );
    let (state, _) = key_state(&kms, &key_id).await;
    assert_eq!(state, "Enabled", "the key is left as the leftover says");
    let described = kms
        .describe_key()
        .key_id(&key_id)
        .send()
        .await
        .expect("DescribeKey")
        .key_metadata
        .unwrap();
    assert_eq!(
        described.description.as_deref(),
        Some(format!("MongoDB CSFLE master key for {alias}").as_str()),
        "the leftover is the key this run made"
    );
    assert!(
        aliases(&kms)
            .await
            .iter()
            .all(|(name, _)| *name != format!("alias/{alias}")),
        "the alias was removed before the key"
    );
    assert_no_user(&admin.iam, &user).await;
    // Clean up as the listed command would.
    kms.schedule_key_deletion()
        .key_id(&key_id)
        .pending_window_in_days(7)
        .send()
        .await
        .expect("ScheduleKeyDeletion");
}

/// Calls whose answer is lost after AWS applied them are retried by the SDK and meet what their
/// first attempt made: the alias, the role, the instance profile and the role in it are each
/// recognised as this run's, and the set-up completes with nothing made twice.
#[tokio::test(flavor = "multi_thread")]
async fn calls_applied_but_unanswered_are_retried_and_count_as_made() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let (iam, kms) = (&admin.iam, admin.kms_in(REGION));
    let alias = common::unique("lost-answer-cmk");
    let name = common::unique("lost-answer-role");
    let faults = lost_answers(&[
        ("CreateAlias", 1),
        ("CreateRole", 1),
        ("CreateInstanceProfile", 1),
        ("AddRoleToInstanceProfile", 1),
    ]);

    let outcome = run_encryption(
        faults.settings(common::settings()),
        role_spec(REGION, new_key(&alias), &name, TrustedPrincipal::Ec2),
    )
    .await;
    let created = outcome.created();
    let calls = faults.calls();
    for op in [
        "CreateAlias",
        "CreateRole",
        "CreateInstanceProfile",
        "AddRoleToInstanceProfile",
    ] {
        assert_eq!(
            calls.iter().filter(|c| *c == op).count(),
            1,
            "{op} is one call (retried inside the SDK): {calls:?}"
        );
    }
    let key_id = created.key_arn.rsplit('/').next().unwrap().to_string();
    assert!(
        aliases(&kms)
            .await
            .contains(&(format!("alias/{alias}"), key_id.clone())),
        "the alias names the new key"
    );
    let EncryptionAccount::Role(role) = created.account else {
        panic!("a user was made for a role spec");
    };
    assert_eq!(role.arn, format!("arn:aws:iam::{ACCOUNT}:role/{name}"));
    let profile = iam
        .get_instance_profile()
        .instance_profile_name(&name)
        .send()
        .await
        .expect("GetInstanceProfile")
        .instance_profile
        .unwrap();
    let roles: Vec<String> = profile.roles.into_iter().map(|r| r.role_name).collect();
    assert_eq!(roles, vec![name.clone()]);
    assert_eq!(
        role_kms_policy(iam, &name).await,
        kms_policy_document(&created.key_arn)
    );
}

/// The rollback's own calls are safe to retry too: a `DeleteAlias` and a `ScheduleKeyDeletion`
/// whose answers were lost are retried, and the retry's refusal (the alias is gone; the key is
/// already pending deletion, which real KMS answers with `KMSInvalidStateException` and moto does
/// not, so the test answers so) counts as done.
#[tokio::test(flavor = "multi_thread")]
async fn a_rollback_whose_answers_are_lost_still_schedules_the_key() {
    const REGION: &str = "ap-northeast-3";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let alias = common::unique("lost-undo-cmk");
    let user = common::unique("lost-undo-user");
    let faults = faults_with(
        [
            ("PutUserPolicy", 1, 1, "AccessDenied", false),
            ("DeleteAlias", 1, 1, "KMSInternalException", true),
            ("ScheduleKeyDeletion", 1, 1, "KMSInternalException", true),
            (
                "ScheduleKeyDeletion",
                2,
                2,
                "KMSInvalidStateException",
                false,
            ),
        ]
        .into_iter(),
    );

    let outcome = run_encryption(
        faults.settings(common::settings()),
        user_spec(REGION, new_key(&alias), &user),
    )
    .await;
    assert_eq!(outcome.history(0, 0).last(), Some(&StepStatus::Undone));
    assert_eq!(outcome.history(0, 1).last(), Some(&StepStatus::Undone));
    let EncryptionResult::Failed {
        leftovers,
        key_deletion,
        ..
    } = outcome.result
    else {
        panic!("the set-up succeeded though PutUserPolicy was denied");
    };
    assert_eq!(leftovers, Vec::new());
    let sentence = key_deletion.expect("the key's fate is told");
    let key_id = sentence
        .strip_prefix("KMS key ")
        .and_then(|s| s.split(' ').next())
        .expect("the sentence starts with the key")
        .to_string();
    let (state, date) = key_state(&kms, &key_id).await;
    assert_eq!(state, "PendingDeletion");
    assert!(
        sentence.contains(&date.expect("a deletion date")),
        "{sentence}"
    );
    assert!(
        aliases(&kms)
            .await
            .iter()
            .all(|(name, _)| *name != format!("alias/{alias}")),
        "alias/{alias} is left"
    );
    assert_no_user(&admin.iam, &user).await;
}

/// A `CreateKey` whose answer was lost after KMS made the key is retried by the SDK, which makes
/// a second key: the set-up keeps the one it was answered with and schedules the other for
/// deletion. Keys that only look alike (the same description, but with an alias, or other tags)
/// are left alone.
#[tokio::test(flavor = "multi_thread")]
async fn a_key_made_by_a_lost_create_key_attempt_is_scheduled_for_deletion() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let alias = common::unique("lost-key-cmk");
    let user = common::unique("lost-key-user");
    let description = format!("MongoDB CSFLE master key for {alias}");
    let before = key_ids(&kms).await;
    // Decoys, made just before the run: the same description, but one has an alias and one has
    // other tags.
    let aliased = kms
        .create_key()
        .description(&description)
        .tags(
            aws_sdk_kms::types::Tag::builder()
                .tag_key("app")
                .tag_value("orders")
                .build()
                .unwrap(),
        )
        .tags(
            aws_sdk_kms::types::Tag::builder()
                .tag_key("purpose")
                .tag_value("mongodb-csfle")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("CreateKey")
        .key_metadata
        .unwrap()
        .key_id;
    kms.create_alias()
        .alias_name(format!("alias/{alias}-decoy"))
        .target_key_id(&aliased)
        .send()
        .await
        .expect("CreateAlias");
    let (other_tags, _) = make_key(&kms, &description).await;
    let faults = lost_answers(&[("CreateKey", 1)]);

    let outcome = run_encryption(
        faults.settings(common::settings()),
        user_spec(REGION, new_key(&alias), &user),
    )
    .await;
    let calls = faults.calls();
    let created = outcome.created();
    assert_eq!(
        calls.iter().filter(|c| *c == "CreateKey").count(),
        1,
        "one call, retried inside the SDK: {calls:?}"
    );
    let kept = created.key_arn.rsplit('/').next().unwrap().to_string();
    let mut made = keys_described_since(&kms, &before, &description).await;
    made.retain(|id| ![&aliased, &other_tags].contains(&id));
    assert_eq!(
        made.len(),
        2,
        "the lost attempt and the retry each made a key: {made:?}"
    );
    assert!(made.contains(&kept), "{made:?}");
    let stray = made.iter().find(|id| **id != kept).unwrap();
    let (state, date) = key_state(&kms, stray).await;
    assert_eq!(state, "PendingDeletion");
    let in_seven_days = aws_smithy_types::DateTime::from_secs(
        aws_smithy_types::DateTime::from(std::time::SystemTime::now()).secs() + 7 * 86_400,
    )
    .fmt(Format::DateTime)
    .unwrap()[..10]
        .to_string();
    assert_eq!(date.as_deref(), Some(in_seven_days.as_str()));
    assert_eq!(key_state(&kms, &kept).await, ("Enabled".to_string(), None));
    assert!(
        aliases(&kms)
            .await
            .contains(&(format!("alias/{alias}"), kept.clone())),
        "the alias names the kept key"
    );
    assert!(
        matches!(created.verification, Verification::Verified { .. }),
        "{:?}",
        created.verification
    );
    for decoy in [&aliased, &other_tags] {
        assert_eq!(
            key_state(&kms, decoy).await,
            ("Enabled".to_string(), None),
            "a key this run did not make was touched"
        );
    }
}

/// When the run then fails, the sentence about its key names the stray key too; both are
/// scheduled for deletion and nothing is left.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_run_tells_of_the_stray_key_of_a_lost_create_key_attempt() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let alias = common::unique("lost-key-fail-cmk");
    let user = common::unique("lost-key-fail-user");
    let description = format!("MongoDB CSFLE master key for {alias}");
    let before = key_ids(&kms).await;
    let faults = faults_with(
        [
            ("CreateKey", 1, 1, "KMSInternalException", true),
            ("PutUserPolicy", 1, 1, "AccessDenied", false),
        ]
        .into_iter(),
    );

    let outcome = run_encryption(
        faults.settings(common::settings()),
        user_spec(REGION, new_key(&alias), &user),
    )
    .await;
    let EncryptionResult::Failed {
        step,
        leftovers,
        key_deletion,
        ..
    } = outcome.result
    else {
        panic!("the set-up succeeded though PutUserPolicy was denied");
    };
    assert_eq!(step, StepKind::PutInlinePolicy(KMS_POLICY_NAME.to_string()));
    assert_eq!(leftovers, Vec::new());
    let made = keys_described_since(&kms, &before, &description).await;
    assert_eq!(made.len(), 2, "{made:?}");
    let sentence = key_deletion.expect("the keys' fate is told");
    for id in &made {
        assert_eq!(key_state(&kms, id).await.0, "PendingDeletion", "{id}");
        assert!(
            sentence.contains(id.as_str()),
            "{id} is not named: {sentence}"
        );
    }
    assert_no_user(&admin.iam, &user).await;
}

/// A `CreateKey` retried after an answer that says nothing was made (throttling) makes one key,
/// and nothing is scheduled for deletion.
#[tokio::test(flavor = "multi_thread")]
async fn a_throttled_create_key_makes_one_key_and_deletes_none() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let alias = common::unique("throttled-key-cmk");
    let user = common::unique("throttled-key-user");
    let description = format!("MongoDB CSFLE master key for {alias}");
    let before = key_ids(&kms).await;
    let faults = fail_attempts(&[("CreateKey", 1, 1, "ThrottlingException")]);

    let outcome = run_encryption(
        faults.settings(common::settings()),
        user_spec(REGION, new_key(&alias), &user),
    )
    .await;
    let created = outcome.created();
    let made = keys_described_since(&kms, &before, &description).await;
    assert_eq!(
        made,
        vec![created.key_arn.rsplit('/').next().unwrap().to_string()]
    );
    assert!(
        !faults.calls().iter().any(|c| c == "ScheduleKeyDeletion"),
        "{:?}",
        faults.calls()
    );
}

/// When several names are taken, each of their steps is failed, so the admin can fix them all in
/// one go, and the result names the first and adds the others.
#[tokio::test(flavor = "multi_thread")]
async fn every_taken_name_is_reported_at_once() {
    const REGION: &str = "sa-east-1";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let alias = common::unique("taken-both");
    let user = common::unique("taken-both-user");
    let (owner, _) = make_key(&kms, "owns the alias").await;
    kms.create_alias()
        .alias_name(format!("alias/{alias}"))
        .target_key_id(&owner)
        .send()
        .await
        .expect("CreateAlias");
    admin
        .iam
        .create_user()
        .user_name(&user)
        .send()
        .await
        .expect("CreateUser");
    let faults = fail_attempts(&[]);
    let spec = user_spec(REGION, new_key(&alias), &user);

    let outcome = run_encryption(faults.settings(common::settings()), spec.clone()).await;
    assert_eq!(writes(&faults.calls()), Vec::<String>::new());
    let statuses = histories(&outcome, &spec);
    let failed: Vec<(usize, String)> = statuses
        .iter()
        .enumerate()
        .filter_map(|(i, h)| match h.as_slice() {
            [StepStatus::Failed(e)] => Some((i, e.code.clone())),
            [StepStatus::Skipped] => None,
            other => panic!("step {i}: {other:?}"),
        })
        .collect();
    assert_eq!(
        failed,
        [
            (1, "AlreadyExistsException".to_string()),
            (2, "EntityAlreadyExists".to_string())
        ]
    );
    let EncryptionResult::Failed { step, error, .. } = outcome.result else {
        panic!("the set-up succeeded with a taken alias and user");
    };
    assert_eq!(step, StepKind::CreateAlias(alias.clone()));
    assert!(
        error
            .message
            .starts_with(&format!("alias/{alias} already exists"))
            && error.message.contains(&format!(
                " Also: User {user} already exists in this account ("
            )),
        "{}",
        error.message
    );
}

/// An instance profile of the role's name exists (a role deleted without its profile leaves
/// one): nothing is made, and the hint gives the command that removes the profile.
#[tokio::test(flavor = "multi_thread")]
async fn an_instance_profile_that_exists_fails_before_anything_is_made() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let (_, arn) = make_key(&admin.kms_in(REGION), "profile key").await;
    let key = iamwiz::aws::kms::list_keys(&admin, REGION)
        .await
        .expect("list keys")
        .into_iter()
        .find(|k| k.arn == arn)
        .expect("the key is listed");
    let name = common::unique("profile-exists");
    admin
        .iam
        .create_instance_profile()
        .instance_profile_name(&name)
        .send()
        .await
        .expect("CreateInstanceProfile");
    let faults = fail_attempts(&[]);
    let spec = role_spec(
        REGION,
        KeyChoice::Existing(key),
        &name,
        TrustedPrincipal::Ec2,
    );

    let outcome = run_encryption(faults.settings(common::settings()), spec.clone()).await;
    assert_eq!(writes(&faults.calls()), Vec::<String>::new());
    let statuses = histories(&outcome, &spec);
    // CreateRole, PutRolePolicy, CreateInstanceProfile, AddRoleToInstanceProfile.
    assert_only_step_taken(&statuses, "CreateInstanceProfile", &[0, 1, 3]);
    let hint = assert_failed_on_taken_name(
        outcome.result,
        "the instance profile",
        &name,
        StepKind::CreateInstanceProfile,
        &format!("Instance profile {name} already exists"),
    );
    assert!(
        hint.contains(&format!(
            "aws iam delete-instance-profile --instance-profile-name {name}"
        )),
        "{hint}"
    );
    let err = admin
        .iam
        .get_role()
        .role_name(&name)
        .send()
        .await
        .expect_err("a role was made");
    assert_eq!(err.code(), Some("NoSuchEntity"));
}

/// The live check of the Account step asks IAM about the role name (`GetRole`) and, for EC2, the
/// instance profile of the same name (`GetInstanceProfile`): an existing one is named as IAM
/// spells it, a free name is `None`, and the two name spaces are apart.
#[tokio::test(flavor = "multi_thread")]
async fn name_checks_find_existing_roles_and_instance_profiles() {
    let admin = common::admin().await;
    let role = common::unique("check-role");
    let profile = common::unique("check-profile");
    let free = common::unique("check-free");
    admin
        .iam
        .create_role()
        .role_name(&role)
        .assume_role_policy_document(trust_policy_document(&TrustedPrincipal::Lambda, "aws"))
        .send()
        .await
        .expect("CreateRole");
    admin
        .iam
        .create_instance_profile()
        .instance_profile_name(&profile)
        .send()
        .await
        .expect("CreateInstanceProfile");

    let asked = [
        (NameKind::Role, role.clone(), Some(role.clone())),
        (NameKind::Role, free.clone(), None),
        (NameKind::Role, profile.clone(), None),
        (
            NameKind::InstanceProfile,
            profile.clone(),
            Some(profile.clone()),
        ),
        (NameKind::InstanceProfile, free.clone(), None),
        (NameKind::InstanceProfile, role.clone(), None),
    ];
    let requests = asked
        .iter()
        .enumerate()
        .map(|(i, (kind, name, _))| Request::CheckName {
            seq: i as u64,
            kind: *kind,
            name: name.clone(),
        })
        .collect();
    let mut answers = vec![None; asked.len()];
    for event in ask(common::settings(), requests).await {
        let Event::NameCheck {
            seq,
            kind,
            name,
            result,
        } = event
        else {
            panic!("unexpected event: {}", common::worker::event_name(&event));
        };
        let (want_kind, want_name, _) = &asked[seq as usize];
        assert_eq!((&kind, &name), (want_kind, want_name), "answer {seq}");
        answers[seq as usize] = Some(result.expect("the check is answered"));
    }
    for (i, (kind, name, want)) in asked.iter().enumerate() {
        assert_eq!(answers[i].as_ref(), Some(want), "{kind:?} {name}");
    }
}

// ---------------------------------------------------------------------------------------------
// Discarding the service account on a signal
// ---------------------------------------------------------------------------------------------

/// A user whose secret nobody saw is discarded with the key made for it in the same run: the user
/// first, then the key's alias, then the key, scheduled for deletion after the shortest window,
/// with the command that keeps it. The deletes' answers are lost, so each retry meets its own
/// earlier success, which counts as done.
#[tokio::test(flavor = "multi_thread")]
async fn a_discarded_user_takes_the_key_made_for_it_along() {
    const REGION: &str = "eu-west-3";
    let admin = common::admin().await;
    let kms = admin.kms_in(REGION);
    let alias = common::unique("discard-cmk");
    let user = common::unique("discard-user");
    let created = run_encryption(
        common::settings(),
        user_spec(REGION, new_key(&alias), &user),
    )
    .await
    .created();
    assert!(created.key_created);
    let key_id = created
        .key_arn
        .rsplit('/')
        .next()
        .expect("a key ID")
        .to_string();

    let faults = faults_with(
        [
            ("DeleteAlias", 1, 1, "KMSInternalException", true),
            ("ScheduleKeyDeletion", 1, 1, "KMSInternalException", true),
            (
                "ScheduleKeyDeletion",
                2,
                2,
                "KMSInvalidStateException",
                false,
            ),
        ]
        .into_iter(),
    );
    let events = ask(
        faults.settings(common::settings()),
        vec![Request::Discard {
            run: 4,
            access_key: None,
            users: vec![user.clone()],
            key: Some(DiscardKey {
                region: REGION.to_string(),
                key_arn: created.key_arn.clone(),
                alias: Some(alias.clone()),
            }),
        }],
    )
    .await;
    let [
        Event::Discarded {
            run: 4,
            users,
            key: Some(key),
        },
    ] = events.as_slice()
    else {
        panic!(
            "expected the discard's reply with the key's, got {:?}",
            events
                .iter()
                .map(common::worker::event_name)
                .collect::<Vec<_>>()
        );
    };
    assert!(
        users.len() == 1 && users[0].leftovers.is_empty(),
        "{users:?}"
    );
    assert_eq!(key.leftovers, Vec::new());

    assert_no_user(&admin.iam, &user).await;
    let (state, date) = key_state(&kms, &key_id).await;
    assert_eq!(state, "PendingDeletion");
    assert!(
        aliases(&kms)
            .await
            .iter()
            .all(|(name, _)| *name != format!("alias/{alias}")),
        "alias/{alias} is left"
    );
    let sentence = &key.deletion;
    assert!(
        sentence.contains(&date.expect("a deletion date")),
        "{sentence}"
    );
    assert!(
        sentence.contains(&format!(
            "aws kms cancel-key-deletion --key-id {key_id} --region {REGION}"
        )),
        "{sentence}"
    );

    let calls = faults.calls();
    let at = |op: &str| {
        calls
            .iter()
            .position(|c| c == op)
            .unwrap_or_else(|| panic!("no {op} in {calls:?}"))
    };
    assert!(
        at("DeleteUser") < at("DeleteAlias") && at("DeleteAlias") < at("ScheduleKeyDeletion"),
        "the user, then the alias, then the key: {calls:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Under a request quota
// ---------------------------------------------------------------------------------------------

/// KMS and IAM throttling the whole set-up at 2 requests a second (KMS's JSON
/// `ThrottlingException`, IAM's XML `Throttling`): the key, the user and the check are all made,
/// and the new key really encrypts.
#[tokio::test(flavor = "multi_thread")]
async fn the_set_up_completes_under_a_quota_that_throttles_kms_and_iam() {
    const REGION: &str = "eu-west-2";
    let admin = common::admin().await;
    let alias = common::unique("quota-cmk");
    let user = common::unique("quota-csfle");
    let spec = user_spec(REGION, new_key(&alias), &user);
    let throttle = common::throttle::Throttle::start(2.0, 2.0);
    let settings = AwsSettings {
        endpoint_url: Some(throttle.endpoint.clone()),
        ..common::settings()
    };
    let created = run_encryption(settings, spec).await.created();
    assert!(created.key_created);
    assert!(
        matches!(created.verification, Verification::Verified { .. }),
        "{:?}",
        created.verification
    );
    let actions = throttle.actions();
    assert!(
        actions.iter().any(|a| a.starts_with("TrentService.")),
        "KMS went through the quota: {actions:?}"
    );
    assert!(throttle.refused() > 0, "the quota was never reached");
    let kms = admin.kms_in(REGION);
    let (state, _) = key_state(&kms, &created.key_arn).await;
    assert_eq!(state, "Enabled");
    let EncryptionAccount::User(made) = created.account else {
        panic!("a role was made for a user spec");
    };
    assert_eq!(made.name, user);
    assert_eq!(
        common::access_key_ids(&admin.iam, &user).await.len(),
        1,
        "one access key"
    );
}

// ---------------------------------------------------------------------------------------------
// Another admin at the same time
// ---------------------------------------------------------------------------------------------

/// The first `CreateRole` is lost on the wire (after the names were checked free) while a
/// colleague creates a role of that name; the SDK's retry meets `EntityAlreadyExists`. The
/// colleague's role lacks this run's mark: a clash, left as it was (no policy put on it, not
/// deleted), and the new key is scheduled for deletion.
#[tokio::test(flavor = "multi_thread")]
async fn a_retried_create_role_never_takes_a_colleagues_role() {
    const REGION: &str = "eu-central-1";
    let admin = common::admin().await;
    let iam = admin.iam.clone();
    let role = common::unique("colleague-role");
    let alias = common::unique("colleague-cmk");
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let seen = std::sync::atomic::AtomicBool::new(false);
    let tx = Mutex::new(tx);
    let proxy = common::proxy::Proxy::start(move |a| {
        if a == "CreateRole" && !seen.swap(true, Ordering::SeqCst) {
            let _ = tx.lock().unwrap().send(());
            return common::proxy::Verdict::Lost {
                applied: false,
                cut: common::proxy::Cut::Stall(Duration::from_secs(2)),
            };
        }
        common::proxy::Verdict::Forward(Duration::ZERO)
    });
    let colleague = {
        let (iam, role) = (iam.clone(), role.clone());
        tokio::spawn(async move {
            tokio::task::spawn_blocking(move || rx.recv())
                .await
                .unwrap()
                .expect("the first CreateRole reached the proxy");
            iam.create_role()
                .role_name(&role)
                .assume_role_policy_document(trust_policy_document(&TrustedPrincipal::Ec2, "aws"))
                .send()
                .await
                .unwrap();
        })
    };
    let spec = role_spec(REGION, new_key(&alias), &role, TrustedPrincipal::EcsTasks);
    let settings = AwsSettings {
        endpoint_url: Some(proxy.endpoint.clone()),
        ..common::settings()
    };
    let outcome = run_encryption(settings, spec).await;
    colleague.await.unwrap();
    let EncryptionResult::Failed { step, error, .. } = outcome.result else {
        panic!("the role name was taken by the colleague");
    };
    assert_eq!(step, StepKind::CreateRole);
    assert_eq!(error.code, "EntityAlreadyExists", "{error}");
    let policies = iam
        .list_role_policies()
        .role_name(&role)
        .send()
        .await
        .expect("the colleague's role is still there");
    assert!(policies.policy_names().is_empty(), "a policy was put on it");
}
