//! The require-MFA policy when users nobody has the secrets of are discarded, against moto
//! through the real worker and the real `iamwiz apply`: a policy the same run made goes after
//! its users; one the run found, or that something else has attached, stays. `iamwiz apply`
//! stopped by a second signal names a policy it made among what is left, with the AWS CLI
//! command that removes it, and those commands, run, remove everything.
//!
//! The policy has one name per account, so each test has a moto server of its own.

use crate::common;

use std::process::Stdio;
use std::time::Duration;

use aws_sdk_iam::types::PolicyScopeType;
use common::apply::{Home, user_exists};
use common::faults::{Faults, Injection};
use common::moto::PrivateMoto;
use common::proxy::{Hold, Holding};
use common::pty::Wizard;
use common::worker::{ask, bare_spec, run_batch};
use common::{send_signal, unique};
use iamwiz::aws::Clients;
use iamwiz::aws::mark::RunMark;
use iamwiz::aws::mfa;
use iamwiz::model::mfa_policy::{REQUIRE_MFA_POLICY_NAME, require_mfa_arn, require_mfa_policy};
use iamwiz::protocol::{CreationResult, DiscardedUser, Event, Request, UserSpec};

fn arn() -> String {
    require_mfa_arn("aws", "123456789012")
}

/// A user whose only managed policy is the require-MFA one.
fn spec(prefix: &str) -> UserSpec {
    UserSpec {
        policies: vec![arn()],
        ..bare_spec(&unique(prefix))
    }
}

/// Whether the account has a customer managed policy of the require-MFA name.
async fn policy_exists(c: &Clients) -> bool {
    c.iam
        .list_policies()
        .scope(PolicyScopeType::Local)
        .send()
        .await
        .expect("ListPolicies")
        .policies
        .unwrap_or_default()
        .iter()
        .any(|p| p.policy_name.as_deref() == Some(REQUIRE_MFA_POLICY_NAME))
}

/// Creates a batch of two users requiring MFA on `moto`, then discards them as the wizard does
/// on a signal; returns the users and the worker's report.
async fn create_then_discard(moto: &PrivateMoto) -> (Vec<String>, Vec<DiscardedUser>) {
    let batch = vec![spec("discard-mfa-a"), spec("discard-mfa-b")];
    let names: Vec<String> = batch.iter().map(|s| s.name.clone()).collect();
    let (_, result) = run_batch(moto.settings(), batch).await;
    assert!(
        matches!(result, CreationResult::Created(_)),
        "the creation failed: {result:?}"
    );
    let events = ask(
        moto.settings(),
        vec![Request::Discard {
            run: 5,
            users: names.clone(),
            key: None,
            access_key: None,
        }],
    )
    .await;
    let [Event::Discarded { run: 5, users, .. }] = events.as_slice() else {
        panic!("expected one Discarded: {events:?}");
    };
    (names, users.clone())
}

#[tokio::test]
async fn a_policy_the_run_made_goes_after_its_discarded_users() {
    let moto = PrivateMoto::start().await;
    let admin = iamwiz::aws::connect(&moto.settings()).await;
    let (names, report) = create_then_discard(&moto).await;
    for name in &names {
        assert!(!user_exists(&admin.iam, name).await, "{name} is deleted");
    }
    assert!(!policy_exists(&admin).await, "the run's policy is deleted");
    assert_eq!(report.len(), 3, "two users, then the policy: {report:?}");
    assert_eq!(report[2].user, arn());
    assert_eq!(
        report[2].deleted,
        vec![format!("policy {REQUIRE_MFA_POLICY_NAME} made by this run")]
    );
    assert!(report.iter().all(|d| d.leftovers.is_empty()), "{report:?}");
}

#[tokio::test]
async fn a_policy_the_run_found_stays_when_its_users_are_discarded() {
    let moto = PrivateMoto::start().await;
    let admin = iamwiz::aws::connect(&moto.settings()).await;
    // Made by another run before this one.
    mfa::ensure_policy(&admin, &require_mfa_policy(), &RunMark::draw())
        .await
        .expect("the policy made beforehand");
    let (names, report) = create_then_discard(&moto).await;
    for name in &names {
        assert!(!user_exists(&admin.iam, name).await, "{name} is deleted");
    }
    assert!(policy_exists(&admin).await, "a policy found stays");
    assert_eq!(report.len(), 2, "only the users: {report:?}");
}

