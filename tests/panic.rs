//! A panic anywhere ends iamwiz with the terminal restored and a report that carries no secret, in
//! the release build users run. The release binary (target/release/iamwiz, which scripts/test
//! builds before the tests) is driven in a pseudo-terminal and made to crash on purpose with
//! `IAMWIZ_CRASH_TEST`: on the credentials screen (the main thread, with secrets held), and in the
//! worker (a task the runtime would otherwise catch, leaving the wizard on a broken terminal).
//! Only a build with the `crash-test` feature honours that variable (`scripts/test` builds the
//! release binary so); the test build of the binary, without the feature, must ignore it.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use common::pty::{Wizard, keys};

/// The release build of iamwiz, or a clear failure saying how to get a current one.
fn release_binary() -> PathBuf {
    let debug = Path::new(env!("CARGO_BIN_EXE_iamwiz"));
    let release = debug
        .parent()
        .and_then(Path::parent)
        .expect("the binary lives in target/<profile>/")
        .join("release")
        .join(debug.file_name().expect("a file name"));
    let built = std::fs::metadata(&release)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| {
            panic!(
                "{} is missing: these tests run the release build. Build it with `cargo build \
                 --release` (scripts/test does, before the tests).",
                release.display()
            )
        });
    let version = std::process::Command::new(&release)
        .arg("--version")
        .output()
        .expect("run iamwiz --version");
    assert!(
        String::from_utf8_lossy(&version.stdout).contains("crash-test build"),
        "{} was built without the crash-test feature, so it cannot crash on purpose: build it \
         with `cargo build --release --features crash-test` (scripts/test does).",
        release.display()
    );
    let newest = newest_source(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(
        built >= newest,
        "{} is older than the sources: rebuild it with `cargo build --release`.",
        release.display()
    );
    release
}

fn newest_source(dir: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("a directory entry").path();
        let time = if path.is_dir() {
            newest_source(&path)
        } else {
            std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .expect("a source file's time")
        };
        newest = newest.max(time);
    }
    newest
}

/// Where the program last switched the alternate screen: it must have left it.
fn left_alternate_screen(output: &str) -> bool {
    match (output.rfind("\x1b[?1049h"), output.rfind("\x1b[?1049l")) {
        (Some(entered), Some(left)) => left > entered,
        _ => false,
    }
}

/// What was printed after the alternate screen was left for the last time: the report.
fn after_alternate_screen(output: &str) -> &str {
    output
        .rfind("\x1b[?1049l")
        .map(|i| &output[i..])
        .unwrap_or_default()
}

/// Everything printed from the last frame that shows `text` on.
fn from_last<'a>(output: &'a str, text: &str) -> &'a str {
    output.rfind(text).map(|i| &output[i..]).unwrap_or_default()
}

/// Types a user name and Enter on each step through to Review, and creates the user; with
/// `password`, a console password of that custom value too.
fn create_user(w: &mut Wizard, name: &str, password: Option<&str>) {
    w.wait_for("Step 1 of 6");
    w.send(name);
    w.wait_for(name);
    w.send(keys::ENTER);
    w.wait_for("Step 2 of 6");
    if let Some(password) = password {
        // Console password on, then type a custom one (typing chooses "Custom").
        w.send(keys::DOWN);
        w.send(keys::SPACE);
        w.wait_for("[x] Password");
        w.send(keys::DOWN);
        w.send(keys::DOWN);
        w.send(password);
        w.wait_for("✓ meets the");
    }
    for step in ["Step 3 of 6", "Step 4 of 6", "Step 5 of 6", "Step 6 of 6"] {
        w.send(keys::ENTER);
        w.wait_for(step);
    }
    w.wait_for("Press Enter to create");
    w.create();
}

/// The release build in an 80x24 pty against moto, told to crash at `when`, with `more`
/// variables set.
fn crashing(when: &str, more: &[(&str, &str)]) -> Wizard {
    let mut set = vec![("IAMWIZ_CRASH_TEST", when)];
    set.extend_from_slice(more);
    Wizard::spawn_program(
        &release_binary(),
        &common::endpoint(),
        80,
        24,
        &[],
        &[],
        &set,
    )
}

#[test]
fn a_panic_on_the_credentials_screen_wipes_it_restores_the_terminal_and_reports_no_secret() {
    let name = common::unique("panic");
    // A custom password the test knows: the one secret it can look for.
    let password = "Zq8#mWv2!pLr5$Tn9@xK-panic";
    let mut w = crashing("reveal", &[("RUST_BACKTRACE", "1")]);
    create_user(&mut w, &name, Some(password));

    assert_eq!(w.wait_for_exit(), 101, "a panic ends the process with 101");
    let output = String::from_utf8_lossy(&w.wait_for_output_end()).into_owned();
    assert!(
        output.contains("This is the only time"),
        "the credentials screen was drawn before the crash"
    );
    assert!(left_alternate_screen(&output), "the terminal was restored");
    let report = after_alternate_screen(&output);
    assert!(
        report.contains("The application panicked")
            && report.contains("a deliberate crash on the credentials screen"),
        "the report is printed on the normal screen:\n{report}"
    );
    assert_eq!(
        report.matches("The application panicked").count(),
        1,
        "one report"
    );
    assert!(
        !output.contains(password),
        "the password reached the terminal (it was typed masked and never shown)"
    );
    // After the credentials screen was drawn: wiped, then left once (by one hook), and nothing
    // drawn in between.
    let after_reveal = from_last(&output, "This is the only time");
    let leave = after_reveal
        .find("\x1b[?1049l")
        .expect("the alternate screen was left after the credentials screen");
    assert!(
        after_reveal[..leave].contains("\x1b[2J"),
        "the credentials screen was wiped before the alternate screen was left: \
         {:?}",
        &after_reveal[..leave.min(300)]
    );
    assert_eq!(
        after_reveal.matches("\x1b[?1049l").count(),
        1,
        "the terminal was restored once"
    );
    assert!(
        !report.contains("nobody saw its secrets"),
        "the admin typed the password, so someone has it:\n{report}"
    );
}

