//! Plans in the wizard, at the level of `update`: saving Review's plan (`s`), and opening the
//! wizard from one (`iamwiz --plan FILE`). No runtime, no terminal, no AWS.

use crate::common;

use std::path::{Path, PathBuf};

use common::fixtures::*;
use crossterm::event::KeyCode;
use iamwiz::app::reveal::Effect;
use iamwiz::app::{App, Command, Msg, NoticeKind, Options, Remote, Screen, update};
use iamwiz::flows::users::draft::PasswordMode;
use iamwiz::flows::users::save_plan::SavePlan;
use iamwiz::planfile::{self, ConsolePassword, Loaded, Plan, PlanInlinePolicy, Tag};
use iamwiz::protocol::{
    Event, InlinePolicy, NameKind, PasswordPolicy, PasswordSource, Request, UserInfo,
    UserPermissions, UserSpec,
};
use serde_json::Value;

const CUSTOM_PASSWORD: &str = "Xyzzy-Custom-Pw1!";
const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const POWER_USER: &str = "arn:aws:iam::aws:policy/PowerUserAccess";
const CHANGE_PASSWORD: &str = "arn:aws:iam::aws:policy/IAMUserChangePassword";
const COPIED_DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;

fn notice(app: &App, kind: NoticeKind) -> String {
    match &app.notice {
        Some(n) if n.kind == kind => n.text.clone(),
        other => panic!("expected a {kind:?} notice, got {other:?}"),
    }
}

/// The one `SavePlan` command among `cmds`: its path and JSON.
fn save_command(cmds: Vec<Command>) -> (PathBuf, String) {
    match <[Command; 1]>::try_from(cmds) {
        Ok([Command::SavePlan { path, json }]) => (path, json),
        Ok([other]) => panic!("expected SavePlan, got {other:?}"),
        Err(cmds) => panic!("expected one SavePlan command, got {cmds:?}"),
    }
}

fn prompt_path(app: &App) -> String {
    match &app.save_plan {
        Some(SavePlan::Asking { path }) => path.value().to_string(),
        other => panic!("expected the save prompt, got {other:?}"),
    }
}

/// `s` then Enter on Review: the plan's path and JSON.
fn save(app: &mut App) -> (PathBuf, String) {
    assert_eq!(app.screen, Screen::Review);
    assert!(press(app, KeyCode::Char('s')).is_empty());
    save_command(press(app, KeyCode::Enter))
}

/// A user spec as plain data, to compare what the wizard creates with what a plan creates.
/// Inline documents are compared as JSON values (the wizard sends them as typed).
fn shape(spec: &UserSpec) -> String {
    let inline: Vec<(String, Value)> = spec
        .inline
        .iter()
        .map(|p| (p.name.clone(), serde_json::from_str(&p.document).unwrap()))
        .collect();
    let login = spec.login.as_ref().map(|l| {
        let generated = match &l.password {
            PasswordSource::Generate { policy } => format!("generated to {policy:?}"),
            PasswordSource::Custom(_) => "custom".to_string(),
        };
        (generated, l.require_reset)
    });
    format!(
        "{} {} {:?} {:?} {} {:?} {:?} {:?} {:?}",
        spec.name,
        spec.path,
        spec.tags,
        spec.boundary,
        spec.access_key,
        login,
        spec.groups,
        spec.policies,
        inline
    )
}

/// From a fresh wizard with its lists loaded: carol and dave, an access key and a custom console
/// password, the group admins, everything of alice copied (a group, a policy, an inline policy
/// and the boundary), the tag team=data, at Review. The account's policy does not let users
/// change their password, so iamwiz adds IAMUserChangePassword.
fn review_with_copy_and_custom_password() -> App {
    let mut app = loaded();
    app.options.csv_dir = PathBuf::from("/exports");
    type_str(&mut app, "carol");
    ctrl(&mut app, 'n');
    type_str(&mut app, "dave");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Access, "{:?}", app.notice);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' ')); // console password on
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    type_str(&mut app, CUSTOM_PASSWORD);
    assert_eq!(app.draft.password_mode, PasswordMode::Custom);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Permissions, "{:?}", app.notice);
    press(&mut app, KeyCode::Char(' ')); // group admins
    press(&mut app, KeyCode::Right); // Copy from user
    copy_alice(
        &mut app,
        UserPermissions {
            groups: vec!["admins".into(), "developers".into()],
            policies: vec![READ_ONLY.into()],
            inline: vec![InlinePolicy {
                name: "list-buckets".into(),
                document: COPIED_DOC.into(),
            }],
            boundary: Some(POWER_USER.into()),
        },
    ); // alice
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Tags);
    ctrl(&mut app, 'n');
    type_str(&mut app, "team");
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "data");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Review, "{:?}", app.notice);
    assert_eq!(app.effective().added, [CHANGE_PASSWORD]);
    app
}

