//! `update` as a table of (state, message) → (state, commands): no runtime, no terminal, no AWS.

use crate::common;

use common::fixtures::*;
use crossterm::event::KeyCode;
use iamwiz::app::{App, Command, Modal, Msg, NoticeKind, PermPane, Remote, Screen, update};
use iamwiz::flows::users::draft::PasswordMode;
use iamwiz::protocol::{
    AwsError, CreationResult, Event, GroupInfo, InlinePolicy, KeyProof, NameKind, PasswordSource,
    PolicyScope, Request, StepKind, StepStatus, UserPermissions,
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
            Command::Worker(Request::LoadPasswordPolicy) => "password policy",
            Command::Worker(Request::LoadAccountAlias) => "alias",
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "identity",
            "groups",
            "users",
            "policies",
            "password policy",
            "alias"
        ]
    );
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
    assert_eq!(app.draft.names[0].value(), "bob");
    let e = error_text(&app);
    assert!(e.contains("A space is not allowed in a user name"), "{e}");
    assert!(e.contains("+ = , . @ _ -"), "the rule is shown: {e}");
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.draft.names[0].value(), "bob");
}

#[test]
fn the_name_stops_at_64_characters() {
    let mut app = loaded();
    type_str(&mut app, &"a".repeat(64));
    assert_eq!(app.draft.names[0].len(), 64);
    press(&mut app, KeyCode::Char('b'));
    assert_eq!(app.draft.names[0].len(), 64);
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
        app.draft.names[0].value(),
        "ops-bot",
        "a trailing newline is dropped"
    );
    update(&mut app, Msg::Paste("x y".into()));
    assert_eq!(app.draft.names[0].value(), "ops-bot");
    assert!(error_text(&app).starts_with("Paste refused."));
    update(&mut app, Msg::Paste("z".repeat(1_000_000)));
    assert_eq!(app.draft.names[0].value(), "ops-bot");
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

/// The access key's use case is chosen with ←→ (AWS's alternative shown for it), the description
/// is typed (a space is text there, a character a tag refuses is refused and said), and both reach
/// the creation request and Review.
#[test]
fn the_access_keys_use_case_and_description_are_chosen_on_the_access_step() {
    use iamwiz::app::AccessItem;
    use iamwiz::flows::users::key_use::KeyUse;
    let mut app = loaded();
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    assert_eq!(app.focus.access, AccessItem::KeyUse);
    for _ in 0..3 {
        press(&mut app, KeyCode::Right);
    }
    assert_eq!(app.draft.key_use, Some(KeyUse::AwsCompute));
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Down);
    type_str(&mut app, "nightly backup");
    assert!(app.draft.access_key, "space typed, nothing toggled");
    type_str(&mut app, "#");
    assert!(
        error_text(&app).contains("description"),
        "{}",
        error_text(&app)
    );
    assert_eq!(app.draft.key_description.value(), "nightly backup");
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter);
    }
    assert_eq!(app.screen, Screen::Review);
    let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
    assert_eq!(spec.key_description.as_deref(), Some("nightly backup"));
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
    assert!(error_text(&app).contains("at least 8 characters"));
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
    app.focus.policies.filter = iamwiz::kit::text::TextField::new("readonlyaccess");
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
    // The reload reads the users again: Enter waits for carol's own check.
    let cmds = press(&mut app, KeyCode::Enter);
    answer_name_checks(&mut app, &cmds);
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
    assert_eq!(app.draft.names[0].value(), "carol");
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
    let steps = &app.creation.as_ref().unwrap().steps[0];
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
        PasswordSource::Generate { .. } => panic!("expected the custom password"),
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
            user: 0,
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
                user: "carol".into(),
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
    assert_eq!(app.draft.names[0].value(), "carol");
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

/// The proof of the new key arrives after the reveal, without blocking it: waiting, then works;
/// news of another run or another user changes nothing.
#[test]
fn the_new_keys_proof_is_shown_on_the_credentials_screen_as_it_arrives() {
    let mut app = loaded();
    to_review(&mut app);
    let (run, _) = create_spec(press(&mut app, KeyCode::Enter));
    update(&mut app, Msg::Worker(created_event(run)));
    let user = app.reveal.as_ref().unwrap().user().name.clone();
    let proof_of = |app: &App| app.reveal.as_ref().unwrap().proof().cloned();
    assert_eq!(proof_of(&app), None);
    let waiting = KeyProof::Waiting {
        waited_secs: 4,
        limit_secs: 60,
        code: "InvalidClientTokenId".into(),
    };
    for (r, u) in [(run + 1, user.clone()), (run, "someone-else".to_string())] {
        let proof = waiting.clone();
        update(
            &mut app,
            Msg::Worker(Event::KeyProof {
                run: r,
                user: u,
                proof,
            }),
        );
        assert_eq!(proof_of(&app), None, "not this reveal's key");
    }
    let proof = waiting.clone();
    update(
        &mut app,
        Msg::Worker(Event::KeyProof {
            run,
            user: user.clone(),
            proof,
        }),
    );
    assert_eq!(proof_of(&app), Some(waiting));
    assert_eq!(app.screen, Screen::Reveal);
    let proof = KeyProof::Works { secs: 3 };
    update(&mut app, Msg::Worker(Event::KeyProof { run, user, proof }));
    assert_eq!(
        proof_of(&app).map(|p| p.line()).as_deref(),
        Some("✓ works, 3 s")
    );
}

