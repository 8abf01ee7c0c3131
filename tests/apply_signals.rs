//! `iamwiz apply` and signals: the real binary, run as a script would run it, against moto behind
//! a proxy that holds chosen calls so that each signal lands at a known moment. The account is
//! checked afterwards through the SDK.
//!
//! SIGINT, SIGTERM, SIGHUP and SIGQUIT right after the users were created: the creation finishes,
//! every user of the plan is deleted again (their secrets were written nowhere), and iamwiz exits
//! with 128 + the signal's number. A second signal stops waiting and lists what is left with the
//! commands that remove it; those commands are run with the AWS CLI to prove they do. A signal
//! after the secrets were written keeps the users.

use crate::common;

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::apply::{Home, Run, user_exists};
use common::proxy::{Hold, Holding};
use common::{admin, endpoint, send_signal, unique};

/// How long the proxy holds each `CreateAccessKey`: the signal lands while the second wave of
/// the creation is in flight, every `CreateUser` already answered.
const HOLD: Duration = Duration::from_secs(2);

/// How long iamwiz may take to exit after its last signal.
const EXIT_WITHIN: Duration = Duration::from_secs(60);

/// A plan of `names` with everything a user can hold: a console password, an access key, a
/// group, a managed policy, an inline policy and tags.
fn plan(home: &Home, names: &[String]) {
    home.plan(
        "plan.json",
        &serde_json::json!({
            "version": 1,
            "users": names,
            "access_key": true,
            "console_password": {"require_reset": false},
            "groups": ["developers"],
            "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            "inline_policies": [{"name": "s3-read", "document": {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
            "tags": [{"key": "team", "value": "signals"}]
        }),
    );
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|_| unique(prefix)).collect()
}

