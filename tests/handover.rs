//! `e` on the credentials screen: the secrets encrypted with age for their owner. Through
//! `update` (the prompt: a recipient checked as typed, what is encrypted, the format), the
//! content built from the screen's secrets and the file written, and in a pty against moto, the
//! file opened by the real `age` with the owner's SSH key.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::fixtures::*;
use crossterm::event::KeyCode;
use iamwiz::app::reveal::handover::HandWhat;
use iamwiz::app::reveal::{CopyWhat, Exposure, Prompt, Reveal};
use iamwiz::app::{App, Command, NoticeKind, Screen};
use iamwiz::export::handover;
use iamwiz::protocol::{AccessKeyPair, CreatedUser};
use iamwiz::secret::Secret;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYHANDOVER";
const PASSWORD: &str = "Pa55word!HANDOVER";
/// From `ssh-keygen -t ed25519 -C bob@laptop`.
const ED25519: &str = "ssh-ed25519 \
    AAAAC3NzaC1lZDI1NTE5AAAAIOAmVzY1zLL4vYn6cFdWkT34vNcHB/P9XvGCRr5MFPK3 bob@laptop";

fn person(name: &str) -> CreatedUser {
    CreatedUser {
        name: name.into(),
        arn: format!("arn:aws:iam::123456789012:user/{name}"),
        access_key: Some(AccessKeyPair {
            id: "AKIAHANDOVER00000001".into(),
            secret: Secret::new(SECRET.into()),
        }),
        password: Some(Secret::new(PASSWORD.into())),
        require_reset: true,
        sign_in_url: "https://123456789012.signin.aws.amazon.com/console".into(),
    }
}

fn on_reveal(names: &[&str], dir: &Path) -> App {
    let (mut app, _) = App::new((100, 30));
    app.reveal = Some(Reveal::new(
        names.iter().map(|n| person(n)).collect(),
        dir.to_path_buf(),
    ));
    app.screen = Screen::Reveal;
    app
}

fn saved(cmds: &[Command]) -> Option<(String, HandWhat, bool)> {
    cmds.iter().find_map(|c| match c {
        Command::SaveEncrypted {
            recipient,
            what,
            armor,
        } => Some((recipient.clone(), *what, *armor)),
        _ => None,
    })
}

fn prompt_text(app: &App) -> Option<String> {
    match app.reveal.as_ref()?.prompt.as_ref()? {
        Prompt::Encrypt(h) => Some(h.recipient.value().to_string()),
        _ => None,
    }
}

#[test]
fn a_recipient_that_does_not_parse_is_refused_and_the_prompt_keeps_it() {
    let mut app = on_reveal(&["carol"], Path::new("."));
    press(&mut app, KeyCode::Char('e'));
    type_str(&mut app, "age1nonsense");
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(saved(&cmds).is_none());
    let text = match &app.notice {
        Some(n) if n.kind == NoticeKind::Error => n.text.clone(),
        other => panic!("expected an error, got {other:?}"),
    };
    assert!(text.contains("Not a recipient"), "{text}");
    assert_eq!(prompt_text(&app).as_deref(), Some("age1nonsense"));
    assert_eq!(
        app.reveal.as_ref().unwrap().exposed,
        None,
        "nothing left iamwiz"
    );
}

#[test]
fn a_pasted_ssh_key_encrypts_the_users_csv_and_counts_as_handed_over() {
    let mut app = on_reveal(&["carol"], Path::new("."));
    press(&mut app, KeyCode::Char('e'));
    iamwiz::app::update(&mut app, iamwiz::app::Msg::Paste(format!("{ED25519}\n")));
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(
        saved(&cmds),
        Some((ED25519.to_string(), HandWhat::User, false))
    );
    assert_eq!(
        app.reveal.as_ref().unwrap().exposed,
        Some(Exposure::Saved),
        "the owner has the secrets: a signal no longer discards the user"
    );
    assert!(prompt_text(&app).is_none(), "the prompt closes");
}

#[test]
fn tab_offers_the_password_apart_with_the_sign_in_text_copied_in_the_same_step() {
    let mut app = on_reveal(&["carol"], Path::new("."));
    press(&mut app, KeyCode::Char('e'));
    type_str(&mut app, ED25519);
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'a');
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(
        saved(&cmds),
        Some((ED25519.to_string(), HandWhat::PasswordApart, true))
    );
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Copy(CopyWhat::Instructions))),
        "{cmds:?}"
    );
}

