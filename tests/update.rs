//! `update` as a table of (state, message) → (state, commands): no runtime, no terminal, no AWS.

mod common;

use common::fixtures::*;
use crossterm::event::KeyCode;
use iamwiz::app::draft::PasswordMode;
use iamwiz::app::{App, Command, Modal, Msg, NoticeKind, PermPane, Remote, Screen, update};
use iamwiz::protocol::{
    AwsError, CreationResult, Event, GroupInfo, InlinePolicy, PasswordSource, PolicyScope, Request,
    StepKind, StepStatus, UserPermissions,
};

fn error_text(app: &App) -> String {
    match &app.notice {
        Some(n) if n.kind == NoticeKind::Error => n.text.clone(),
        other => panic!("expected an error notice, got {other:?}"),
    }
}

// ---- start-up --------------------------------------------------------------------------------

#[test]
fn start_asks_the_worker_for_identity_and_lists_without_waiting() {
    let (app, cmds) = App::new((80, 24));
    assert_eq!(app.screen, Screen::Details);
    assert_eq!(app.catalog.identity, Remote::Loading);
    let kinds: Vec<&str> = cmds
        .iter()
        .map(|c| match c {
            Command::Worker(Request::LoadIdentity) => "identity",
            Command::Worker(Request::LoadGroups { .. }) => "groups",
            Command::Worker(Request::LoadUsers { .. }) => "users",
            Command::Worker(Request::LoadPolicies { .. }) => "policies",
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["identity", "groups", "users", "policies"]);
}

#[test]
fn stale_list_replies_are_dropped() {
    let (mut app, first) = App::new((80, 24));
    let old = seq_of(&first, |r| match r {
        Request::LoadGroups { seq } => Some(*seq),
        _ => None,
    });
    let reload = ctrl(&mut app, 'r');
    let new = seq_of(&reload, |r| match r {
        Request::LoadGroups { seq } => Some(*seq),
        _ => None,
    });
    assert_ne!(old, new);
    update(
        &mut app,
        Msg::Worker(Event::Groups {
            seq: old,
            result: Ok(vec![group("stale", &[])]),
        }),
    );
    assert_eq!(
        app.catalog.groups,
        Remote::Loading,
        "a superseded reply must not land"
    );
    update(
        &mut app,
        Msg::Worker(Event::Groups {
            seq: new,
            result: Ok(vec![group("fresh", &[])]),
        }),
    );
    assert_eq!(app.catalog.groups.ready().unwrap()[0].name, "fresh");
}

// ---- user details -----------------------------------------------------------------------------

#[test]
fn a_refused_character_leaves_the_name_as_it_was_and_says_why() {
    let mut app = loaded();
    type_str(&mut app, "bob");
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(app.draft.name.value(), "bob");
    let e = error_text(&app);
    assert!(e.contains("A space is not allowed in a user name"), "{e}");
    assert!(e.contains("+ = , . @ _ -"), "the rule is shown: {e}");
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.draft.name.value(), "bob");
}

#[test]
fn the_name_stops_at_64_characters() {
    let mut app = loaded();
    type_str(&mut app, &"a".repeat(64));
    assert_eq!(app.draft.name.len(), 64);
    press(&mut app, KeyCode::Char('b'));
    assert_eq!(app.draft.name.len(), 64);
    assert!(error_text(&app).contains("the limit is 64"));
}

#[test]
fn enter_without_a_name_stays_and_explains() {
    let mut app = loaded();
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Details);
    assert!(error_text(&app).contains("Enter a user name"));
}

#[test]
fn a_bad_path_is_refused_on_enter_with_the_focus_on_it() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "eng");
    assert_eq!(app.draft.path.value(), "/eng");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Details);
    assert_eq!(app.focus.details, 1);
    assert!(error_text(&app).contains("starts and ends with /"));
    type_str(&mut app, "/");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Access);
}

#[test]
fn pasting_works_whole_or_not_at_all() {
    let mut app = loaded();
    update(&mut app, Msg::Paste("ops-bot\n".into()));
    assert_eq!(
        app.draft.name.value(),
        "ops-bot",
        "a trailing newline is dropped"
    );
    update(&mut app, Msg::Paste("x y".into()));
    assert_eq!(app.draft.name.value(), "ops-bot");
    assert!(error_text(&app).starts_with("Paste refused."));
    update(&mut app, Msg::Paste("z".repeat(1_000_000)));
    assert_eq!(app.draft.name.value(), "ops-bot");
    assert!(error_text(&app).contains("limit is 64"));
}

