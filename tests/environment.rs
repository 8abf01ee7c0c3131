//! A bad environment: a skewed clock, an expired session (static and SSO), a wrong region, no
//! credentials, no `$HOME`, no clipboard. Each must give a clear message and lose nothing.
//!
//! The worker-level cases drive `iamwiz::worker::spawn` against the shared moto; the AWS error
//! responses moto never sends (clock skew, expired token) are injected by [`respond`], with the
//! SDK interceptor of tests/common/faults.rs. The SSO case is real: an AWS config with an
//! `sso-session`, an expired token in the SSO cache, read by the real binary (it needs its
//! own `HOME` and no credentials in the environment). The rest runs the real binary in a pty.

use crate::common;

use common::faults::{Faults, Injection};
use common::worker::{bare_spec, run_plan};

use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use common::pty::{self, Wizard, keys};
use iamwiz::protocol::{AwsError, CreationResult, StepKind};

// ---------------------------------------------------------------------------------------------
// Worker level
// ---------------------------------------------------------------------------------------------

/// Answers every `CreateUser` attempt with an IAM error response (status, code, message). The
/// request is first turned into a harmless read, so moto never applies it.
fn respond(status: u16, code: &'static str, message: &'static str) -> SharedInterceptor {
    SharedInterceptor::new(Faults::new(move |op, _| {
        (op == "CreateUser").then(|| Injection {
            status,
            kind: "Sender",
            code,
            message: message.to_string(),
            applied: false,
        })
    }))
}

/// The error of a creation that must have failed at `CreateUser`, leaving nothing behind.
fn create_user_error(result: CreationResult, user: &str) -> AwsError {
    match result {
        CreationResult::Failed {
            user: failed,
            step,
            error,
            leftovers,
        } => {
            assert_eq!(failed, user);
            assert_eq!(step, StepKind::CreateUser, "{error}");
            assert!(leftovers.is_empty(), "{leftovers:?}");
            assert_eq!(error.operation, "iam:CreateUser", "{error}");
            error
        }
        CreationResult::Created(users) => panic!("expected a failure, got {users:?}"),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn user_exists(name: &str) -> bool {
    common::admin()
        .await
        .iam
        .get_user()
        .user_name(name)
        .send()
        .await
        .is_ok()
}

/// A skewed clock: AWS answers `SignatureDoesNotMatch` (403) or `RequestExpired` (400). The error
/// names the operation and the code, and the hint says to check the clock.
#[test]
fn a_skewed_clock_is_reported_with_a_hint_about_the_clock() {
    runtime().block_on(async {
        for (status, code, message) in [
            (
                403,
                "SignatureDoesNotMatch",
                "Signature expired: 20200101T000000Z is now earlier than 20260101T000000Z",
            ),
            (
                400,
                "RequestExpired",
                "Request has expired. Timestamp date is 2020-01-01T00:00:00Z",
            ),
        ] {
            let user = common::unique("skew");
            let mut settings = common::settings();
            settings.interceptors.push(respond(status, code, message));
            let error = create_user_error(run_plan(settings, bare_spec(&user)).await.1, &user);
            assert_eq!(error.code, code, "{error}");
            assert_eq!(error.message, message, "{error}");
            assert!(error.hint.contains("clock"), "{code}: {}", error.hint);
            assert!(!user_exists(&user).await, "{code}: the user must not exist");
        }
    });
}

/// An expired session token (`ExpiredToken`, 403): the hint says how to refresh it.
#[test]
fn an_expired_session_token_is_reported_with_how_to_refresh_it() {
    runtime().block_on(async {
        let user = common::unique("expired");
        let mut settings = common::settings();
        settings.interceptors.push(respond(
            403,
            "ExpiredToken",
            "The security token included in the request is expired",
        ));
        let error = create_user_error(run_plan(settings, bare_spec(&user)).await.1, &user);
        assert_eq!(error.code, "ExpiredToken", "{error}");
        assert!(error.hint.contains("aws sso login"), "{}", error.hint);
        assert!(!user_exists(&user).await);
    });
}

/// An SSO profile whose cached token has expired, for real: the real binary runs with `--profile`
/// on an AWS config with an `sso-session`, and the SDK's own SSO provider reads the expired token
/// from the cache. The admin is told the session expired and how to refresh it.
#[test]
fn an_expired_sso_token_is_reported_with_aws_sso_login() {
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(aws.join("sso/cache")).unwrap();
    std::fs::write(
        aws.join("config"),
        "[profile expired-sso]\n\
         sso_session = corp\n\
         sso_account_id = 123456789012\n\
         sso_role_name = Admin\n\
         region = us-east-1\n\
         \n\
         [sso-session corp]\n\
         sso_start_url = https://corp.awsapps.com/start\n\
         sso_region = us-east-1\n\
         sso_registration_scopes = sso:account:access\n",
    )
    .unwrap();
    // The cache file is named by the SHA-1 of the session name.
    let sha1 = std::process::Command::new("sha1sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"corp")?;
            child.wait_with_output()
        })
        .expect("run sha1sum");
    let sha1 = String::from_utf8(sha1.stdout).unwrap();
    let sha1 = sha1.split_whitespace().next().unwrap();
    std::fs::write(
        aws.join(format!("sso/cache/{sha1}.json")),
        r#"{
  "startUrl": "https://corp.awsapps.com/start",
  "region": "us-east-1",
  "accessToken": "expired-access-token",
  "expiresAt": "2020-01-01T00:00:00Z"
}"#,
    )
    .unwrap();

    let home_path = home.path().to_string_lossy().into_owned();
    let config = aws.join("config").to_string_lossy().into_owned();
    let mut w = Wizard::spawn_env(
        120,
        30,
        &["--profile", "expired-sso"],
        &[
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ],
        &[
            ("HOME", home_path.as_str()),
            ("AWS_CONFIG_FILE", config.as_str()),
        ],
    );
    w.wait_for("Step 1 of 6");
    w.wait_for("not connected: ExpiredToken");
    let name = common::unique("sso");
    w.send(&name);
    w.wait_for(&name);
    w.send(keys::ENTER);
    w.send(keys::ENTER);
    w.wait_for("Step 3 of 6");
    w.wait_until("the hint in the Groups pane", |s| {
        s.contains("aws sso login")
    });
    w.send(keys::CTRL_C);
    w.wait_for("Quit iamwiz?");
    w.send("y");
    w.wait_for_exit_success();
}