#[tokio::test]
async fn a_policy_the_run_made_stays_while_something_else_has_it_attached() {
    let moto = PrivateMoto::start().await;
    let admin = iamwiz::aws::connect(&moto.settings()).await;
    let batch = vec![spec("discard-mfa-used")];
    let names: Vec<String> = batch.iter().map(|s| s.name.clone()).collect();
    let (_, result) = run_batch(moto.settings(), batch).await;
    assert!(matches!(result, CreationResult::Created(_)), "{result:?}");
    // Meanwhile another admin gives the policy to a user of theirs.
    let other = unique("discard-mfa-other");
    admin
        .iam
        .create_user()
        .user_name(&other)
        .send()
        .await
        .unwrap();
    admin
        .iam
        .attach_user_policy()
        .user_name(&other)
        .policy_arn(arn())
        .send()
        .await
        .unwrap();
    let events = ask(
        moto.settings(),
        vec![Request::Discard {
            run: 6,
            users: names.clone(),
            key: None,
            access_key: None,
        }],
    )
    .await;
    let [Event::Discarded { users: report, .. }] = events.as_slice() else {
        panic!("expected one Discarded: {events:?}");
    };
    assert!(!user_exists(&admin.iam, &names[0]).await);
    assert!(policy_exists(&admin).await, "the policy in use stays");
    assert_eq!(report.len(), 2, "the user, then the policy: {report:?}");
    assert_eq!(report[1].user, arn());
    assert!(
        report[1].deleted.is_empty() && report[1].leftovers.is_empty(),
        "nothing said deleted or left of the policy: {report:?}"
    );
}

/// `iamwiz apply` of one user requiring MFA, stopped by a second signal while the deletion of
/// its console password waits: what is left names the policy the run made, last, with the
/// command that deletes it; run in order, the commands listed remove everything.
#[tokio::test]
async fn a_policy_the_run_made_is_left_listed_after_a_user_that_could_not_be_deleted() {
    let moto = PrivateMoto::start().await;
    let admin = iamwiz::aws::connect(&moto.settings()).await;
    let batch = vec![spec("discard-mfa-stuck")];
    let names: Vec<String> = batch.iter().map(|s| s.name.clone()).collect();
    let (_, result) = run_batch(moto.settings(), batch).await;
    assert!(matches!(result, CreationResult::Created(_)), "{result:?}");
    // IAM refuses to detach the policy from the user: the user stays, and holds it.
    let refused = Faults::new(|op, _| {
        (op == "DetachUserPolicy").then(|| Injection {
            status: 403,
            kind: "Sender",
            code: "AccessDenied",
            message: "injected".to_string(),
            applied: false,
        })
    });
    let events = ask(
        refused.settings(moto.settings()),
        vec![Request::Discard {
            run: 8,
            users: names.clone(),
            key: None,
            access_key: None,
        }],
    )
    .await;
    let [Event::Discarded { users: report, .. }] = events.as_slice() else {
        panic!("expected one Discarded: {events:?}");
    };
    assert!(user_exists(&admin.iam, &names[0]).await, "the user stays");
    assert!(policy_exists(&admin).await, "the policy stays");
    assert_eq!(report.len(), 2, "the user, then the policy: {report:?}");
    let commands: Vec<&str> = report[1]
        .leftovers
        .iter()
        .map(|l| l.command.as_str())
        .collect();
    assert_eq!(
        commands,
        [format!("aws iam delete-policy --policy-arn {}", arn())],
        "the policy is listed after the user, with its command: {report:?}"
    );
    assert!(!refused.calls().contains(&"DeletePolicy".to_string()));
}

/// A private moto, its admin, and `iamwiz apply` started on a plan of one user requiring MFA
/// (with an access key and a console password), through a proxy holding `held`.
struct Applying {
    rt: tokio::runtime::Runtime,
    moto: PrivateMoto,
    admin: Clients,
    home: Home,
    name: String,
    proxy: Holding,
    child: std::process::Child,
}

fn apply_one_user_requiring_mfa(held: &[(&'static str, Hold)]) -> Applying {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let moto = rt.block_on(PrivateMoto::start());
    let admin = rt.block_on(iamwiz::aws::connect(&moto.settings()));
    let home = Home::new();
    let name = unique("apply-mfa-signal");
    home.plan(
        "plan.json",
        &serde_json::json!({
            "version": 1,
            "users": [name],
            "access_key": true,
            "console_password": {"require_reset": false},
            "require_mfa": true
        }),
    );
    let proxy = Holding::start_to(&moto.endpoint, held);
    let child = home
        .apply_command(&proxy.endpoint, &["plan.json", "--csv", "out.csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start iamwiz");
    Applying {
        rt,
        moto,
        admin,
        home,
        name,
        proxy,
        child,
    }
}

/// `iamwiz apply` of one user requiring MFA, with a signal while the creation is in flight:
/// the user is deleted again, and so is the policy the run made, after it.
#[test]
fn a_signal_in_apply_deletes_the_policy_the_run_made_after_the_user() {
    let a = apply_one_user_requiring_mfa(&[("CreateAccessKey", Hold::For(Duration::from_secs(2)))]);
    a.proxy.wait_for("CreateAccessKey", 1);
    send_signal(a.child.id(), "TERM");
    let out = a.child.wait_with_output().expect("iamwiz's output");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "deleted user {} again; nothing was created.",
            a.name
        )),
        "{stderr}"
    );
    assert!(!a.rt.block_on(user_exists(&a.admin.iam, &a.name)));
    assert!(
        !a.rt.block_on(policy_exists(&a.admin)),
        "the run's policy is deleted too"
    );
}

