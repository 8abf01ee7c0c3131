//! Ending by a signal: SIGTERM (a service manager, `kill`), SIGHUP (the SSH connection
//! dropped), and SIGINT and SIGQUIT sent from outside (`kill -INT`, `kill -QUIT`; inside the
//! wizard Ctrl-C is a key press). The real binary in a pseudo-terminal: whatever screen it is on, it restores the
//! terminal, clears a secret it put on the clipboard, and exits with 128 + the signal number.
//!
//! A creation in flight when the signal arrives finishes first. Users made in the run whose
//! secrets nobody can have (none was shown, copied or saved before the signal) are then deleted,
//! whole, before exit; once a secret was shown, the users stay. The account is checked through
//! the SDK afterwards.

use crate::common;

use std::time::Duration;

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use base64::Engine;
use common::faults::Faults;
use common::proxy::{Hold, Holding};
use common::pty::{Wizard, keys};
use iamwiz::protocol::{
    CreationResult, Event, InlinePolicy, LoginSpec, PasswordPolicy, PasswordSource, Request,
    UserSpec,
};

/// Where the program last switched the alternate screen: it must have left it.
fn left_alternate_screen(output: &[u8]) -> bool {
    let text = String::from_utf8_lossy(output);
    match (text.rfind("\x1b[?1049h"), text.rfind("\x1b[?1049l")) {
        (Some(entered), Some(left)) => left > entered,
        _ => false,
    }
}

/// Sends `SIG{signal}` and waits for iamwiz to exit with `code` (128 + the signal's number)
/// with the terminal restored; returns everything it printed.
#[track_caller]
fn signal_and_exit(w: &mut Wizard, signal: &str, code: u32) -> Vec<u8> {
    w.signal(signal);
    assert_eq!(w.wait_for_exit(), code, "128 + SIG{signal}");
    let output = w.wait_for_output_end();
    assert!(left_alternate_screen(&output), "the terminal was restored");
    output
}

/// Sends `signal` from outside (`kill`) while a name is half typed on the first screen: iamwiz
/// restores the terminal and exits with `code`, not by the signal's default action (SIGQUIT's
/// would dump core).
fn signal_on_the_first_screen(signal: &str, code: u32) {
    let mut w = Wizard::spawn(80, 24);
    w.wait_for("Step 1 of 6");
    w.send("half-typed");
    w.wait_for("half-typed");
    signal_and_exit(&mut w, signal, code);
}

#[test]
fn sigterm_restores_the_terminal_and_exits_143() {
    signal_on_the_first_screen("TERM", 143);
}

/// In the wizard, Ctrl-C is a key press (the terminal is in raw mode); `kill -INT` is a signal.
#[test]
fn sigint_from_outside_restores_the_terminal_and_exits_130() {
    signal_on_the_first_screen("INT", 130);
}

#[test]
fn sigquit_restores_the_terminal_and_exits_131_without_a_core_dump() {
    signal_on_the_first_screen("QUIT", 131);
}

#[test]
fn sighup_on_the_credentials_screen_clears_the_copied_secret() {
    let name = common::unique("hup");
    let mut w = Wizard::spawn(80, 24);
    to_review(&mut w, &name);
    w.create();
    w.wait_for("This is the only time");
    // No display in the pty: the secret goes to the terminal with OSC 52.
    w.send(keys::DOWN);
    w.send(keys::DOWN);
    w.send("c");
    w.wait_for("terminal (OSC 52), cleared in");
    w.signal("HUP");
    assert_eq!(w.wait_for_exit(), 129, "128 + SIGHUP");
    let output = w.wait_for_output_end();
    let text = String::from_utf8_lossy(&output);
    let set = text
        .find("\x1b]52;c;")
        .expect("the secret was sent with OSC 52");
    let payload_end = set + text[set..].find('\x07').expect("the OSC 52 sequence ends");
    let payload = &text[set + "\x1b]52;c;".len()..payload_end];
    let secret = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .expect("OSC 52 carries base64");
    assert_eq!(secret.len(), 40, "a secret access key was copied");
    assert!(
        text[payload_end..].contains("\x1b]52;c;\x07"),
        "the empty OSC 52 that clears it followed before exit"
    );
    assert!(left_alternate_screen(&output), "the terminal was restored");
    assert_eq!(
        user_in_moto(&name),
        Some(1),
        "a copied secret may be held: the user stays, with its key"
    );
}

