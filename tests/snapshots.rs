//! Every screen, drawn on an 80x24 `TestBackend` and compared with its snapshot in
//! `tests/snapshots/`. Secrets appear only masked: no snapshot may hold one.

mod common;

use common::fixtures::*;
use crossterm::event::KeyCode;
use iamwiz::app::{App, Msg, update};
use iamwiz::protocol::{
    AwsError, CreationResult, Event, InlinePolicy, Leftover, Request, StepKind, StepStatus,
    UserPermissions,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The secrets `created_event` hands out; checked absent from every masked snapshot.
const SECRETS: [&str; 2] = ["s3cr3t-EXAMPLE-KEY", "Pa55word!EXAMPLE"];

fn draw(app: &App) -> String {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
    let screen = terminal.backend().to_string();
    for s in SECRETS {
        assert!(!screen.contains(s), "a secret reached the screen unmasked");
    }
    screen
}

macro_rules! snap {
    ($name:literal, $app:expr) => {
        insta::assert_snapshot!($name, draw(&$app));
    };
}

fn denied(op: &str) -> AwsError {
    AwsError {
        operation: op.into(),
        code: "AccessDenied".into(),
        message: format!("User is not authorized to perform: {op}"),
        hint: iamwiz::aws::hint_for(op, "AccessDenied"),
    }
}

#[test]
fn details_while_connecting() {
    let (app, _) = App::new((80, 24));
    snap!("details_connecting", app);
}

#[test]
fn details_with_a_refused_name() {
    let mut app = loaded();
    type_str(&mut app, "ops ");
    snap!("details_refused_char", app);
}

#[test]
fn access_with_custom_password() {
    let mut app = loaded();
    to_custom_password(&mut app, "carol");
    type_str(&mut app, "abc");
    snap!("access_custom_password", app);
}

fn to_permissions() -> App {
    let mut app = loaded();
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    app
}

#[test]
fn permissions_groups() {
    let mut app = to_permissions();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    snap!("permissions_groups", app);
}

#[test]
fn permissions_copy_from_user() {
    let mut app = to_permissions();
    press(&mut app, KeyCode::Right);
    let cmds = press(&mut app, KeyCode::Char(' '));
    let seq = seq_of(&cmds, |r| match r {
        Request::LoadUserPermissions { seq, .. } => Some(*seq),
        _ => None,
    });
    update(
        &mut app,
        Msg::Worker(Event::UserPermissions {
            seq,
            user: "alice".into(),
            result: Ok(UserPermissions {
                groups: vec!["developers".into()],
                policies: vec!["arn:aws:iam::aws:policy/IAMUserChangePassword".into()],
                inline: vec![InlinePolicy {
                    name: "scratch-bucket".into(),
                    document: "{}".into(),
                }],
                boundary: None,
            }),
        }),
    );
    snap!("permissions_copy", app);
}

#[test]
fn permissions_policies_filtered() {
    let mut app = to_permissions();
    press(&mut app, KeyCode::Left);
    type_str(&mut app, "access");
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    snap!("permissions_policies_filtered", app);
}

#[test]
fn permissions_when_listing_is_denied() {
    let (mut app, cmds) = App::new((80, 24));
    let seq = seq_of(&cmds, |r| match r {
        Request::LoadGroups { seq } => Some(*seq),
        _ => None,
    });
    update(
        &mut app,
        Msg::Worker(Event::Groups {
            seq,
            result: Err(denied("iam:ListGroups")),
        }),
    );
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    snap!("permissions_denied", app);
}

#[test]
fn boundary_chosen() {
    let mut app = to_permissions();
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    snap!("boundary", app);
}

#[test]
fn tags_with_a_duplicate_key() {
    let mut app = to_permissions();
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'n');
    type_str(&mut app, "team");
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "platform");
    ctrl(&mut app, 'n');
    type_str(&mut app, "cost-center");
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "42");
    ctrl(&mut app, 'n');
    type_str(&mut app, "Team");
    snap!("tags_duplicate", app);
}