/// Leaving the credentials screen ends a proof still going: it signs with a copy of the secret.
#[test]
fn leaving_the_credentials_screen_ends_the_proof_of_its_keys() {
    let mut app = loaded();
    to_review(&mut app);
    let (run, _) = create_spec(press(&mut app, KeyCode::Enter));
    update(&mut app, Msg::Worker(created_event(run)));
    press(&mut app, KeyCode::Enter);
    let cmds = press(&mut app, KeyCode::Char('y'));
    assert_eq!(app.screen, Screen::Done);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Worker(Request::EndProof { run: r }) if *r == run)),
        "{cmds:?}"
    );
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
    assert!(app.draft.names[0].is_empty());
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
    assert_eq!(app.draft.names[0].value(), "carol");
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
        app.draft.names[0].value(),
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
    assert!(app.draft.names[0].is_empty());
    update(&mut app, Msg::Resize(80, 24));
    type_str(&mut app, "ok");
    assert_eq!(app.draft.names[0].value(), "ok");
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
        let (mut app, cmds) = App::with_options(
            (80, 24),
            Options {
                clipboard_seconds: seconds,
                csv_dir: PathBuf::from("/exports"),
                ..Options::default()
            },
        );
        answer_loads(&mut app, &cmds);
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
    fn copying_through_tmux_or_screen_says_where_it_went_and_what_can_be_cleared() {
        let mut app = revealed_with(30);
        focus(&mut app, Row::SecretKey);
        press(&mut app, KeyCode::Char('c'));
        update(&mut app, Msg::Effect(Effect::Copied(Ok(CopiedTo::Tmux))));
        let text = &app.notice.as_ref().unwrap().text;
        assert!(text.contains("tmux buffer"), "{text}");
        assert!(text.contains("deletes and blanks both in 30 s"), "{text}");
        assert_eq!(app.reveal.as_ref().unwrap().clear_in(app.ticks), Some(30));

        press(&mut app, KeyCode::Char('c'));
        update(&mut app, Msg::Effect(Effect::Copied(Ok(CopiedTo::Screen))));
        let text = &app.notice.as_ref().unwrap().text;
        assert!(text.contains("via GNU screen"), "{text}");
        assert!(text.contains("clear it in 30 s"), "{text}");
        assert!(
            text.contains("What you copy in screen's copy mode stays in screen"),
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
    fn a_copy_that_fails_leaves_the_earlier_secret_to_be_cleared_on_time() {
        // The clipboard still holds the first secret when a later copy fails: its clear stands,
        // whether the failed copy was of a secret or of plain text.
        for (row, key) in [
            (Row::Password, KeyCode::Char('c')),
            (Row::UserName, KeyCode::Char('m')),
        ] {
            let mut app = revealed_with(5);
            focus(&mut app, Row::SecretKey);
            press(&mut app, KeyCode::Char('c'));
            update(&mut app, Msg::Effect(Effect::Copied(Ok(CopiedTo::System))));
            for _ in 0..8 {
                assert!(update(&mut app, Msg::Tick).is_empty());
            }
            focus(&mut app, row);
            assert_eq!(press(&mut app, key).len(), 1, "{key:?} asks for a copy");
            update(
                &mut app,
                Msg::Effect(Effect::Copied(Err("could not set the clipboard".into()))),
            );
            assert!(error_text(&app).contains("could not set the clipboard"));
            let r = app.reveal.as_ref().unwrap();
            assert_eq!(
                r.copied.as_ref().map(|c| c.what),
                Some(CopyWhat::Row(Row::SecretKey)),
                "the screen still says the secret access key is on the clipboard"
            );
            assert_eq!(r.clear_in(app.ticks), Some(3), "{key:?}");
            let mut cmds = Vec::new();
            for _ in 0..12 {
                cmds.extend(update(&mut app, Msg::Tick));
            }
            assert!(
                matches!(cmds.as_slice(), [Command::ClearClipboard]),
                "after a failed {key:?} copy: {cmds:?}"
            );
        }
    }

    #[test]
    fn leaving_after_a_failed_copy_still_clears_the_earlier_secret() {
        let mut app = revealed_with(30);
        focus(&mut app, Row::SecretKey);
        press(&mut app, KeyCode::Char('c'));
        update(
            &mut app,
            Msg::Effect(Effect::Copied(Ok(CopiedTo::Terminal))),
        );
        focus(&mut app, Row::Password);
        press(&mut app, KeyCode::Char('c'));
        update(
            &mut app,
            Msg::Effect(Effect::Copied(
                Err("Could not write to the terminal".into()),
            )),
        );
        press(&mut app, KeyCode::Enter);
        let cmds = press(&mut app, KeyCode::Char('y'));
        assert!(
            matches!(
                cmds.as_slice(),
                [
                    Command::Worker(Request::EndProof { .. }),
                    Command::ClearClipboard
                ]
            ),
            "{cmds:?}"
        );
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
        assert!(matches!(
            cmds.as_slice(),
            [
                Command::Worker(Request::EndProof { .. }),
                Command::ClearClipboard
            ]
        ));
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
        // The field takes only what the save accepts: `=` is valid in user names, not here.
        press(&mut app, KeyCode::Char('='));
        assert!(error_text(&app).contains("not allowed in a profile name"));
        match &app.reveal.as_ref().unwrap().prompt {
            Some(Prompt::ProfileName(f)) => assert_eq!(f.value(), "carol"),
            other => panic!("expected the profile prompt, got {other:?}"),
        }
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
        let mut app = loaded();
        to_custom_password(&mut app, "carol");
        type_str(&mut app, "Correct-Horse-9");
        for _ in 0..4 {
            press(&mut app, KeyCode::Enter);
        }
        create_and_reveal(&mut app);
        assert!(app.draft.custom_password.is_empty());
    }
}

// ---- several users, and the live name check ---------------------------------------------------

mod batch {
    use super::*;

    fn name_check(cmds: &[Command]) -> Option<(u64, String)> {
        cmds.iter().find_map(|c| match c {
            Command::Worker(Request::CheckName { seq, name, .. }) => Some((*seq, name.clone())),
            _ => None,
        })
    }

    #[test]
    fn up_to_ten_users_share_the_choices_and_each_gets_a_spec() {
        let mut app = loaded();
        type_str(&mut app, "ann");
        for name in ["ben", "cid"] {
            ctrl(&mut app, 'n');
            type_str(&mut app, name);
        }
        assert_eq!(app.draft.names.len(), 3);
        for _ in 0..5 {
            press(&mut app, KeyCode::Enter);
        }
        assert_eq!(app.screen, Screen::Review);
        let cmds = press(&mut app, KeyCode::Enter);
        let specs = cmds
            .into_iter()
            .find_map(|c| match c {
                Command::Worker(Request::Create { specs, .. }) => Some(specs),
                _ => None,
            })
            .expect("a Create request");
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["ann", "ben", "cid"]);
        assert!(specs.iter().all(|s| s.access_key && s.path == "/"));
        assert_eq!(app.creation.as_ref().unwrap().steps.len(), 3);
    }

    #[test]
    fn the_eleventh_user_is_refused_and_one_can_be_removed() {
        let mut app = loaded();
        for _ in 0..9 {
            ctrl(&mut app, 'n');
        }
        assert_eq!(app.draft.names.len(), 10);
        ctrl(&mut app, 'n');
        assert_eq!(app.draft.names.len(), 10);
        assert!(error_text(&app).contains("At most 10 users"));
        ctrl(&mut app, 'd');
        assert_eq!(app.draft.names.len(), 9);
    }

    #[test]
    fn the_same_name_twice_in_a_batch_is_refused_ignoring_case() {
        let mut app = loaded();
        type_str(&mut app, "Dana");
        ctrl(&mut app, 'n');
        type_str(&mut app, "dana");
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Details);
        assert_eq!(app.focus.details, 1);
        assert!(error_text(&app).contains("Users 1 and 2 are both named"));
    }

    #[test]
    fn a_name_is_checked_once_typing_rests_and_a_taken_one_is_refused() {
        let mut app = loaded();
        type_str(&mut app, "Eve");
        assert!(
            update(&mut app, Msg::Tick).is_empty(),
            "not while typing goes on"
        );
        let cmds = update(&mut app, Msg::Tick);
        let (seq, name) = name_check(&cmds).expect("the name is checked after half a second");
        assert_eq!(name, "Eve");
        update(
            &mut app,
            Msg::Worker(Event::NameCheck {
                seq,
                kind: NameKind::User,
                name,
                result: Ok(Some("eve".into())),
            }),
        );
        assert_eq!(app.name_taken("Eve").as_deref(), Some("eve"));
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Details);
        assert!(error_text(&app).contains("A user named eve already exists"));
    }

    #[test]
    fn leaving_user_details_checks_every_unchecked_name_at_once() {
        let mut app = loaded();
        type_str(&mut app, "ivy");
        ctrl(&mut app, 'n');
        type_str(&mut app, "jon");
        let cmds = press(&mut app, KeyCode::Enter);
        let checked: Vec<String> = cmds
            .iter()
            .filter_map(|c| match c {
                Command::Worker(Request::CheckName { name, .. }) => Some(name.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(checked, ["ivy", "jon"]);
        for _ in 0..4 {
            assert!(
                update(&mut app, Msg::Tick).is_empty(),
                "no check is left pending after leaving the screen"
            );
        }
    }

    #[test]
    fn a_stale_check_reply_is_dropped() {
        let mut app = loaded();
        type_str(&mut app, "fay");
        update(&mut app, Msg::Tick);
        let (old, _) = name_check(&update(&mut app, Msg::Tick)).unwrap();
        // The admin deletes the name and types it again: a new check replaces the old one.
        for _ in 0..3 {
            press(&mut app, KeyCode::Backspace);
        }
        app.catalog.names.clear();
        type_str(&mut app, "fay");
        update(&mut app, Msg::Tick);
        let (new, _) = name_check(&update(&mut app, Msg::Tick)).unwrap();
        assert_ne!(old, new);
        update(
            &mut app,
            Msg::Worker(Event::NameCheck {
                seq: old,
                kind: NameKind::User,
                name: "fay".into(),
                result: Ok(Some("fay".into())),
            }),
        );
        assert_eq!(
            app.name_taken("fay"),
            None,
            "the superseded reply is ignored"
        );
    }

    #[test]
    fn a_name_in_the_user_list_is_taken_without_asking() {
        let mut app = loaded();
        type_str(&mut app, "ALICE");
        assert_eq!(app.name_taken("ALICE").as_deref(), Some("alice"));
        press(&mut app, KeyCode::Enter);
        assert!(error_text(&app).contains("alice already exists"));
    }

    #[test]
    fn the_credentials_screen_pages_through_the_users() {
        use iamwiz::protocol::{AccessKeyPair, CreatedUser};
        let mut app = loaded();
        type_str(&mut app, "gil");
        ctrl(&mut app, 'n');
        type_str(&mut app, "hal");
        for _ in 0..5 {
            press(&mut app, KeyCode::Enter);
        }
        let run = match press(&mut app, KeyCode::Enter).into_iter().next() {
            Some(Command::Worker(Request::Create { run, .. })) => run,
            other => panic!("expected Create, got {other:?}"),
        };
        let user = |name: &str| CreatedUser {
            name: name.into(),
            arn: format!("arn:aws:iam::123456789012:user/{name}"),
            access_key: Some(AccessKeyPair {
                id: format!("AKIA{name}"),
                secret: iamwiz::secret::Secret::new(format!("secret-of-{name}")),
            }),
            password: None,
            require_reset: false,
            sign_in_url: "https://123456789012.signin.aws.amazon.com/console".into(),
        };
        update(
            &mut app,
            Msg::Worker(Event::Finished {
                run,
                result: CreationResult::Created(vec![user("gil"), user("hal")]),
            }),
        );
        let r = app.reveal.as_ref().unwrap();
        assert_eq!(r.user().name, "gil");
        press(&mut app, KeyCode::Right);
        assert_eq!(app.reveal.as_ref().unwrap().user().name, "hal");
        press(&mut app, KeyCode::Right);
        assert_eq!(
            app.reveal.as_ref().unwrap().user().name,
            "hal",
            "no wrap past the last"
        );
        press(&mut app, KeyCode::Left);
        assert_eq!(app.reveal.as_ref().unwrap().user().name, "gil");
        assert_eq!(app.created, ["gil", "hal"]);
    }
}

// ---- the account password policy -----------------------------------------------------------

mod password_policy {
    use super::*;
    use iamwiz::app::check_access;
    use iamwiz::protocol::PasswordPolicy;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    const CHANGE_PASSWORD: &str = "arn:aws:iam::aws:policy/IAMUserChangePassword";

    fn strict(min_length: usize, allow_change: bool) -> PasswordPolicy {
        PasswordPolicy {
            min_length,
            require_uppercase: true,
            require_lowercase: true,
            require_digit: true,
            require_symbol: true,
            allow_users_to_change_password: allow_change,
            is_default: false,
        }
    }

    /// A wizard whose lists have arrived, with `policy` as the account's password policy.
    fn with_policy(policy: PasswordPolicy) -> App {
        let mut app = loaded();
        update(&mut app, Msg::Worker(Event::PasswordPolicy(Ok(policy))));
        app
    }

    /// What the Access screen shows under the custom password while it is typed.
    fn live_check(app: &App) -> Result<(), String> {
        check_access(&app.draft, &app.password_policy())
    }

    /// From a fresh wizard to Review with an autogenerated console password (reset required
    /// unless `reset` is false).
    fn to_review_with_password(app: &mut App, reset: bool) {
        type_str(app, "carol");
        press(app, KeyCode::Enter);
        press(app, KeyCode::Down);
        press(app, KeyCode::Char(' ')); // console password on
        if !reset {
            for _ in 0..3 {
                press(app, KeyCode::Down); // Require a new password…
            }
            press(app, KeyCode::Char(' '));
            assert!(!app.draft.require_reset);
        }
        for _ in 0..4 {
            press(app, KeyCode::Enter);
        }
        assert_eq!(app.screen, Screen::Review, "{:?}", app.notice);
    }

    fn review_text(app: &App) -> String {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
        terminal.backend().to_string()
    }

    fn spec_policies(app: &mut App) -> Vec<String> {
        let (_, spec) = create_spec(press(app, KeyCode::Enter));
        spec.policies
    }

    #[test]
    fn the_policy_is_read_at_start_and_kept_while_it_is_read_again() {
        let (mut app, _) = App::new((80, 24));
        assert_eq!(app.catalog.password_policy, Remote::Loading);
        assert_eq!(app.password_policy(), PasswordPolicy::aws_default());
        update(
            &mut app,
            Msg::Worker(Event::PasswordPolicy(Ok(strict(14, false)))),
        );
        let again = ctrl(&mut app, 'r');
        assert!(
            again
                .iter()
                .any(|c| matches!(c, Command::Worker(Request::LoadPasswordPolicy)))
        );
        assert_eq!(
            app.catalog.password_policy,
            Remote::Ready(strict(14, false)),
            "the policy in force stays until the new reply arrives"
        );
    }

    #[test]
    fn a_custom_password_is_checked_against_every_rule_as_it_is_typed() {
        let mut app = with_policy(strict(14, false));
        to_custom_password(&mut app, "carol");
        type_str(&mut app, "abc");
        let e = live_check(&app).unwrap_err();
        assert_eq!(
            e,
            "Needs at least 14 characters (has 3); an upper-case letter, a digit, \
             a symbol (!@#$%^&*()_+-=[]{}|')."
        );
        type_str(&mut app, "DEF");
        let e = live_check(&app).unwrap_err();
        assert!(
            e.starts_with("Needs at least 14 characters (has 6); a digit"),
            "{e}"
        );
        assert!(
            !e.contains("upper-case"),
            "a rule that passes is not named: {e}"
        );
        assert!(!e.contains("abcDEF"), "the password is echoed: {e}");
        type_str(&mut app, "12345678");
        assert_eq!(
            live_check(&app).unwrap_err(),
            "Needs a symbol (!@#$%^&*()_+-=[]{}|')."
        );
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Access);
        assert!(error_text(&app).contains("a symbol"));
        type_str(&mut app, "!");
        assert_eq!(live_check(&app), Ok(()));
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Permissions);
    }

    #[test]
    fn a_password_fine_by_the_default_is_refused_by_a_stricter_policy() {
        let mut app = loaded();
        to_custom_password(&mut app, "carol");
        type_str(&mut app, "Abcdef1!");
        assert_eq!(live_check(&app), Ok(()));
        update(
            &mut app,
            Msg::Worker(Event::PasswordPolicy(Ok(strict(14, false)))),
        );
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Access);
        assert!(
            error_text(&app).contains("at least 14 characters (has 8)"),
            "{:?}",
            app.notice
        );
    }

    #[test]
    fn a_policy_that_cannot_be_read_leaves_the_aws_default_in_force() {
        let mut app = loaded();
        update(
            &mut app,
            Msg::Worker(Event::PasswordPolicy(Err(AwsError {
                operation: "iam:GetAccountPasswordPolicy".into(),
                code: "AccessDenied".into(),
                message: "not authorized".into(),
                hint: String::new(),
            }))),
        );
        assert_eq!(app.password_policy(), PasswordPolicy::aws_default());
        to_custom_password(&mut app, "carol");
        type_str(&mut app, "abcdefg1");
        assert!(live_check(&app).unwrap_err().contains("1 more of:"));
    }

    #[test]
    fn a_generated_password_is_made_for_the_policy() {
        let mut app = with_policy(strict(30, false));
        to_review_with_password(&mut app, true);
        let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
        match spec.login.expect("login spec").password {
            PasswordSource::Generate { policy } => {
                assert_eq!(policy, strict(30, false));
                assert_eq!(policy.generated_length(), 30);
            }
            PasswordSource::Custom(_) => panic!("expected a generated password"),
        }
    }

    #[test]
    fn require_reset_without_a_policy_adds_iam_user_change_password() {
        let mut app = loaded(); // no account policy: users may not change their own password
        to_review_with_password(&mut app, true);
        assert_eq!(app.effective().added, [CHANGE_PASSWORD]);
        let screen = review_text(&app);
        assert!(
            screen.contains(
                "Managed policy      IAMUserChangePassword (added for the password reset)"
            ),
            "{screen}"
        );
        assert_eq!(spec_policies(&mut app), [CHANGE_PASSWORD]);
    }

    #[test]
    fn require_reset_adds_it_when_the_policy_forbids_changing_passwords() {
        let mut app = with_policy(strict(14, false));
        to_review_with_password(&mut app, true);
        assert_eq!(spec_policies(&mut app), [CHANGE_PASSWORD]);
    }

    #[test]
    fn nothing_is_added_when_users_may_change_their_own_password() {
        let mut app = with_policy(strict(14, true));
        to_review_with_password(&mut app, true);
        assert!(app.effective().added.is_empty());
        assert!(!review_text(&app).contains("IAMUserChangePassword"));
        assert!(spec_policies(&mut app).is_empty());
    }

    #[test]
    fn nothing_is_added_without_a_reset_or_without_a_console_password() {
        let mut app = loaded();
        to_review_with_password(&mut app, false);
        assert!(app.effective().added.is_empty());
        assert!(spec_policies(&mut app).is_empty());

        let mut app = loaded();
        to_review(&mut app); // access key only; require_reset is on but means nothing
        assert!(app.draft.require_reset && !app.draft.console_password);
        assert!(spec_policies(&mut app).is_empty());
    }

    #[test]
    fn it_is_not_added_twice_when_chosen() {
        let mut app = loaded();
        if let Remote::Ready(policies) = &mut app.catalog.policies {
            policies.push(policy("IAMUserChangePassword", PolicyScope::Aws));
        }
        app.draft.policies.push(CHANGE_PASSWORD.to_string());
        to_review_with_password(&mut app, true);
        let eff = app.effective();
        assert!(eff.added.is_empty(), "chosen, so not added: {eff:?}");
        assert_eq!(eff.policies, [(CHANGE_PASSWORD.to_string(), false)]);
        assert!(!review_text(&app).contains("(added"));
        assert_eq!(spec_policies(&mut app), [CHANGE_PASSWORD]);
    }

    #[test]
    fn it_is_not_added_twice_when_copied() {
        let mut app = loaded();
        to_review_with_password(&mut app, true);
        press(&mut app, KeyCode::Char('3'));
        assert_eq!(app.screen, Screen::Permissions);
        press(&mut app, KeyCode::Right); // Copy from user
        copy_alice(
            &mut app,
            UserPermissions {
                policies: vec![CHANGE_PASSWORD.into()],
                ..UserPermissions::default()
            },
        );
        let eff = app.effective();
        assert!(eff.added.is_empty(), "copied, so not added: {eff:?}");
        assert_eq!(eff.policies, [(CHANGE_PASSWORD.to_string(), true)]);
    }

    #[test]
    fn it_counts_toward_the_limit_of_ten_managed_policies() {
        let mut app = loaded();
        app.draft.policies = (0..10)
            .map(|i| format!("arn:aws:iam::123456789012:policy/p{i}"))
            .collect();
        to_review_with_password(&mut app, true);
        assert!(press(&mut app, KeyCode::Enter).is_empty());
        assert_eq!(app.screen, Screen::Permissions);
        let e = error_text(&app);
        assert!(e.contains("11 managed policies"), "{e}");
        assert!(e.contains("IAMUserChangePassword"), "{e}");
    }

    #[test]
    fn the_policy_arn_follows_the_partition_of_the_identity() {
        let (mut app, _) = App::new((80, 24));
        update(
            &mut app,
            Msg::Worker(Event::Identity(Ok(iamwiz::protocol::Identity {
                account: "123456789012".into(),
                arn: "arn:aws-cn:iam::123456789012:user/admin".into(),
                region: "cn-north-1".into(),
            }))),
        );
        assert_eq!(
            app.change_password_arn(),
            "arn:aws-cn:iam::aws:policy/IAMUserChangePassword"
        );
    }
}