// ---- access type ------------------------------------------------------------------------------

#[test]
fn at_least_one_access_type_is_required() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    assert!(app.draft.access_key);
    press(&mut app, KeyCode::Char(' ')); // access key off
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Access);
    assert!(error_text(&app).contains("at least one access type"));
}

#[test]
fn typing_on_custom_password_chooses_it_and_checks_the_policy() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' ')); // console password on
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down); // Custom password
    type_str(&mut app, "short?");
    assert_eq!(app.draft.password_mode, PasswordMode::Custom);
    assert_eq!(
        app.modal, None,
        "'?' is part of the password here, not help"
    );
    assert_eq!(app.draft.custom_password.value(), "short?");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Access);
    assert!(error_text(&app).contains("needs at least 8"));
    type_str(&mut app, "Long1");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Permissions);
}

// ---- permissions, boundary, tags --------------------------------------------------------------

#[test]
fn groups_and_policies_are_chosen_with_space_and_filtered_by_typing() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Permissions);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(app.draft.groups, ["developers"]);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    assert_eq!(app.focus.pane, PermPane::Policies);
    type_str(&mut app, "power");
    assert_eq!(app.filtered_policies(&app.focus.policies).len(), 1);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(
        app.draft.policies,
        ["arn:aws:iam::aws:policy/PowerUserAccess"]
    );
    press(&mut app, KeyCode::Char(' '));
    assert!(app.draft.policies.is_empty(), "space again removes it");
}

#[test]
fn exact_and_prefix_matches_come_first() {
    let mut app = loaded();
    let cmds = ctrl(&mut app, 'r');
    let seq = seq_of(&cmds, |r| match r {
        Request::LoadPolicies { seq } => Some(*seq),
        _ => None,
    });
    let names = [
        "AmazonS3ReadOnlyAccess",
        "ReadOnlyAccess",
        "ReadOnlyAccessPlus",
        "AWSReadOnly",
    ];
    update(
        &mut app,
        Msg::Worker(Event::Policies {
            seq,
            result: Ok(names.iter().map(|n| policy(n, PolicyScope::Aws)).collect()),
        }),
    );
    app.focus.policies.filter = iamwiz::app::text::TextField::new("readonlyaccess");
    let order: Vec<&str> = app
        .filtered_policies(&app.focus.policies)
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        order,
        [
            "ReadOnlyAccess",
            "ReadOnlyAccessPlus",
            "AmazonS3ReadOnlyAccess"
        ]
    );
}