#[test]
fn a_panic_before_anyone_saw_the_secrets_names_the_users_to_delete() {
    let name = common::unique("panic-unseen");
    let mut w = crashing("reveal", &[]);
    // An access key only: its secret is on the credentials screen, masked, when the crash comes.
    create_user(&mut w, &name, None);
    assert_eq!(w.wait_for_exit(), 101, "a panic ends the process with 101");
    let output = String::from_utf8_lossy(&w.wait_for_output_end()).into_owned();
    let report = after_alternate_screen(&output);
    assert!(
        report.contains(&format!(
            "user {name} was created but nobody saw its secrets"
        )) && report.contains(&format!("aws iam delete-user --user-name {name}")),
        "the report names the user whose secrets nobody saw, and how to delete it:\n{report}"
    );
}

#[test]
fn a_panic_after_a_secret_was_copied_clears_the_clipboard_before_leaving() {
    let name = common::unique("panic-copy");
    // No display: the copy goes through the terminal (OSC 52), which the test can see.
    let mut w = crashing("copied", &[]);
    create_user(&mut w, &name, None);
    w.wait_for("This is the only time");
    w.send(keys::DOWN);
    w.send(keys::DOWN);
    w.wait_for("› Secret access key");
    w.send("c");

    assert_eq!(w.wait_for_exit(), 101, "a panic ends the process with 101");
    let output = String::from_utf8_lossy(&w.wait_for_output_end()).into_owned();
    // The first OSC 52 is the copy (a later, empty one clears).
    let copied = output
        .find("\x1b]52;c;")
        .expect("the secret was copied through OSC 52");
    let after_copy = &output[copied + "\x1b]52;c;".len()..];
    assert!(
        !after_copy.starts_with('\x07'),
        "the first OSC 52 carries the secret"
    );
    let cleared = after_copy
        .find("\x1b]52;c;\x07")
        .expect("the terminal's clipboard was cleared (an empty OSC 52)");
    let left = after_copy
        .find("\x1b[?1049l")
        .expect("the alternate screen was left");
    assert!(cleared < left, "cleared before the terminal was restored");
    let report = after_alternate_screen(&output);
    assert!(
        report.contains("a deliberate crash after a copy")
            && report.contains("cleared the clipboard"),
        "the report says the clipboard was cleared:\n{report}"
    );
    assert!(
        !report.contains("nobody saw its secrets"),
        "a copied secret was seen:\n{report}"
    );
}

#[test]
fn a_panic_in_the_worker_ends_the_wizard_with_the_terminal_restored() {
    let mut w = crashing("worker", &[]);
    // The worker's first reads panic; without the hook the runtime would catch them and the
    // wizard would go on drawing on a terminal no longer set up for it.
    assert_eq!(w.wait_for_exit(), 101, "a panic ends the process with 101");
    let output = String::from_utf8_lossy(&w.wait_for_output_end()).into_owned();
    assert!(left_alternate_screen(&output), "the terminal was restored");
    let report = after_alternate_screen(&output);
    assert!(
        report.contains("a deliberate crash in the worker"),
        "the report is printed on the normal screen:\n{report}"
    );
    assert_eq!(
        report.matches("The application panicked").count(),
        1,
        "one report, although several reads panicked:\n{report:?}"
    );
}

#[test]
fn a_build_without_the_crash_test_feature_ignores_iamwiz_crash_test() {
    // The binary `cargo test` built, with this test run's features.
    let crashes = cfg!(feature = "crash-test");
    // The worker's reads (the groups on Step 3, one of them this test's own) are answered: it
    // did not crash.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(async {
            common::admin()
                .await
                .iam
                .create_group()
                .group_name(common::unique("nocrash-g"))
                .send()
                .await
                .expect("create a group");
        });
    let mut w = Wizard::spawn_env(80, 24, &[], &[], &[("IAMWIZ_CRASH_TEST", "worker")]);
    if crashes {
        assert_eq!(
            w.wait_for_exit(),
            101,
            "the crash-test build crashes when asked"
        );
        return;
    }
    w.wait_for("Step 1 of 6");
    w.send(&common::unique("nocrash"));
    w.send(keys::ENTER);
    w.wait_for("Step 2 of 6");
    w.send(keys::ENTER);
    w.wait_for("Step 3 of 6");
    w.wait_until("the Groups pane listing groups", |s| {
        common::pty::cursor_row(s).is_some_and(|row| row.starts_with('['))
    });
    w.send(keys::CTRL_C);
    w.wait_for("Quit iamwiz?");
    w.send("y");
    let code = w.wait_for_exit();
    assert_ne!(
        code, 101,
        "IAMWIZ_CRASH_TEST made a build without the feature panic"
    );
    let output = String::from_utf8_lossy(&w.wait_for_output_end()).into_owned();
    assert!(
        !output.contains("deliberate crash"),
        "no deliberate crash:\n{output}"
    );
}
