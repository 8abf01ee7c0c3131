//! The access-key flow (`iamwiz keys [USER]`): through `update` (keys and worker replies in,
//! state and requests out), its screens on an 80x24 `TestBackend` against their snapshots, and
//! its worker requests against moto, read back through the SDK.

use crate::common;

use common::fixtures::*;
use crossterm::event::KeyCode;
use iamwiz::app::{App, Command, Msg, NoticeKind, Options, Screen, update};
use iamwiz::flows::Flow;
use iamwiz::model::keys::{AccessKeyInfo, LastUse};
use iamwiz::protocol::{AwsError, Event, KeyChange, Request, UserInfo};

pub(crate) const DAY: i64 = 86_400;
/// When the keys were read, in the tests: 2026-06-01T00:00:00Z.
pub(crate) const NOW: i64 = 1_780_272_000;

/// The keys flow opened as `iamwiz keys [USER]`, its lists answered, and what opening it asked.
pub(crate) fn opened(user: Option<&str>) -> (App, Vec<Command>) {
    let options = Options {
        flow: Flow::Keys,
        user: user.map(str::to_string),
        ..Options::default()
    };
    let (mut app, cmds) = App::with_options((80, 24), options);
    answer_loads(&mut app, &cmds);
    (app, cmds)
}

/// The account's users, as a reload answers.
pub(crate) fn with_users(app: &mut App, names: &[&str]) {
    let cmds = ctrl(app, 'r');
    let seq = seq_of(&cmds, |r| match r {
        Request::LoadUsers { seq } => Some(*seq),
        _ => None,
    });
    let users = names
        .iter()
        .map(|n| UserInfo {
            name: n.to_string(),
            path: "/".into(),
        })
        .collect();
    update(
        app,
        Msg::Worker(Event::Users {
            seq,
            result: Ok(users),
        }),
    );
}

/// An old key never used, and a recent one used yesterday with a description.
pub(crate) fn two_keys(user: &str) -> Vec<AccessKeyInfo> {
    vec![
        AccessKeyInfo {
            user: user.into(),
            id: "AKIAOLDOLDOLDOLD0001".into(),
            status: "Active".into(),
            created: Some(NOW - 120 * DAY),
            last_used: None,
            description: None,
        },
        AccessKeyInfo {
            user: user.into(),
            id: "AKIANEWNEWNEWNEW0002".into(),
            status: "Active".into(),
            created: Some(NOW - 10 * DAY),
            last_used: Some(LastUse {
                date: NOW - DAY,
                service: Some("s3".into()),
                region: Some("eu-west-1".into()),
            }),
            description: Some("deploy pipeline".into()),
        },
    ]
}

pub(crate) fn load_request(cmds: &[Command]) -> (u64, String) {
    cmds.iter()
        .find_map(|c| match c {
            Command::Worker(Request::LoadAccessKeys { seq, user }) => Some((*seq, user.clone())),
            _ => None,
        })
        .expect("the keys were asked for")
}

pub(crate) fn change_request(cmds: &[Command]) -> Option<(u64, String, KeyChange)> {
    cmds.iter().find_map(|c| match c {
        Command::Worker(Request::ChangeAccessKey {
            seq, id, change, ..
        }) => Some((*seq, id.clone(), *change)),
        _ => None,
    })
}

pub(crate) fn answer_keys(app: &mut App, cmds: &[Command], keys: Vec<AccessKeyInfo>) {
    let (seq, user) = load_request(cmds);
    update(
        app,
        Msg::Worker(Event::AccessKeys {
            seq,
            user,
            now: NOW,
            result: Ok(keys),
        }),
    );
}

/// `iamwiz keys alice` with alice's two keys on show.
pub(crate) fn alice_keys() -> App {
    let (mut app, cmds) = opened(Some("alice"));
    answer_keys(&mut app, &cmds, two_keys("alice"));
    app
}

pub(crate) fn notice(app: &App, kind: NoticeKind) -> String {
    match &app.notice {
        Some(n) if n.kind == kind => n.text.clone(),
        other => panic!("expected a {kind:?} notice, got {other:?}"),
    }
}