// ---- the policy picker: fuzzy search, type filter, preview --------------------------------------

mod picker {
    use super::*;
    use iamwiz::flows::users::picker::{PolicyType, REST_TICKS};
    use iamwiz::protocol::{PolicyDocument, PolicyInfo};

    fn aws(name: &str) -> PolicyInfo {
        policy(name, PolicyScope::Aws)
    }

    fn job_function(name: &str) -> PolicyInfo {
        PolicyInfo {
            arn: format!("arn:aws:iam::aws:policy/job-function/{name}"),
            path: "/job-function/".into(),
            ..aws(name)
        }
    }

    /// A wizard on the Permissions step's Policies pane, with `policies` as the catalogue.
    fn on_policies(policies: Vec<PolicyInfo>) -> App {
        let mut app = loaded();
        let cmds = ctrl(&mut app, 'r');
        let seq = seq_of(&cmds, |r| match r {
            Request::LoadPolicies { seq } => Some(*seq),
            _ => None,
        });
        update(
            &mut app,
            Msg::Worker(Event::Policies {
                seq,
                result: Ok(policies),
            }),
        );
        // Straight to the Policies pane: what the earlier steps hold does not matter here.
        app.screen = Screen::Permissions;
        app.focus.pane = PermPane::Policies;
        app
    }