#[test]
fn copying_from_a_user_loads_its_permissions_and_merges_them() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char(' ')); // group admins
    press(&mut app, KeyCode::Right); // Copy from user
    let cmds = press(&mut app, KeyCode::Char(' '));
    let (seq, user) = cmds
        .into_iter()
        .find_map(|c| match c {
            Command::Worker(Request::LoadUserPermissions { seq, user }) => Some((seq, user)),
            _ => None,
        })
        .expect("the copy source is read");
    assert_eq!(user, "alice");
    update(
        &mut app,
        Msg::Worker(Event::UserPermissions {
            seq,
            user,
            result: Ok(UserPermissions {
                groups: vec!["admins".into(), "developers".into()],
                policies: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
                inline: vec![InlinePolicy {
                    name: "scratch".into(),
                    document: "{}".into(),
                }],
                boundary: Some("arn:aws:iam::aws:policy/PowerUserAccess".into()),
            }),
        }),
    );
    let eff = app.effective();
    assert_eq!(
        eff.groups,
        [
            ("admins".to_string(), false),
            ("developers".to_string(), true)
        ]
    );
    assert_eq!(eff.inline.len(), 1);
    assert_eq!(
        eff.boundary,
        Some(("arn:aws:iam::aws:policy/PowerUserAccess".to_string(), true))
    );
    for _ in 0..3 {
        press(&mut app, KeyCode::Enter);
    }
    let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
    assert_eq!(spec.groups, ["admins", "developers"]);
    assert_eq!(spec.policies, ["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    assert_eq!(spec.inline[0].name, "scratch");
    assert_eq!(
        spec.boundary.as_deref(),
        Some("arn:aws:iam::aws:policy/PowerUserAccess")
    );
}

#[test]
fn the_eleventh_group_is_refused() {
    let mut app = loaded();
    let many: Vec<GroupInfo> = (0..11).map(|i| group(&format!("g{i:02}"), &[])).collect();
    let cmds = ctrl(&mut app, 'r');
    let seq = seq_of(&cmds, |r| match r {
        Request::LoadGroups { seq } => Some(*seq),
        _ => None,
    });
    update(
        &mut app,
        Msg::Worker(Event::Groups {
            seq,
            result: Ok(many),
        }),
    );
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    for _ in 0..10 {
        press(&mut app, KeyCode::Char(' '));
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(app.draft.groups.len(), 10);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(app.draft.groups.len(), 10);
    assert!(error_text(&app).contains("at most 10 groups"));
}

#[test]
fn boundary_is_one_policy_or_none() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    for _ in 0..3 {
        press(&mut app, KeyCode::Enter);
    }
    assert_eq!(app.screen, Screen::Boundary);
    type_str(&mut app, "readonly");
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(
        app.draft.boundary.as_deref(),
        Some("arn:aws:iam::aws:policy/ReadOnlyAccess")
    );
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(app.draft.boundary, None);
}

#[test]
fn tags_are_added_edited_removed_and_checked() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter);
    }
    assert_eq!(app.screen, Screen::Tags);
    ctrl(&mut app, 'n');
    type_str(&mut app, "Team");
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "platform");
    ctrl(&mut app, 'n');
    type_str(&mut app, "team");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Tags);
    assert!(error_text(&app).contains("Rows 1 and 2 both have the tag key"));
    assert_eq!(app.focus.tag_row, 1);
    press(&mut app, KeyCode::Char('#'));
    assert!(error_text(&app).contains("'#' is not allowed in a tag key"));
    ctrl(&mut app, 'd');
    assert_eq!(app.draft.tags.len(), 1);
    ctrl(&mut app, 'n'); // an empty row is dropped on Enter
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Review);
    assert_eq!(app.draft.tags.len(), 1);
    assert_eq!(app.draft.tags[0].value.value(), "platform");
}

// ---- review, going back, creating -------------------------------------------------------------

#[test]
fn every_step_comes_back_as_it_was_left() {
    let mut app = loaded();
    to_review(&mut app);
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.screen, Screen::Details);
    assert_eq!(app.draft.name.value(), "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::Details);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::Access);
}

#[test]
fn review_sends_the_draft_to_the_worker_and_shows_every_step_pending() {
    let mut app = loaded();
    to_review(&mut app);
    let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
    assert_eq!(app.screen, Screen::Creating);
    assert_eq!(spec.name, "carol");
    assert_eq!(spec.path, "/");
    assert!(spec.access_key);
    assert!(spec.login.is_none());
    let steps = &app.creation.as_ref().unwrap().steps;
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0], (StepKind::CreateUser, StepStatus::Pending));
    assert_eq!(steps[1], (StepKind::CreateAccessKey, StepStatus::Pending));
}

#[test]
fn a_custom_password_travels_as_a_secret() {
    let mut app = loaded();
    to_custom_password(&mut app, "carol");
    type_str(&mut app, "Correct-Horse-9");
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter);
    }
    let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
    let login = spec.login.expect("login spec");
    assert!(login.require_reset);
    match login.password {
        PasswordSource::Custom(p) => assert_eq!(p.expose(), "Correct-Horse-9"),
        PasswordSource::Generate => panic!("expected the custom password"),
    }
    let debug = format!("{:?}", app.draft);
    assert!(
        !debug.contains("Correct-Horse-9"),
        "the draft's Debug shows the password"
    );
}