// ---------------------------------------------------------------------------------------------
// Helpers: the wizard up to Review, and the account as the SDK sees it
// ---------------------------------------------------------------------------------------------

/// Types `name` on User details and walks the default draft (an access key, nothing else) to
/// Review.
fn to_review(w: &mut Wizard, name: &str) {
    w.wait_for("Step 1 of 6");
    w.send(name);
    w.wait_for(name);
    for step in [
        "Step 2 of 6",
        "Step 3 of 6",
        "Step 4 of 6",
        "Step 5 of 6",
        "Step 6 of 6",
    ] {
        w.send(keys::ENTER);
        w.wait_for(step);
    }
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(f)
}

/// The user `name` in moto: `None` when there is no such user, else how many access keys it
/// has.
fn user_in_moto(name: &str) -> Option<usize> {
    block_on(async {
        let c = common::admin().await;
        match c.iam.get_user().user_name(name).send().await {
            Ok(_) => {}
            Err(e) if e.code() == Some("NoSuchEntity") => return None,
            Err(e) => panic!("GetUser {name}: {e:?}"),
        }
        Some(common::access_key_ids(&c.iam, name).await.len())
    })
}

// ---------------------------------------------------------------------------------------------
// A slow `CreateAccessKey`: a proxy in front of moto (tests/common/proxy.rs)
// ---------------------------------------------------------------------------------------------

/// How long the proxy holds a `CreateAccessKey` before passing it on: long enough for the test
/// to send its signal while the call is in flight, well inside the SDK's attempt timeout.
const HOLD: Duration = Duration::from_secs(2);

// ---------------------------------------------------------------------------------------------
// A signal while the user is being created
// ---------------------------------------------------------------------------------------------

/// Creates a user through the slow proxy and sends `signal` while its `CreateAccessKey` is in
/// flight. The creation finishes after the signal, so the secret never reached the screen: iamwiz
/// deletes the user again, key first, before it exits with `code`.
fn signal_during_creation(signal: &str, code: u32) {
    let name = common::unique(&format!("mid-{}", signal.to_lowercase()));
    let proxy = Holding::start(&[("CreateAccessKey", Hold::For(HOLD))]);
    let log = tempfile::tempdir().expect("a directory for the log");
    let log_path = log.path().join("iamwiz.log");
    let mut w = Wizard::spawn_at(
        &proxy.endpoint,
        80,
        24,
        &["--log-file", log_path.to_str().unwrap()],
        &[],
        &[],
    );
    to_review(&mut w, &name);
    w.create();
    w.wait_for(&format!("Creating {name}"));
    proxy.wait_for("CreateAccessKey", 1);
    let output = signal_and_exit(&mut w, signal, code);
    let printed = String::from_utf8_lossy(&output);
    assert!(
        !printed.contains("This is the only time"),
        "the credentials screen never drew after the signal"
    );
    // Once the terminal is back, the admin is told what happened.
    assert!(
        printed.contains(&format!("iamwiz: deleted user {name} again")),
        "the deletion is reported on the terminal:\n{printed}"
    );

    assert_eq!(
        user_in_moto(&name),
        None,
        "the user, made after the signal with a secret nobody saw, is deleted whole"
    );
    // It was made whole and then deleted (not rolled back): the log says what went.
    let log = std::fs::read_to_string(&log_path).expect("the log was written");
    let line = log
        .lines()
        .find(|l| l.contains("discarded a user") && l.contains(&name))
        .unwrap_or_else(|| panic!("the log names the discarded user:\n{log}"));
    let key = line
        .find("access key AKIA")
        .unwrap_or_else(|| panic!("the access key was deleted:\n{line}"));
    let user = line
        .find(&format!("user {name}\""))
        .unwrap_or_else(|| panic!("the user was deleted:\n{line}"));
    assert!(key < user, "the key went before the user:\n{line}");
}

#[test]
fn sigterm_during_a_creation_lets_it_finish_then_deletes_the_unseen_user() {
    signal_during_creation("TERM", 143);
}

#[test]
fn sighup_during_a_creation_lets_it_finish_then_deletes_the_unseen_user() {
    signal_during_creation("HUP", 129);
}

#[test]
fn sigint_from_outside_during_a_creation_lets_it_finish_then_deletes_the_unseen_user() {
    signal_during_creation("INT", 130);
}

#[test]
fn sigquit_during_a_creation_lets_it_finish_then_deletes_the_unseen_user() {
    signal_during_creation("QUIT", 131);
}

