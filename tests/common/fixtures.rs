//! Wizard states for the tests of `update` and of the screens: keys in, worker replies in, no
//! runtime and no terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamwiz::app::{App, Command, Msg, Screen, update};
use iamwiz::protocol::PasswordPolicy;
use iamwiz::protocol::{
    AccessKeyPair, CreatedUser, CreationResult, Event, GroupInfo, Identity, PolicyInfo,
    PolicyScope, Request, UserInfo, UserSpec,
};
use iamwiz::secret::Secret;

pub fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn ctrl(app: &mut App, c: char) -> Vec<Command> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

pub fn type_str(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

pub fn seq_of(cmds: &[Command], pick: fn(&Request) -> Option<u64>) -> u64 {
    cmds.iter()
        .find_map(|c| match c {
            Command::Worker(r) => pick(r),
            _ => None,
        })
        .expect("request not sent")
}

pub fn group(name: &str, policies: &[&str]) -> GroupInfo {
    GroupInfo {
        name: name.to_string(),
        policies: policies.iter().map(|p| p.to_string()).collect(),
    }
}

pub fn policy(name: &str, scope: PolicyScope) -> PolicyInfo {
    let arn = match scope {
        PolicyScope::Aws => format!("arn:aws:iam::aws:policy/{name}"),
        PolicyScope::Customer => format!("arn:aws:iam::123456789012:policy/{name}"),
    };
    PolicyInfo {
        name: name.to_string(),
        arn,
        scope,
        description: String::new(),
        path: "/".to_string(),
    }
}

/// A wizard whose lists have all arrived.
pub fn loaded() -> App {
    let (mut app, cmds) = App::new((80, 24));
    let groups = seq_of(&cmds, |r| match r {
        Request::LoadGroups { seq } => Some(*seq),
        _ => None,
    });
    let users = seq_of(&cmds, |r| match r {
        Request::LoadUsers { seq } => Some(*seq),
        _ => None,
    });
    let policies = seq_of(&cmds, |r| match r {
        Request::LoadPolicies { seq } => Some(*seq),
        _ => None,
    });
    let events = [
        Event::Identity(Ok(Identity {
            account: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:user/admin".into(),
            region: "us-east-1".into(),
        })),
        Event::Groups {
            seq: groups,
            result: Ok(vec![
                group("admins", &["AdministratorAccess"]),
                group("developers", &["ReadOnlyAccess"]),
            ]),
        },
        Event::Users {
            seq: users,
            result: Ok(vec![UserInfo {
                name: "alice".into(),
                path: "/".into(),
            }]),
        },
        Event::Policies {
            seq: policies,
            result: Ok(vec![
                policy("AdministratorAccess", PolicyScope::Aws),
                policy("DeployPipeline", PolicyScope::Customer),
                policy("PowerUserAccess", PolicyScope::Aws),
                policy("ReadOnlyAccess", PolicyScope::Aws),
            ]),
        },
        // The account sets no password policy: the AWS default applies.
        Event::PasswordPolicy(Ok(PasswordPolicy::aws_default())),
    ];
    for e in events {
        update(&mut app, Msg::Worker(e));
    }
    app
}

pub fn created_event(run: u64) -> Event {
    Event::Finished {
        run,
        result: CreationResult::Created(vec![CreatedUser {
            name: "carol".into(),
            arn: "arn:aws:iam::123456789012:user/carol".into(),
            access_key: Some(AccessKeyPair {
                id: "AKIAEXAMPLE000000001".into(),
                secret: Secret::new("s3cr3t-EXAMPLE-KEY".into()),
            }),
            password: Some(Secret::new("Pa55word!EXAMPLE".into())),
            require_reset: true,
            sign_in_url: "https://123456789012.signin.aws.amazon.com/console".into(),
        }]),
    }
}

/// Walks a valid draft for `carol` to Review.
pub fn to_review(app: &mut App) {
    type_str(app, "carol");
    press(app, KeyCode::Enter);
    press(app, KeyCode::Enter);
    press(app, KeyCode::Enter);
    press(app, KeyCode::Enter);
    press(app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Review);
}

pub fn create_spec(cmds: Vec<Command>) -> (u64, UserSpec) {
    cmds.into_iter()
        .find_map(|c| match c {
            Command::Worker(Request::Create { run, mut specs }) => Some((run, specs.remove(0))),
            _ => None,
        })
        .expect("no Create request")
}

/// From a fresh wizard: names the user and puts the focus on the custom password field, with a
/// console password chosen.
pub fn to_custom_password(app: &mut App, name: &str) {
    type_str(app, name);
    press(app, KeyCode::Enter);
    press(app, KeyCode::Down);
    press(app, KeyCode::Char(' '));
    press(app, KeyCode::Down);
    press(app, KeyCode::Down);
}

/// From Review: creates, and answers as the worker would with [`created_event`].
pub fn create_and_reveal(app: &mut App) {
    let (run, _) = create_spec(press(app, KeyCode::Enter));
    update(app, Msg::Worker(created_event(run)));
    assert_eq!(app.screen, Screen::Reveal);
}
