//! The MFA calls of src/aws/mfa.rs against moto through the real SDK: a virtual MFA device
//! created, enabled with two codes computed from the seed IAM returned, listed, deactivated and
//! deleted; codes that fail the check never reach IAM; the require-MFA policy found or created
//! by name, and a policy of that name that says something else reported, never changed.
//!
//! moto does not check MFA codes (EMULATOR.md): a test that wrong codes are refused therefore
//! records the calls sent (an SDK interceptor) and reads the user's devices back, rather than
//! relying on IAM's refusal.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_iam::operation::create_virtual_mfa_device::CreateVirtualMfaDeviceInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::{Intercept, SharedInterceptor};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use common::faults::Faults;
use common::{admin, settings, unique};
use iamwiz::aws::mark::{RunMark, TAG_KEY};
use iamwiz::aws::mfa::{
    self, EnableError, MfaDevice, POLICY_DIFFERS, PolicyFound, create_virtual_device,
};
use iamwiz::model::mfa_policy::{
    ManagedPolicySpec, REQUIRE_MFA_POLICY_DOCUMENT, REQUIRE_MFA_POLICY_NAME, require_mfa_policy,
};
use iamwiz::model::totp::{DIGITS, STEP_SECONDS, TotpSeed, Verdict};

/// moto's account.
const ACCOUNT: &str = "123456789012";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A new user, named uniquely after `prefix`.
async fn new_user(prefix: &str) -> String {
    let user = unique(prefix);
    admin()
        .await
        .iam
        .create_user()
        .user_name(&user)
        .send()
        .await
        .unwrap();
    user
}

/// The last two codes of `seed` at `at`, as an authenticator app shows them one after the other.
fn last_two_codes(seed: &TotpSeed, at: u64) -> (String, String) {
    let step = at / STEP_SECONDS;
    (
        seed.code_for_step(step - 1, DIGITS),
        seed.code_for_step(step, DIGITS),
    )
}

/// The serial numbers of every virtual MFA device in the account (`ListVirtualMFADevices`).
async fn virtual_serials() -> Vec<String> {
    admin()
        .await
        .iam
        .list_virtual_mfa_devices()
        .send()
        .await
        .unwrap()
        .virtual_mfa_devices
        .into_iter()
        .map(|d| d.serial_number)
        .collect()
}

/// Records the tags of each `CreateVirtualMFADevice` sent (moto 5.2 has no
/// `ListMFADeviceTags`: what was sent is what can be checked).
#[derive(Clone, Debug, Default)]
struct DeviceTags(Arc<Mutex<Vec<Tags>>>);

/// Tags as (key, value) pairs.
type Tags = Vec<(String, String)>;