// ---- the command line ----------------------------------------------------------------------

#[test]
fn keys_with_or_without_a_user_opens_the_flow_and_list_and_rotate_stay_scripts() {
    use clap::Parser;
    use iamwiz::cli::{Cli, KeysCommand, Mode};
    let options = |args: &[&str]| Cli::try_parse_from(args).unwrap().options(".".into());
    let o = options(&["iamwiz", "keys"]);
    assert_eq!((o.flow, o.user), (Flow::Keys, None));
    let o = options(&["iamwiz", "keys", "alice"]);
    assert_eq!((o.flow, o.user.as_deref()), (Flow::Keys, Some("alice")));
    let cli = Cli::try_parse_from(["iamwiz", "keys", "list", "alice"]).unwrap();
    assert!(matches!(
        cli.command,
        Some(Mode::Keys(iamwiz::cli::KeysArgs {
            command: Some(KeysCommand::List(_)),
            user: None,
        }))
    ));
}

// ---- the user list --------------------------------------------------------------------------

#[test]
fn keys_without_a_user_opens_on_the_user_list_and_asks_nothing_yet() {
    let (app, cmds) = opened(None);
    assert_eq!((app.flow, app.screen), (Flow::Keys, Screen::KeysUser));
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Worker(Request::LoadAccessKeys { .. }))),
        "no user is chosen yet"
    );
}

#[test]
fn ctrl_k_on_user_details_opens_the_user_list_and_esc_goes_back_with_the_draft_kept() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    ctrl(&mut app, 'k');
    assert_eq!((app.flow, app.screen), (Flow::Keys, Screen::KeysUser));
    // A filter typed is cleared first; then Esc goes back.
    type_str(&mut app, "bo");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::KeysUser);
    press(&mut app, KeyCode::Esc);
    assert_eq!((app.flow, app.screen), (Flow::Users, Screen::Details));
    assert_eq!(app.draft.names[0].value(), "carol");
}

#[test]
fn typing_filters_the_users_fuzzily_and_enter_shows_the_one_under_the_cursor() {
    let (mut app, _) = opened(None);
    with_users(&mut app, &["alice", "bob", "carol-admin", "deploy-bot"]);
    type_str(&mut app, "dpb");
    assert_eq!(
        iamwiz::flows::user_pick::filtered(&app, app.flows.keys.pick.filter.value()),
        vec!["deploy-bot"]
    );
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::KeysList);
    assert_eq!(load_request(&cmds).1, "deploy-bot");
}

#[test]
fn enter_with_no_match_says_so_and_esc_clears_the_filter() {
    let (mut app, _) = opened(None);
    type_str(&mut app, "zzz");
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(cmds.is_empty());
    assert!(notice(&app, NoticeKind::Error).contains("No user matches"));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.flows.keys.pick.filter.value(), "");
    assert_eq!(
        iamwiz::flows::user_pick::filtered(&app, app.flows.keys.pick.filter.value()),
        vec!["alice"]
    );
}

#[test]
fn a_user_list_that_failed_says_why_and_what_to_do() {
    let (mut app, _) = opened(None);
    let cmds = ctrl(&mut app, 'r');
    let seq = seq_of(&cmds, |r| match r {
        Request::LoadUsers { seq } => Some(*seq),
        _ => None,
    });
    let denied = AwsError {
        operation: "iam:ListUsers".into(),
        code: "AccessDenied".into(),
        message: "not allowed".into(),
        hint: "Ask for iam:ListUsers.".into(),
    };
    update(
        &mut app,
        Msg::Worker(Event::Users {
            seq,
            result: Err(denied),
        }),
    );
    press(&mut app, KeyCode::Enter);
    let text = notice(&app, NoticeKind::Error);
    assert!(
        text.contains("iam:ListUsers failed: AccessDenied"),
        "{text}"
    );
    assert!(text.contains("Ask for iam:ListUsers."), "{text}");
}

