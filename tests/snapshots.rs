//! Every screen, drawn on an 80x24 `TestBackend` and compared with its snapshot in
//! `tests/snapshots/`. Secrets appear only masked: no snapshot may hold one.

use crate::common;

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

#[test]
fn access_with_the_keys_use_case_and_description() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    for _ in 0..5 {
        press(&mut app, KeyCode::Right); // Application running outside AWS
    }
    press(&mut app, KeyCode::Down);
    type_str(&mut app, "on-prem ETL");
    snap!("access_key_use_and_description", app);
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
    copy_alice(
        &mut app,
        UserPermissions {
            groups: vec!["developers".into()],
            policies: vec!["arn:aws:iam::aws:policy/IAMUserChangePassword".into()],
            inline: vec![InlinePolicy {
                name: "scratch-bucket".into(),
                document: "{}".into(),
            }],
            boundary: None,
        },
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
    // The users are not read yet: Enter waits for carol's own check.
    let cmds = press(&mut app, KeyCode::Enter);
    answer_name_checks(&mut app, &cmds);
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
fn review_asking_where_to_save_the_plan() {
    let mut app = full_review();
    press(&mut app, KeyCode::Char('s'));
    snap!("review_save_plan", app);
}

#[test]
fn review_after_saving_the_plan_with_a_custom_password() {
    let mut app = full_review();
    app.draft.password_mode = iamwiz::flows::users::draft::PasswordMode::Custom;
    app.draft
        .custom_password
        .insert_str("Custom-Pw-1!")
        .unwrap();
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Msg::Effect(iamwiz::app::reveal::Effect::PlanSaved(Ok(
            "./iamwiz-plan.json".into(),
        ))),
    );
    snap!("review_plan_saved", app);
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
        update(
            &mut app,
            Msg::Worker(Event::Step {
                run,
                user: 0,
                index,
                status,
            }),
        );
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
        update(
            &mut app,
            Msg::Worker(Event::Step {
                run,
                user: 0,
                index,
                status,
            }),
        );
    }
    update(
        &mut app,
        Msg::Worker(Event::Finished {
            run,
            result: CreationResult::Failed {
                user: "carol".into(),
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

pub(crate) fn revealed() -> App {
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

/// Started in a git work tree, the CSV is offered outside it, and the screen says why.
#[test]
fn reveal_offering_a_csv_path_outside_a_git_work_tree() {
    let mut app = revealed();
    app.options.csv_avoided_repo = Some("/home/admin/src/infra".into());
    press(&mut app, KeyCode::Char('d'));
    snap!("reveal_csv_prompt_outside_git", app);
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

#[test]
fn access_with_a_strict_policy_and_a_failing_password() {
    let mut app = loaded();
    update(
        &mut app,
        Msg::Worker(Event::PasswordPolicy(Ok(
            iamwiz::protocol::PasswordPolicy {
                min_length: 14,
                require_uppercase: true,
                require_lowercase: true,
                require_digit: true,
                require_symbol: true,
                allow_users_to_change_password: false,
                is_default: false,
            },
        ))),
    );
    to_custom_password(&mut app, "carol");
    type_str(&mut app, "abc");
    snap!("access_strict_policy_failing", app);
}

/// Three names: one checked free, one taken in the account, one being checked.
#[test]
fn details_with_several_users_and_live_checks() {
    let mut app = loaded();
    type_str(&mut app, "kim");
    let mut seqs = Vec::new();
    for _ in 0..2 {
        for cmd in update(&mut app, Msg::Tick) {
            if let iamwiz::app::Command::Worker(Request::CheckName { seq, kind, name }) = cmd {
                seqs.push((seq, kind, name));
            }
        }
    }
    let (seq, kind, name) = seqs.pop().expect("kim is checked");
    update(
        &mut app,
        Msg::Worker(Event::NameCheck {
            seq,
            kind,
            name,
            result: Ok(None),
        }),
    );
    ctrl(&mut app, 'n');
    type_str(&mut app, "Alice");
    ctrl(&mut app, 'n');
    type_str(&mut app, "lee");
    update(&mut app, Msg::Tick);
    update(&mut app, Msg::Tick);
    snap!("details_batch", app);
}

fn batch_review() -> App {
    let mut app = loaded();
    type_str(&mut app, "kim");
    ctrl(&mut app, 'n');
    type_str(&mut app, "lee");
    ctrl(&mut app, 'n');
    type_str(&mut app, "max");
    for _ in 0..5 {
        press(&mut app, KeyCode::Enter);
    }
    app
}

#[test]
fn creating_a_batch() {
    let mut app = batch_review();
    let run = match press(&mut app, KeyCode::Enter).into_iter().next() {
        Some(iamwiz::app::Command::Worker(Request::Create { run, .. })) => run,
        other => panic!("expected Create, got {other:?}"),
    };
    for (user, index, status) in [
        (0, 0, StepStatus::Done),
        (0, 1, StepStatus::Done),
        (1, 0, StepStatus::Done),
        (1, 1, StepStatus::Running),
        (2, 0, StepStatus::Running),
    ] {
        update(
            &mut app,
            Msg::Worker(Event::Step {
                run,
                user,
                index,
                status,
            }),
        );
    }
    snap!("creating_batch", app);
}

/// While IAM throttles the batch: the rate kept to, and the time left before giving up, counted
/// from when Enter was pressed (42 s ago here).
#[test]
fn creating_a_batch_while_iam_throttles() {
    let mut app = batch_review();
    let run = match press(&mut app, KeyCode::Enter).into_iter().next() {
        Some(iamwiz::app::Command::Worker(Request::Create { run, .. })) => run,
        other => panic!("expected Create, got {other:?}"),
    };
    update(
        &mut app,
        Msg::Worker(Event::Step {
            run,
            user: 0,
            index: 0,
            status: StepStatus::Running,
        }),
    );
    update(
        &mut app,
        Msg::Worker(Event::Rate {
            service: "iam",
            status: iamwiz::aws::rate::RateStatus {
                per_second: Some(4.6),
                throttles: 12,
            },
        }),
    );
    for _ in 0..42 * iamwiz::app::TICKS_PER_SECOND {
        update(&mut app, Msg::Tick);
    }
    snap!("creating_batch_throttled", app);
}

#[test]
fn reveal_of_a_batch_shows_one_user_at_a_time() {
    use iamwiz::protocol::{AccessKeyPair, CreatedUser};
    use iamwiz::secret::Secret;
    let mut app = batch_review();
    let run = match press(&mut app, KeyCode::Enter).into_iter().next() {
        Some(iamwiz::app::Command::Worker(Request::Create { run, .. })) => run,
        other => panic!("expected Create, got {other:?}"),
    };
    let user = |name: &str, n: u8| CreatedUser {
        name: name.into(),
        arn: format!("arn:aws:iam::123456789012:user/{name}"),
        access_key: Some(AccessKeyPair {
            id: format!("AKIAEXAMPLE00000000{n}"),
            secret: Secret::new(format!("s3cr3t-EXAMPLE-KEY-{n}")),
        }),
        password: None,
        require_reset: false,
        sign_in_url: "https://123456789012.signin.aws.amazon.com/console".into(),
    };
    update(
        &mut app,
        Msg::Worker(Event::Finished {
            run,
            result: CreationResult::Created(vec![user("kim", 1), user("lee", 2), user("max", 3)]),
        }),
    );
    press(&mut app, KeyCode::Right);
    snap!("reveal_batch", app);
}

/// Rests the highlight until the picker asks for the highlighted policy's document, and answers.
fn answer_preview(app: &mut App, result: Result<iamwiz::protocol::PolicyDocument, AwsError>) {
    let mut asked = None;
    for _ in 0..=iamwiz::flows::users::picker::REST_TICKS {
        for c in update(app, Msg::Tick) {
            if let iamwiz::app::Command::Worker(Request::LoadPolicyDocument { seq, arn }) = c {
                asked = Some((seq, arn));
            }
        }
    }
    let (seq, arn) = asked.expect("the preview was requested");
    update(app, Msg::Worker(Event::PolicyDocument { seq, arn, result }));
}

#[test]
fn permissions_policy_preview() {
    let mut app = to_permissions();
    press(&mut app, KeyCode::Left);
    ctrl(&mut app, 't');
    type_str(&mut app, "rdonly");
    let document = serde_json::to_string_pretty(&serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ReadOnlyEverywhere",
            "Effect": "Allow",
            "Action": ["a4b:Get*", "a4b:List*", "access-analyzer:GetAccessPreview",
                "access-analyzer:ListAnalyzers", "account:GetAccountInformation"],
            "Resource": "*"
        }]
    }))
    .unwrap();
    answer_preview(
        &mut app,
        Ok(iamwiz::protocol::PolicyDocument {
            version: "v124".into(),
            description: "Provides read-only access to AWS services and resources.".into(),
            summary: "Allow 5 actions on *".into(),
            document,
        }),
    );
    snap!("permissions_policy_preview", app);
}

#[test]
fn boundary_preview_denied() {
    let mut app = to_permissions();
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    answer_preview(&mut app, Err(denied("iam:GetPolicy")));
    snap!("boundary_preview_denied", app);
}

fn new_group_form() -> App {
    let mut app = to_permissions();
    ctrl(&mut app, 'g');
    type_str(&mut app, "ci-deployers");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    app
}

#[test]
fn new_group_form_with_two_policies() {
    snap!("new_group_form", new_group_form());
}

#[test]
fn new_group_with_a_taken_name() {
    let mut app = to_permissions();
    ctrl(&mut app, 'g');
    type_str(&mut app, "Admins");
    snap!("new_group_taken_name", app);
}

#[test]
fn new_group_creating_and_failed() {
    let mut app = new_group_form();
    let cmds = press(&mut app, KeyCode::Enter);
    snap!("new_group_creating", app);
    let seq = seq_of(&cmds, |r| match r {
        Request::CreateGroup { seq, .. } => Some(*seq),
        _ => None,
    });
    let mut error = denied("iam:CreateGroup");
    error.message = "User is not authorized to perform: iam:CreateGroup".into();
    update(
        &mut app,
        Msg::Worker(Event::GroupCreated {
            seq,
            result: Err(error),
        }),
    );
    snap!("new_group_failed", app);
}

/// The inline policy editor with a JSON syntax error on line 3: the line is marked and the
/// message names it; the size counts what parses so far.
#[test]
fn inline_policy_with_a_parse_error() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Up);
    type_str(&mut app, "s3-read");
    press(&mut app, KeyCode::Enter);
    update(
        &mut app,
        Msg::Paste(
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \
             \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}\n  ]\n}"
                .into(),
        ),
    );
    snap!("permissions_inline_parse_error", app);
}

/// Review names the typed inline policy with its size, whitespace not counted.
#[test]
fn review_shows_the_typed_inline_policy_and_its_size() {
    let mut app = loaded();
    type_str(&mut app, "carol");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Up);
    type_str(&mut app, "s3-read");
    press(&mut app, KeyCode::Enter);
    let doc = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \
               \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}\n}";
    update(&mut app, Msg::Paste(doc.into()));
    press(&mut app, KeyCode::F(2));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, iamwiz::app::Screen::Review);
    let size = iamwiz::flows::users::inline_policy::policy_size(doc);
    assert_eq!(size, 94, "the minified length");
    let screen = draw(&app);
    assert!(
        screen.contains("Inline policy       s3-read (94 characters)"),
        "{screen}"
    );
}
