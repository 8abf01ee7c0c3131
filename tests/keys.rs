//! `iamwiz keys list` and `iamwiz keys rotate`: the real binary, run as a script would run it,
//! against moto; every key read back through the SDK afterwards.
//!
//! moto accepts a new key at once and its auth check ignores a key's status (EMULATOR.md), so
//! the propagation is played by a proxy that answers `InvalidClientTokenId` to the calls the
//! new key signs, and the old key's fate is read back (`ListAccessKeys`), never inferred.
//! The `aws configure import` test needs the AWS CLI v2 at `.venv/bin/aws` (`scripts/test`
//! installs it with moto).

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::apply::{Home, Run};
use common::iam_keys::{describe_key, key_states, states, user_tags, user_with_keys};
use common::proxy::propagation_proxy;
use common::{admin, endpoint};

/// Runs `iamwiz --endpoint-url <endpoint> keys <args>` in `home`, off the test's runtime (a
/// proxy may be serving on it).
async fn keys(home: &Home, endpoint: &str, args: &[&str]) -> Run {
    let mut cmd = home.command(env!("CARGO_BIN_EXE_iamwiz"));
    cmd.args(["--endpoint-url", endpoint, "keys"]).args(args);
    let out: Output = tokio::task::spawn_blocking(move || cmd.output().expect("run iamwiz"))
        .await
        .unwrap();
    Run {
        code: out.status.code().expect("iamwiz exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The one key of `user` not among `old`.
async fn new_key(user: &str, old: &[&str]) -> String {
    let fresh: Vec<String> = key_states(user)
        .await
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| !old.contains(&k.as_str()))
        .collect();
    assert_eq!(fresh.len(), 1, "one new key expected: {fresh:?}");
    fresh.into_iter().next().unwrap()
}

/// Makes `id` (with `secret`) used now: moto marks the last use of a key that signs a call.
async fn use_key(id: &str, secret: &str) {
    let c = admin().await;
    let creds = aws_credential_types::Credentials::new(id, secret, None, None, "test");
    let as_key = c.connect_as(creds, "us-east-1").await;
    iamwiz::aws::iam::identity(&as_key).await.unwrap();
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

// ---------------------------------------------------------------------------------------------
// keys list
// ---------------------------------------------------------------------------------------------

/// A key deleted between the listing and the question of its last use (by another admin, or a
/// rotation running meanwhile) is left out, not a failure of the whole list.
#[tokio::test(flavor = "multi_thread")]
async fn a_key_deleted_while_it_is_listed_is_left_out() {
    let home = Home::new();
    let (user, _made) = user_with_keys("keys-gone", 2).await;
    let first = std::sync::atomic::AtomicBool::new(true);
    let proxy = common::proxy::Proxy::start(move |action| {
        if action == "GetAccessKeyLastUsed"
            && first.swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            return common::proxy::iam_error(
                "404 Not Found",
                "NoSuchEntity",
                "The Access Key with id AKIAEXAMPLE cannot be found.",
            );
        }
        common::proxy::Verdict::Forward(Duration::ZERO)
    });
    let run = keys(&home, &proxy.endpoint, &["list", &user, "--json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json.as_array().expect("an array").len(), 1, "{json}");
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_shows_each_key_with_status_age_last_use_and_description_and_no_secret() {
    let (user, made) = user_with_keys("list", 2).await;
    let iam = admin().await.iam;
    let (used, unused) = (&made[0], &made[1]);
    iam.tag_user()
        .user_name(&user)
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key(&used.0)
                .value("deploys from CI")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    iam.update_access_key()
        .user_name(&user)
        .access_key_id(&unused.0)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    use_key(&used.0, &used.1).await;
    let home = Home::new();

    let run = keys(&home, &endpoint(), &["list", &user]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "a header and one line a key:\n{}",
        run.stdout
    );
    assert!(lines[0].starts_with("USER") && lines[0].contains("LAST USED"));
    let line_of = |id: &str| {
        *lines
            .iter()
            .find(|l| l.contains(id))
            .expect("the key's line")
    };
    let today = iamwiz::model::keys::day(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    );
    let used_line = line_of(&used.0);
    assert!(used_line.contains("Active"), "{used_line}");
    assert!(used_line.contains(&format!("{today} sts")), "{used_line}");
    assert!(used_line.contains("deploys from CI"), "{used_line}");
    assert!(!used_line.contains("never used"), "{used_line}");
    let unused_line = line_of(&unused.0);
    assert!(unused_line.contains("Inactive") && unused_line.contains("0 d"));
    assert!(unused_line.ends_with("never used"), "{unused_line}");
    for (_, secret) in &made {
        assert!(!run.stdout.contains(secret.as_str()) && !run.stderr.contains(secret.as_str()));
    }

    let run = keys(&home, &endpoint(), &["list", &user, "--json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let listed = json.as_array().expect("an array");
    assert_eq!(listed.len(), 2);
    let of = |id: &str| {
        listed
            .iter()
            .find(|k| k["access_key_id"] == id)
            .expect("the key")
            .clone()
    };
    let u = of(&used.0);
    assert_eq!(u["user"], user.as_str());
    assert_eq!(u["status"], "Active");
    assert_eq!(u["description"], "deploys from CI");
    assert_eq!(u["last_used"]["service"], "sts");
    assert_eq!(u["never_used"], false);
    assert_eq!(u["age_days"], 0);
    let n = of(&unused.0);
    assert_eq!(n["status"], "Inactive");
    assert_eq!(n["last_used"], serde_json::Value::Null);
    assert_eq!(n["never_used"], true);
    assert_eq!(n["older_than_90_days"], false);
    for (_, secret) in &made {
        assert!(!run.stdout.contains(secret.as_str()));
    }

    // Without a user: every user's keys, this one's among them.
    let run = keys(&home, &endpoint(), &["list", "--json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let ours = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["user"] == user.as_str())
        .count();
    assert_eq!(ours, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_a_user_that_does_not_exist_says_so_with_exit_code_3() {
    let home = Home::new();
    let run = keys(&home, &endpoint(), &["list", "nobody-by-this-name"]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("there is no user named nobody-by-this-name")
    );
    assert_eq!(run.stdout, "");
}

// ---------------------------------------------------------------------------------------------
// keys rotate: the exports and the old key
// ---------------------------------------------------------------------------------------------

fn aws_cli() -> PathBuf {
    let aws = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/aws");
    assert!(
        aws.exists(),
        "{} is missing: run scripts/test, which installs the AWS CLI v2 into .venv",
        aws.display()
    );
    aws
}

/// The AWS CLI with nothing from the machine's AWS set-up: its files in `home`.
fn run_aws(home: &Path, args: &[&str]) -> Output {
    Command::new(aws_cli())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("cli-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("cli-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PAGER", "")
        .output()
        .expect("run the AWS CLI")
}

#[tokio::test(flavor = "multi_thread")]
async fn rotating_to_a_csv_proves_the_key_then_deactivates_the_old_and_the_aws_cli_signs_with_it() {
    let (user, made) = user_with_keys("rot-csv", 1).await;
    let old = made[0].0.as_str();
    let home = Home::new();
    let csv = home.path().join("new-key.csv");

    let run = keys(
        &home,
        &endpoint(),
        &[
            "rotate",
            &user,
            "--csv",
            csv.to_str().unwrap(),
            "--deactivate-old",
            "--description",
            "build server 2",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let new = new_key(&user, &[old]).await;
    assert_eq!(
        key_states(&user).await,
        states(&[(old, "Inactive"), (&new, "Active")])
    );
    assert_eq!(
        user_tags(&user).await,
        [(new.clone(), "build server 2".to_string())]
    );
    assert_eq!(mode(&csv), 0o600);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("User name,Password,Access key ID,Secret access key,"));
    assert!(text.contains(&format!("{user},,{new},")), "{text}");
    let proven = run
        .stderr
        .find(&format!("✓ {new} works"))
        .expect("the proof");
    let deactivated = run
        .stderr
        .find("Deactivated the old key")
        .expect("the old key");
    assert!(proven < deactivated, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing on stdout: {}", run.stdout);

    // The real AWS CLI imports the CSV and signs with the new key as the user.
    let url = format!("file://{}", csv.display());
    let out = run_aws(home.path(), &["configure", "import", "--csv", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_aws(
        home.path(),
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            &user,
            "--region",
            "us-east-1",
            "--endpoint-url",
            &endpoint(),
            "--query",
            "Arn",
            "--output",
            "text",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("arn:aws:iam::123456789012:user/{user}")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rotating_to_a_new_profile_with_delete_old_leaves_only_the_new_key() {
    let (user, made) = user_with_keys("rot-prof", 1).await;
    let old = made[0].0.as_str();
    describe_key(&user, old, "laptop").await;
    let home = Home::new();
    std::fs::write(
        home.credentials(),
        "[other]\naws_access_key_id = AKIAKEEP\n",
    )
    .unwrap();

    let run = keys(
        &home,
        &endpoint(),
        &["rotate", &user, "--profile-out", "rotated", "--delete-old"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let new = new_key(&user, &[old]).await;
    assert_eq!(key_states(&user).await, states(&[(&new, "Active")]));
    let creds = std::fs::read_to_string(home.credentials()).unwrap();
    assert!(
        creds.starts_with("[other]\naws_access_key_id = AKIAKEEP\n"),
        "{creds}"
    );
    assert!(
        creds.contains(&format!("[rotated]\naws_access_key_id = {new}\n")),
        "{creds}"
    );
    assert!(run.stderr.contains(&format!("Deleted the old key {old}")));
    // The description goes with the purpose: onto the new key, off the deleted one.
    assert_eq!(
        user_tags(&user).await,
        [(new.clone(), "laptop".to_string())]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rotating_to_stdout_prints_the_csv_and_without_a_flag_leaves_the_old_key_active() {
    let (user, made) = user_with_keys("rot-out", 1).await;
    let old = made[0].0.as_str();
    let home = Home::new();

    let run = keys(&home, &endpoint(), &["rotate", &user, "--secrets-stdout"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let new = new_key(&user, &[old]).await;
    assert_eq!(
        key_states(&user).await,
        states(&[(old, "Active"), (&new, "Active")])
    );
    let lines: Vec<&str> = run.stdout.split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{:?}", run.stdout);
    assert!(lines[1].starts_with(&format!("{user},,{new},")));
    assert!(
        run.stderr
            .contains(&format!("The old key {old} stays Active"))
    );
    assert!(!run.stderr.contains(lines[1]), "the secret only on stdout");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_csv_and_a_bad_description_are_both_refused_before_anything_is_made() {
    let (user, made) = user_with_keys("rot-exists", 1).await;
    let home = Home::new();
    let csv = home.path().join("taken.csv");
    std::fs::write(&csv, "keep me").unwrap();

    let run = keys(
        &home,
        &endpoint(),
        &[
            "rotate",
            &user,
            "--csv",
            csv.to_str().unwrap(),
            "--description",
            "a;b",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert!(
        run.stderr.contains("--description: ';' is not allowed"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "keep me");
    assert_eq!(key_states(&user).await, states(&[(&made[0].0, "Active")]));
}

// ---------------------------------------------------------------------------------------------
// keys rotate: IAM's limit of 2 keys
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_user_with_two_keys_is_refused_unless_replace_names_the_key_to_delete_first() {
    let (user, made) = user_with_keys("rot-two", 2).await;
    let (first, second) = (made[0].0.as_str(), made[1].0.as_str());
    let home = Home::new();
    let csv = home.path().join("new.csv");
    let csv_arg = csv.to_str().unwrap();

    let run = keys(&home, &endpoint(), &["rotate", &user, "--csv", csv_arg]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("2 access keys, IAM's limit"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(first) && run.stderr.contains(second));
    assert!(!csv.exists());
    let both = states(&[(first, "Active"), (second, "Active")]);
    assert_eq!(key_states(&user).await, both);

    // A key the user does not have is refused too.
    let run = keys(
        &home,
        &endpoint(),
        &[
            "rotate",
            &user,
            "--csv",
            csv_arg,
            "--replace",
            "AKIANOTHERS",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("has no access key AKIANOTHERS"));
    assert_eq!(key_states(&user).await, both);

    let run = keys(
        &home,
        &endpoint(),
        &[
            "rotate",
            &user,
            "--csv",
            csv_arg,
            "--replace",
            first,
            "--deactivate-old",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let new = new_key(&user, &[first, second]).await;
    assert_eq!(
        key_states(&user).await,
        states(&[(second, "Inactive"), (&new, "Active")])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn replacing_an_active_key_used_this_week_needs_replace_in_use() {
    let (user, made) = user_with_keys("rot-inuse", 2).await;
    let (first, second) = (made[0].0.as_str(), made[1].0.as_str());
    use_key(first, &made[0].1).await;
    let home = Home::new();

    let run = keys(
        &home,
        &endpoint(),
        &["rotate", &user, "--secrets-stdout", "--replace", first],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("is active and in use"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--replace-in-use"));
    assert_eq!(run.stdout, "");
    assert_eq!(
        key_states(&user).await,
        states(&[(first, "Active"), (second, "Active")])
    );

    let run = keys(
        &home,
        &endpoint(),
        &[
            "rotate",
            &user,
            "--secrets-stdout",
            "--replace",
            first,
            "--replace-in-use",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let new = new_key(&user, &[first, second]).await;
    assert_eq!(
        key_states(&user).await,
        states(&[(second, "Active"), (&new, "Active")])
    );
}

// ---------------------------------------------------------------------------------------------
// keys rotate: the proof
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn the_rotation_waits_while_the_new_key_propagates_and_deactivates_the_old_only_after() {
    let (user, made) = user_with_keys("rot-wait", 1).await;
    let old = made[0].0.as_str();
    let (proxy, seen) = propagation_proxy(Some(Duration::from_secs(5)));
    let home = Home::new();
    let csv = home.path().join("new.csv");

    let started = Instant::now();
    let run = keys(
        &home,
        &proxy.endpoint,
        &[
            "rotate",
            &user,
            "--csv",
            csv.to_str().unwrap(),
            "--deactivate-old",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(started.elapsed() >= Duration::from_secs(5));
    assert!(
        run.stderr
            .contains("does not work yet (InvalidClientTokenId)"),
        "the wait is shown: {}",
        run.stderr
    );
    let new = new_key(&user, &[old]).await;
    assert_eq!(
        key_states(&user).await,
        states(&[(old, "Inactive"), (&new, "Active")])
    );
    let seen = seen.lock().unwrap().clone();
    let refused = seen.iter().filter(|(_, _, refused)| *refused).count();
    assert!(refused >= 2, "several tries were refused: {seen:?}");
    let proven = seen
        .iter()
        .position(|(a, admin, refused)| a == "GetCallerIdentity" && !admin && !refused)
        .expect("a proof that passed");
    let deactivated = seen
        .iter()
        .position(|(a, _, _)| a == "UpdateAccessKey")
        .expect("the old key deactivated");
    assert!(proven < deactivated, "{seen:?}");
    assert!(csv.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proof_that_never_succeeds_deletes_the_new_key_and_leaves_the_old_one_untouched() {
    let (user, made) = user_with_keys("rot-never", 1).await;
    let old = made[0].0.as_str();
    let (proxy, seen) = propagation_proxy(None);
    let home = Home::new();
    let csv = home.path().join("new.csv");

    let run = keys(
        &home,
        &proxy.endpoint,
        &[
            "rotate",
            &user,
            "--csv",
            csv.to_str().unwrap(),
            "--delete-old",
            "--prove-for",
            "3",
        ],
    )
    .await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("still did not work after 3 s"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("was deleted again"), "{}", run.stderr);
    assert_eq!(key_states(&user).await, states(&[(old, "Active")]));
    assert!(!csv.exists(), "the CSV of a deleted key is removed");
    let seen = seen.lock().unwrap().clone();
    let deleted: Vec<_> = seen
        .iter()
        .filter(|(a, _, _)| a == "DeleteAccessKey")
        .collect();
    assert_eq!(deleted.len(), 1, "only the new key is deleted: {seen:?}");
    assert!(
        !seen.iter().any(|(a, _, _)| a == "UpdateAccessKey"),
        "{seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proof_that_never_succeeds_removes_the_new_profile_and_keeps_every_other_byte() {
    let (user, made) = user_with_keys("rot-never-prof", 1).await;
    let old = made[0].0.as_str();
    let (proxy, _) = propagation_proxy(None);
    let home = Home::new();
    let before = "# mine\n[other]\naws_access_key_id = AKIAKEEP\naws_secret_access_key = k\n";
    std::fs::write(home.credentials(), before).unwrap();

    let run = keys(
        &home,
        &proxy.endpoint,
        &[
            "rotate",
            &user,
            "--profile-out",
            "rotated",
            "--prove-for",
            "3",
        ],
    )
    .await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert_eq!(key_states(&user).await, states(&[(old, "Active")]));
    assert_eq!(
        std::fs::read_to_string(home.credentials()).unwrap(),
        before,
        "the profile of the deleted key is gone, the rest as it was"
    );
    assert!(
        run.stderr.contains("Profile [rotated]") && run.stderr.contains("was removed"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sigterm_while_the_key_is_proven_deletes_the_new_key_and_exits_143() {
    let (user, made) = user_with_keys("rot-term", 1).await;
    let old = made[0].0.as_str();
    let (proxy, seen) = propagation_proxy(None);
    let home = Home::new();
    let csv = home.path().join("new.csv");
    let mut cmd = home.command(env!("CARGO_BIN_EXE_iamwiz"));
    cmd.args(["--endpoint-url", &proxy.endpoint, "keys", "rotate", &user])
        .args(["--csv", csv.to_str().unwrap(), "--delete-old"]);
    let child = cmd
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run iamwiz");
    // Once the proof has been refused (the key exists and its secret is saved), the signal.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !seen.lock().unwrap().iter().any(|(_, _, refused)| *refused) {
        assert!(Instant::now() < deadline, "the proof never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(csv.exists(), "the secret was saved before the proof");
    common::send_signal(child.id(), "TERM");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(
        stderr.contains("ended by SIGTERM before the new key was proven"),
        "{stderr}"
    );
    assert_eq!(key_states(&user).await, states(&[(old, "Active")]));
    assert!(!csv.exists(), "the CSV of a deleted key is removed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_that_cannot_be_written_deletes_the_new_key_and_leaves_the_old_one() {
    let (user, made) = user_with_keys("rot-full", 1).await;
    let old = made[0].0.as_str();
    let home = Home::new();
    let mut cmd = home.command(env!("CARGO_BIN_EXE_iamwiz"));
    cmd.args(["--endpoint-url", &endpoint(), "keys", "rotate", &user])
        .args(["--secrets-stdout", "--delete-old"]);
    // A disk that is full: every write to stdout fails.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    cmd.stdout(full);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("could not be written to stdout"),
        "{stderr}"
    );
    assert!(stderr.contains("was deleted again"), "{stderr}");
    assert_eq!(key_states(&user).await, states(&[(old, "Active")]));
}

/// With moto checking every signature, the key iamwiz saved is the key that signs: the rotation
/// proves it, and the AWS CLI signs with the CSV's secret (a wrong secret is refused, so the
/// check is on).
#[tokio::test(flavor = "multi_thread")]
async fn with_signatures_checked_the_saved_key_is_the_one_that_signs() {
    let moto = common::moto::PrivateMoto::start().await;
    let c = iamwiz::aws::connect(&moto.settings()).await;
    c.iam
        .create_user()
        .user_name("root-admin")
        .send()
        .await
        .unwrap();
    c.iam
        .put_user_policy()
        .user_name("root-admin")
        .policy_name("all")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let admin_key = c
        .iam
        .create_access_key()
        .user_name("root-admin")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    c.iam.create_user().user_name("svc").send().await.unwrap();
    c.iam
        .create_access_key()
        .user_name("svc")
        .send()
        .await
        .unwrap();
    moto.reset_auth("0");

    let home = Home::new();
    let csv = home.path().join("svc.csv");
    let mut cmd = home.command(env!("CARGO_BIN_EXE_iamwiz"));
    cmd.env("AWS_ACCESS_KEY_ID", &admin_key.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &admin_key.secret_access_key)
        .args(["--endpoint-url", &moto.endpoint, "keys", "rotate", "svc"])
        .args(["--csv", csv.to_str().unwrap(), "--deactivate-old"]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("works: it signs as arn:aws:iam::123456789012:user/svc"));

    let text = std::fs::read_to_string(&csv).unwrap();
    let row: Vec<&str> = text.split("\r\n").nth(1).unwrap().split(',').collect();
    let (id, secret) = (row[2], row[3]);
    let sts = |secret: &str| {
        Command::new(aws_cli())
            .args([
                "sts",
                "get-caller-identity",
                "--query",
                "Arn",
                "--output",
                "text",
            ])
            .args(["--region", "us-east-1", "--endpoint-url", &moto.endpoint])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("AWS_CONFIG_FILE", home.path().join("none"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("none"))
            .env("AWS_ACCESS_KEY_ID", id)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .expect("run the AWS CLI")
    };
    let signed = sts(secret);
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&signed.stdout).trim(),
        "arn:aws:iam::123456789012:user/svc"
    );
    let wrong = sts(&format!("{}x", &secret[..secret.len() - 1]));
    assert!(!wrong.status.success(), "moto checks signatures");
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("SignatureDoesNotMatch"));
}