#[test]
fn in_a_batch_tab_offers_everyone_in_one_file_and_comes_back_round() {
    let mut app = on_reveal(&["carol", "dave"], Path::new("."));
    press(&mut app, KeyCode::Char('e'));
    type_str(&mut app, "recipients.txt");
    let mut seen = Vec::new();
    for _ in 0..3 {
        if let Some(Prompt::Encrypt(h)) = &app.reveal.as_ref().unwrap().prompt {
            seen.push(h.what);
        }
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(
        seen,
        vec![HandWhat::User, HandWhat::Batch, HandWhat::PasswordApart]
    );
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(
        saved(&cmds),
        Some(("recipients.txt".to_string(), HandWhat::User, false)),
        "a path is read when the file is written"
    );
}

#[test]
fn what_is_sealed_is_the_csv_of_the_user_or_of_all_or_the_password_alone() {
    let app = on_reveal(&["carol", "dave"], Path::new("."));
    let r = app.reveal.as_ref().unwrap();
    let user = handover::seal(r, HandWhat::User).unwrap();
    assert_eq!(user.file, "carol_credentials.csv.age");
    assert!(
        user.content
            .expose()
            .contains(&format!("carol,{PASSWORD},AKIAHANDOVER"))
    );
    assert!(!user.content.expose().contains("dave"));
    let batch = handover::seal(r, HandWhat::Batch).unwrap();
    assert_eq!(batch.file, "credentials.csv.age");
    assert!(batch.content.expose().contains("dave,"));
    let password = handover::seal(r, HandWhat::PasswordApart).unwrap();
    assert_eq!(password.file, "carol_password.txt.age");
    assert_eq!(password.content.expose(), format!("{PASSWORD}\n"));
}

#[test]
fn a_recipients_file_with_a_bad_line_writes_nothing_and_says_which_line() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("owners.txt");
    std::fs::write(&list, format!("# the team\n{ED25519}\nage1nonsense\n")).unwrap();
    let app = on_reveal(&["carol"], dir.path());
    let sealed = handover::seal(app.reveal.as_ref().unwrap(), HandWhat::User).unwrap();
    let err = handover::write(dir.path(), list.to_str().unwrap(), false, sealed).unwrap_err();
    assert!(err.contains("line 3"), "{err}");
    assert!(!dir.path().join("carol_credentials.csv.age").exists());
}

// ---- the real `age`, in a pty against moto ----------------------------------------------------

/// The path of `program`, or a failure naming the Debian package that installs it.
fn tool(program: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{program}` is not installed: this test needs it; install the Debian package \
                 {package} (apt-get install -y {package})"
            )
        })
}

/// A rotation's new key, encrypted on the credentials screen for the owner's SSH key: `age -d`
/// opens it with the private key, and the key in it is the new key IAM lists, whose secret
/// signs as the user (the AWS CLI, against moto). The file is 0600 and the screen never showed
/// the secret.
#[test]
fn a_new_key_encrypted_for_an_ssh_key_opens_with_age_and_signs_as_its_user() {
    use common::pty::{Wizard, keys};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let user = common::unique("handover");
    rt.block_on(async {
        let iam = common::admin().await.iam;
        iam.create_user().user_name(&user).send().await.unwrap();
    });
    let keys_dir = tempfile::tempdir().unwrap();
    let private = keys_dir.path().join("id_ed25519");
    let made = Process::new(tool("ssh-keygen", "openssh-client"))
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "owner@laptop", "-f"])
        .arg(&private)
        .status()
        .unwrap();
    assert!(made.success());
    let public = std::fs::read_to_string(private.with_extension("pub")).unwrap();

    let mut w = Wizard::spawn_with(100, 30, &["keys", &user]);
    w.wait_for(&format!("{user} has no access key"));
    w.send("r");
    w.wait_for(&format!("Rotate {user}'s access key?"));
    w.send("y");
    w.wait_for("This is the only time");
    w.send("e");
    w.wait_for("Encrypt for");
    w.send(&format!("\x1b[200~{}\x1b[201~", public.trim()));
    w.send(keys::ENTER);
    let screen = w.wait_for("encrypted for owner@laptop");
    let file = w.home().join(format!("{user}_credentials.csv.age"));
    assert!(file.exists(), "{screen}");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let out = Process::new(tool("age", "age"))
        .arg("-d")
        .arg("-i")
        .arg(&private)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let row: Vec<&str> = csv.split("\r\n").nth(1).unwrap().split(',').collect();
    let (id, secret) = (row[2].to_string(), row[3].to_string());
    assert!(
        !w.screen().contains(&secret),
        "the secret was never on screen"
    );
    // Nothing in HOME (the working folder too, and the XDG folders with the log) holds it in
    // clear, and the terminal never received it.
    let mut dirs = vec![w.home().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                let text = String::from_utf8_lossy(&bytes);
                assert!(
                    !text.contains(&secret),
                    "{} holds the secret",
                    path.display()
                );
            }
        }
    }
    assert!(!String::from_utf8_lossy(&w.raw_output()).contains(&secret));
    let listed = rt.block_on(async {
        common::admin()
            .await
            .iam
            .list_access_keys()
            .user_name(&user)
            .send()
            .await
            .unwrap()
            .access_key_metadata
            .into_iter()
            .filter_map(|k| k.access_key_id)
            .collect::<Vec<_>>()
    });
    assert_eq!(listed, vec![id.clone()]);
    let aws = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/aws");
    assert!(
        aws.exists(),
        "{} is missing: run scripts/test",
        aws.display()
    );
    let arn = Process::new(aws)
        .args([
            "sts",
            "get-caller-identity",
            "--query",
            "Arn",
            "--output",
            "text",
        ])
        .args([
            "--endpoint-url",
            &common::endpoint(),
            "--region",
            "us-east-1",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", &id)
        .env("AWS_SECRET_ACCESS_KEY", &secret)
        .env("AWS_CONFIG_FILE", keys_dir.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", keys_dir.path().join("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&arn.stdout)
            .trim()
            .ends_with(&format!(":user/{user}")),
        "{}",
        String::from_utf8_lossy(&arn.stderr)
    );
    w.send(keys::CTRL_C);
    w.send("y");
    w.wait_for_exit_success();
}
