//! `iamwiz keys USER` end to end: the real binary in a pseudo-terminal, driven by keystrokes,
//! against moto. Each change the admin confirms is read back through the SDK, independently of
//! iamwiz.

use crate::common;

use common::iam_keys::key_states;
use common::pty::{Wizard, keys};
use common::{admin, unique};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// A user with two keys: the admin deactivates the first and deletes the second, each after
/// its confirmation; IAM is left with the first key, inactive.
#[test]
fn deactivate_one_key_and_delete_the_other_in_the_terminal() {
    let rt = runtime();
    let user = unique("e2ekf");
    let ids: Vec<String> = rt.block_on(async {
        let iam = admin().await.iam;
        iam.create_user().user_name(&user).send().await.unwrap();
        let mut ids = Vec::new();
        for _ in 0..2 {
            let k = iam
                .create_access_key()
                .user_name(&user)
                .send()
                .await
                .unwrap();
            ids.push(k.access_key.unwrap().access_key_id);
        }
        ids
    });
    let mut w = Wizard::spawn_with(80, 24, &["keys", &user]);
    let list = w.wait_for("of 2 access keys");
    for id in &ids {
        assert!(list.contains(id.as_str()), "{id} is listed:\n{list}");
    }
    // The cursor starts on the key listed first.
    let mut order = ids.clone();
    order.sort_by_key(|id| list.find(id.as_str()));
    let (first, second) = (order[0].clone(), order[1].clone());

    w.send("d");
    w.wait_for(&format!("Deactivate {first}?"));
    w.send("y");
    w.wait_for(&format!("{first} deactivated."));
    assert_eq!(rt.block_on(key_states(&user)), {
        let mut v = vec![
            (first.clone(), "Inactive".to_string()),
            (second.clone(), "Active".to_string()),
        ];
        v.sort();
        v
    });

    w.send(keys::DOWN);
    w.send("x");
    let confirm = w.wait_for(&format!("Delete {second}?"));
    assert!(
        confirm.contains("never used"),
        "the confirmation shows its last use:\n{confirm}"
    );
    w.send("y");
    w.wait_for(&format!("{second} deleted."));
    assert_eq!(
        rt.block_on(key_states(&user)),
        vec![(first.clone(), "Inactive".to_string())]
    );

    w.send(keys::CTRL_C);
    w.wait_for_exit_success();
}

/// The AWS CLI v2 from `.venv`, with nothing of the machine's AWS set-up but `credentials`.
fn aws_sts_as(profile: &str, credentials: &std::path::Path) -> String {
    let aws = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/aws");
    assert!(
        aws.exists(),
        "{} is missing: run scripts/test, which installs the AWS CLI v2 into .venv",
        aws.display()
    );
    let out = std::process::Command::new(aws)
        .args([
            "sts",
            "get-caller-identity",
            "--profile",
            profile,
            "--endpoint-url",
            &common::endpoint(),
            "--region",
            "us-east-1",
            "--query",
            "Arn",
            "--output",
            "text",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", credentials.parent().unwrap())
        .env("AWS_CONFIG_FILE", credentials.with_file_name("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", credentials)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PAGER", "")
        .output()
        .expect("run the AWS CLI");
    assert!(
        out.status.success(),
        "aws sts get-caller-identity failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A user whose one key lives in the admin's profile `app`: the admin rotates it in the
/// terminal, puts the new key in that profile (the reveal offers it), leaves the reveal, and
/// the old key is deactivated once the new one is proven. IAM and the AWS CLI read it back.
#[test]
fn rotate_a_key_into_the_profile_that_held_the_old_one() {
    let rt = runtime();
    let user = unique("e2erot");
    let (old, old_secret) = rt.block_on(async {
        let iam = admin().await.iam;
        iam.create_user().user_name(&user).send().await.unwrap();
        let k = iam
            .create_access_key()
            .user_name(&user)
            .send()
            .await
            .unwrap()
            .access_key
            .unwrap();
        (k.access_key_id, k.secret_access_key)
    });
    let dir = tempfile::tempdir().unwrap();
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &credentials,
        format!(
            "[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = x\n\n[app]\n\
             aws_access_key_id = {old}\naws_secret_access_key = {old_secret}\n"
        ),
    )
    .unwrap();
    let mut w = Wizard::spawn_env(
        80,
        24,
        &["keys", &user],
        &[],
        &[("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap())],
    );
    w.wait_for("1 of 2 access keys");
    w.send("r");
    w.wait_for(&format!("Rotate {user}'s access key?"));
    w.send("y");
    let reveal = w.wait_for("a offers profile app");
    assert!(
        reveal.contains(&format!("it holds the old key {old}")),
        "{reveal}"
    );
    w.send("a");
    w.wait_for("Profile name");
    w.send("\r");
    w.wait_for("Profile app exists");
    w.send("y");
    w.wait_for("profile app in");
    w.send("\r");
    w.wait_for("Leave the credentials screen?");
    w.send("y");
    let done = w.wait_for(&format!("{old} deactivated."));
    assert!(
        done.contains("works ("),
        "the new key's proof is named:\n{done}"
    );

    let keys = rt.block_on(key_states(&user));
    assert_eq!(keys.len(), 2, "{keys:?}");
    let new = keys
        .iter()
        .find(|(id, _)| *id != old)
        .map(|(id, _)| id.clone())
        .unwrap();
    let mut want = vec![
        (old.clone(), "Inactive".to_string()),
        (new.clone(), "Active".to_string()),
    ];
    want.sort();
    assert_eq!(keys, want);
    let file = std::fs::read_to_string(&credentials).unwrap();
    assert!(
        file.contains(&format!("aws_access_key_id = {new}")),
        "the profile holds the new key"
    );
    assert!(!file.contains(&old), "the old key is gone from the file");
    assert!(
        file.contains("[other]\naws_access_key_id = AKIAOTHER"),
        "{file}"
    );
    assert!(
        aws_sts_as("app", &credentials).ends_with(&format!(":user/{user}")),
        "the AWS CLI signs as the user with the new key"
    );

    w.send(keys::CTRL_C);
    w.wait_for_exit_success();
}