/// A region that does not exist (`--region xx-invalid-1`). IAM is global and the endpoint is
/// given, so the request is only signed for that region: moto (like IAM's global endpoint, which
/// iamwiz would use through `--endpoint-url`) accepts it and the user is created. What the admin
/// sees is the region named in the header; nothing fails.
#[test]
fn a_made_up_region_still_creates_the_user_against_the_given_endpoint() {
    runtime().block_on(async {
        let user = common::unique("region");
        let mut settings = common::settings();
        settings.region = Some("xx-invalid-1".to_string());
        match run_plan(settings, bare_spec(&user)).await.1 {
            CreationResult::Created(users) => assert_eq!(users[0].name, user),
            CreationResult::Failed { error, .. } => panic!("unexpected failure: {error}"),
        }
        assert!(user_exists(&user).await);
    });
}

// ---------------------------------------------------------------------------------------------
// The real binary
// ---------------------------------------------------------------------------------------------

/// No credentials at all: the header says so, the Groups pane shows the error with its hint, and
/// the wizard keeps working: a typed name stays.
#[test]
fn no_credentials_says_so_and_keeps_what_is_typed() {
    let mut w = Wizard::spawn_env(
        120,
        30,
        &[],
        &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
        &[],
    );
    w.wait_for("Step 1 of 6");
    w.wait_for("not connected: NoCredentials");
    let name = common::unique("nocreds");
    w.send(&name);
    w.wait_for(&name);
    w.send(keys::ENTER);
    w.send(keys::ENTER);
    w.wait_for("Step 3 of 6");
    w.wait_for("NoCredentials");
    // The hint follows the failed read (`iam:GetAccountAuthorizationDetails …`), wrapped at the
    // pane's edge.
    let screen = w.wait_until("the hint in the Groups pane", |s| {
        s.contains("credentials were found. Pass --profile NAME")
    });
    assert!(
        screen.contains("not connected: NoCredentials"),
        "the header should still say so:\n{screen}"
    );
    // Back to step 1: the name is still there.
    w.send("\x1b");
    let _ = w.wait_for("Step 2 of 6");
    w.send("\x1b");
    let screen = w.wait_for("Step 1 of 6");
    assert!(screen.contains(&name), "the typed name was lost:\n{screen}");
    w.send(keys::CTRL_C);
    w.wait_for("Quit iamwiz?");
    w.send("y");
    w.wait_for_exit_success();
}