// ---- the key list ---------------------------------------------------------------------------

#[test]
fn keys_user_opens_on_that_users_keys() {
    let (app, cmds) = opened(Some("alice"));
    assert_eq!(app.screen, Screen::KeysList);
    assert_eq!(load_request(&cmds).1, "alice");
}

#[test]
fn a_stale_answer_is_dropped() {
    let (mut app, first) = opened(Some("alice"));
    let again = ctrl(&mut app, 'r');
    answer_keys(&mut app, &first, two_keys("alice"));
    assert!(
        app.flows.keys.list().is_empty(),
        "the first answer is stale"
    );
    answer_keys(&mut app, &again, two_keys("alice"));
    assert_eq!(app.flows.keys.list().len(), 2);
}

#[test]
fn the_keys_on_show_stay_usable_while_they_are_read_again() {
    let mut app = alice_keys();
    ctrl(&mut app, 'r');
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('x'));
    let c = app.flows.keys.confirm.as_ref().expect("a confirmation");
    assert_eq!(c.id, "AKIANEWNEWNEWNEW0002");
}

#[test]
fn esc_goes_back_to_the_user_list() {
    let mut app = alice_keys();
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::KeysUser);
}

#[test]
fn activating_an_active_key_says_so_and_asks_nothing() {
    let mut app = alice_keys();
    let cmds = press(&mut app, KeyCode::Char('a'));
    assert!(cmds.is_empty());
    assert!(app.flows.keys.confirm.is_none());
    assert!(notice(&app, NoticeKind::Info).contains("already active"));
}

#[test]
fn deactivating_asks_first_and_n_changes_nothing() {
    let mut app = alice_keys();
    assert!(press(&mut app, KeyCode::Char('d')).is_empty());
    assert!(app.flows.keys.confirm.is_some());
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert!(app.flows.keys.confirm.is_none());
}

#[test]
fn deactivating_confirmed_sends_update_access_key_for_the_key_under_the_cursor() {
    let mut app = alice_keys();
    press(&mut app, KeyCode::Char('d'));
    let cmds = press(&mut app, KeyCode::Char('y'));
    let (_, id, change) = change_request(&cmds).expect("the change was sent");
    assert_eq!(
        (id.as_str(), change),
        ("AKIAOLDOLDOLDOLD0001", KeyChange::Deactivate)
    );
}

#[test]
fn deleting_a_key_used_this_week_needs_its_id_typed() {
    let mut app = alice_keys();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('x'));
    assert!(app.flows.keys.confirm.as_ref().unwrap().needs_id);
    // y is not enough, nor Enter with a wrong ID.
    press(&mut app, KeyCode::Char('y'));
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(change_request(&cmds).is_none());
    assert!(notice(&app, NoticeKind::Error).contains("Type the key ID AKIANEWNEWNEWNEW0002"));
    // Clear what was typed, then the ID in full.
    for _ in 0..3 {
        press(&mut app, KeyCode::Backspace);
    }
    type_str(&mut app, "AKIANEWNEWNEWNEW0002");
    let cmds = press(&mut app, KeyCode::Enter);
    let (_, id, change) = change_request(&cmds).expect("the delete was sent");
    assert_eq!(
        (id.as_str(), change),
        ("AKIANEWNEWNEWNEW0002", KeyChange::Delete)
    );
}

#[test]
fn a_pasted_key_id_confirms_the_delete_and_a_pasted_space_is_refused() {
    let mut app = alice_keys();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('x'));
    update(&mut app, Msg::Paste("AKIANEW NEW".into()));
    assert!(notice(&app, NoticeKind::Error).contains("an access key ID"));
    assert_eq!(app.flows.keys.confirm.as_ref().unwrap().typed.value(), "");
    update(&mut app, Msg::Paste("AKIANEWNEWNEWNEW0002".into()));
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(change_request(&cmds).unwrap().2, KeyChange::Delete);
}