    fn catalogue() -> Vec<PolicyInfo> {
        let mut v = vec![
            aws("AdministratorAccess"),
            aws("AmazonS3FullAccess"),
            aws("AmazonS3OutpostsFullAccess"),
            aws("AmazonS3ReadOnlyAccess"),
            aws("AWSCodeDeployFullAccess"),
            policy("DeployPipeline", PolicyScope::Customer),
            aws("PowerUserAccess"),
            aws("ReadOnlyAccess"),
            job_function("ViewOnlyAccess"),
            job_function("DatabaseAdministrator"),
        ];
        v.sort_by_key(|p| p.name.to_lowercase());
        v
    }

    fn shown(app: &App) -> Vec<String> {
        app.filtered_policies(&app.focus.policies)
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    fn document_requests(cmds: &[Command]) -> Vec<(u64, String)> {
        cmds.iter()
            .filter_map(|c| match c {
                Command::Worker(Request::LoadPolicyDocument { seq, arn }) => {
                    Some((*seq, arn.clone()))
                }
                _ => None,
            })
            .collect()
    }

    /// Ticks until the highlight has rested long enough; returns every request sent meanwhile.
    fn rest(app: &mut App) -> Vec<(u64, String)> {
        let mut sent = Vec::new();
        for _ in 0..=REST_TICKS {
            sent.extend(document_requests(&update(app, Msg::Tick)));
        }
        sent
    }

    fn document(text: &str) -> Result<PolicyDocument, AwsError> {
        Ok(PolicyDocument {
            version: "v1".into(),
            description: String::new(),
            summary: String::new(),
            document: text.into(),
        })
    }

    #[test]
    fn fuzzy_search_finds_letters_in_order_best_first() {
        let mut app = on_policies(catalogue());
        type_str(&mut app, "rdonly");
        assert_eq!(shown(&app), ["ReadOnlyAccess", "AmazonS3ReadOnlyAccess"]);
        ctrl(&mut app, 'u');
        type_str(&mut app, "s3full");
        assert_eq!(
            shown(&app)[..2],
            ["AmazonS3FullAccess", "AmazonS3OutpostsFullAccess"]
        );
        ctrl(&mut app, 'u');
        type_str(&mut app, "redonly");
        assert_eq!(
            shown(&app)[0],
            "ReadOnlyAccess",
            "a left-out letter still finds it"
        );
        // Space chooses, so words come only by pasting.
        ctrl(&mut app, 'u');
        update(&mut app, Msg::Paste("s3 full".into()));
        assert_eq!(app.focus.policies.filter.value(), "s3 full");
        assert_eq!(
            shown(&app)[..2],
            ["AmazonS3FullAccess", "AmazonS3OutpostsFullAccess"],
            "words in a run rank first"
        );
        ctrl(&mut app, 'u');
        update(&mut app, Msg::Paste("full s3".into()));
        assert_eq!(shown(&app).len(), 2, "words match in any order");
        ctrl(&mut app, 'u');
        type_str(&mut app, "READONLY");
        assert_eq!(shown(&app)[0], "ReadOnlyAccess", "case does not matter");
        ctrl(&mut app, 'u');
        type_str(&mut app, "xyzzy");
        assert!(shown(&app).is_empty());
    }

    #[test]
    fn exact_then_prefix_then_the_rest_by_score() {
        let mut app = on_policies(catalogue());
        type_str(&mut app, "administratoraccess");
        assert_eq!(shown(&app), ["AdministratorAccess"]);
        ctrl(&mut app, 'u');
        type_str(&mut app, "readonly");
        assert_eq!(shown(&app)[0], "ReadOnlyAccess", "the prefix match first");
        assert!(shown(&app).contains(&"AmazonS3ReadOnlyAccess".to_string()));
    }

    #[test]
    fn an_empty_filter_lists_the_catalogue_in_order() {
        let app = on_policies(catalogue());
        let names: Vec<String> = catalogue().into_iter().map(|p| p.name).collect();
        assert_eq!(shown(&app), names);
    }

    #[test]
    fn ctrl_t_cycles_the_type_and_typing_still_filters() {
        let mut app = on_policies(catalogue());
        press(&mut app, KeyCode::Down);
        ctrl(&mut app, 't');
        assert_eq!(app.focus.policies.policy_type, PolicyType::AwsManaged);
        assert_eq!(app.focus.policies.cursor, 0, "the cursor goes to the top");
        assert!(!shown(&app).contains(&"DeployPipeline".to_string()));
        assert!(shown(&app).contains(&"ViewOnlyAccess".to_string()));
        ctrl(&mut app, 't');
        assert_eq!(app.focus.policies.policy_type, PolicyType::CustomerManaged);
        assert_eq!(shown(&app), ["DeployPipeline"]);
        ctrl(&mut app, 't');
        assert_eq!(app.focus.policies.policy_type, PolicyType::JobFunction);
        assert_eq!(shown(&app), ["DatabaseAdministrator", "ViewOnlyAccess"]);
        type_str(&mut app, "view");
        assert_eq!(app.focus.policies.filter.value(), "view");
        assert_eq!(shown(&app), ["ViewOnlyAccess"]);
        press(&mut app, KeyCode::Char(' '));
        assert_eq!(
            app.draft.policies,
            ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"]
        );
        ctrl(&mut app, 't');
        assert_eq!(app.focus.policies.policy_type, PolicyType::All);
        assert_eq!(shown(&app), ["ViewOnlyAccess"], "the filter text stays");
    }

    #[test]
    fn the_boundary_has_its_own_type_filter() {
        let mut app = on_policies(catalogue());
        ctrl(&mut app, 't');
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Boundary);
        assert_eq!(app.focus.boundary.policy_type, PolicyType::All);
        ctrl(&mut app, 't');
        ctrl(&mut app, 't');
        let names: Vec<&str> = app
            .filtered_policies(&app.focus.boundary)
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["DeployPipeline"]);
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Char(' '));
        assert_eq!(
            app.draft.boundary.as_deref(),
            Some("arn:aws:iam::123456789012:policy/DeployPipeline")
        );
    }

    #[test]
    fn the_preview_is_fetched_once_the_highlight_rests() {
        let mut app = on_policies(catalogue());
        type_str(&mut app, "readonly");
        // Holding an arrow key: the highlight moves between every tick, nothing is fetched.
        for _ in 0..3 {
            press(&mut app, KeyCode::Down);
            assert!(document_requests(&update(&mut app, Msg::Tick)).is_empty());
            press(&mut app, KeyCode::Up);
            assert!(document_requests(&update(&mut app, Msg::Tick)).is_empty());
        }
        // It rests on ReadOnlyAccess: one request, and no more while it is on its way.
        let sent = rest(&mut app);
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0].1, "arn:aws:iam::aws:policy/ReadOnlyAccess");
        assert!(
            rest(&mut app).is_empty(),
            "no second request while one is pending"
        );
        assert_eq!(
            app.picker.preview.pending.as_ref().map(|(s, _)| *s),
            Some(sent[0].0)
        );
    }

    #[test]
    fn stale_document_replies_are_dropped() {
        let mut app = on_policies(catalogue());
        type_str(&mut app, "readonly");
        let first = rest(&mut app);
        press(&mut app, KeyCode::Down);
        let second = rest(&mut app);
        assert_eq!(first.len(), 1);
        assert_eq!(second.len(), 1);
        assert_ne!(first[0].1, second[0].1);
        let (old_seq, old_arn) = first[0].clone();
        update(
            &mut app,
            Msg::Worker(Event::PolicyDocument {
                seq: old_seq,
                arn: old_arn.clone(),
                result: document("{}"),
            }),
        );
        assert!(
            !app.picker.preview.docs.contains_key(&old_arn),
            "a superseded reply must not land"
        );
        let (seq, arn) = second[0].clone();
        update(
            &mut app,
            Msg::Worker(Event::PolicyDocument {
                seq,
                arn: arn.clone(),
                result: document("{\n  \"Statement\": []\n}"),
            }),
        );
        assert!(matches!(app.picker.preview.docs.get(&arn), Some(Ok(_))));
        assert_eq!(app.picker.preview.pending, None);
    }

    #[test]
    fn a_cached_document_is_not_fetched_again() {
        let mut app = on_policies(catalogue());
        type_str(&mut app, "readonly");
        let (seq, arn) = rest(&mut app).remove(0);
        update(
            &mut app,
            Msg::Worker(Event::PolicyDocument {
                seq,
                arn,
                result: document("{}"),
            }),
        );
        press(&mut app, KeyCode::Down);
        assert_eq!(rest(&mut app).len(), 1, "the other policy is fetched");
        press(&mut app, KeyCode::Up);
        assert!(
            rest(&mut app).is_empty(),
            "the first one comes from the cache"
        );
    }

    #[test]
    fn a_failure_is_kept_until_ctrl_r_and_the_boundary_previews_too() {
        let mut app = on_policies(catalogue());
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Boundary);
        assert!(
            rest(&mut app).is_empty(),
            "no preview for \"No permissions boundary\""
        );
        press(&mut app, KeyCode::Down);
        let (seq, arn) = rest(&mut app).remove(0);
        assert_eq!(arn, "arn:aws:iam::aws:policy/AdministratorAccess");
        let denied = AwsError {
            operation: "iam:GetPolicy".into(),
            code: "AccessDenied".into(),
            message: String::new(),
            hint: String::new(),
        };
        update(
            &mut app,
            Msg::Worker(Event::PolicyDocument {
                seq,
                arn: arn.clone(),
                result: Err(denied),
            }),
        );
        assert!(matches!(app.picker.preview.docs.get(&arn), Some(Err(_))));
        assert!(
            rest(&mut app).is_empty(),
            "a failure is not retried by itself"
        );
        ctrl(&mut app, 'r');
        assert!(app.picker.preview.docs.is_empty(), "Ctrl-R forgets it");
    }

    #[test]
    fn ctrl_p_hides_the_preview_and_nothing_is_fetched() {
        let mut app = on_policies(catalogue());
        ctrl(&mut app, 'p');
        assert!(!app.picker.preview.shown);
        assert!(rest(&mut app).is_empty());
        assert!(rest(&mut app).is_empty());
        ctrl(&mut app, 'p');
        assert_eq!(rest(&mut app).len(), 1);
    }

    #[test]
    fn shift_arrows_scroll_the_preview_of_the_highlighted_policy() {
        let mut app = on_policies(catalogue());
        type_str(&mut app, "readonly");
        let (seq, arn) = rest(&mut app).remove(0);
        update(
            &mut app,
            Msg::Worker(Event::PolicyDocument {
                seq,
                arn: arn.clone(),
                result: document("{\n  \"a\": 1,\n  \"b\": 2\n}"),
            }),
        );
        let shift = |code| {
            Msg::Key(crossterm::event::KeyEvent::new(
                code,
                crossterm::event::KeyModifiers::SHIFT,
            ))
        };
        update(&mut app, shift(KeyCode::Down));
        update(&mut app, shift(KeyCode::Down));
        assert_eq!(app.focus.policies.cursor, 0, "the list cursor stays");
        assert_eq!(app.picker.preview.scroll_of(&arn), 2);
        update(&mut app, shift(KeyCode::PageDown));
        assert_eq!(app.picker.preview.scroll_of(&arn), 3, "not past the end");
        update(&mut app, shift(KeyCode::PageUp));
        assert_eq!(app.picker.preview.scroll_of(&arn), 0);
    }
}

