//! Plans and the real `iamwiz` binary in a pseudo-terminal, against the moto emulator: saving
//! Review's plan, opening the wizard from one with `--plan` and creating from it, and a plan
//! refused before the terminal is taken over.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::pty::{self, Wizard, keys};
use iamwiz::planfile::{self, ConsolePassword, Plan, Tag};

const ALTERNATE_SCREEN: &str = "\x1b[?1049h";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Makes a group of the test's own: the test moto starts empty.
fn create_group(name: &str) {
    runtime().block_on(async {
        common::admin()
            .await
            .iam
            .create_group()
            .group_name(name)
            .send()
            .await
            .expect("create the test's group");
    });
}

/// From Step 1: `name`, an access key only, the group `group`, no boundary, the tag
/// team=`team`, up to Review.
fn fill_in_to_review(w: &mut Wizard, name: &str, group: &str, team: &str) {
    w.wait_for("Step 1 of 6");
    w.send(name);
    w.wait_for(name);
    w.send(keys::ENTER);
    w.wait_for("Step 2 of 6");
    w.send(keys::ENTER);
    w.wait_for("Step 3 of 6");
    w.wait_until("the Groups pane listing groups", |s| {
        pty::cursor_row(s).is_some_and(|row| row.starts_with('['))
    });
    w.send(group);
    w.wait_for(&format!("Filter {group}"));
    w.move_cursor_to(group);
    w.send(keys::SPACE);
    w.wait_for(&format!("[x] {group}"));
    w.send(keys::ENTER);
    w.wait_for("Step 4 of 6");
    w.wait_for("No permissions boundary");
    w.send(keys::ENTER);
    w.wait_for("Step 5 of 6");
    w.send(keys::CTRL_N);
    w.send("team");
    w.send(keys::TAB);
    w.send(team);
    w.wait_until("the tag row", |s| {
        pty::line_with(s, &["team", team]).is_some()
    });
    w.send(keys::ENTER);
    w.wait_for("Step 6 of 6");
    w.wait_for("Press Enter to create");
}

#[test]
fn review_saves_the_plan_to_a_new_file_and_never_over_one() {
    let name = common::unique("plan-save");
    let group = common::unique("g");
    create_group(&group);
    let mut w = Wizard::spawn(80, 24);
    fill_in_to_review(&mut w, &name, &group, "saved");

    w.send("s");
    let prompt = w.wait_for("Save plan as");
    let file = w.home().join(planfile::DEFAULT_FILE_NAME);
    assert!(
        prompt.contains("iamwiz-plan.json"),
        "the prompt offers the working directory's iamwiz-plan.json:\n{prompt}"
    );
    w.send(keys::ENTER);
    let saved = w.wait_for("Plan saved to");
    assert!(
        saved.contains("iamwiz apply") && saved.contains("iamwiz --plan"),
        "the confirmation says how to use the plan:\n{saved}"
    );
    let text = std::fs::read_to_string(&file).expect("the plan file");
    let plan = planfile::load(&text).unwrap_or_else(|p| panic!("{p:#?}\n{text}"));
    assert_eq!(
        plan,
        Plan {
            users: vec![name.clone()],
            access_key: true,
            groups: vec![group.clone()],
            tags: vec![Tag {
                key: "team".into(),
                value: "saved".into()
            }],
            ..Plan::default()
        }
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o600, 0o600, "{mode:o}");
    }

    // Saving again to the same file is refused; the prompt stays with its path.
    w.send(keys::ENTER);
    w.wait_until("the confirmation to close", |s| {
        !s.contains("Plan saved to")
    });
    w.send("s");
    w.wait_for("Save plan as");
    w.send(keys::ENTER);
    let refused = w.wait_for("already exists");
    assert!(
        refused.contains("Save plan as"),
        "the prompt stays open after the refusal:\n{refused}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        text,
        "the plan file is untouched"
    );
    w.send("\x1b");
    w.wait_until("the prompt to close", |s| !s.contains("Save plan as"));
    w.send(keys::CTRL_C);
    w.wait_for("Quit iamwiz?");
    w.send("y");
    w.wait_for_exit_success();
}

#[test]
fn a_plan_opens_the_wizard_on_review_and_creates_its_users() {
    let name = common::unique("plan-open");
    let group = common::unique("g");
    create_group(&group);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("team.json");
    let plan = Plan {
        users: vec![name.clone()],
        path: "/planned/".into(),
        access_key: true,
        console_password: Some(ConsolePassword {
            require_reset: true,
        }),
        groups: vec![group.clone()],
        tags: vec![Tag {
            key: "team".into(),
            value: "from-plan".into(),
        }],
        ..Plan::default()
    };
    std::fs::write(&file, planfile::to_json(&plan)).unwrap();
    let mut w = Wizard::spawn_with(80, 24, &["--plan", file.to_str().unwrap()]);

    let review = w.wait_for("Loaded plan");
    for parts in [
        &["Step 6 of 6"][..],
        &["User name", name.as_str()],
        &["Path", "/planned/"],
        &["Console password", "autogenerated"],
        &["Group", group.as_str()],
        &["team", "from-plan"],
    ] {
        assert!(
            pty::line_with(&review, parts).is_some(),
            "Review should show a line with {parts:?}; it shows:\n{review}"
        );
    }
    // Enter creates once the account's password policy and lists are read; before that it says
    // what it still waits for.
    w.create();
    let reveal = w.wait_for("This is the only time");
    let key_id = pty::value_after(&reveal, "Access key ID")
        .unwrap_or_else(|| panic!("no access key ID:\n{reveal}"));
    w.send(keys::ENTER);
    w.wait_for("Leave the credentials screen?");
    w.send("y");
    w.wait_for("was created");
    w.send("q");
    w.wait_for_exit_success();

    runtime().block_on(async {
        let iam = common::admin().await.iam;
        let user = iam
            .get_user()
            .user_name(&name)
            .send()
            .await
            .expect("the user exists")
            .user
            .expect("a user");
        assert_eq!(user.path(), "/planned/");
        let tags = iam
            .list_user_tags()
            .user_name(&name)
            .send()
            .await
            .expect("list the user's tags");
        let tags = common::without_mark(
            tags.tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect(),
        );
        assert_eq!(tags, [("team".to_string(), "from-plan".to_string())]);
        assert_eq!(common::group_names(&iam, &name).await, [group.as_str()]);
        assert_eq!(common::access_key_ids(&iam, &name).await, [key_id]);
        iam.get_login_profile()
            .user_name(&name)
            .send()
            .await
            .expect("the user has a console password");
        let attached = common::attached_policy_arns(&iam, &name).await;
        let expected: Vec<String> = if common::users_may_change_password(&iam).await {
            Vec::new()
        } else {
            vec![planfile::change_password_arn("aws")]
        };
        assert_eq!(
            attached, expected,
            "IAMUserChangePassword once, as for a typed draft"
        );
    });
}

