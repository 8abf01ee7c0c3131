//! The MongoDB encryption flow's screens, drawn on an 80x24 `TestBackend` and compared with
//! their snapshots in `tests/snapshots/`. The secret appears only masked.

use crate::common;

use common::fixtures::*;
use crossterm::event::KeyCode;
use iamwiz::app::{App, Command, Msg, Screen, update};
use iamwiz::flows::encryption::Item;
use iamwiz::protocol::{
    AwsError, EncryptionResult, Event, Leftover, NameKind, Request, StepKind, StepStatus,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The secret `encryption_created_user` hands out.
const SECRET: &str = "s3cr3t-EXAMPLE-KEY";

fn draw(app: &App) -> String {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(
        !screen.contains(SECRET),
        "a secret reached the screen unmasked"
    );
    screen
}

macro_rules! snap {
    ($name:literal, $app:expr) => {
        insta::assert_snapshot!($name, draw(&$app));
    };
}

fn to_account_new_key() -> App {
    let mut app = encryption();
    enc_to_key(&mut app);
    new_key_to_account(&mut app);
    app
}

#[test]
fn details_offers_the_encryption_flow() {
    let app = loaded();
    let screen = draw(&app);
    assert!(
        screen.contains("MongoDB encryption? Ctrl-E sets up a KMS key and a service account"),
        "{screen}"
    );
}

#[test]
fn purpose() {
    let mut app = encryption();
    focus(&mut app, Item::AppName);
    type_str(&mut app, "orders");
    snap!("enc_purpose", app);
}

#[test]
fn purpose_with_a_bad_region() {
    let mut app = encryption();
    focus(&mut app, Item::Region);
    ctrl(&mut app, 'u');
    type_str(&mut app, "useast1");
    snap!("enc_purpose_bad_region", app);
}

#[test]
fn key_list_with_a_refused_key_under_the_cursor() {
    let mut app = encryption();
    enc_to_key(&mut app);
    focus(&mut app, Item::KeyList);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    snap!("enc_key_existing", app);
}

#[test]
fn key_new_form() {
    let mut app = encryption();
    enc_to_key(&mut app);
    focus(&mut app, Item::KeyMode);
    press(&mut app, KeyCode::Right);
    ctrl(&mut app, 'n');
    type_str(&mut app, "team");
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "payments");
    snap!("enc_key_new", app);
}

#[test]
fn account_user() {
    let app = to_account_new_key();
    snap!("enc_account_user", app);
}

#[test]
fn account_role_trusted_by_an_account() {
    let mut app = to_account_new_key();
    press(&mut app, KeyCode::Right);
    focus(&mut app, Item::Principal);
    press(&mut app, KeyCode::Left);
    focus(&mut app, Item::PrincipalArn);
    type_str(&mut app, "arn:aws:iam::123456789012:role/app");
    snap!("enc_account_role", app);
}

/// Account with a role trusted by EC2 whose name checks were answered with `existing` (for the
/// role, then for its instance profile).
fn role_checked(existing: [Option<&str>; 2]) -> App {
    let mut app = to_account_new_key();
    press(&mut app, KeyCode::Right);
    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.extend(update(&mut app, Msg::Tick));
    }
    let checks: Vec<(u64, NameKind, String)> = sent
        .into_iter()
        .filter_map(|c| match c {
            Command::Worker(Request::CheckName { seq, kind, name }) => Some((seq, kind, name)),
            _ => None,
        })
        .collect();
    assert_eq!(
        checks.iter().map(|(_, k, _)| *k).collect::<Vec<_>>(),
        [NameKind::Role, NameKind::InstanceProfile]
    );
    for ((seq, kind, name), existing) in checks.into_iter().zip(existing) {
        update(
            &mut app,
            Msg::Worker(Event::NameCheck {
                seq,
                kind,
                name,
                result: Ok(existing.map(str::to_string)),
            }),
        );
    }
    app
}

#[test]
fn account_role_name_and_instance_profile_taken() {
    let app = role_checked([
        Some("Orders-MongoDB-KMS-Role"),
        Some("orders-mongodb-kms-role"),
    ]);
    snap!("enc_account_role_taken", app);
}

#[test]
fn account_role_name_available() {
    let app = role_checked([None, None]);
    let screen = draw(&app);
    assert!(
        screen.contains("Role name    orders-mongodb-kms-role              ✓ available"),
        "{screen}"
    );
    assert!(!screen.contains("already exists"), "{screen}");
}

#[test]
fn review_new_key_and_user() {
    let mut app = to_account_new_key();
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncReview);
    snap!("enc_review", app);
}

fn step(app: &mut App, run: u64, group: usize, index: usize, status: StepStatus) {
    update(
        app,
        Msg::Worker(Event::Step {
            run,
            user: group,
            index,
            status,
        }),
    );
}

#[test]
fn creating_while_the_check_waits() {
    let (mut app, run) = enc_creating();
    for (g, i) in [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)] {
        step(&mut app, run, g, i, StepStatus::Done);
    }
    step(&mut app, run, 2, 0, StepStatus::Running);
    update(
        &mut app,
        Msg::Worker(Event::VerifyWaiting {
            run,
            attempt: 4,
            waited_secs: 8,
            error: AwsError {
                operation: "kms:Encrypt".into(),
                code: "UnrecognizedClientException".into(),
                message: "The security token included in the request is invalid.".into(),
                hint: String::new(),
            },
        }),
    );
    let screen = draw(&app);
    assert!(screen.contains("waited 8 s (attempt 4)"), "{screen}");
    snap!("enc_creating_verify", app);
}

