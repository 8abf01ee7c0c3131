//! Credentials handed over encrypted: `iamwiz apply` and `iamwiz keys rotate` with
//! `--age-recipient` / `--age-recipients-file`, the real binary against moto. Every file is opened
//! with the real `age` CLI and identities made by `age-keygen` and `ssh-keygen`, as the owner
//! would open it, and the access key inside is compared with what IAM lists for the user.
//!
//! Needs the Debian packages `age` (age, age-keygen) and `openssh-client` (ssh-keygen): a test
//! fails, naming the package, when one is missing (`.ci/run` installs them).

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::apply::{Home, Run};
use common::iam_keys::user_with_keys;
use common::proxy::propagation_proxy;
use common::{admin, endpoint, unique};

/// The path of `program`, or a failure naming the Debian package that installs it.
fn tool(program: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{program}` is not installed: these tests need it; install the Debian package \
                 {package} (apt-get install -y {package})"
            )
        })
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run a tool");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A new age identity file in `dir`, and its recipient (`age1…`).
fn age_identity(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    run(Command::new(tool("age-keygen", "age")).arg("-o").arg(&path));
    let out = run(Command::new(tool("age-keygen", "age")).arg("-y").arg(&path));
    (
        path,
        String::from_utf8(out.stdout).unwrap().trim().to_string(),
    )
}

/// A new SSH key pair of `kind` (ed25519, rsa) in `dir`: the private key's path and the public
/// key's line.
fn ssh_key(dir: &Path, name: &str, kind: &str, comment: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    run(Command::new(tool("ssh-keygen", "openssh-client"))
        .args(["-q", "-t", kind, "-N", "", "-C", comment, "-f"])
        .arg(&path));
    let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
    (path, public.trim().to_string())
}

/// What `ssh-keygen -lf` prints as the fingerprint of the public key of `private`.
fn ssh_fingerprint(private: &Path) -> String {
    let out = run(Command::new(tool("ssh-keygen", "openssh-client"))
        .arg("-lf")
        .arg(private.with_extension("pub")));
    let text = String::from_utf8(out.stdout).unwrap();
    let fingerprint = text.split_whitespace().nth(1).expect("bits, fingerprint");
    assert!(fingerprint.starts_with("SHA256:"), "{text}");
    fingerprint.to_string()
}

/// `file` opened by `age -d -i identity`, in memory (never written to disk).
fn open(identity: &Path, file: &Path) -> String {
    let out = run(Command::new(tool("age", "age"))
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(file));
    String::from_utf8(out.stdout).unwrap()
}

/// The rows of a credentials CSV (header checked), split at commas.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next(),
        Some("User name,Password,Access key ID,Secret access key,Console login link")
    );
    lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Fails if `secret` is in any file under `dir`, or in what the run printed.
fn assert_nowhere_in_clear(dir: &Path, run: &Run, secret: &str) {
    assert!(secret.len() >= 40, "a secret access key: {secret}");
    for file in files_under(dir) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the secret in clear in {}",
            file.display()
        );
    }
    assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
}

/// The access key IDs IAM lists for `user`.
async fn keys_of(user: &str) -> Vec<String> {
    common::access_key_ids(&admin().await.iam, user).await
}

/// Whether IAM lists a user named `name` (`ListUsers`).
async fn listed(name: &str) -> bool {
    let iam = admin().await.iam;
    let mut users = iam.list_users().into_paginator().items().send();
    while let Some(user) = users.next().await {
        if user.unwrap().user_name() == name {
            return true;
        }
    }
    false
}

/// Runs `iamwiz --endpoint-url <endpoint> <args>` in `home`, off the test's runtime.
async fn iamwiz(home: &Home, endpoint: &str, args: &[&str]) -> Run {
    let mut cmd = home.command(env!("CARGO_BIN_EXE_iamwiz"));
    cmd.args(["--endpoint-url", endpoint]).args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run iamwiz"))
        .await
        .unwrap();
    Run {
        code: out.status.code().expect("iamwiz exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn key_plan(users: &[&str]) -> serde_json::Value {
    serde_json::json!({"version": 1, "users": users, "access_key": true})
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_encrypts_to_an_age_recipient_and_an_ssh_key_into_the_csv_named_and_each_opens_it() {
    let home = Home::new();
    let keys = tempfile::tempdir().unwrap();
    let (age_id, age_recipient) = age_identity(keys.path(), "age.key");
    // No comment: the key is named by its fingerprint.
    let (ssh_id, ssh_line) = ssh_key(keys.path(), "id_ed25519", "ed25519", "");
    let name = unique("age-one");
    home.plan("plan.json", &key_plan(&[&name]));
    // Inside a git work tree: an encrypted file may be committed, so no warning is given.
    run(Command::new(tool("git", "git"))
        .args(["init", "-q"])
        .current_dir(home.path()));

    let run = iamwiz(
        &home,
        &endpoint(),
        &[
            "apply",
            "plan.json",
            "--age-recipient",
            &age_recipient,
            "--age-recipient",
            &ssh_line,
            "--csv",
            "handover.csv.age",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("git work tree"), "{}", run.stderr);

    let file = home.path().join("handover.csv.age");
    assert_eq!(mode(&file), 0o600);
    assert!(
        std::fs::read(&file)
            .unwrap()
            .starts_with(b"age-encryption.org/v1\n"),
        "a binary age file"
    );
    let short = format!(
        "{}…{}",
        &age_recipient[..8],
        &age_recipient[age_recipient.len() - 4..]
    );
    let saved = format!(
        "Saved: CSV encrypted with age to {short}, {} in handover.csv.age (mode 0600)",
        ssh_fingerprint(&ssh_id)
    );
    assert!(run.stderr.contains(&saved), "{saved}\n{}", run.stderr);

    let by_age = open(&age_id, &file);
    assert_eq!(open(&ssh_id, &file), by_age);
    let rows = csv_rows(&by_age);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][0], name);
    assert_eq!(keys_of(&name).await, [rows[0][2].clone()], "the real key");
    assert_nowhere_in_clear(home.path(), &run, &rows[0][3]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recipients_file_of_an_rsa_and_an_ed25519_key_gives_one_armored_file_each_opens() {
    let home = Home::new();
    let keys = tempfile::tempdir().unwrap();
    let (rsa_id, rsa_line) = ssh_key(keys.path(), "id_rsa", "rsa", "carol@desk");
    let (ed_id, ed_line) = ssh_key(keys.path(), "id_ed25519", "ed25519", "dave@laptop");
    std::fs::write(
        home.path().join("team.txt"),
        format!("# the data team\n\n{rsa_line}\n   # dave\n{ed_line}\n"),
    )
    .unwrap();
    let (a, b) = (unique("age-two-a"), unique("age-two-b"));
    home.plan("plan.json", &key_plan(&[&a, &b]));

    let run = iamwiz(
        &home,
        &endpoint(),
        &[
            "apply",
            "plan.json",
            "--age-recipients-file",
            "team.txt",
            "--armor",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);

    let file = home.path().join("credentials.csv.age");
    assert_eq!(mode(&file), 0o600);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"),
        "{text}"
    );
    assert!(
        run.stderr.contains(
            "Saved: CSV encrypted with age to carol@desk, dave@laptop in credentials.csv.age"
        ),
        "{}",
        run.stderr
    );
    let by_rsa = open(&rsa_id, &file);
    assert_eq!(open(&ed_id, &file), by_rsa);
    let rows = csv_rows(&by_rsa);
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (row, user) in rows.iter().zip([&a, &b]) {
        assert_eq!(&row[0], user);
        assert_eq!(keys_of(user).await, [row[2].clone()], "the real key");
        assert_nowhere_in_clear(home.path(), &run, &row[3]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_recipients_are_refused_before_any_user_is_created() {
    let keys = tempfile::tempdir().unwrap();
    let (_, ssh_line) = ssh_key(keys.path(), "id_ed25519", "ed25519", "erin@box");
    let cut = ssh_line[..ssh_line.len() / 2].to_string();
    let cases: [(&str, &str, &str); 3] = [
        (
            "--age-recipient",
            "age1nonsense",
            "--age-recipient: age1nonsense: not a valid age recipient",
        ),
        (
            "--age-recipient",
            &cut,
            "not a valid SSH public key (cut short or mistyped?)",
        ),
        (
            "--age-recipients-file",
            "empty.txt",
            "--age-recipients-file: empty.txt: no recipient in it",
        ),
    ];
    for (flag, value, says) in cases {
        let home = Home::new();
        std::fs::write(home.path().join("empty.txt"), "").unwrap();
        let name = unique("age-bad");
        home.plan("plan.json", &key_plan(&[&name]));
        let run = iamwiz(&home, &endpoint(), &["apply", "plan.json", flag, value]).await;
        assert_eq!(run.code, 3, "{flag} {value}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{says}\n{}", run.stderr);
        assert!(run.stderr.contains("nothing was created"), "{}", run.stderr);
        assert!(!listed(&name).await, "{name} was created");
        assert!(
            !home
                .path()
                .join(format!("{name}_credentials.csv.age"))
                .exists()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_encrypted_file_is_refused_before_any_user_is_created() {
    let keys = tempfile::tempdir().unwrap();
    let (_, recipient) = age_identity(keys.path(), "age.key");
    let home = Home::new();
    let name = unique("age-taken");
    home.plan("plan.json", &key_plan(&[&name]));
    let taken = home.path().join(format!("{name}_credentials.csv.age"));
    std::fs::write(&taken, "keep me").unwrap();

    let run = iamwiz(
        &home,
        &endpoint(),
        &["apply", "plan.json", "--age-recipient", &recipient],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "{name}_credentials.csv.age already exists; iamwiz never writes over a file: choose \
             a new name with --csv FILE"
        )),
        "{}",
        run.stderr
    );
    // And the file --csv names.
    std::fs::write(home.path().join("out.age"), "keep me too").unwrap();
    let run = iamwiz(
        &home,
        &endpoint(),
        &[
            "apply",
            "plan.json",
            "--age-recipient",
            &recipient,
            "--csv",
            "out.age",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("--csv: out.age already exists"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "keep me");
    assert_eq!(
        std::fs::read_to_string(home.path().join("out.age")).unwrap(),
        "keep me too"
    );
    assert!(!listed(&name).await, "{name} was created");
}

/// A user with one access key: its name and the key's ID.
async fn user_with_a_key(prefix: &str) -> (String, String) {
    let (user, made) = user_with_keys(prefix, 1).await;
    (user, made[0].0.clone())
}

#[tokio::test(flavor = "multi_thread")]
async fn rotating_to_an_ssh_key_writes_only_the_encrypted_csv_of_the_new_key() {
    let keys = tempfile::tempdir().unwrap();
    let (ssh_id, ssh_line) = ssh_key(keys.path(), "id_ed25519", "ed25519", "frank@laptop");
    let (user, old) = user_with_a_key("age-rot").await;
    let home = Home::new();

    let run = iamwiz(
        &home,
        &endpoint(),
        &[
            "keys",
            "rotate",
            &user,
            "--age-recipient",
            &ssh_line,
            "--delete-old",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let file = home.path().join(format!("{user}_credentials.csv.age"));
    assert_eq!(mode(&file), 0o600);
    assert!(
        run.stderr.contains(&format!(
            "Saved: CSV encrypted with age to frank@laptop in {user}_credentials.csv.age"
        )),
        "{}",
        run.stderr
    );
    let rows = csv_rows(&open(&ssh_id, &file));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][0], user);
    let listed = keys_of(&user).await;
    assert_eq!(listed, [rows[0][2].clone()], "the new key, and only it");
    assert_ne!(listed[0], old);
    assert_nowhere_in_clear(home.path(), &run, &rows[0][3]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_whose_key_fails_its_proof_removes_the_encrypted_file() {
    let keys = tempfile::tempdir().unwrap();
    let (_, recipient) = age_identity(keys.path(), "age.key");
    let (user, old) = user_with_a_key("age-rot-never").await;
    let (proxy, _seen) = propagation_proxy(None);
    let home = Home::new();

    let run = iamwiz(
        &home,
        &proxy.endpoint,
        &[
            "keys",
            "rotate",
            &user,
            "--age-recipient",
            &recipient,
            "--csv",
            "new.csv.age",
            "--prove-for",
            "3",
        ],
    )
    .await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("Saved: CSV encrypted with age"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("new.csv.age was removed."),
        "{}",
        run.stderr
    );
    assert!(!home.path().join("new.csv.age").exists());
    assert_eq!(keys_of(&user).await, [old], "the new key deleted again");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_to_a_bad_recipient_is_refused_before_a_key_is_made() {
    let (user, old) = user_with_a_key("age-rot-bad").await;
    let home = Home::new();
    let run = iamwiz(
        &home,
        &endpoint(),
        &["keys", "rotate", &user, "--age-recipient", "age1nonsense"],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--age-recipient: age1nonsense: not a valid age recipient"),
        "{}",
        run.stderr
    );
    assert_eq!(keys_of(&user).await, [old], "no key was made");
}