// ---- the console sign-in URL ----------------------------------------------------------------

#[test]
fn the_sign_in_url_uses_the_account_alias_once_known() {
    let mut app = loaded();
    assert_eq!(
        app.sign_in_url().as_deref(),
        Some("https://123456789012.signin.aws.amazon.com/console"),
        "the account ID while the alias is unknown"
    );
    update(
        &mut app,
        Msg::Worker(Event::AccountAlias(Ok(Some("example-corp".into())))),
    );
    assert_eq!(
        app.sign_in_url().as_deref(),
        Some("https://example-corp.signin.aws.amazon.com/console")
    );
    update(&mut app, Msg::Worker(Event::AccountAlias(Ok(None))));
    assert_eq!(
        app.sign_in_url().as_deref(),
        Some("https://123456789012.signin.aws.amazon.com/console")
    );
}

// ---- creating a group from the Groups pane ----------------------------------------------------

mod new_group {
    use super::*;
    use iamwiz::flows::users::new_group::{GroupField, validate_group_name};

    /// A loaded wizard on the Permissions step with the new-group form open.
    fn form_open() -> App {
        let mut app = loaded();
        app.screen = Screen::Permissions;
        assert_eq!(app.focus.pane, PermPane::Groups);
        let cmds = ctrl(&mut app, 'g');
        assert!(cmds.is_empty());
        assert!(app.new_group.form.is_some(), "Ctrl-G opens the form");
        app
    }