#[test]
fn a_failed_creation_goes_back_to_review_with_the_draft_kept() {
    let mut app = loaded();
    to_review(&mut app);
    let (run, _) = create_spec(press(&mut app, KeyCode::Enter));
    let error = AwsError {
        operation: "iam:CreateUser".into(),
        code: "EntityAlreadyExists".into(),
        message: "User with name carol already exists.".into(),
        hint: "choose another name".into(),
    };
    update(
        &mut app,
        Msg::Worker(Event::Step {
            run,
            index: 0,
            status: StepStatus::Failed(error.clone()),
        }),
    );
    assert!(
        ctrl(&mut app, 'c').is_empty(),
        "no quitting while the plan runs"
    );
    update(
        &mut app,
        Msg::Worker(Event::Finished {
            run,
            result: CreationResult::Failed {
                step: StepKind::CreateUser,
                error,
                leftovers: vec![],
            },
        }),
    );
    let failure = app.creation.as_ref().unwrap().failure.as_ref().unwrap();
    assert_eq!(failure.error.code, "EntityAlreadyExists");
    assert_eq!(app.screen, Screen::Creating);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Review);
    assert_eq!(app.draft.name.value(), "carol");
    assert!(error_text(&app).contains("choose another name"));
}

#[test]
fn events_of_an_older_run_are_ignored() {
    let mut app = loaded();
    to_review(&mut app);
    let (run, _) = create_spec(press(&mut app, KeyCode::Enter));
    update(&mut app, Msg::Worker(created_event(run + 100)));
    assert_eq!(app.screen, Screen::Creating);
    assert!(app.reveal.is_none());
}

// ---- reveal ----------------------------------------------------------------------------------

#[test]
fn secrets_are_masked_until_toggled_and_dropped_after_confirmation() {
    let mut app = loaded();
    to_review(&mut app);
    create_and_reveal(&mut app);
    assert_eq!(app.screen, Screen::Reveal);
    let r = app.reveal.as_ref().unwrap();
    assert!(!r.show_secret_key && !r.show_password);
    press(&mut app, KeyCode::Char('s'));
    assert!(app.reveal.as_ref().unwrap().show_secret_key);
    press(&mut app, KeyCode::Char('s'));
    assert!(!app.reveal.as_ref().unwrap().show_secret_key);

    press(&mut app, KeyCode::Enter);
    assert_eq!(app.modal, Some(Modal::ConfirmLeaveReveal));
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.modal, None);
    assert!(app.reveal.is_some(), "going back keeps the secrets");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(app.screen, Screen::Done);
    assert!(app.reveal.is_none(), "the secrets are gone");
    let debug = format!("{app:?}");
    assert!(!debug.contains("s3cr3t-EXAMPLE-KEY") && !debug.contains("Pa55word!EXAMPLE"));
}

#[test]
fn quitting_from_the_reveal_screen_asks_first() {
    let mut app = loaded();
    to_review(&mut app);
    create_and_reveal(&mut app);
    assert!(ctrl(&mut app, 'c').is_empty());
    assert_eq!(app.modal, Some(Modal::ConfirmQuit));
    let cmds = press(&mut app, KeyCode::Char('y'));
    assert!(matches!(cmds.as_slice(), [Command::Quit]));
    assert!(app.reveal.is_none());
}

#[test]
fn done_offers_a_new_user_with_a_fresh_draft_and_fresh_lists() {
    let mut app = loaded();
    to_review(&mut app);
    create_and_reveal(&mut app);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('y'));
    let cmds = press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.screen, Screen::Details);
    assert!(app.draft.name.is_empty());
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Worker(Request::LoadUsers { .. }))),
        "the new user shows up in Copy from user"
    );
}

// ---- quitting, help, small terminals ----------------------------------------------------------

#[test]
fn ctrl_c_quits_at_once_when_nothing_was_entered() {
    let mut app = loaded();
    let cmds = ctrl(&mut app, 'c');
    assert!(matches!(cmds.as_slice(), [Command::Quit]));
}

#[test]
fn ctrl_c_asks_before_discarding_a_draft() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    assert!(ctrl(&mut app, 'c').is_empty());
    assert_eq!(app.modal, Some(Modal::ConfirmQuit));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.modal, None);
    assert_eq!(app.draft.name.value(), "carol");
    ctrl(&mut app, 'c');
    assert!(matches!(ctrl(&mut app, 'c').as_slice(), [Command::Quit]));
}

#[test]
fn question_mark_opens_help_and_esc_closes_it() {
    let mut app = loaded();
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.modal, Some(Modal::Help));
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(
        app.draft.name.value(),
        "",
        "keys do not reach the screen under help"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.modal, None);
}

