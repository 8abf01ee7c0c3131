//! Requiring MFA in a creation, against moto through the real worker: the policy
//! `iamwiz-require-mfa` is found or created once per run (not once per user) and attached to each
//! user; a second run reuses it; a rollback deletes it only when this run made it; a policy of
//! that name that says something else fails the run before any user exists.
//!
//! The policy has one name per account, so each test has a moto server of its own.

use crate::common;

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::PolicyScopeType;
use common::faults::{Faults, Injection};
use common::moto::PrivateMoto;
use common::worker::{bare_spec, run_batch};
use common::{attached_policy_arns, unique};
use iamwiz::aws::Clients;
use iamwiz::aws::mark::RunMark;
use iamwiz::aws::mfa::{self, POLICY_DIFFERS};
use iamwiz::model::mfa_policy::{REQUIRE_MFA_POLICY_NAME, require_mfa_arn, require_mfa_policy};
use iamwiz::protocol::{CreationResult, StepKind, StepStatus, UserSpec};

/// moto's account.
const ACCOUNT: &str = "123456789012";

fn arn() -> String {
    require_mfa_arn("aws", ACCOUNT)
}

/// A user whose only managed policy is the require-MFA one.
fn spec(prefix: &str) -> UserSpec {
    UserSpec {
        policies: vec![arn()],
        ..bare_spec(&unique(prefix))
    }
}

/// How many customer managed policies of the name there are, and how many versions the policy
/// has (0 when there is none).
async fn policies_and_versions(c: &Clients) -> (usize, usize) {
    let listed = c
        .iam
        .list_policies()
        .scope(PolicyScopeType::Local)
        .send()
        .await
        .expect("ListPolicies")
        .policies
        .unwrap_or_default();
    let named = listed
        .iter()
        .filter(|p| p.policy_name.as_deref() == Some(REQUIRE_MFA_POLICY_NAME))
        .count();
    let versions = match c.iam.list_policy_versions().policy_arn(arn()).send().await {
        Ok(out) => out.versions.unwrap_or_default().len(),
        Err(e) if e.code() == Some("NoSuchEntity") => 0,
        Err(e) => panic!("ListPolicyVersions: {e:?}"),
    };
    (named, versions)
}

async fn user_exists(c: &Clients, user: &str) -> bool {
    match c.iam.get_user().user_name(user).send().await {
        Ok(_) => true,
        Err(e) if e.code() == Some("NoSuchEntity") => false,
        Err(e) => panic!("GetUser: {e:?}"),
    }
}

fn creates(calls: &[String]) -> usize {
    calls.iter().filter(|c| *c == "CreatePolicy").count()
}

#[tokio::test]
async fn a_batch_of_two_makes_the_policy_once_attaches_it_to_each_and_a_second_run_reuses_it() {
    let moto = PrivateMoto::start().await;
    let admin = iamwiz::aws::connect(&moto.settings()).await;
    let recording = Faults::recording();

    let batch = vec![spec("mfa-a"), spec("mfa-b")];
    let names: Vec<String> = batch.iter().map(|s| s.name.clone()).collect();
    let (steps, result) = run_batch(recording.settings(moto.settings()), batch).await;
    let CreationResult::Created(users) = result else {
        panic!("the creation failed: {result:?}");
    };
    assert_eq!(users.len(), 2);
    for name in &names {
        assert_eq!(
            attached_policy_arns(&admin.iam, name).await,
            vec![arn()],
            "{name} has the policy attached"
        );
    }
    assert_eq!(
        creates(&recording.calls()),
        1,
        "one CreatePolicy for the run"
    );
    assert_eq!(policies_and_versions(&admin).await, (1, 1));
    // The run's step is the first of the first user's, reported done; the second user has none.
    assert!(steps.contains(&(0, 0, StepStatus::Done)));
    assert!(!steps.iter().any(|(u, i, _)| (*u, *i) == (1, 2)));

    let again = Faults::recording();
    let (_, result) = run_batch(again.settings(moto.settings()), vec![spec("mfa-c")]).await;
    let CreationResult::Created(users) = result else {
        panic!("the second creation failed: {result:?}");
    };
    assert_eq!(
        attached_policy_arns(&admin.iam, &users[0].name).await,
        vec![arn()]
    );
    assert_eq!(creates(&again.calls()), 0, "the policy there is reused");
    assert!(again.calls().contains(&"GetPolicyVersion".to_string()));
    assert_eq!(
        policies_and_versions(&admin).await,
        (1, 1),
        "no second version"
    );
}