    fn form(app: &App) -> &iamwiz::flows::users::new_group::Form {
        app.new_group.form.as_ref().expect("the form is open")
    }

    fn create_request(cmds: &[Command]) -> (u64, String, String, Vec<String>) {
        cmds.iter()
            .find_map(|c| match c {
                Command::Worker(Request::CreateGroup {
                    seq,
                    name,
                    path,
                    policies,
                }) => Some((*seq, name.clone(), path.clone(), policies.clone())),
                _ => None,
            })
            .expect("CreateGroup not sent")
    }

    fn denied() -> AwsError {
        AwsError {
            operation: "iam:AttachGroupPolicy".into(),
            code: "NoSuchEntity".into(),
            message: "Policy arn:aws:iam::aws:policy/Nope does not exist.".into(),
            hint: "Reload the lists.".into(),
        }
    }

    #[test]
    fn ctrl_g_opens_the_form_only_on_the_groups_pane() {
        let mut app = loaded();
        app.screen = Screen::Permissions;
        app.focus.pane = PermPane::Policies;
        ctrl(&mut app, 'g');
        assert!(app.new_group.form.is_none());
        app.focus.pane = PermPane::Groups;
        ctrl(&mut app, 'g');
        assert!(app.new_group.form.is_some());
        press(&mut app, KeyCode::Esc);
        assert!(app.new_group.form.is_none(), "Esc cancels");
        assert_eq!(
            app.screen,
            Screen::Permissions,
            "Esc does not leave the step"
        );
    }