#[test]
fn esc_closes_the_confirmation_without_a_change() {
    let mut app = alice_keys();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('x'));
    type_str(&mut app, "AKIA");
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(app.flows.keys.confirm.is_none());
    assert_eq!(app.screen, Screen::KeysList);
}

#[test]
fn deleting_a_key_never_used_takes_a_plain_yes() {
    let mut app = alice_keys();
    press(&mut app, KeyCode::Char('x'));
    assert!(!app.flows.keys.confirm.as_ref().unwrap().needs_id);
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(change_request(&cmds).unwrap().2, KeyChange::Delete);
}

#[test]
fn a_change_done_is_said_and_the_keys_are_read_again() {
    let mut app = alice_keys();
    press(&mut app, KeyCode::Char('d'));
    let cmds = press(&mut app, KeyCode::Enter);
    let (seq, id, change) = change_request(&cmds).unwrap();
    let cmds = update(
        &mut app,
        Msg::Worker(Event::AccessKeyChanged {
            seq,
            user: "alice".into(),
            id,
            change,
            result: Ok(()),
        }),
    );
    assert_eq!(
        notice(&app, NoticeKind::Info),
        "AKIAOLDOLDOLDOLD0001 deactivated."
    );
    assert_eq!(load_request(&cmds).1, "alice");
}

#[test]
fn a_change_refused_names_the_operation_the_code_and_what_to_do() {
    let mut app = alice_keys();
    press(&mut app, KeyCode::Char('x'));
    let cmds = press(&mut app, KeyCode::Enter);
    let (seq, id, change) = change_request(&cmds).unwrap();
    // A second change waits for the first.
    press(&mut app, KeyCode::Char('d'));
    assert!(app.flows.keys.confirm.is_none());
    update(
        &mut app,
        Msg::Worker(Event::AccessKeyChanged {
            seq,
            user: "alice".into(),
            id,
            change,
            result: Err(AwsError {
                operation: "iam:DeleteAccessKey".into(),
                code: "AccessDenied".into(),
                message: String::new(),
                hint: "Ask for iam:DeleteAccessKey on the user.".into(),
            }),
        }),
    );
    let text = notice(&app, NoticeKind::Error);
    assert!(
        text.contains("Could not delete AKIAOLDOLDOLDOLD0001"),
        "{text}"
    );
    assert!(
        text.contains("iam:DeleteAccessKey failed: AccessDenied"),
        "{text}"
    );
    assert!(text.contains("Ask for iam:DeleteAccessKey"), "{text}");
    assert!(app.flows.keys.pending.is_none());
}

// ---- screens --------------------------------------------------------------------------------

mod screens {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn draw(app: &App) -> String {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
        terminal.backend().to_string()
    }

    #[test]
    fn the_user_list() {
        let (mut app, _) = opened(None);
        with_users(&mut app, &["alice", "bob", "carol-admin"]);
        type_str(&mut app, "a");
        insta::assert_snapshot!("keys_flow_users", draw(&app));
    }

    #[test]
    fn the_keys_with_their_marks() {
        let app = alice_keys();
        let screen = draw(&app);
        assert!(screen.contains("older than 90 days"), "{screen}");
        assert!(screen.contains("never used"), "{screen}");
        assert!(
            screen.contains("last used 2026-05-31 · s3 · eu-west-1"),
            "{screen}"
        );
        insta::assert_snapshot!("keys_flow_list", screen);
    }

    #[test]
    fn the_confirmation_of_a_delete_that_needs_the_id() {
        let mut app = alice_keys();
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Char('x'));
        type_str(&mut app, "AKIANEW");
        insta::assert_snapshot!("keys_flow_confirm_delete", draw(&app));
    }

    #[test]
    fn the_confirmation_of_a_deactivation() {
        let mut app = alice_keys();
        press(&mut app, KeyCode::Char('d'));
        insta::assert_snapshot!("keys_flow_confirm_deactivate", draw(&app));
    }
}

// ---- the worker, against moto ---------------------------------------------------------------

mod worker {
    use super::*;
    use common::iam_keys::key_states;
    use common::worker::ask;
    use common::{admin, settings, unique};