/// A plan with a bad user name, an unknown field and two inline policies.
const BAD_PLAN: &str = r#"{
  "version": 1,
  "users": ["ok", "bad name"],
  "colour": "blue",
  "access_key": true,
  "inline_policies": [
    {"name": "a", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}},
    {"name": "b", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}}
  ]
}"#;

fn write_bad_plan(dir: &Path) -> String {
    let file = dir.join("bad.json");
    std::fs::write(&file, BAD_PLAN).unwrap();
    file.to_str().unwrap().to_string()
}

#[test]
fn a_bad_plan_is_refused_before_the_terminal_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_bad_plan(dir.path());

    // On stderr, every problem, each after the file's name; exit code 2.
    let out = Command::new(env!("CARGO_BIN_EXE_iamwiz"))
        .args(["--plan", &file])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run iamwiz");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for problem in [
        "colour: unknown field",
        "users[1]: A space is not allowed",
        "inline_policies: 2 inline policies; the wizard edits one",
    ] {
        assert!(
            stderr.contains(&format!("iamwiz: {file}: {problem}")),
            "stderr should have {problem:?}:\n{stderr}"
        );
    }
    assert!(stderr.contains("iamwiz apply"), "{stderr}");

    // In a terminal: the same, and the alternate screen is never entered.
    let mut w = Wizard::spawn_with(80, 24, &["--plan", &file]);
    assert_eq!(w.wait_for_exit(), 2);
    let raw = String::from_utf8_lossy(&w.wait_for_output_end()).into_owned();
    assert!(
        !raw.contains(ALTERNATE_SCREEN),
        "the alternate screen was entered:\n{raw:?}"
    );
    assert!(raw.contains("users[1]: A space is not allowed"), "{raw:?}");

    // A file that cannot be read.
    let missing = dir.path().join("missing.json");
    let out = Command::new(env!("CARGO_BIN_EXE_iamwiz"))
        .args(["--plan", missing.to_str().unwrap()])
        .output()
        .expect("run iamwiz");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "iamwiz: {}: cannot read the plan",
            missing.display()
        )),
        "{stderr}"
    );
}

#[test]
fn plan_is_for_the_users_wizard_only() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.json");
    std::fs::write(
        &file,
        r#"{"version": 1, "users": ["a"], "access_key": true}"#,
    )
    .unwrap();
    let file = file.to_str().unwrap();
    for args in [
        &["--plan", file, "encryption"][..],
        &["--plan", file, "apply", file, "--dry-run"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_iamwiz"))
            .args(args)
            .output()
            .expect("run iamwiz");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--plan opens the users wizard"),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}: {out:?}");
    }
}

/// A batch from a plan, created through a quota of 3 requests a second that throttles the
/// wizard's reads and the creation alike: the Creating screen says it is slowed and for how long
/// it waits, and every user is made.
#[test]
fn a_batch_is_created_under_a_request_quota_and_the_screen_says_so() {
    let names: Vec<String> = (0..4)
        .map(|i| common::unique(&format!("quota-pty{i}")))
        .collect();
    let group = common::unique("g");
    create_group(&group);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("team.json");
    let plan = Plan {
        users: names.clone(),
        access_key: true,
        groups: vec![group.clone()],
        ..Plan::default()
    };
    std::fs::write(&file, planfile::to_json(&plan)).unwrap();
    let quota = common::throttle::Throttle::start(3.0, 3.0);
    let mut w = Wizard::spawn_at(
        &quota.endpoint,
        100,
        30,
        &["--plan", file.to_str().unwrap()],
        &[],
        &[],
    );
    w.wait_for("Loaded plan");
    w.create();
    let creating = w.wait_for("IAM is throttling: slowed to about");
    assert!(
        creating.contains("gives up in "),
        "the time left is shown:\n{creating}"
    );
    w.wait_for("This is the only time");
    w.send(keys::ENTER);
    w.wait_for("Leave the credentials screen?");
    w.send("y");
    w.wait_for("created");
    w.send("q");
    w.wait_for_exit_success();
    assert!(quota.refused() > 0, "the quota was never reached");

    runtime().block_on(async {
        let iam = common::admin().await.iam;
        for name in &names {
            assert_eq!(common::group_names(&iam, name).await, [group.as_str()]);
            assert_eq!(common::access_key_ids(&iam, name).await.len(), 1, "{name}");
        }
    });
}