#[test]
fn a_second_signal_in_apply_names_the_policy_the_run_made_with_the_command_that_deletes_it() {
    let Applying {
        rt,
        moto,
        admin,
        home,
        name,
        proxy,
        child,
    } = apply_one_user_requiring_mfa(&[
        ("CreateAccessKey", Hold::For(Duration::from_secs(2))),
        ("DeleteLoginProfile", Hold::Forever),
    ]);
    proxy.wait_for("CreateAccessKey", 1);
    send_signal(child.id(), "INT");
    proxy.wait_for("DeleteLoginProfile", 1);
    send_signal(child.id(), "INT");
    let out = child.wait_with_output().expect("iamwiz's output");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    let headline = "What may be left in the account, with the command that removes each (run them \
                    in this order):";
    let start = stderr
        .find(headline)
        .unwrap_or_else(|| panic!("no list of what is left:\n{stderr}"));
    let left: Vec<&str> = stderr[start..]
        .lines()
        .skip(1)
        .map_while(|l| l.strip_prefix("  "))
        .collect();
    assert_eq!(
        left.last().copied(),
        Some(
            format!(
                "policy {REQUIRE_MFA_POLICY_NAME} made by this run: aws iam delete-policy \
                 --policy-arn {}",
                arn()
            )
            .as_str()
        ),
        "{stderr}"
    );
    assert!(
        rt.block_on(policy_exists(&admin)),
        "the policy is still there"
    );

    // The commands listed, run in their order with the AWS CLI, remove everything.
    let script: String = left
        .iter()
        .map(|l| format!("{}\n", l.split_once(": ").expect("what: command").1))
        .collect();
    std::fs::write(home.path().join("left.sh"), script).unwrap();
    let aws = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/aws");
    let ran = home
        .command("bash")
        .args([
            "-c",
            &format!(
                "set -e\naws() {{ '{aws}' --endpoint-url '{}' --output json \"$@\"; }}\n. ./left.sh\n",
                moto.endpoint
            ),
        ])
        .env("AWS_PAGER", "")
        .output()
        .unwrap_or_else(|e| panic!("run bash with the AWS CLI at {aws}: {e}"));
    assert!(
        ran.status.success(),
        "the commands listed failed: {}",
        String::from_utf8_lossy(&ran.stderr)
    );
    assert!(!rt.block_on(user_exists(&admin.iam, &name)));
    assert!(!rt.block_on(policy_exists(&admin)), "the policy is gone");
}

/// The wizard opened on a plan of one user requiring MFA, created, and ended by SIGTERM while
/// the creation is in flight: after the exit the terminal says the user and the policy the run
/// made were deleted again, and IAM lists neither.
#[test]
fn a_signal_in_the_wizard_deletes_the_policy_the_run_made_and_says_so_after_the_exit() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let moto = rt.block_on(PrivateMoto::start());
    let admin = rt.block_on(iamwiz::aws::connect(&moto.settings()));
    let home = Home::new();
    let name = unique("wizard-mfa-signal");
    let plan = home.plan(
        "plan.json",
        &serde_json::json!({
            "version": 1,
            "users": [name],
            "access_key": true,
            "console_password": {"require_reset": false},
            "require_mfa": true
        }),
    );
    let proxy = Holding::start_to(
        &moto.endpoint,
        &[("CreateAccessKey", Hold::For(Duration::from_secs(2)))],
    );
    let mut w = Wizard::spawn_at(
        &proxy.endpoint,
        100,
        40,
        &["--plan", plan.to_str().unwrap()],
        &[],
        &[],
    );
    w.wait_for("Loaded plan");
    w.create();
    proxy.wait_for("CreateAccessKey", 1);
    w.signal("TERM");
    assert_eq!(w.wait_for_exit(), 143, "{}", w.screen());
    let printed = String::from_utf8_lossy(&w.wait_for_output_end()).to_string();
    for said in [
        format!("iamwiz: deleted user {name} again"),
        format!(
            "iamwiz: deleted the policy {REQUIRE_MFA_POLICY_NAME} again: this run made it for \
             those users and nothing else has it attached"
        ),
    ] {
        assert!(printed.contains(&said), "{said:?} is said:\n{printed}");
    }
    assert!(!rt.block_on(user_exists(&admin.iam, &name)));
    assert!(!rt.block_on(policy_exists(&admin)), "the policy is gone");
}
