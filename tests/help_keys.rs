//! The help bar and the help screen are drawn from each screen's declared keys: every key they
//! name must do something on that screen (change what the admin sees, ask the worker or the
//! terminal for something, or say why it cannot act now). A key declared but not handled, or
//! handled on another screen only, fails here.

use crate::common;

use common::fixtures::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamwiz::app::{App, Msg, PermPane, Screen, update};
use iamwiz::protocol::{Event, Request, UserInfo};

/// The key presses a help label stands for: `↑↓` is two keys, `Tab/⇧Tab` two alternatives, `^N`
/// and `Ctrl-N` the same chord, `1-5` a digit, `type` any letter.
fn presses(label: &str) -> Vec<KeyEvent> {
    let plain = |code| KeyEvent::new(code, KeyModifiers::NONE);
    let mut out = Vec::new();
    for part in label.split('/') {
        let ctrl = part
            .strip_prefix('^')
            .or_else(|| part.strip_prefix("Ctrl-"));
        if let Some(c) = ctrl {
            let c = c.chars().next().expect("a chord names its key");
            match c {
                'S' | 'N' | 'D' | 'G' | 'T' | 'C' | 'R' | 'P' | 'E' | 'K' | 'A' => out.push(
                    KeyEvent::new(KeyCode::Char(c.to_ascii_lowercase()), KeyModifiers::CONTROL),
                ),
                _ => panic!("unknown chord {part}"),
            }
            continue;
        }
        let codes: Vec<KeyCode> = match part {
            "Enter" => vec![KeyCode::Enter],
            "Tab" => vec![KeyCode::Tab],
            "⇧Tab" => vec![KeyCode::BackTab],
            "Esc" => vec![KeyCode::Esc],
            "Space" => vec![KeyCode::Char(' ')],
            "↑↓" => vec![KeyCode::Up, KeyCode::Down],
            "←→" => vec![KeyCode::Left, KeyCode::Right],
            "↓" => vec![KeyCode::Down],
            "PgDn" => vec![KeyCode::PageDown],
            "F1" => vec![KeyCode::F(1)],
            "F2" => vec![KeyCode::F(2)],
            "type" => vec![KeyCode::Char('a')],
            "Shift" => vec![], // a modifier for the preview's keys, not a key of its own
            p if p.len() == 3 && p.as_bytes()[1] == b'-' => {
                vec![KeyCode::Char(p.as_bytes()[0] as char)]
            }
            p if p.chars().count() == 1 => vec![KeyCode::Char(p.chars().next().unwrap())],
            p => panic!("the help names a key this test cannot press: {p:?}"),
        };
        out.extend(codes.into_iter().map(plain));
    }
    out
}

/// Whether pressing `key` on a fresh copy of the state made by `state` did anything.
fn does_something(state: &dyn Fn() -> App, key: KeyEvent) -> bool {
    let mut app = state();
    app.notice = None;
    let before = format!("{app:?}");
    let cmds = update(&mut app, Msg::Key(key));
    !cmds.is_empty() || format!("{app:?}") != before
}

/// Every key of the screen's help (bar and help screen) does something there.
fn check(name: &str, state: &dyn Fn() -> App) {
    let app = state();
    let help = iamwiz::app::help(&app);
    assert!(!help.keys.is_empty(), "{name}: no keys declared");
    for (label, action) in help.all() {
        let keys = presses(label);
        if keys.is_empty() {
            continue;
        }
        assert!(
            keys.iter().any(|k| does_something(state, *k)),
            "{name} ({:?}): the help offers {label} ({action}), but pressing it does nothing",
            app.screen
        );
    }
}

fn on(screen: Screen) -> impl Fn() -> App {
    move || {
        let mut app = loaded();
        type_str(&mut app, "carol");
        while app.screen != screen {
            press(&mut app, KeyCode::Enter);
        }
        app
    }
}

#[test]
fn every_key_the_users_steps_offer_does_something() {
    check("details", &loaded);
    check("tags, with one", &|| {
        let mut app = on(Screen::Tags)();
        ctrl(&mut app, 'n');
        type_str(&mut app, "team");
        app
    });
    for screen in [Screen::Access, Screen::Review] {
        check(&format!("{screen:?}"), &on(screen));
    }
    check("boundary, on a policy", &|| {
        let mut app = on(Screen::Boundary)();
        press(&mut app, KeyCode::Down);
        app
    });
    for (name, downs) in [("key use case", 2), ("key description", 3)] {
        check(name, &move || {
            let mut app = on(Screen::Access)();
            for _ in 0..downs {
                press(&mut app, KeyCode::Down);
            }
            app
        });
    }
    check("custom password", &|| {
        let mut app = loaded();
        to_custom_password(&mut app, "carol");
        app
    });
    for pane in [PermPane::Groups, PermPane::Copy, PermPane::Policies] {
        check(&format!("{pane:?}"), &move || {
            let mut app = on(Screen::Permissions)();
            // Two users to move between on the copy pane.
            let cmds = ctrl(&mut app, 'r');
            answer_loads(&mut app, &cmds);
            let seq = seq_of(&cmds, |r| match r {
                Request::LoadUsers { seq } => Some(*seq),
                _ => None,
            });
            let user = |name: &str| UserInfo {
                name: name.into(),
                path: "/".into(),
            };
            let result = Ok(vec![user("alice"), user("bob")]);
            update(&mut app, Msg::Worker(Event::Users { seq, result }));
            while app.focus.pane != pane {
                press(&mut app, KeyCode::Right);
            }
            app
        });
    }
    for on_name in [true, false] {
        check(&format!("inline, on name {on_name}"), &move || {
            let mut app = on(Screen::Permissions)();
            while app.focus.pane != PermPane::Inline {
                press(&mut app, KeyCode::Tab);
            }
            if app.focus.inline_on_name != on_name {
                press(&mut app, if on_name { KeyCode::Up } else { KeyCode::Down });
            }
            assert_eq!(app.focus.inline_on_name, on_name);
            app
        });
    }
    check("new group form", &|| {
        let mut app = on(Screen::Permissions)();
        ctrl(&mut app, 'g');
        assert!(app.new_group.form.is_some());
        app
    });
    check("save plan prompt", &|| {
        let mut app = on(Screen::Review)();
        press(&mut app, KeyCode::Char('s'));
        assert!(app.save_plan.is_some());
        app
    });
}