#[test]
fn a_too_small_terminal_ignores_keys_but_ctrl_c() {
    let mut app = loaded();
    update(&mut app, Msg::Resize(60, 20));
    assert!(app.too_small());
    type_str(&mut app, "ghost");
    assert!(app.draft.name.is_empty());
    update(&mut app, Msg::Resize(80, 24));
    type_str(&mut app, "ok");
    assert_eq!(app.draft.name.value(), "ok");
}

#[test]
fn a_failed_list_is_shown_and_reloaded_with_ctrl_r() {
    let (mut app, cmds) = App::new((80, 24));
    let seq = seq_of(&cmds, |r| match r {
        Request::LoadGroups { seq } => Some(*seq),
        _ => None,
    });
    let denied = AwsError {
        operation: "iam:ListGroups".into(),
        code: "AccessDenied".into(),
        message: "not authorized".into(),
        hint: "add iam:ListGroups".into(),
    };
    update(
        &mut app,
        Msg::Worker(Event::Groups {
            seq,
            result: Err(denied.clone()),
        }),
    );
    assert_eq!(app.catalog.groups, Remote::Failed(denied));
    let again = ctrl(&mut app, 'r');
    assert!(
        again
            .iter()
            .any(|c| matches!(c, Command::Worker(Request::LoadGroups { .. })))
    );
    assert_eq!(app.catalog.groups, Remote::Loading);
}

// ---- copying and saving the credentials ----------------------------------------------------

mod credentials {
    use super::*;
    use iamwiz::app::Options;
    use iamwiz::app::reveal::{CopiedTo, CopyWhat, Effect, Prompt, Row, SaveError};
    use std::path::PathBuf;

    fn revealed_with(seconds: u64) -> App {
        let (mut app, _) = App::with_options(
            (80, 24),
            Options {
                clipboard_seconds: seconds,
                csv_dir: PathBuf::from("/exports"),
            },
        );
        to_review(&mut app);
        create_and_reveal(&mut app);
        app
    }

    fn focus(app: &mut App, row: Row) {
        while app.reveal.as_ref().unwrap().focus != row {
            press(app, KeyCode::Down);
        }
    }

    #[test]
    fn a_copied_secret_is_cleared_when_its_time_is_up() {
        let mut app = revealed_with(5);
        focus(&mut app, Row::SecretKey);
        let cmds = press(&mut app, KeyCode::Char('c'));
        assert!(matches!(
            cmds.as_slice(),
            [Command::Copy(CopyWhat::Row(Row::SecretKey))]
        ));
        update(&mut app, Msg::Effect(Effect::Copied(Ok(CopiedTo::System))));
        assert!(
            app.notice
                .as_ref()
                .unwrap()
                .text
                .contains("clears the clipboard in 5 s")
        );
        assert_eq!(app.reveal.as_ref().unwrap().clear_in(app.ticks), Some(5));
        for _ in 0..19 {
            assert!(update(&mut app, Msg::Tick).is_empty());
        }
        assert_eq!(app.reveal.as_ref().unwrap().clear_in(app.ticks), Some(1));
        let cmds = update(&mut app, Msg::Tick);
        assert!(matches!(cmds.as_slice(), [Command::ClearClipboard]));
        assert!(app.reveal.as_ref().unwrap().copied.is_none());
        assert!(update(&mut app, Msg::Tick).is_empty(), "cleared once");
    }

    #[test]
    fn copying_to_the_terminal_says_the_terminal_holds_it() {
        let mut app = revealed_with(30);
        focus(&mut app, Row::Password);
        press(&mut app, KeyCode::Char('c'));
        update(
            &mut app,
            Msg::Effect(Effect::Copied(Ok(CopiedTo::Terminal))),
        );
        let text = &app.notice.as_ref().unwrap().text;
        assert!(
            text.contains("the terminal, not iamwiz, now holds it"),
            "{text}"
        );
    }

    #[test]
    fn no_clipboard_is_said_plainly_and_nothing_is_pending() {
        let mut app = revealed_with(30);
        focus(&mut app, Row::SecretKey);
        press(&mut app, KeyCode::Char('c'));
        update(
            &mut app,
            Msg::Effect(Effect::Copied(Err("No clipboard here.".into()))),
        );
        assert!(error_text(&app).contains("No clipboard here"));
        assert!(app.reveal.as_ref().unwrap().copied.is_none());
    }