    async fn user_with_keys(n: usize) -> (String, Vec<String>) {
        let iam = admin().await.iam;
        let user = unique("kflow");
        iam.create_user().user_name(&user).send().await.unwrap();
        let mut ids = Vec::new();
        for _ in 0..n {
            let k = iam
                .create_access_key()
                .user_name(&user)
                .send()
                .await
                .unwrap();
            ids.push(k.access_key.unwrap().access_key_id);
        }
        (user, ids)
    }

    async fn change(user: &str, id: &str, change: KeyChange) -> Result<(), AwsError> {
        let events = ask(
            settings(),
            vec![Request::ChangeAccessKey {
                seq: 1,
                user: user.into(),
                id: id.into(),
                change,
            }],
        )
        .await;
        match events.into_iter().next() {
            Some(Event::AccessKeyChanged { result, .. }) => result,
            other => panic!("expected AccessKeyChanged, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_keys_come_back_with_their_status_and_description() {
        let (user, ids) = user_with_keys(1).await;
        let tag = aws_sdk_iam::types::Tag::builder()
            .key(&ids[0])
            .value("laptop")
            .build()
            .unwrap();
        admin()
            .await
            .iam
            .tag_user()
            .user_name(&user)
            .tags(tag)
            .send()
            .await
            .unwrap();
        let events = ask(
            settings(),
            vec![Request::LoadAccessKeys {
                seq: 7,
                user: user.clone(),
            }],
        )
        .await;
        let Some(Event::AccessKeys {
            seq, now, result, ..
        }) = events.into_iter().next()
        else {
            panic!("expected AccessKeys");
        };
        let keys = result.expect("the keys were read");
        assert_eq!(seq, 7);
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].id, ids[0]);
        assert_eq!(keys[0].status, "Active");
        assert_eq!(keys[0].description.as_deref(), Some("laptop"));
        assert!(keys[0].never_used());
        assert_eq!(keys[0].age_days(now), Some(0));
    }

    #[tokio::test]
    async fn deactivate_then_activate_read_back_from_iam() {
        let (user, ids) = user_with_keys(1).await;
        change(&user, &ids[0], KeyChange::Deactivate).await.unwrap();
        assert_eq!(
            key_states(&user).await,
            vec![(ids[0].clone(), "Inactive".into())]
        );
        change(&user, &ids[0], KeyChange::Activate).await.unwrap();
        assert_eq!(
            key_states(&user).await,
            vec![(ids[0].clone(), "Active".into())]
        );
    }

    #[tokio::test]
    async fn delete_removes_the_key_and_its_description_and_leaves_the_other() {
        let (user, ids) = user_with_keys(2).await;
        let iam = admin().await.iam;
        let tag = |k: &str| {
            aws_sdk_iam::types::Tag::builder()
                .key(k)
                .value("old")
                .build()
                .unwrap()
        };
        iam.tag_user()
            .user_name(&user)
            .tags(tag(&ids[0]))
            .tags(tag(&ids[1]))
            .send()
            .await
            .unwrap();
        change(&user, &ids[0], KeyChange::Delete).await.unwrap();
        assert_eq!(
            key_states(&user).await,
            vec![(ids[1].clone(), "Active".into())]
        );
        let tags: Vec<String> = iam
            .list_user_tags()
            .user_name(&user)
            .send()
            .await
            .unwrap()
            .tags
            .into_iter()
            .map(|t| t.key)
            .collect();
        assert_eq!(tags, vec![ids[1].clone()]);
    }

    #[tokio::test]
    async fn a_key_that_is_not_there_fails_with_the_operation_and_code() {
        let (user, _) = user_with_keys(0).await;
        let e = change(&user, "AKIADOESNOTEXIST0000", KeyChange::Deactivate)
            .await
            .unwrap_err();
        assert_eq!(e.operation, "iam:UpdateAccessKey");
        assert_eq!(e.code, "NoSuchEntity");
        assert!(!e.hint.is_empty());
    }
}