#[test]
fn every_key_the_shared_screens_offer_does_something() {
    let revealed = || {
        let mut app = loaded();
        to_review(&mut app);
        create_and_reveal(&mut app);
        app
    };
    check("reveal", &revealed);
    check("done", &|| {
        let mut app = revealed();
        press(&mut app, KeyCode::Enter);
        if app.screen != Screen::Done {
            press(&mut app, KeyCode::Char('y'));
        }
        assert_eq!(app.screen, Screen::Done);
        app
    });
    check("encryption reveal", &enc_revealed);
    check("reveal: encrypt for the owner", &|| {
        let mut app = revealed();
        press(&mut app, KeyCode::Char('e'));
        type_str(&mut app, "owners.txt");
        app
    });
    check("encryption reveal: encrypt for the deploy key", &|| {
        let mut app = enc_revealed();
        press(&mut app, KeyCode::Char('e'));
        app
    });
}

#[test]
fn every_key_the_encryption_steps_offer_does_something() {
    check("purpose", &encryption);
    check("key", &|| {
        let mut app = encryption();
        enc_to_key(&mut app);
        app
    });
    check("account", &|| {
        let mut app = encryption();
        enc_to_key(&mut app);
        new_key_to_account(&mut app);
        app
    });
    check("review", &|| {
        let mut app = encryption();
        enc_to_key(&mut app);
        new_key_to_account(&mut app);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::EncReview);
        app
    });
}

#[test]
fn every_key_the_access_key_screens_offer_does_something() {
    use crate::keys_flow::{alice_keys, opened, with_users};
    check("keys: user list", &|| {
        let (mut app, _) = opened(None);
        with_users(&mut app, &["alice", "bob"]);
        app
    });
    check("keys: key list", &alice_keys);
    check("keys: entered from user details", &|| {
        let mut app = loaded();
        ctrl(&mut app, 'k');
        assert_eq!(app.screen, Screen::KeysUser);
        with_users(&mut app, &["alice", "bob"]);
        app
    });
    check("keys: confirm deactivate", &|| {
        let mut app = alice_keys();
        press(&mut app, KeyCode::Char('d'));
        assert!(app.flows.keys.confirm.is_some());
        app
    });
    check("keys: confirm delete with the ID", &|| {
        let mut app = alice_keys();
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Char('x'));
        assert!(app.flows.keys.confirm.as_ref().unwrap().needs_id);
        app
    });
    check("keys: confirm a rotation", &|| {
        let mut app = alice_keys();
        press(&mut app, KeyCode::Char('r'));
        assert!(app.flows.keys.rotate.as_ref().is_some_and(|p| !p.needs_id));
        app
    });
    check("keys: confirm a rotation with the ID", &|| {
        let mut app = alice_keys();
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Char('r'));
        assert!(app.flows.keys.rotate.as_ref().unwrap().needs_id);
        app
    });
    check("keys: a rotation's new key", &|| {
        let (app, _) = crate::keys_rotation::on_reveal(Some("pipeline"));
        assert_eq!(app.screen, Screen::Reveal);
        app
    });
}

#[test]
fn every_key_the_mfa_screens_offer_does_something() {
    use crate::mfa_flow::{alice_with, enabled_device, enrolling, opened};
    const SPARE: &str = "arn:aws:iam::123456789012:mfa/old/alice";
    check("mfa: user list", &|| {
        let (mut app, _) = opened(None);
        crate::keys_flow::with_users(&mut app, &["alice", "bob"]);
        app
    });
    check("mfa: device list, on an enabled device", &|| {
        alice_with(vec![enabled_device()], Some(SPARE))
    });
    check("mfa: device list, on the spare", &|| {
        let mut app = alice_with(vec![enabled_device()], Some(SPARE));
        press(&mut app, KeyCode::Down);
        app
    });
    check("mfa: confirm deactivate", &|| {
        let mut app = alice_with(vec![enabled_device()], None);
        press(&mut app, KeyCode::Char('d'));
        assert!(app.flows.mfa.confirm.is_some());
        app
    });
    check("mfa: the device being made", &|| {
        let mut app = alice_with(Vec::new(), None);
        press(&mut app, KeyCode::Char('n'));
        assert_eq!(app.screen, Screen::MfaEnrol);
        app
    });
    check("mfa: enrolment", &|| enrolling().0);
    check("mfa: enrolment, second code", &|| {
        let (mut app, _) = enrolling();
        type_str(&mut app, "123456");
        assert_eq!(app.flows.mfa.enrol.as_ref().unwrap().field, 1);
        app
    });
}