    #[test]
    fn name_rules_and_the_duplicate_check() {
        let groups = Remote::Ready(vec![group("Admins", &[])]);
        assert!(validate_group_name("", &groups).is_err());
        assert!(validate_group_name("ci+deploy=1,a.b@c_d-e", &groups).is_ok());
        assert!(validate_group_name(&"g".repeat(128), &groups).is_ok());
        let long = validate_group_name(&"g".repeat(129), &groups).unwrap_err();
        assert!(long.contains("128"), "{long}");
        assert!(validate_group_name("with space", &groups).is_err());
        assert!(validate_group_name("a/b", &groups).is_err());
        let dup = validate_group_name("aDMINS", &groups).unwrap_err();
        assert!(
            dup.contains("Admins"),
            "names are unique ignoring case: {dup}"
        );
        // Not loaded: AWS itself will say if the name is taken.
        assert!(validate_group_name("admins", &Remote::Loading).is_ok());
    }

    #[test]
    fn typing_checks_the_name_live_and_enter_refuses_a_taken_one() {
        let mut app = form_open();
        press(&mut app, KeyCode::Char(' '));
        assert!(error_text(&app).contains("not allowed in a group name"));
        assert!(
            form(&app).name.is_empty(),
            "a refused character is not typed"
        );
        type_str(&mut app, "Developers");
        let check = app.new_group_name_check().unwrap().unwrap_err();
        assert!(check.contains("developers"), "{check}");
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(cmds.is_empty(), "a taken name is not sent");
        assert!(error_text(&app).contains("already exists"));
        assert!(form(&app).show_errors);
        ctrl(&mut app, 'u');
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(cmds.is_empty(), "an empty name is not sent");
        assert!(error_text(&app).contains("Enter a name"));
    }

    #[test]
    fn a_bad_path_is_refused() {
        let mut app = form_open();
        type_str(&mut app, "ops");
        press(&mut app, KeyCode::Tab);
        assert_eq!(form(&app).focus, GroupField::Path);
        type_str(&mut app, "team");
        assert_eq!(form(&app).path.value(), "/team");
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(cmds.is_empty());
        assert!(error_text(&app).contains("starts and ends with /"));
    }

    #[test]
    fn the_request_carries_name_path_and_policies() {
        let mut app = form_open();
        type_str(&mut app, "ci-deployers");
        press(&mut app, KeyCode::Tab);
        type_str(&mut app, "ci/");
        press(&mut app, KeyCode::Tab);
        assert_eq!(form(&app).focus, GroupField::Policies);
        type_str(&mut app, "readonly");
        press(&mut app, KeyCode::Char(' '));
        ctrl(&mut app, 'u');
        type_str(&mut app, "deploy");
        press(&mut app, KeyCode::Char(' '));
        ctrl(&mut app, 'u');
        assert_eq!(form(&app).chosen.len(), 2);
        let cmds = press(&mut app, KeyCode::Enter);
        let (_, name, path, policies) = create_request(&cmds);
        assert_eq!(name, "ci-deployers");
        assert_eq!(path, "/ci/");
        assert_eq!(
            policies,
            [
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "arn:aws:iam::123456789012:policy/DeployPipeline"
            ]
        );
        assert!(form(&app).creating, "the form shows Creating group…");
        // Keys other than Esc are ignored while it runs.
        type_str(&mut app, "x");
        assert!(press(&mut app, KeyCode::Enter).is_empty());
        assert_eq!(form(&app).name.value(), "ci-deployers");
    }

    #[test]
    fn at_most_ten_policies() {
        let mut app = form_open();
        let mut policies: Vec<_> = (0..11)
            .map(|i| policy(&format!("P{i:02}"), PolicyScope::Customer))
            .collect();
        policies.sort_by(|a, b| a.name.cmp(&b.name));
        app.catalog.policies = Remote::Ready(policies);
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        for _ in 0..10 {
            press(&mut app, KeyCode::Char(' '));
            press(&mut app, KeyCode::Down);
        }
        press(&mut app, KeyCode::Char(' '));
        assert_eq!(form(&app).chosen.len(), 10);
        assert!(error_text(&app).contains("at most 10"));
    }

    #[test]
    fn success_adds_the_group_and_chooses_it_for_the_user() {
        let mut app = form_open();
        type_str(&mut app, "builders");
        let (seq, ..) = create_request(&press(&mut app, KeyCode::Enter));
        update(
            &mut app,
            Msg::Worker(Event::GroupCreated {
                seq,
                result: Ok(group("builders", &["ReadOnlyAccess", "PowerUserAccess"])),
            }),
        );
        assert!(app.new_group.form.is_none(), "the form closes");
        let names: Vec<&str> = app
            .catalog
            .groups
            .ready()
            .unwrap()
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["admins", "builders", "developers"],
            "sorted by name"
        );
        assert_eq!(app.draft.groups, ["builders"]);
        let notice = app.notice.clone().unwrap();
        assert_eq!(notice.kind, NoticeKind::Info);
        assert_eq!(
            notice.text,
            "Group builders created with 2 policies and added to the user."
        );
    }

    #[test]
    fn success_respects_the_ten_groups_limit() {
        let mut app = form_open();
        app.draft.groups = (0..10).map(|i| format!("g{i}")).collect();
        type_str(&mut app, "eleventh");
        let (seq, ..) = create_request(&press(&mut app, KeyCode::Enter));
        update(
            &mut app,
            Msg::Worker(Event::GroupCreated {
                seq,
                result: Ok(group("eleventh", &[])),
            }),
        );
        assert_eq!(app.draft.groups.len(), 10);
        assert!(!app.draft.groups.contains(&"eleventh".to_string()));
        assert!(error_text(&app).contains("at most 10 groups"));
        assert!(
            app.catalog
                .groups
                .ready()
                .unwrap()
                .iter()
                .any(|g| g.name == "eleventh"),
            "the group exists all the same"
        );
    }

    #[test]
    fn failure_keeps_the_form_with_the_error() {
        let mut app = form_open();
        type_str(&mut app, "broken");
        let (seq, ..) = create_request(&press(&mut app, KeyCode::Enter));
        update(
            &mut app,
            Msg::Worker(Event::GroupCreated {
                seq,
                result: Err(denied()),
            }),
        );
        let f = form(&app);
        assert!(!f.creating);
        assert_eq!(f.error.as_ref().unwrap().code, "NoSuchEntity");
        assert_eq!(f.name.value(), "broken", "the form keeps what was typed");
        assert!(app.draft.groups.is_empty());
        assert_eq!(app.catalog.groups.ready().unwrap().len(), 2);
        // The admin can fix it and try again.
        let cmds = press(&mut app, KeyCode::Enter);
        let (again, ..) = create_request(&cmds);
        assert_ne!(again, seq);
    }

    #[test]
    fn stale_replies_are_dropped() {
        let mut app = form_open();
        type_str(&mut app, "first");
        let (old, ..) = create_request(&press(&mut app, KeyCode::Enter));
        update(
            &mut app,
            Msg::Worker(Event::GroupCreated {
                seq: old,
                result: Err(denied()),
            }),
        );
        let (new, ..) = create_request(&press(&mut app, KeyCode::Enter));
        // A reply to the first request arriving again, or one never asked for, changes nothing.
        for seq in [old, new + 100] {
            update(
                &mut app,
                Msg::Worker(Event::GroupCreated {
                    seq,
                    result: Ok(group("first", &[])),
                }),
            );
            assert!(form(&app).creating);
            assert!(app.draft.groups.is_empty());
        }
        update(
            &mut app,
            Msg::Worker(Event::GroupCreated {
                seq: new,
                result: Ok(group("first", &[])),
            }),
        );
        assert_eq!(app.draft.groups, ["first"]);
    }

    #[test]
    fn esc_while_creating_closes_the_form_but_the_reply_still_lands() {
        let mut app = form_open();
        type_str(&mut app, "later");
        let (seq, ..) = create_request(&press(&mut app, KeyCode::Enter));
        press(&mut app, KeyCode::Esc);
        assert!(app.new_group.form.is_none());
        assert_eq!(app.screen, Screen::Permissions);
        ctrl(&mut app, 'g');
        assert!(
            app.new_group.form.is_none(),
            "no second form while one is being made"
        );
        update(
            &mut app,
            Msg::Worker(Event::GroupCreated {
                seq,
                result: Ok(group("later", &[])),
            }),
        );
        assert_eq!(app.draft.groups, ["later"]);
        assert!(
            app.notice
                .as_ref()
                .unwrap()
                .text
                .contains("Group later created")
        );
    }
}