    #[test]
    fn text_that_is_not_secret_is_not_timed() {
        let mut app = revealed_with(1);
        focus(&mut app, Row::AccessKeyId);
        press(&mut app, KeyCode::Char('c'));
        update(&mut app, Msg::Effect(Effect::Copied(Ok(CopiedTo::System))));
        for _ in 0..40 {
            assert!(update(&mut app, Msg::Tick).is_empty());
        }
        let cmds = press(&mut app, KeyCode::Char('m'));
        assert!(matches!(
            cmds.as_slice(),
            [Command::Copy(CopyWhat::Instructions)]
        ));
    }

    #[test]
    fn leaving_the_screen_clears_a_copied_secret_at_once() {
        let mut app = revealed_with(30);
        focus(&mut app, Row::SecretKey);
        press(&mut app, KeyCode::Char('c'));
        update(&mut app, Msg::Effect(Effect::Copied(Ok(CopiedTo::System))));
        press(&mut app, KeyCode::Enter);
        let cmds = press(&mut app, KeyCode::Char('y'));
        assert!(matches!(cmds.as_slice(), [Command::ClearClipboard]));
        assert!(app.reveal.is_none());
    }

    #[test]
    fn csv_is_offered_at_a_default_path_that_can_be_edited() {
        let mut app = revealed_with(30);
        press(&mut app, KeyCode::Char('d'));
        match &app.reveal.as_ref().unwrap().prompt {
            Some(Prompt::CsvPath(f)) => assert_eq!(f.value(), "/exports/carol_credentials.csv"),
            other => panic!("expected the CSV prompt, got {other:?}"),
        }
        for _ in 0.."_credentials.csv".len() {
            press(&mut app, KeyCode::Backspace);
        }
        type_str(&mut app, ".csv");
        let cmds = press(&mut app, KeyCode::Enter);
        match cmds.as_slice() {
            [Command::SaveCsv { path }] => assert_eq!(path, &PathBuf::from("/exports/carol.csv")),
            other => panic!("expected SaveCsv, got {other:?}"),
        }
        update(
            &mut app,
            Msg::Effect(Effect::Saved(Ok("CSV file /exports/carol.csv".into()))),
        );
        assert_eq!(
            app.reveal.as_ref().unwrap().saved,
            ["CSV file /exports/carol.csv"]
        );
    }

    #[test]
    fn an_existing_profile_is_replaced_only_after_confirmation() {
        let mut app = revealed_with(30);
        press(&mut app, KeyCode::Char('a'));
        press(&mut app, KeyCode::Char('['));
        assert!(error_text(&app).contains("not allowed in a profile name"));
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(matches!(
            cmds.as_slice(),
            [Command::SaveProfile { name, overwrite: false }] if name == "carol"
        ));
        update(
            &mut app,
            Msg::Effect(Effect::Saved(Err(SaveError::ProfileExists("carol".into())))),
        );
        assert!(matches!(
            app.reveal.as_ref().unwrap().prompt,
            Some(Prompt::ConfirmOverwrite(_))
        ));
        let cmds = press(&mut app, KeyCode::Char('y'));
        assert!(matches!(
            cmds.as_slice(),
            [Command::SaveProfile { name, overwrite: true }] if name == "carol"
        ));
    }

    #[test]
    fn esc_closes_a_prompt_without_leaving_the_screen() {
        let mut app = revealed_with(30);
        press(&mut app, KeyCode::Char('d'));
        press(&mut app, KeyCode::Esc);
        assert!(app.reveal.as_ref().unwrap().prompt.is_none());
        assert_eq!(app.modal, None);
        assert_eq!(app.screen, Screen::Reveal);
    }

    #[test]
    fn a_custom_password_leaves_the_draft_once_created() {
        let (mut app, _) = App::new((80, 24));
        to_custom_password(&mut app, "carol");
        type_str(&mut app, "Correct-Horse-9");
        for _ in 0..4 {
            press(&mut app, KeyCode::Enter);
        }
        create_and_reveal(&mut app);
        assert!(app.draft.custom_password.is_empty());
    }
}