impl Intercept for DeviceTags {
    fn name(&self) -> &'static str {
        "tests::mfa_aws::DeviceTags"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(input) = context
            .input()
            .downcast_ref::<CreateVirtualMfaDeviceInput>()
        {
            let tags = input
                .tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect();
            self.0.lock().unwrap().push(tags);
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_new_device_carries_the_runs_mark() {
    let sent = DeviceTags::default();
    let c = iamwiz::aws::connect(&iamwiz::aws::AwsSettings {
        interceptors: vec![SharedInterceptor::new(sent.clone())],
        ..settings()
    })
    .await;
    let user = new_user("mfa-mark").await;
    let mark = RunMark::draw();
    let device = create_virtual_device(&c, &user, &mark).await.unwrap();
    assert_eq!(
        *sent.0.lock().unwrap(),
        vec![vec![(TAG_KEY.to_string(), mark.value().to_string())]]
    );
    mfa::delete_virtual_device(&c, &device.serial)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_device_enabled_with_two_codes_from_its_seed_is_listed_then_deactivated_and_deleted() {
    let c = admin().await;
    let user = new_user("mfa-life").await;
    let mark = RunMark::draw();
    let device = create_virtual_device(&c, &user, &mark).await.unwrap();
    assert_eq!(device.serial, format!("arn:aws:iam::{ACCOUNT}:mfa/{user}"));
    assert!(format!("{device:?}").contains("[REDACTED]"));
    assert!(virtual_serials().await.contains(&device.serial));
    assert!(mfa::user_devices(&c, &user).await.unwrap().is_empty());

    let at = now();
    let (first, second) = last_two_codes(&device.seed, at);
    mfa::enable_device(
        &c,
        &user,
        &device.serial,
        &device.seed,
        (&first, &second),
        at,
    )
    .await
    .unwrap();
    let devices = mfa::user_devices(&c, &user).await.unwrap();
    assert_eq!(devices.len(), 1, "{devices:?}");
    let MfaDevice {
        user: of,
        serial,
        enabled,
    } = &devices[0];
    assert_eq!((of, serial), (&user, &device.serial));
    assert!((*enabled - at as i64).abs() < 300, "enabled at {enabled}");

    mfa::deactivate_device(&c, &user, &device.serial)
        .await
        .unwrap();
    assert!(mfa::user_devices(&c, &user).await.unwrap().is_empty());
    assert!(virtual_serials().await.contains(&device.serial));
    mfa::delete_virtual_device(&c, &device.serial)
        .await
        .unwrap();
    assert!(!virtual_serials().await.contains(&device.serial));
}

#[tokio::test]
async fn codes_that_fail_the_check_are_never_sent_and_the_device_stays_off() {
    let calls = Faults::recording();
    let c = iamwiz::aws::connect(&calls.settings(settings())).await;
    let user = new_user("mfa-wrong").await;
    let device = create_virtual_device(&c, &user, &RunMark::draw())
        .await
        .unwrap();
    let at = now();

    let other = TotpSeed::from_bytes(b"not the device's seed".to_vec());
    let (a, b) = last_two_codes(&other, at);
    let wrong = mfa::enable_device(&c, &user, &device.serial, &device.seed, (&a, &b), at).await;
    assert_eq!(wrong, Err(EnableError::Codes(Verdict::WrongCodes)));

    // The phone's clock two minutes ahead: the codes are the device's, but of later steps.
    let (a, b) = last_two_codes(&device.seed, at + 120);
    let ahead = mfa::enable_device(&c, &user, &device.serial, &device.seed, (&a, &b), at).await;
    assert_eq!(
        ahead,
        Err(EnableError::Codes(Verdict::ClockAhead { seconds: 120 }))
    );

    let (a, b) = last_two_codes(&device.seed, at);
    let reversed = mfa::enable_device(&c, &user, &device.serial, &device.seed, (&b, &a), at).await;
    assert_eq!(reversed, Err(EnableError::Codes(Verdict::NotConsecutive)));

    assert!(
        !calls.calls().iter().any(|op| op == "EnableMFADevice"),
        "{:?}",
        calls.calls()
    );
    assert!(mfa::user_devices(&c, &user).await.unwrap().is_empty());
    mfa::delete_virtual_device(&c, &device.serial)
        .await
        .unwrap();
}

/// The require-MFA policy under a name of this test's own (moto is shared by parallel tests).
fn spec_named(name: &str) -> ManagedPolicySpec {
    ManagedPolicySpec {
        name: name.to_string(),
        ..require_mfa_policy()
    }
}

/// The versions of policy `arn` (`ListPolicyVersions`) and the default one's document, parsed.
async fn versions_and_document(arn: &str) -> (usize, serde_json::Value) {
    let iam = admin().await.iam;
    let versions = iam
        .list_policy_versions()
        .policy_arn(arn)
        .send()
        .await
        .unwrap()
        .versions
        .unwrap_or_default();
    let raw = iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id("v1")
        .send()
        .await
        .unwrap()
        .policy_version
        .unwrap()
        .document
        .unwrap();
    let text = iamwiz::aws::iam::decode_policy_document(&raw);
    (versions.len(), serde_json::from_str(&text).unwrap())
}

fn fixture() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/require_mfa_policy.json"
    );
    std::fs::read_to_string(path).expect("read tests/fixtures/require_mfa_policy.json")
}

#[test]
fn the_policy_document_is_the_one_on_aws_documentation_page_byte_for_byte() {
    assert_eq!(REQUIRE_MFA_POLICY_DOCUMENT, fixture());
}

#[tokio::test]
async fn the_policy_is_created_once_with_the_runs_mark_and_found_the_second_time() {
    let c = admin().await;
    let name = unique("require-mfa");
    let spec = spec_named(&name);
    let mark = RunMark::draw();
    let arn = format!("arn:aws:iam::{ACCOUNT}:policy/{name}");

    let first = mfa::ensure_policy(&c, &spec, &mark).await.unwrap();
    assert_eq!(first, PolicyFound::Created { arn: arn.clone() });
    let second = mfa::ensure_policy(&c, &spec, &RunMark::draw())
        .await
        .unwrap();
    assert_eq!(second, PolicyFound::Existing { arn: arn.clone() });

    let (versions, document) = versions_and_document(&arn).await;
    assert_eq!(versions, 1, "no second version");
    let documented: serde_json::Value = serde_json::from_str(&fixture()).unwrap();
    assert_eq!(document, documented);
    let tags: Vec<(String, String)> = c
        .iam
        .list_policy_tags()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap()
        .tags
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect();
    assert_eq!(tags, vec![(TAG_KEY.to_string(), mark.value().to_string())]);
}

#[tokio::test]
async fn the_policy_under_its_stable_name_is_found_again_with_the_same_arn() {
    let c = admin().await;
    let spec = require_mfa_policy();
    assert_eq!(spec.name, REQUIRE_MFA_POLICY_NAME);
    // Created by this test or an earlier run against the same moto.
    let first = mfa::ensure_policy(&c, &spec, &RunMark::draw())
        .await
        .unwrap();
    let arn = format!("arn:aws:iam::{ACCOUNT}:policy/iamwiz-require-mfa");
    assert_eq!(first.arn(), arn);
    let again = mfa::ensure_policy(&c, &spec, &RunMark::draw())
        .await
        .unwrap();
    assert_eq!(again, PolicyFound::Existing { arn: arn.clone() });
    assert_eq!(versions_and_document(&arn).await.0, 1);
}

#[tokio::test]
async fn a_policy_of_that_name_saying_something_else_is_reported_and_left_as_it_was() {
    let c = admin().await;
    let name = unique("require-mfa-other");
    let theirs = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#;
    c.iam
        .create_policy()
        .policy_name(&name)
        .policy_document(theirs)
        .send()
        .await
        .unwrap();
    let arn = format!("arn:aws:iam::{ACCOUNT}:policy/{name}");

    let err = mfa::ensure_policy(&c, &spec_named(&name), &RunMark::draw())
        .await
        .unwrap_err();
    assert_eq!(err.code, POLICY_DIFFERS);
    assert!(err.message.contains(&name), "{err:?}");
    assert!(err.message.contains(&arn), "{err:?}");
    assert!(err.hint.contains("never changes"), "{err:?}");
    assert!(err.hint.contains("delete-policy"), "{err:?}");

    let (versions, document) = versions_and_document(&arn).await;
    assert_eq!(versions, 1);
    assert_eq!(
        document,
        serde_json::from_str::<serde_json::Value>(theirs).unwrap()
    );
}

/// Runs `iamwiz --endpoint-url <moto> mfa list <args>` as a script would, off the test's
/// runtime.
async fn mfa_list(args: &[&str]) -> common::apply::Run {
    let home = common::apply::Home::new();
    let mut cmd = home.command(env!("CARGO_BIN_EXE_iamwiz"));
    cmd.args(["--endpoint-url", &common::endpoint(), "mfa", "list"])
        .args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run iamwiz"))
        .await
        .unwrap();
    common::apply::Run {
        code: out.status.code().expect("iamwiz exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[tokio::test]
async fn mfa_list_prints_a_users_enabled_device_as_a_table_and_as_json() {
    let c = admin().await;
    let user = new_user("mfa-list").await;
    let run = mfa_list(&[&user]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, format!("{user} has no MFA device.\n"));

    let device = create_virtual_device(&c, &user, &RunMark::draw())
        .await
        .unwrap();
    let at = now();
    let (first, second) = last_two_codes(&device.seed, at);
    mfa::enable_device(
        &c,
        &user,
        &device.serial,
        &device.seed,
        (&first, &second),
        at,
    )
    .await
    .unwrap();
    let enabled = mfa::user_devices(&c, &user).await.unwrap()[0].enabled;

    let run = mfa_list(&[&user]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(lines[0].starts_with("SERIAL NUMBER"), "{}", run.stdout);
    assert!(lines[1].starts_with(&device.serial), "{}", run.stdout);
    assert!(lines[1].contains("virtual"), "{}", run.stdout);
    // The seed is never printed, whatever the encoding.
    assert!(!run.stdout.contains(device.seed.to_base32().as_str()));

    let run = mfa_list(&[&user, "--json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{
            "user": user,
            "serial_number": device.serial,
            "kind": "virtual",
            "enabled": iamwiz::model::keys::timestamp(enabled),
        }])
    );
}

#[tokio::test]
async fn mfa_list_of_a_user_that_does_not_exist_says_so_and_exits_3() {
    let run = mfa_list(&[&unique("nobody")]).await;
    assert_eq!(run.code, 3);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("there is no user named"),
        "{}",
        run.stderr
    );
}