/// Starts `iamwiz apply plan.json --csv out.csv` through `proxy`, its output piped.
fn start(home: &Home, proxy: &Holding) -> Child {
    home.apply_command(&proxy.endpoint, &["plan.json", "--csv", "out.csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start iamwiz")
}

/// Waits (at most [`EXIT_WITHIN`]) for `child` to exit by itself, and returns what it printed.
#[track_caller]
fn finish(child: Child) -> Run {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let out = rx
        .recv_timeout(EXIT_WITHIN)
        .unwrap_or_else(|_| panic!("iamwiz still runs {EXIT_WITHIN:?} after the signal"))
        .expect("iamwiz's output");
    let stderr = String::from_utf8(out.stderr).unwrap();
    Run {
        code: out.status.code().unwrap_or_else(|| {
            panic!(
                "iamwiz was ended by the signal's default action ({:?}), it did not exit:\n{stderr}",
                out.status
            )
        }),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr,
    }
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(f)
}

/// The users of `names` still in the account.
fn left_in_the_account(names: &[String]) -> Vec<String> {
    block_on(async {
        let iam = admin().await.iam;
        let mut left = Vec::new();
        for name in names {
            if user_exists(&iam, name).await {
                left.push(name.clone());
            }
        }
        left
    })
}

// ---------------------------------------------------------------------------------------------
// One signal right after the users were created
// ---------------------------------------------------------------------------------------------

/// Applies a plan of 3 users and sends `SIG{signal}` once every `CreateUser` was answered, while
/// the rest of the creation is in flight: iamwiz lets it finish, deletes all 3 users again (no
/// secret was written anywhere) and exits with `code`.
fn signal_right_after_the_users_are_created(signal: &str, code: i32) {
    let home = Home::new();
    let names = names(&format!("apply-{}", signal.to_lowercase()), 3);
    plan(&home, &names);
    let proxy = Holding::start(&[("CreateAccessKey", Hold::For(HOLD))]);
    let child = start(&home, &proxy);
    proxy.wait_for("CreateAccessKey", 1);
    send_signal(child.id(), signal);
    let run = finish(child);

    assert_eq!(run.code, code, "128 + SIG{signal}:\n{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "iamwiz apply: SIG{signal}: the calls in flight finish (or roll back) first"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "iamwiz apply: ended by SIG{signal}: deleted 3 users: {} again; nothing was created.",
            names.join(", ")
        )),
        "{}",
        run.stderr
    );
    assert_eq!(left_in_the_account(&names), Vec::<String>::new());
    assert!(
        !home.path().join("out.csv").exists(),
        "no CSV of deleted keys"
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn sigint_right_after_the_users_are_created_deletes_them_all_and_exits_130() {
    signal_right_after_the_users_are_created("INT", 130);
}

#[test]
fn sigterm_right_after_the_users_are_created_deletes_them_all_and_exits_143() {
    signal_right_after_the_users_are_created("TERM", 143);
}

#[test]
fn sighup_right_after_the_users_are_created_deletes_them_all_and_exits_129() {
    signal_right_after_the_users_are_created("HUP", 129);
}

#[test]
fn sigquit_right_after_the_users_are_created_deletes_them_all_and_exits_131_without_a_core_dump() {
    signal_right_after_the_users_are_created("QUIT", 131);
}

#[test]
fn a_signal_during_the_account_checks_ends_at_once_with_nothing_created() {
    let home = Home::new();
    let names = names("apply-checking", 2);
    plan(&home, &names);
    // Two users are checked against the account's user list.
    let proxy = Holding::start(&[("ListUsers", Hold::Forever)]);
    let child = start(&home, &proxy);
    proxy.wait_for("ListUsers", 1);
    send_signal(child.id(), "INT");
    let run = finish(child);
    assert_eq!(run.code, 130, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "iamwiz apply: ended by SIGINT before anything was created: nothing was created."
        ),
        "{}",
        run.stderr
    );
    assert_eq!(left_in_the_account(&names), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// A second signal while the deletion waits
// ---------------------------------------------------------------------------------------------

/// The `what: command` lines listed under the line containing `headline`.
fn listed_after<'a>(stderr: &'a str, headline: &str) -> Vec<(&'a str, &'a str)> {
    let start = stderr
        .find(headline)
        .unwrap_or_else(|| panic!("no {headline:?} in:\n{stderr}"));
    stderr[start..]
        .lines()
        .skip(1)
        .map_while(|l| l.strip_prefix("  "))
        .map(|l| {
            l.split_once(": aws ")
                .unwrap_or_else(|| panic!("not `what: command`: {l}"))
        })
        .collect()
}

#[test]
fn a_second_sigint_while_the_deletion_waits_lists_what_is_left_with_commands_that_remove_it() {
    let home = Home::new();
    let names = names("apply-twice", 3);
    plan(&home, &names);
    // Deleting the console passwords never gets an answer: the deletion waits there.
    let proxy = Holding::start(&[
        ("CreateAccessKey", Hold::For(HOLD)),
        ("DeleteLoginProfile", Hold::Forever),
    ]);
    let child = start(&home, &proxy);
    proxy.wait_for("CreateAccessKey", 1);
    send_signal(child.id(), "INT");
    proxy.wait_for("DeleteLoginProfile", names.len());
    send_signal(child.id(), "INT");
    let run = finish(child);

    assert_eq!(run.code, 130, "{}", run.stderr);
    let left = listed_after(
        &run.stderr,
        "iamwiz apply: a second SIGINT: stopped waiting. What may be left in the account, with \
         the command that removes each (run them in this order):",
    );
    // Each user's access key went before the wait; the rest is left, in IAM's order.
    for name in &names {
        let commands: Vec<&str> = left
            .iter()
            .filter(|(what, _)| {
                let user = format!("user {name}");
                what.ends_with(&user) || what.contains(&format!("{user} "))
            })
            .map(|(_, command)| command.split(" --").next().unwrap())
            .collect();
        assert_eq!(
            commands,
            [
                "iam delete-login-profile",
                "iam detach-user-policy",
                "iam delete-user-policy",
                "iam remove-user-from-group",
                "iam delete-user",
            ],
            "what is left of {name}:\n{}",
            run.stderr
        );
    }
    assert!(
        left.iter().any(
            |(what, _)| *what == format!("membership of user {} in group developers", names[0])
        ),
        "{}",
        run.stderr
    );
    assert_eq!(left.len(), 5 * names.len(), "{}", run.stderr);
    assert_eq!(
        left_in_the_account(&names),
        names,
        "the users are still there"
    );

    // The commands listed, run in their order with the AWS CLI, remove everything.
    let script: String = left.iter().map(|(_, c)| format!("aws {c}\n")).collect();
    std::fs::write(home.path().join("left.sh"), script).unwrap();
    let aws = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/aws");
    let out = home
        .command("bash")
        .args([
            "-c",
            &format!(
                "set -e\naws() {{ '{aws}' --endpoint-url '{}' --output json \"$@\"; }}\n. ./left.sh\n",
                endpoint()
            ),
        ])
        .env("AWS_PAGER", "")
        .output()
        .unwrap_or_else(|e| panic!("run bash with the AWS CLI at {aws}: {e}"));
    assert!(
        out.status.success(),
        "the commands listed failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(left_in_the_account(&names), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// A signal after the secrets were written
// ---------------------------------------------------------------------------------------------

/// A pipe whose buffer is already full: a child writing to it blocks until the test reads.
fn full_pipe() -> (std::io::PipeReader, std::io::PipeWriter) {
    let (reader, mut writer) = std::io::pipe().expect("a pipe");
    // SAFETY: F_GETPIPE_SZ only reads the capacity of a pipe this test owns.
    let capacity = unsafe { libc::fcntl(writer.as_raw_fd(), libc::F_GETPIPE_SZ) };
    assert!(
        capacity > 0,
        "F_GETPIPE_SZ: {}",
        std::io::Error::last_os_error()
    );
    writer
        .write_all(&vec![b'#'; capacity as usize])
        .expect("fill the pipe");
    (reader, writer)
}

#[test]
fn sigterm_after_the_csv_was_written_keeps_the_users_and_says_where_their_secrets_are() {
    let home = Home::new();
    let names = names("apply-saved", 2);
    plan(&home, &names);
    let csv = home.path().join("out.csv");
    // The CSV goes first, then stdout, which blocks: the signal lands between the two.
    let (mut reader, writer) = full_pipe();
    let child = home
        .apply_command(
            &endpoint(),
            &["plan.json", "--csv", "out.csv", "--secrets-stdout"],
        )
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start iamwiz");
    let start = Instant::now();
    while !csv.exists() {
        assert!(start.elapsed() < EXIT_WITHIN, "no CSV was written");
        std::thread::sleep(Duration::from_millis(20));
    }
    send_signal(child.id(), "TERM");
    let mut stdout = String::new();
    reader
        .read_to_string(&mut stdout)
        .expect("read iamwiz's stdout");
    let run = finish(child);

    assert_eq!(run.code, 143, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "iamwiz apply: ended by SIGTERM, after the secrets were written: 2 users: {} stay. \
             Their secrets are in: CSV file out.csv (mode 0600); the credentials CSV on stdout.",
            names.join(", ")
        )),
        "{}",
        run.stderr
    );
    assert_eq!(left_in_the_account(&names), names, "the users stay");
    let written = std::fs::read_to_string(&csv).expect("the CSV");
    for name in &names {
        assert!(
            written.contains(&format!("\r\n{name},")),
            "{name} in the CSV"
        );
    }
    assert!(
        stdout.trim_start_matches('#') == written,
        "the same CSV on stdout"
    );
}