// ---------------------------------------------------------------------------------------------
// A signal on the credentials screen
// ---------------------------------------------------------------------------------------------

#[test]
fn sighup_before_any_secret_was_shown_deletes_the_new_user() {
    let name = common::unique("unseen");
    let mut w = Wizard::spawn(80, 24);
    to_review(&mut w, &name);
    w.create();
    w.wait_for("This is the only time");
    assert_eq!(
        user_in_moto(&name),
        Some(1),
        "the user was made, with a key"
    );
    signal_and_exit(&mut w, "HUP", 129);
    assert_eq!(
        user_in_moto(&name),
        None,
        "nobody can have its secret: the user is deleted"
    );
}

#[test]
fn sighup_after_the_secret_was_shown_keeps_the_new_user() {
    let name = common::unique("shown");
    let mut w = Wizard::spawn(80, 24);
    to_review(&mut w, &name);
    w.create();
    w.wait_for("This is the only time");
    w.send("s");
    w.wait_for("(s hides)");
    // Hidden again: it was seen all the same.
    w.send("s");
    w.wait_for("(s shows)");
    let output = signal_and_exit(&mut w, "HUP", 129);
    assert_eq!(
        user_in_moto(&name),
        Some(1),
        "the admin may hold the secret: the user stays, with its key"
    );
    assert!(
        String::from_utf8_lossy(&output)
            .contains(&format!("iamwiz: kept users {name} (a secret was shown)")),
        "why the user stays is reported on the terminal"
    );
}

/// `iamwiz encryption` with a new key, ended by SIGHUP on the credentials screen before the
/// secret was shown: the service account is deleted, and the key made for it in the same run
/// loses its alias and is scheduled for deletion, with the command that keeps it on the terminal.
#[test]
fn sighup_before_the_encryption_secret_was_shown_deletes_the_user_and_its_new_key() {
    let app = common::unique("hupenc").replace('-', "_");
    let alias = format!("{app}-mongodb-cmk");
    let user = format!("{app}-mongodb-kms");
    let mut w = Wizard::spawn_with(80, 24, &["encryption"]);
    w.encryption_to_new_key(&app);
    w.wait_for(&format!("alias/{alias}"));
    w.send(keys::ENTER);
    w.wait_for("Step 3 of 4");
    w.send(keys::ENTER);
    w.wait_for("Step 4 of 4");
    w.send(keys::ENTER);
    w.wait_for("This is the only time");
    assert_eq!(
        user_in_moto(&user),
        Some(1),
        "the user was made, with a key"
    );

    let output = signal_and_exit(&mut w, "HUP", 129);
    let printed = String::from_utf8_lossy(&output);
    assert!(
        printed.contains(&format!("iamwiz: deleted user {user} again")),
        "the user's deletion is reported on the terminal:\n{printed}"
    );
    let report = printed
        .lines()
        .find(|l| l.starts_with("iamwiz: KMS key "))
        .unwrap_or_else(|| panic!("the key's fate is reported on the terminal:\n{printed}"));
    let key_id = report["iamwiz: KMS key ".len()..]
        .split(' ')
        .next()
        .expect("the report names the key");
    assert!(
        report.contains(&format!(
            "aws kms cancel-key-deletion --key-id {key_id} --region us-east-1"
        )),
        "{report}"
    );
    assert_eq!(user_in_moto(&user), None, "the user is deleted");
    block_on(async {
        let kms = common::admin().await.kms_in("us-east-1");
        let state = kms
            .describe_key()
            .key_id(key_id)
            .send()
            .await
            .expect("DescribeKey")
            .key_metadata
            .and_then(|m| m.key_state);
        assert_eq!(
            state,
            Some(aws_sdk_kms::types::KeyState::PendingDeletion),
            "{key_id}"
        );
        let err = kms
            .describe_key()
            .key_id(format!("alias/{alias}"))
            .send()
            .await
            .expect_err("the alias is deleted");
        assert_eq!(
            aws_sdk_kms::error::ProvideErrorMetadata::code(&err),
            Some("NotFoundException"),
            "{err:?}"
        );
    });
}