fn expected_plan() -> Plan {
    Plan {
        version: 1,
        users: vec!["carol".into(), "dave".into()],
        path: "/".into(),
        access_key: true,
        access_key_use: None,
        access_key_description: None,
        console_password: Some(ConsolePassword {
            require_reset: true,
        }),
        require_mfa: false,
        groups: vec!["admins".into(), "developers".into()],
        managed_policies: vec![READ_ONLY.into()],
        inline_policies: vec![PlanInlinePolicy {
            name: "list-buckets".into(),
            document: serde_json::from_str(COPIED_DOC).unwrap(),
        }],
        permissions_boundary: Some(POWER_USER.into()),
        tags: vec![Tag {
            key: "team".into(),
            value: "data".into(),
        }],
    }
}

#[test]
fn saving_from_review_writes_what_review_creates_without_the_custom_password() {
    let mut app = review_with_copy_and_custom_password();
    let draft = app.draft.clone();
    assert!(press(&mut app, KeyCode::Char('s')).is_empty());
    assert_eq!(prompt_path(&app), "/exports/iamwiz-plan.json");
    let (path, json) = save_command(press(&mut app, KeyCode::Enter));
    assert_eq!(path, Path::new("/exports/iamwiz-plan.json"));
    let plan = planfile::load(&json).unwrap_or_else(|p| panic!("{p:#?}\n{json}"));
    assert_eq!(plan, expected_plan(), "{json}");
    assert!(
        !json.contains(CUSTOM_PASSWORD),
        "a secret in the plan:\n{json}"
    );
    assert!(!json.contains("IAMUserChangePassword"), "{json}");
    assert_eq!(app.draft, draft, "saving changes nothing in the draft");

    // The terminal loop wrote it: the prompt says where, and how to use it.
    update(&mut app, Msg::Effect(Effect::PlanSaved(Ok(path.clone()))));
    assert!(matches!(&app.save_plan, Some(SavePlan::Saved { path: p }) if *p == path));
    let text = notice(&app, NoticeKind::Info);
    assert!(text.contains("/exports/iamwiz-plan.json"), "{text}");
    assert!(
        text.contains("The custom password is not saved: a plan generates one."),
        "{text}"
    );
    press(&mut app, KeyCode::Enter);
    assert!(app.save_plan.is_none(), "Enter closes the confirmation");
    assert_eq!(app.screen, Screen::Review);

    // Applying the plan creates what the wizard would, but for the password, which the plan
    // generates.
    let policy = PasswordPolicy::aws_default();
    let from_plan = planfile::to_specs(&plan, &policy, "aws", "123456789012");
    let mut cmds = press(&mut app, KeyCode::Enter);
    let Some(Command::Worker(Request::Create { specs, .. })) = cmds.pop() else {
        panic!("no Create request");
    };
    assert_eq!(specs.len(), 2);
    for (wizard, plan) in specs.iter().zip(&from_plan) {
        assert!(matches!(
            wizard.login.as_ref().map(|l| &l.password),
            Some(PasswordSource::Custom(_))
        ));
        assert_eq!(
            shape(wizard).replace("\"custom\"", &format!("\"generated to {policy:?}\"")),
            shape(plan)
        );
    }
}

#[test]
fn a_plan_opens_on_review_and_saves_back_to_the_same_plan() {
    let mut plan = expected_plan();
    plan.users = vec!["erin".into()];
    plan.path = "/eng/".into();
    plan.access_key = false;
    plan.console_password = Some(ConsolePassword {
        require_reset: false,
    });
    let (mut app, cmds) = App::with_options(
        (80, 24),
        Options {
            plan: Some(Loaded {
                path: PathBuf::from("team.json"),
                plan: plan.clone(),
            }),
            ..Options::default()
        },
    );
    assert_eq!(app.screen, Screen::Review);
    let text = notice(&app, NoticeKind::Info);
    assert!(text.starts_with("Loaded plan team.json"), "{text}");
    let checked: Vec<&str> = cmds
        .iter()
        .filter_map(|c| match c {
            Command::Worker(Request::CheckName { name, .. }) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(checked, ["erin"], "the names are checked as typed ones are");
    answer_loads(&mut app, &cmds);
    assert_eq!(app.draft, planfile::to_draft(&plan));
    assert_eq!(app.draft.password_mode, PasswordMode::Autogenerated);

    let (_, json) = save(&mut app);
    assert_eq!(planfile::load(&json).unwrap(), plan);

    // Back and Next walk the steps as for a typed draft, and the plan is unchanged.
    update(&mut app, Msg::Effect(Effect::PlanSaved(Ok("x".into()))));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::Tags);
    for _ in 0..5 {
        press(&mut app, KeyCode::Esc);
    }
    assert_eq!(app.screen, Screen::Details);
    for step in [
        Screen::Access,
        Screen::Permissions,
        Screen::Boundary,
        Screen::Tags,
        Screen::Review,
    ] {
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, step, "{:?}", app.notice);
    }
    let (_, json) = save(&mut app);
    assert_eq!(planfile::load(&json).unwrap(), plan);
    press(&mut app, KeyCode::Esc);

    // And it creates what applying the plan would.
    let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
    let from_plan =
        planfile::to_specs(&plan, &PasswordPolicy::aws_default(), "aws", "123456789012");
    assert_eq!(shape(&spec), shape(&from_plan[0]));
}