/// Refuses the second `AttachUserPolicy` of a run (the first user's has been attached by then,
/// or is being attached: either way it is rolled back).
fn second_attach_denied() -> Faults {
    let seen = std::sync::atomic::AtomicU32::new(0);
    Faults::new(move |op, _| {
        (op == "AttachUserPolicy" && seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 1)
            .then(|| Injection {
                status: 403,
                kind: "Sender",
                code: "AccessDenied",
                message: "injected".to_string(),
                applied: false,
            })
    })
}

#[tokio::test]
async fn a_rollback_deletes_the_policy_only_when_this_run_made_it() {
    let moto = PrivateMoto::start().await;
    let admin = iamwiz::aws::connect(&moto.settings()).await;

    // Made by this run: the rollback deletes it, after both users.
    let batch = vec![spec("mfa-undo-a"), spec("mfa-undo-b")];
    let names: Vec<String> = batch.iter().map(|s| s.name.clone()).collect();
    let faults = second_attach_denied();
    let (steps, result) = run_batch(faults.settings(moto.settings()), batch).await;
    let CreationResult::Failed {
        step, leftovers, ..
    } = result
    else {
        panic!("the creation should have failed");
    };
    assert_eq!(step, StepKind::AttachPolicy(arn()));
    assert!(leftovers.is_empty(), "{leftovers:?}");
    for name in &names {
        assert!(!user_exists(&admin, name).await, "{name} is rolled back");
    }
    assert_eq!(
        policies_and_versions(&admin).await,
        (0, 0),
        "the run's policy is gone"
    );
    assert!(steps.contains(&(0, 0, StepStatus::Undone)));
    let calls = faults.calls();
    let delete_policy = calls.iter().position(|c| c == "DeletePolicy");
    let last_delete_user = calls.iter().rposition(|c| c == "DeleteUser");
    assert!(
        delete_policy > last_delete_user,
        "DeletePolicy after every user: {calls:?}"
    );

    // There before the run: the rollback leaves it as it was.
    let before = mfa::ensure_policy(&admin, &require_mfa_policy(), &RunMark::draw())
        .await
        .unwrap();
    assert_eq!(before.arn(), arn());
    let batch = vec![spec("mfa-keep-a"), spec("mfa-keep-b")];
    let names: Vec<String> = batch.iter().map(|s| s.name.clone()).collect();
    let faults = second_attach_denied();
    let (steps, result) = run_batch(faults.settings(moto.settings()), batch).await;
    assert!(matches!(result, CreationResult::Failed { .. }));
    for name in &names {
        assert!(!user_exists(&admin, name).await, "{name} is rolled back");
    }
    assert_eq!(
        policies_and_versions(&admin).await,
        (1, 1),
        "the policy stays"
    );
    assert!(!faults.calls().contains(&"DeletePolicy".to_string()));
    assert!(!steps.contains(&(0, 0, StepStatus::Undone)));
}

#[tokio::test]
async fn a_policy_of_that_name_saying_something_else_fails_the_run_before_any_user_exists() {
    let moto = PrivateMoto::start().await;
    let admin = iamwiz::aws::connect(&moto.settings()).await;
    admin
        .iam
        .create_policy()
        .policy_name(REQUIRE_MFA_POLICY_NAME)
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        )
        .send()
        .await
        .expect("CreatePolicy");

    let batch = vec![spec("mfa-differs-a"), spec("mfa-differs-b")];
    let names: Vec<String> = batch.iter().map(|s| s.name.clone()).collect();
    let recording = Faults::recording();
    let (steps, result) = run_batch(recording.settings(moto.settings()), batch).await;
    let CreationResult::Failed {
        user,
        step,
        error,
        leftovers,
    } = result
    else {
        panic!("the creation should have failed");
    };
    assert_eq!(user, names[0]);
    assert_eq!(step, StepKind::EnsurePolicy(arn()));
    assert_eq!(error.code, POLICY_DIFFERS);
    assert!(
        error.hint.contains("never changes a policy it finds"),
        "{}",
        error.hint
    );
    assert!(leftovers.is_empty());
    let calls = recording.calls();
    assert!(!calls.contains(&"CreateUser".to_string()), "{calls:?}");
    for name in &names {
        assert!(!user_exists(&admin, name).await);
    }
    // Every user's steps are reported as not started.
    assert!(steps.contains(&(0, 1, StepStatus::Skipped)));
    assert!(steps.contains(&(1, 0, StepStatus::Skipped)));
}

// ---- iamwiz apply ----------------------------------------------------------------------------

fn plan_requiring_mfa(users: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "version": 1,
        "users": users,
        "console_password": {"require_reset": false},
        "require_mfa": true
    })
}