/// No `$HOME`: the wizard starts, lists groups from moto, and Ctrl-C quits cleanly.
#[test]
fn no_home_still_works() {
    let group = common::unique("g");
    runtime().block_on(async {
        common::admin()
            .await
            .iam
            .create_group()
            .group_name(&group)
            .send()
            .await
            .expect("create the test's group");
    });
    let mut w = Wizard::spawn_env(120, 30, &[], &["HOME"], &[]);
    w.wait_for("Step 1 of 6");
    w.send("nohome");
    w.wait_for("nohome");
    w.send(keys::ENTER);
    w.wait_for("Step 2 of 6");
    w.send(keys::ENTER);
    w.wait_for("Step 3 of 6");
    w.wait_until("the Groups pane listing groups", |s| {
        pty::cursor_row(s).is_some_and(|row| row.starts_with('['))
    });
    w.send(&group);
    w.wait_for(&format!("Filter {group}"));
    w.move_cursor_to(&group);
    // A name was typed, so Ctrl-C asks first.
    w.send(keys::CTRL_C);
    w.wait_for("Quit iamwiz?");
    w.send("y");
    w.wait_for_exit_success();
}

/// No clipboard (TERM=dumb, no display): `c` on the credentials screen says so plainly, and the
/// secrets stay as they were.
#[test]
fn no_clipboard_says_so_on_the_credentials_screen() {
    let name = common::unique("noclip");
    let mut w = Wizard::spawn_env(
        200,
        30,
        &[],
        &["DISPLAY", "WAYLAND_DISPLAY", "SSH_TTY"],
        &[("TERM", "dumb")],
    );
    w.wait_for("Step 1 of 6");
    w.send(&name);
    w.wait_for(&name);
    w.send(keys::ENTER);
    for step in ["Step 2 of 6", "Step 3 of 6", "Step 4 of 6", "Step 5 of 6"] {
        w.wait_for(step);
        w.send(keys::ENTER);
    }
    w.wait_for("Step 6 of 6");
    w.wait_for("Press Enter to create");
    w.create();
    let before = w.wait_for("This is the only time");
    let key_id = pty::value_after(&before, "Access key ID").expect("an access key ID");
    w.send("c");
    let after = w.wait_for("No clipboard here");
    assert!(
        after.contains(iamwiz::clipboard::UNAVAILABLE_MESSAGE),
        "the clipboard module's message, whole:\n{after}"
    );
    assert_eq!(
        pty::value_after(&after, "Access key ID").as_deref(),
        Some(key_id.as_str())
    );
    assert!(
        pty::line_with(&after, &["Secret access key", "••••••••"]).is_some(),
        "the secret stays masked:\n{after}"
    );
    assert!(
        pty::line_with(&after, &["Copied"]).is_none(),
        "nothing says it was copied:\n{after}"
    );
    assert!(after.contains("This is the only time"), "{after}");
}

/// Quitting at once, while the SDK is still looking for a region at an instance metadata
/// service that never answers (no region anywhere, IMDS not disabled), ends iamwiz at once: only
/// reads were asked, so nothing waits for the configuration.
#[test]
fn quitting_while_the_sdk_still_looks_for_a_region_does_not_wait_for_it() {
    // Accepts connections (the kernel's backlog) and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a listener");
    let imds = format!("http://{}", silent.local_addr().unwrap());
    let mut w = Wizard::spawn_env(
        80,
        24,
        &[],
        &[
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_EC2_METADATA_DISABLED",
        ],
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds)],
    );
    w.wait_for("Step 1 of 6");
    let asked = std::time::Instant::now();
    w.send(keys::CTRL_C);
    w.wait_for_exit_success();
    // Waiting for the SDK's metadata timeouts took over a second; quitting takes a fraction.
    let took = asked.elapsed();
    assert!(
        took < std::time::Duration::from_millis(750),
        "quitting took {took:?}: it waited for the AWS configuration"
    );
    drop(silent);
}