// ---------------------------------------------------------------------------------------------
// The worker's discard, against moto: everything a full plan makes, in IAM's order
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn discarding_removes_everything_a_full_plan_made_in_iams_order() {
    let admin = common::admin().await;
    let group = common::unique("discard-group");
    admin
        .iam
        .create_group()
        .group_name(&group)
        .send()
        .await
        .expect("CreateGroup");
    let name = common::unique("discard");
    let spec = UserSpec {
        key_description: None,
        name: name.clone(),
        path: "/".to_string(),
        tags: vec![("team".to_string(), "signals".to_string())],
        boundary: None,
        access_key: true,
        login: Some(LoginSpec {
            password: PasswordSource::Generate {
                policy: PasswordPolicy::aws_default(),
            },
            require_reset: false,
        }),
        groups: vec![group.clone()],
        policies: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".to_string()],
        inline: vec![InlinePolicy {
            name: "inline".to_string(),
            document: serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{ "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*" }],
            })
            .to_string(),
        }],
    };
    let (_, result) = common::worker::run_plan(common::settings(), spec).await;
    assert!(matches!(result, CreationResult::Created(_)), "{result:?}");

    let calls = Faults::recording();
    let mut settings = common::settings();
    settings
        .interceptors
        .push(SharedInterceptor::new(calls.clone()));
    let events = common::worker::ask(
        settings,
        vec![Request::Discard {
            run: 3,
            access_key: None,
            users: vec![name.clone()],
            key: None,
        }],
    )
    .await;
    let [
        Event::Discarded {
            run: 3,
            users,
            key: None,
        },
    ] = events.as_slice()
    else {
        panic!(
            "expected the discard's reply, got {:?}",
            events
                .iter()
                .map(common::worker::event_name)
                .collect::<Vec<_>>()
        );
    };
    let [d] = users.as_slice() else {
        panic!("one user asked, {users:?}");
    };
    assert!(d.leftovers.is_empty(), "nothing left: {d:?}");
    assert_eq!(
        d.deleted.len(),
        6,
        "key, password, policy, inline, group, user: {d:?}"
    );
    assert_eq!(d.deleted.last().unwrap(), &format!("user {name}"));

    match admin.iam.get_user().user_name(&name).send().await {
        Ok(_) => panic!("user {name} is still there"),
        Err(e) => assert_eq!(e.code(), Some("NoSuchEntity"), "GetUser: {e:?}"),
    }
    let members = admin
        .iam
        .get_group()
        .group_name(&group)
        .send()
        .await
        .expect("GetGroup")
        .users;
    assert!(members.is_empty(), "{group} still lists {members:?}");

    let deletes: Vec<String> = calls
        .calls()
        .into_iter()
        .filter(|op| !op.starts_with("List") && !op.starts_with("Get"))
        .collect();
    assert_eq!(
        deletes,
        common::IAM_DELETE_ORDER,
        "the order real IAM requires before DeleteUser succeeds"
    );
}

#[tokio::test]
async fn discarding_a_user_that_is_gone_leaves_nothing_and_reports_nothing_deleted() {
    let name = common::unique("discard-gone");
    let events = common::worker::ask(
        common::settings(),
        vec![Request::Discard {
            run: 1,
            access_key: None,
            users: vec![name.clone()],
            key: None,
        }],
    )
    .await;
    let [Event::Discarded { users, .. }] = events.as_slice() else {
        panic!("expected the discard's reply");
    };
    assert_eq!(users.len(), 1);
    assert!(users[0].deleted.is_empty(), "{:?}", users[0]);
    assert!(users[0].leftovers.is_empty(), "{:?}", users[0]);
}

/// The terminal hung up under iamwiz (a dropped SSH connection: the pty's master side closed,
/// SIGHUP sent, every read and write of the terminal failing): iamwiz ends as on SIGHUP, exit
/// 129. It used to abort (SIGABRT) printing "Failed to restore terminal" to the dead terminal,
/// and could spin forever asking the dead terminal where its cursor was.
#[test]
fn a_terminal_that_hangs_up_ends_iamwiz_with_129() {
    let home = tempfile::tempdir().expect("a temporary HOME");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/hangup.py");
    let output = std::process::Command::new("python3")
        .args([script, "20", "\x1b[?1049h", env!("CARGO_BIN_EXE_iamwiz")])
        .args(["--endpoint-url", &common::endpoint()])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("TERM", "xterm-256color")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap_or_else(|e| {
            panic!("this test runs tests/support/hangup.py with python3, which failed: {e}")
        });
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "hangup.py failed: {said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        said.trim(),
        "exit 129",
        "how iamwiz ended after the hang-up"
    );
}