#[test]
fn creating_failed_with_the_key_scheduled_for_deletion() {
    let (mut app, run) = enc_creating();
    let denied = AwsError {
        operation: "iam:CreateUser".into(),
        code: "AccessDenied".into(),
        message: "not authorized".into(),
        hint: "Ask an administrator for iam:CreateUser.".into(),
    };
    step(&mut app, run, 0, 0, StepStatus::Undone);
    step(&mut app, run, 0, 1, StepStatus::Undone);
    step(&mut app, run, 1, 0, StepStatus::Failed(denied.clone()));
    step(&mut app, run, 1, 1, StepStatus::Skipped);
    step(&mut app, run, 1, 2, StepStatus::Skipped);
    step(&mut app, run, 2, 0, StepStatus::Skipped);
    update(
        &mut app,
        Msg::Worker(Event::EncryptionFinished {
            run,
            result: EncryptionResult::Failed {
                group: "orders-mongodb-kms".into(),
                step: StepKind::CreateUser,
                error: denied,
                leftovers: Vec::<Leftover>::new(),
                key_deletion: Some(
                    "KMS key 9999eeee-12ab-34cd-56ef-1234567890ab is scheduled for deletion on \
                     2026-11-29 (7 days)."
                        .into(),
                ),
            },
        }),
    );
    snap!("enc_creating_failed", app);
}

#[test]
fn reveal_masked() {
    let app = enc_revealed();
    snap!("enc_reveal_masked", app);
}

#[test]
fn reveal_kms_providers_masked() {
    let mut app = enc_revealed();
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    snap!("enc_reveal_kms_providers", app);
}

#[test]
fn role_result() {
    let mut app = encryption();
    enc_to_key(&mut app);
    focus(&mut app, Item::KeyList);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Enter);
    let (run, _) = encryption_spec(press(&mut app, KeyCode::Enter));
    update(&mut app, Msg::Worker(encryption_created_role(run)));
    assert_eq!(app.screen, Screen::EncRole);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    snap!("enc_role_result", app);
}

#[test]
fn review_scrolled_to_the_policy_for_an_existing_key() {
    let mut app = encryption();
    enc_to_key(&mut app);
    focus(&mut app, Item::KeyList);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncReview);
    for _ in 0..10 {
        press(&mut app, KeyCode::Down);
    }
    let screen = draw(&app);
    // The exact document, for the chosen key's ARN, across the wrapped lines.
    let text: String = screen
        .lines()
        .map(|l| {
            let inner = l.strip_prefix('"').and_then(|l| l.strip_suffix('"'));
            inner.unwrap_or(l).trim_matches('│').trim()
        })
        .collect();
    assert!(
        text.contains(&iamwiz::protocol::kms_policy_document(
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        )),
        "{screen}"
    );
    snap!("enc_review_existing_end", app);
}

#[test]
fn reveal_with_a_failed_check() {
    let (mut app, run) = enc_creating();
    let mut event = encryption_created_user(run);
    if let Event::EncryptionFinished {
        result: EncryptionResult::Created(c),
        ..
    } = &mut event
    {
        c.verification = iamwiz::protocol::Verification::Failed {
            attempts: 12,
            seconds: 61,
            error: AwsError {
                operation: "kms:Encrypt".into(),
                code: "AccessDeniedException".into(),
                message: "not authorized".into(),
                hint: "Check that the key policy lets IAM policies grant access (the default \
                       does)."
                    .into(),
            },
        };
    }
    update(&mut app, Msg::Worker(event));
    snap!("enc_reveal_check_failed", app);
}

#[test]
fn done_after_the_service_account() {
    let mut app = enc_revealed();
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(app.screen, Screen::Done);
    snap!("enc_done", app);
}

#[test]
fn reveal_after_copying_kms_providers() {
    use iamwiz::app::reveal::{CopiedTo, Effect};
    let mut app = enc_revealed();
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Char('c'));
    update(&mut app, Msg::Effect(Effect::Copied(Ok(CopiedTo::System))));
    let screen = draw(&app);
    assert!(
        screen.contains("kmsProviders → clipboard, cleared in 30 s"),
        "{screen}"
    );
    snap!("enc_reveal_copied", app);
}

#[test]
fn key_list_that_could_not_be_read() {
    let mut app = encryption();
    focus(&mut app, Item::AppName);
    type_str(&mut app, "orders");
    let cmds = press(&mut app, KeyCode::Enter);
    let (seq, region) = kms_request(&cmds);
    update(
        &mut app,
        Msg::Worker(Event::KmsKeys {
            seq,
            region,
            result: Err(AwsError {
                operation: "kms:ListKeys".into(),
                code: "AccessDeniedException".into(),
                message: "not authorized".into(),
                hint: "Ask for kms:ListKeys, kms:DescribeKey and kms:ListAliases, or create a \
                       new key."
                    .into(),
            }),
        }),
    );
    snap!("enc_key_list_denied", app);
}

#[test]
fn help_on_the_key_step() {
    let mut app = encryption();
    enc_to_key(&mut app);
    press(&mut app, KeyCode::F(1));
    snap!("enc_help_key", app);
}