#[test]
fn a_name_from_a_plan_that_is_taken_is_caught_before_creating() {
    let plan = Plan {
        users: vec!["Alice".into()],
        access_key: true,
        ..Plan::default()
    };
    let (mut app, cmds) = App::with_options(
        (80, 24),
        Options {
            plan: Some(Loaded {
                path: PathBuf::from("p.json"),
                plan,
            }),
            ..Options::default()
        },
    );
    let (seq, name) = cmds
        .iter()
        .find_map(|c| match c {
            Command::Worker(Request::CheckName { seq, name, .. }) => Some((*seq, name.clone())),
            _ => None,
        })
        .expect("the name is checked");
    update(
        &mut app,
        Msg::Worker(Event::NameCheck {
            seq,
            kind: NameKind::User,
            name,
            result: Ok(Some("alice".into())),
        }),
    );
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.screen, Screen::Details);
    assert!(notice(&app, NoticeKind::Error).contains("alice already exists"));
}

#[test]
fn an_existing_file_keeps_the_prompt_and_its_path() {
    let mut app = loaded();
    to_review(&mut app);
    let draft = app.draft.clone();
    press(&mut app, KeyCode::Char('s'));
    ctrl(&mut app, 'u');
    type_str(&mut app, "plans/carol.json");
    let (path, _) = save_command(press(&mut app, KeyCode::Enter));
    assert_eq!(path, Path::new("plans/carol.json"));
    let refusal =
        "plans/carol.json already exists: choose another name; iamwiz never overwrites a file";
    update(
        &mut app,
        Msg::Effect(Effect::PlanSaved(Err(refusal.to_string()))),
    );
    assert_eq!(prompt_path(&app), "plans/carol.json", "the prompt stays");
    let text = notice(&app, NoticeKind::Error);
    assert!(text.contains("already exists"), "{text}");
    assert_eq!(app.draft, draft);

    // The admin changes the name and saves again.
    for _ in ".json".chars() {
        press(&mut app, KeyCode::Backspace);
    }
    type_str(&mut app, "2.json");
    let (path, _) = save_command(press(&mut app, KeyCode::Enter));
    assert_eq!(path, Path::new("plans/carol2.json"));
}

#[test]
fn the_prompt_takes_every_key_until_closed_and_esc_cancels() {
    let mut app = loaded();
    to_review(&mut app);
    let draft = app.draft.clone();
    press(&mut app, KeyCode::Char('s'));
    ctrl(&mut app, 'u');
    // s, ?, 1 and q are text here, not Review's or the help's keys.
    type_str(&mut app, "s?1q");
    assert_eq!(prompt_path(&app), "s?1q");
    assert_eq!(app.screen, Screen::Review);
    assert_eq!(app.modal, None);
    update(&mut app, Msg::Paste("/x.json".into()));
    assert_eq!(prompt_path(&app), "s?1q/x.json");
    ctrl(&mut app, 'u');
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(notice(&app, NoticeKind::Error).contains("Enter the file"));
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(app.save_plan.is_none());
    assert_eq!(
        app.screen,
        Screen::Review,
        "Esc closes the prompt, not Review"
    );
    assert_eq!(app.draft, draft);
}

#[test]
fn no_plan_while_the_permissions_to_copy_are_not_read() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Char(' ')); // copy alice; no answer yet
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Review);
    assert!(matches!(app.catalog.copy, Some((_, Remote::Loading))));
    assert!(press(&mut app, KeyCode::Char('s')).is_empty());
    assert!(app.save_plan.is_none());
    let text = notice(&app, NoticeKind::Error);
    assert!(
        text.contains("Still reading the permissions of alice"),
        "{text}"
    );
}