mod inline_editor {
    use super::*;
    use iamwiz::protocol::InlinePolicy;

    const DOC: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:ListAllMyBuckets\", \"Resource\": \"*\"}\n}";

    /// The Inline policy pane of a draft for `carol`, with the editor focused.
    fn editor() -> App {
        let mut app = loaded();
        type_str(&mut app, "carol");
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Permissions);
        press(&mut app, KeyCode::BackTab);
        assert_eq!(app.focus.pane, PermPane::Inline);
        assert!(app.inline_editor_focused());
        app
    }

    fn name_it(app: &mut App, name: &str) {
        // ↑ on the first line goes to the name; ↓ comes back.
        while !app.focus.inline_on_name {
            press(app, KeyCode::Up);
        }
        type_str(app, name);
        press(app, KeyCode::Down);
        assert!(app.inline_editor_focused());
    }

    #[test]
    fn typing_multi_line_json_with_enter_and_arrows_editing_it() {
        let mut app = editor();
        type_str(&mut app, "{");
        press(&mut app, KeyCode::Enter);
        type_str(&mut app, "\"a\": 1");
        press(&mut app, KeyCode::Enter);
        type_str(&mut app, "}");
        assert_eq!(app.screen, Screen::Permissions, "Enter stays in the editor");
        assert_eq!(app.draft.inline_doc.text(), "{\n\"a\": 1\n}");
        // ←→ move the cursor here, they do not change the pane; Tab inserts nothing.
        press(&mut app, KeyCode::Left);
        press(&mut app, KeyCode::Left);
        assert_eq!(app.focus.pane, PermPane::Inline);
        assert_eq!(app.draft.inline_doc.cursor(), (1, 6));
        press(&mut app, KeyCode::Home);
        press(&mut app, KeyCode::Backspace);
        assert_eq!(app.draft.inline_doc.text(), "{\"a\": 1\n}");
        // '?' is text in the editor, not help.
        type_str(&mut app, "?");
        assert!(app.modal.is_none());
        assert_eq!(app.draft.inline_doc.text(), "{?\"a\": 1\n}");
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.focus.pane, PermPane::Groups);
        // ← from Groups wraps to Policies as before; → from Policies opens the editor.
        press(&mut app, KeyCode::Left);
        assert_eq!(app.focus.pane, PermPane::Policies);
        press(&mut app, KeyCode::Right);
        assert_eq!(app.focus.pane, PermPane::Inline);
    }

    #[test]
    fn a_multi_line_paste_goes_into_the_editor_whole() {
        let mut app = editor();
        update(&mut app, Msg::Paste(DOC.replace('\n', "\r\n")));
        assert_eq!(app.draft.inline_doc.text(), DOC);
        assert_eq!(app.draft.inline_doc.lines().len(), 4);
        update(&mut app, Msg::Paste("x".repeat(20_000)));
        assert!(error_text(&app).starts_with("Paste refused."));
        assert_eq!(app.draft.inline_doc.text(), DOC);
        assert!(app.focus.groups.filter.is_empty());
    }

    #[test]
    fn done_moves_on_only_when_the_policy_is_valid() {
        let mut app = editor();
        // Empty: no inline policy, fine.
        press(&mut app, KeyCode::F(2));
        assert_eq!(app.screen, Screen::Boundary);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.focus.pane, PermPane::Inline);

        update(
            &mut app,
            Msg::Paste("{\n  \"Version\": \"2012-10-17\",\n  oops\n}".into()),
        );
        let check = app.inline_check();
        assert_eq!(check.document.as_ref().unwrap_err().line, Some(3));
        ctrl(&mut app, 's');
        assert_eq!(app.screen, Screen::Permissions);
        assert!(
            error_text(&app).contains("Line 3, column 3"),
            "{}",
            error_text(&app)
        );

        app.draft.inline_doc.clear();
        update(&mut app, Msg::Paste(DOC.into()));
        ctrl(&mut app, 's');
        assert_eq!(app.screen, Screen::Permissions, "a document needs a name");
        assert!(error_text(&app).contains("Name the inline policy"));

        name_it(&mut app, "list-buckets");
        ctrl(&mut app, 's');
        assert_eq!(app.screen, Screen::Boundary);
    }

    #[test]
    fn the_spec_carries_the_document_as_typed() {
        let mut app = editor();
        name_it(&mut app, "list-buckets");
        update(&mut app, Msg::Paste(DOC.into()));
        press(&mut app, KeyCode::F(2));
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Review);
        let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
        assert_eq!(
            spec.inline,
            [InlinePolicy {
                name: "list-buckets".into(),
                document: DOC.into(),
            }]
        );
        assert!(spec.policies.is_empty());
    }

    #[test]
    fn review_refuses_an_invalid_policy_and_points_to_permissions() {
        let mut app = editor();
        name_it(&mut app, "p");
        type_str(&mut app, "{");
        // Leave with Enter from another pane: Review itself must refuse.
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Review);
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(cmds.is_empty());
        assert_eq!(app.screen, Screen::Permissions);
        assert!(
            error_text(&app).starts_with("Inline policy: Line 1"),
            "{}",
            error_text(&app)
        );
    }
}