#[tokio::test]
async fn apply_with_require_mfa_makes_the_policy_once_and_attaches_it_to_each_user() {
    let moto = PrivateMoto::start().await;
    let admin = iamwiz::aws::connect(&moto.settings()).await;
    let home = common::apply::Home::new();
    let (a, b) = (unique("apply-mfa-a"), unique("apply-mfa-b"));
    let plan = home.plan("plan.json", &plan_requiring_mfa(&[&a, &b]));
    let csv = home.path().join("users.csv");
    let run = home.apply(
        &moto.endpoint,
        &[plan.to_str().unwrap(), "--csv", csv.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for name in [&a, &b] {
        assert_eq!(attached_policy_arns(&admin.iam, name).await, vec![arn()]);
    }
    assert_eq!(policies_and_versions(&admin).await, (1, 1));
    assert!(
        run.stderr.contains(&format!("{a}: iam:CreatePolicy done")),
        "{}",
        run.stderr
    );
}

#[test]
fn apply_refuses_a_plan_requiring_mfa_without_a_console_password_before_calling_aws() {
    let home = common::apply::Home::new();
    home.plan(
        "plan.json",
        &serde_json::json!({"version": 1, "users": ["a"], "access_key": true, "require_mfa": true}),
    );
    let run = home.apply(common::apply::CLOSED, &["plan.json"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains(
            "require_mfa: MFA is required at console sign-in, but the plan gives no console \
             password"
        ),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn the_dry_run_creates_the_policy_then_attaches_it_with_the_aws_cli() {
    let moto = PrivateMoto::start().await;
    let admin = iamwiz::aws::connect(&moto.settings()).await;
    let home = common::apply::Home::new();
    let (a, b) = (unique("dry-mfa-a"), unique("dry-mfa-b"));
    home.plan("plan.json", &plan_requiring_mfa(&[&a, &b]));
    let run = home.apply(common::apply::CLOSED, &["--dry-run", "plan.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("aws iam create-policy --policy-name iamwiz-require-mfa --description "),
        "{}",
        run.stdout
    );
    let attach = format!(
        "aws iam attach-user-policy --user-name {a} --policy-arn \
         \"arn:aws:iam::${{account}}:policy/iamwiz-require-mfa\""
    );
    assert!(run.stdout.contains(&attach), "{}", run.stdout);
    assert_eq!(
        run.stdout.matches("create-policy").count(),
        1,
        "once per run"
    );

    std::fs::write(home.path().join("commands.sh"), &run.stdout).unwrap();
    let aws = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/aws");
    let script = format!(
        "set -e\naws() {{ '{aws}' --endpoint-url '{}' --output json \"$@\"; }}\n. ./commands.sh\n",
        moto.endpoint
    );
    let out = home
        .command("bash")
        .args(["-c", &script])
        .env("AWS_PAGER", "")
        .env("IAMWIZ_PASSWORD", "Dry-run-Passw0rd!xyz")
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "the commands failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [&a, &b] {
        assert_eq!(attached_policy_arns(&admin.iam, name).await, vec![arn()]);
    }
    // The policy the commands made is the one iamwiz apply would find and reuse.
    let found = mfa::ensure_policy(&admin, &require_mfa_policy(), &RunMark::draw())
        .await
        .unwrap();
    assert_eq!(found, mfa::PolicyFound::Existing { arn: arn() });
}

#[tokio::test]
async fn apply_refuses_a_plan_when_the_policy_there_says_something_else_before_any_user() {
    let moto = PrivateMoto::start().await;
    let admin = iamwiz::aws::connect(&moto.settings()).await;
    admin
        .iam
        .create_policy()
        .policy_name(REQUIRE_MFA_POLICY_NAME)
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        )
        .send()
        .await
        .expect("CreatePolicy");
    let home = common::apply::Home::new();
    let name = unique("apply-mfa-differs");
    let plan = home.plan("plan.json", &plan_requiring_mfa(&[&name]));
    let csv = home.path().join("users.csv");
    let run = home.apply(
        &moto.endpoint,
        &[plan.to_str().unwrap(), "--csv", csv.to_str().unwrap()],
    );
    assert_eq!(run.code, 3, "refused: {}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "require_mfa: the customer managed policy iamwiz-require-mfa ({}) exists, and its \
             default version says something else than the one iamwiz makes. iamwiz never \
             changes a policy it finds.",
            arn()
        )),
        "{}",
        run.stderr
    );
    assert!(!user_exists(&admin, &name).await);
    assert!(!csv.exists());
}
