//! The reveal's state and keys: who has the secrets, the discard on a signal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::*;
use crate::app::{Creation, Msg, Screen, update};
use crate::protocol::{
    AccessKeyPair, CreationResult, DiscardedUser, Event, Request, StepKind, StepStatus,
};

const SECRET: &str = "s3cr3t-EXAMPLE-KEY";
const PASSWORD: &str = "Pa55word!EXAMPLE";

fn carol(key: bool, password: bool) -> CreatedUser {
    CreatedUser {
        name: "carol".into(),
        arn: "arn:aws:iam::123456789012:user/carol".into(),
        access_key: key.then(|| AccessKeyPair {
            id: "AKIAEXAMPLE000000001".into(),
            secret: Secret::new(SECRET.into()),
        }),
        password: password.then(|| Secret::new(PASSWORD.into())),
        require_reset: true,
        sign_in_url: "https://123456789012.signin.aws.amazon.com/console".into(),
    }
}

/// A wizard on the credentials screen for carol (access key and password).
fn revealed() -> App {
    let (mut app, _) = App::new((80, 24));
    app.reveal = Some(Reveal::new(vec![carol(true, true)], PathBuf::from(".")));
    app.screen = Screen::Reveal;
    app
}

/// A wizard creating carol in run 7.
fn creating() -> App {
    let (mut app, _) = App::new((80, 24));
    app.creation = Some(Creation {
        run: 7,
        started: 0,
        groups: vec!["carol".into()],
        steps: vec![vec![
            (StepKind::CreateUser, StepStatus::Done),
            (StepKind::CreateAccessKey, StepStatus::Running),
        ]],
        failure: None,
        grouped: false,
        verify: None,
    });
    app.screen = Screen::Creating;
    app
}

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn exposed(app: &App) -> Option<Exposure> {
    app.reveal.as_ref().and_then(|r| r.exposed)
}

fn discard_request(cmds: &[Command]) -> Option<(u64, Vec<String>)> {
    match cmds {
        [
            Command::Worker(Request::Discard {
                run,
                users,
                key: None,
                access_key: None,
            }),
        ] => Some((*run, users.clone())),
        [] => None,
        other => panic!("unexpected commands {other:?}"),
    }
}

#[test]
fn nobody_has_secrets_until_one_is_shown_copied_or_saved() {
    let app = revealed();
    let r = app.reveal.as_ref().unwrap();
    assert!(r.nobody_has_secrets());
    for how in [
        Exposure::Shown,
        Exposure::Copied,
        Exposure::Saved,
        Exposure::Typed,
    ] {
        let mut r = Reveal::new(vec![carol(true, true)], PathBuf::from("."));
        r.expose(how);
        assert!(!r.nobody_has_secrets(), "{how:?}");
    }
    let plain = Reveal::new(vec![carol(false, false)], PathBuf::from("."));
    assert!(
        !plain.nobody_has_secrets(),
        "a user without a key or password has no secret to lose"
    );
}

#[test]
fn showing_a_secret_exposes_it_and_hiding_it_again_does_not_undo_that() {
    for key in [KeyCode::Char('s'), KeyCode::Char('p')] {
        let mut app = revealed();
        press(&mut app, key);
        assert_eq!(exposed(&app), Some(Exposure::Shown), "{key:?}");
        press(&mut app, key);
        assert_eq!(exposed(&app), Some(Exposure::Shown), "{key:?} hid it again");
    }
    let mut app = revealed();
    app.reveal.as_mut().unwrap().focus = Row::SecretKey;
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(exposed(&app), Some(Exposure::Shown), "space on the secret");
}

#[test]
fn copying_a_secret_exposes_it_but_copying_what_is_not_secret_does_not() {
    let mut app = revealed();
    for row in [Row::UserName, Row::AccessKeyId, Row::SignInUrl] {
        app.reveal.as_mut().unwrap().focus = row;
        press(&mut app, KeyCode::Char('c'));
    }
    press(&mut app, KeyCode::Char('m'));
    assert_eq!(exposed(&app), None, "nothing secret was copied");
    app.reveal.as_mut().unwrap().focus = Row::Password;
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(exposed(&app), Some(Exposure::Copied));
}

#[test]
fn saving_exposes_the_secrets() {
    let mut app = revealed();
    press(&mut app, KeyCode::Char('d'));
    assert_eq!(exposed(&app), None, "only asked where");
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(matches!(cmds.as_slice(), [Command::SaveCsv { .. }]));
    assert_eq!(exposed(&app), Some(Exposure::Saved));

    let mut app = revealed();
    press(&mut app, KeyCode::Char('a'));
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(matches!(cmds.as_slice(), [Command::SaveProfile { .. }]));
    assert_eq!(exposed(&app), Some(Exposure::Saved));
}

#[test]
fn a_signal_discards_a_batch_whose_secrets_nobody_has() {
    let mut app = revealed();
    let (run, users) = discard_request(&update(&mut app, Msg::Signal)).expect("a discard");
    assert_eq!(users, ["carol"]);
    assert!(app.reveal.is_none(), "the secrets are dropped");
    assert!(app.finishing(), "the discard must finish before exit");
    // Asked once.
    assert!(discard_request(&update(&mut app, Msg::Signal)).is_none());
    update(
        &mut app,
        Msg::Worker(Event::Discarded {
            run: run + 1,
            users: Vec::new(),
            key: None,
        }),
    );
    assert!(app.finishing(), "a reply to another run does not count");
    update(
        &mut app,
        Msg::Worker(Event::Discarded {
            run,
            users: vec![DiscardedUser {
                user: "carol".into(),
                deleted: vec!["user carol".into()],
                leftovers: Vec::new(),
            }],
            key: None,
        }),
    );
    assert!(!app.finishing());
}

#[test]
fn a_signal_keeps_a_batch_whose_secret_was_shown() {
    let mut app = revealed();
    press(&mut app, KeyCode::Char('s'));
    assert!(discard_request(&update(&mut app, Msg::Signal)).is_none());
    assert!(!app.finishing());
    assert!(app.reveal.is_some());
}

#[test]
fn without_a_signal_nothing_is_discarded() {
    let mut app = creating();
    let cmds = update(
        &mut app,
        Msg::Worker(Event::Finished {
            run: 7,
            result: CreationResult::Created(vec![carol(true, false)]),
        }),
    );
    assert!(discard_request(&cmds).is_none());
    assert_eq!(app.screen, Screen::Reveal);
}

#[test]
fn a_creation_that_finishes_after_the_signal_is_discarded() {
    let mut app = creating();
    assert!(discard_request(&update(&mut app, Msg::Signal)).is_none());
    assert!(app.finishing(), "the creation is still running");
    let cmds = update(
        &mut app,
        Msg::Worker(Event::Finished {
            run: 7,
            result: CreationResult::Created(vec![carol(true, false)]),
        }),
    );
    let (_, users) = discard_request(&cmds).expect("a discard");
    assert_eq!(users, ["carol"]);
    assert!(app.reveal.is_none());
    assert!(app.finishing());
}

#[test]
fn a_typed_password_is_one_the_admin_has() {
    let mut app = creating();
    app.draft.console_password = true;
    app.draft.password_mode = crate::flows::users::draft::PasswordMode::Custom;
    update(&mut app, Msg::Signal);
    let cmds = update(
        &mut app,
        Msg::Worker(Event::Finished {
            run: 7,
            result: CreationResult::Created(vec![carol(true, true)]),
        }),
    );
    assert!(discard_request(&cmds).is_none());
    assert_eq!(exposed(&app), Some(Exposure::Typed));
    assert!(!app.finishing());
}