/// A draft with every option, at Review.
fn full_review() -> App {
    let mut app = loaded();
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "eng/");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'n');
    type_str(&mut app, "team");
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "platform");
    press(&mut app, KeyCode::Enter);
    app
}

#[test]
fn review_with_every_option() {
    snap!("review", full_review());
}

#[test]
fn creating_in_progress() {
    let mut app = full_review();
    let (run, _) = create_spec(press(&mut app, KeyCode::Enter));
    for (index, status) in [
        (0, StepStatus::Done),
        (1, StepStatus::Done),
        (2, StepStatus::Running),
        (3, StepStatus::Running),
    ] {
        update(&mut app, Msg::Worker(Event::Step { run, index, status }));
    }
    snap!("creating_running", app);
}

#[test]
fn creating_failed_and_rolled_back_with_a_leftover() {
    let mut app = full_review();
    let (run, _) = create_spec(press(&mut app, KeyCode::Enter));
    let missing = AwsError {
        operation: "iam:AddUserToGroup".into(),
        code: "NoSuchEntity".into(),
        message: "The group with name developers cannot be found.".into(),
        hint: iamwiz::aws::hint_for("iam:AddUserToGroup", "NoSuchEntity"),
    };
    let conflict = AwsError {
        operation: "iam:DeleteUser".into(),
        code: "DeleteConflict".into(),
        message: "Cannot delete entity, must remove login profile first.".into(),
        hint: String::new(),
    };
    for (index, status) in [
        (0, StepStatus::UndoFailed(conflict)),
        (1, StepStatus::Undone),
        (2, StepStatus::Undone),
        (3, StepStatus::Failed(missing.clone())),
        (4, StepStatus::Undone),
        (5, StepStatus::Undone),
    ] {
        update(&mut app, Msg::Worker(Event::Step { run, index, status }));
    }
    update(
        &mut app,
        Msg::Worker(Event::Finished {
            run,
            result: CreationResult::Failed {
                step: StepKind::AddToGroup("developers".into()),
                error: missing,
                leftovers: vec![Leftover {
                    what: "user carol".into(),
                    command: "aws iam delete-user --user-name carol".into(),
                }],
            },
        }),
    );
    snap!("creating_failed", app);
}

fn revealed() -> App {
    let mut app = full_review();
    create_and_reveal(&mut app);
    app
}

#[test]
fn reveal_masked() {
    snap!("reveal_masked", revealed());
}

#[test]
fn reveal_with_a_copied_secret_counting_down() {
    use iamwiz::app::reveal::{CopiedTo, Effect};
    let mut app = revealed();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('c'));
    update(&mut app, Msg::Effect(Effect::Copied(Ok(CopiedTo::System))));
    for _ in 0..10 {
        update(&mut app, Msg::Tick);
    }
    snap!("reveal_copied", app);
}

#[test]
fn reveal_offering_a_csv_path() {
    let mut app = revealed();
    press(&mut app, KeyCode::Char('d'));
    snap!("reveal_csv_prompt", app);
}

#[test]
fn reveal_asks_before_leaving() {
    let mut app = revealed();
    press(&mut app, KeyCode::Enter);
    snap!("reveal_confirm_leave", app);
}

#[test]
fn reveal_shows_a_secret_only_when_asked() {
    let mut app = revealed();
    press(&mut app, KeyCode::Char('s'));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| iamwiz::ui::view(&app, f)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains(SECRETS[0]), "s shows the secret access key");
    assert!(!screen.contains(SECRETS[1]), "the password stays masked");
}

#[test]
fn done() {
    let mut app = revealed();
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('y'));
    snap!("done", app);
}

#[test]
fn help_on_permissions() {
    let mut app = to_permissions();
    press(&mut app, KeyCode::Char('?'));
    snap!("help_permissions", app);
}

#[test]
fn quit_confirmation() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    ctrl(&mut app, 'c');
    snap!("confirm_quit", app);
}

#[test]
fn terminal_too_small() {
    let mut app = loaded();
    update(&mut app, Msg::Resize(60, 20));
    snap!("too_small", app);
}