#[test]
fn the_plan_keeps_a_chosen_iam_user_change_password_and_users_list_changes() {
    // A user list reply changes nothing in the plan; IAMUserChangePassword chosen by the admin
    // is theirs, so it is written.
    let mut app = loaded();
    app.draft.policies.push(CHANGE_PASSWORD.into());
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter);
    }
    assert_eq!(app.screen, Screen::Review);
    assert!(app.effective().added.is_empty());
    let cmds = ctrl(&mut app, 'r');
    let seq = seq_of(&cmds, |r| match r {
        Request::LoadUsers { seq } => Some(*seq),
        _ => None,
    });
    update(
        &mut app,
        Msg::Worker(Event::Users {
            seq,
            result: Ok(vec![UserInfo {
                name: "zed".into(),
                path: "/".into(),
            }]),
        }),
    );
    let (_, json) = save(&mut app);
    let plan = planfile::load(&json).unwrap();
    assert_eq!(plan.managed_policies, [CHANGE_PASSWORD]);
}

/// The wizard opened from `plan`, and the requests it sent.
fn from_plan(plan: Plan) -> (App, Vec<Command>) {
    App::with_options(
        (80, 24),
        Options {
            plan: Some(Loaded {
                path: PathBuf::from("plan.json"),
                plan,
            }),
            ..Options::default()
        },
    )
}

#[test]
fn creating_from_a_plan_waits_for_the_password_policy_and_the_lists() {
    let plan = Plan {
        users: vec!["frank".into()],
        console_password: Some(ConsolePassword {
            require_reset: true,
        }),
        groups: vec!["developers".into()],
        managed_policies: vec![READ_ONLY.into()],
        ..Plan::default()
    };
    let (mut app, cmds) = from_plan(plan);
    // Enter at once: the password policy decides the password and IAMUserChangePassword.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.screen, Screen::Review);
    let text = notice(&app, NoticeKind::Error);
    assert!(
        text.contains("Still reading the account's password policy"),
        "{text}"
    );
    assert_eq!(
        app.draft,
        planfile::to_draft(&app.options.plan.as_ref().unwrap().plan)
    );

    // The password policy lets users change their own password; the lists are still on the way.
    update(
        &mut app,
        Msg::Worker(Event::PasswordPolicy(Ok(PasswordPolicy {
            allow_users_to_change_password: true,
            ..PasswordPolicy::aws_default()
        }))),
    );
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let text = notice(&app, NoticeKind::Error);
    assert!(
        text.contains("Still checking that no user named frank exists"),
        "{text}"
    );

    answer_loads(&mut app, &cmds);
    update(
        &mut app,
        Msg::Worker(Event::PasswordPolicy(Ok(PasswordPolicy {
            allow_users_to_change_password: true,
            ..PasswordPolicy::aws_default()
        }))),
    );
    let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
    assert_eq!(
        spec.policies,
        [READ_ONLY],
        "no IAMUserChangePassword: users may change theirs"
    );
    assert_eq!(spec.groups, ["developers"]);
}

#[test]
fn a_group_policy_or_boundary_the_account_lacks_is_refused_then_dropped_with_x() {
    let cases = [
        (
            Plan {
                groups: vec!["developers".into(), "ops".into()],
                ..Plan::default()
            },
            "There is no group named ops in this account".to_string(),
            "group ops",
        ),
        (
            Plan {
                managed_policies: vec![READ_ONLY.into(), "arn:aws:iam::aws:policy/NoSuch".into()],
                ..Plan::default()
            },
            "There is no managed policy arn:aws:iam::aws:policy/NoSuch in this account".to_string(),
            "policy NoSuch",
        ),
        (
            Plan {
                permissions_boundary: Some("arn:aws:iam::123456789012:policy/Gone".into()),
                ..Plan::default()
            },
            "There is no managed policy arn:aws:iam::123456789012:policy/Gone".to_string(),
            "boundary Gone",
        ),
    ];
    for (mut plan, message, dropped) in cases {
        plan.users = vec!["gina".into()];
        plan.access_key = true;
        let (mut app, cmds) = from_plan(plan.clone());
        answer_loads(&mut app, &cmds);
        let draft = app.draft.clone();
        assert!(press(&mut app, KeyCode::Enter).is_empty(), "{plan:?}");
        assert_eq!(app.screen, Screen::Review, "{plan:?}");
        let text = notice(&app, NoticeKind::Error);
        assert!(text.contains(&message), "{text}");
        assert!(text.contains("press x on Review"), "{text}");
        assert_eq!(app.draft, draft, "the draft stays as it was");

        // x drops what the account lacks, and only that; then Enter creates.
        assert!(press(&mut app, KeyCode::Char('x')).is_empty());
        let text = notice(&app, NoticeKind::Info);
        assert_eq!(
            text,
            format!("Dropped from the draft, not in this account: {dropped}.")
        );
        let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
        let mut kept = plan.clone();
        kept.groups.retain(|g| g != "ops");
        kept.managed_policies.retain(|p| !p.ends_with("/NoSuch"));
        kept.permissions_boundary = None;
        assert_eq!(spec.groups, kept.groups);
        assert_eq!(spec.policies, kept.managed_policies);
        assert_eq!(spec.boundary, None);
    }
}
