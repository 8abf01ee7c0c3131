//! Requiring MFA in the wizard and in plan files, and the IAM Identity Center advice: the option
//! on the Access step (only with a console password), Review naming the policy and showing its
//! document, the creation request, a plan's `require_mfa` both ways, a plan that requires MFA
//! without a console password refused; the advice asked once, shown only when the account has an
//! Identity Center instance (the worker against a local stub answering as sso-admin does).

use crate::common;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::fixtures::*;
use common::worker::ask;
use crossterm::event::KeyCode;
use iamwiz::app::{AccessItem, App, Command, Msg, Screen, update};
use iamwiz::flows::users::identity_center::NUDGE;
use iamwiz::model::mfa_policy::REQUIRE_MFA_POLICY_NAME;
use iamwiz::planfile;
use iamwiz::protocol::{Event, Request};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ARN: &str = "arn:aws:iam::123456789012:policy/iamwiz-require-mfa";

fn draw(app: &App) -> String {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
    terminal.backend().to_string()
}

/// The items the focus visits on the Access step, going down from where it is, once round.
fn access_items(app: &mut App) -> Vec<AccessItem> {
    let start = app.focus.access;
    let mut seen = vec![start];
    loop {
        press(app, KeyCode::Down);
        if app.focus.access == start {
            return seen;
        }
        seen.push(app.focus.access);
    }
}

/// A loaded wizard on the Access step for `carol`; the commands that took it there.
fn on_access() -> (App, Vec<Command>) {
    let mut app = loaded();
    type_str(&mut app, "carol");
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Access);
    (app, cmds)
}

/// Chooses a console password (from the top of the Access step) and returns the commands sent.
fn choose_console(app: &mut App) -> Vec<Command> {
    app.focus.access = AccessItem::Password;
    press(app, KeyCode::Char(' '))
}

fn asks_identity_center(cmds: &[Command]) -> bool {
    cmds.iter()
        .any(|c| matches!(c, Command::Worker(Request::LoadIdentityCenter)))
}

/// On Access with a console password and Require MFA chosen.
fn requiring_mfa() -> App {
    let (mut app, _) = on_access();
    choose_console(&mut app);
    app.focus.access = AccessItem::RequireMfa;
    press(&mut app, KeyCode::Char(' '));
    assert!(app.draft.require_mfa);
    app
}

#[test]
fn require_mfa_is_offered_only_with_a_console_password_and_is_off_by_default() {
    let (mut app, _) = on_access();
    assert!(!app.draft.require_mfa);
    assert!(!access_items(&mut app).contains(&AccessItem::RequireMfa));
    assert!(!draw(&app).contains("Require MFA"));

    choose_console(&mut app);
    assert!(access_items(&mut app).contains(&AccessItem::RequireMfa));
    assert!(draw(&app).contains("[ ] Require MFA"));
    app.focus.access = AccessItem::RequireMfa;
    press(&mut app, KeyCode::Char(' '));
    assert!(app.draft.require_mfa);
    assert!(draw(&app).contains("[x] Require MFA"), "{}", draw(&app));
}

#[test]
fn review_names_the_policy_and_shows_its_document_and_creating_attaches_it() {
    let mut app = requiring_mfa();
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter);
    }
    assert_eq!(app.screen, Screen::Review);
    update(&mut app, Msg::Resize(100, 220));
    let review = draw(&app);
    assert!(
        review.contains(&format!(
            "Require MFA         yes: attaches {REQUIRE_MFA_POLICY_NAME}"
        )),
        "{review}"
    );
    assert!(review.contains("iamwiz-require-mfa (requires MFA; found, or created by this run)"));
    assert!(review.contains("iamwiz-require-mfa · Customer managed"));
    assert!(review.contains(r#""Sid": "DenyAllExceptListedIfNoMFA","#));
    assert!(review.contains(r#""aws:MultiFactorAuthPresent": "false""#));

    let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
    assert_eq!(spec.policies.last().map(String::as_str), Some(ARN));
}

#[test]
fn turning_the_console_password_off_drops_the_mfa_policy_from_review_and_the_request() {
    let mut app = requiring_mfa();
    choose_console(&mut app);
    assert!(!app.draft.console_password);
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter);
    }
    assert_eq!(app.screen, Screen::Review);
    assert!(!draw(&app).contains("Require MFA"));
    let (_, spec) = create_spec(press(&mut app, KeyCode::Enter));
    assert!(
        !spec.policies.iter().any(|p| p == ARN),
        "{:?}",
        spec.policies
    );
}

#[test]
fn a_plan_keeps_require_mfa_both_ways() {
    let app = requiring_mfa();
    let plan = planfile::from_draft(&app.draft, &app.effective()).unwrap();
    assert!(plan.require_mfa);
    let json = planfile::to_json(&plan);
    assert!(json.contains(r#""require_mfa": true"#), "{json}");
    let loaded = planfile::load(&json).unwrap();
    assert_eq!(loaded, plan);
    assert!(planfile::to_draft(&loaded).require_mfa);
    // The policy's ARN names the account the plan is applied to.
    let specs = planfile::to_specs(
        &loaded,
        &iamwiz::protocol::PasswordPolicy::aws_default(),
        "aws-cn",
        "210987654321",
    );
    assert!(
        specs[0]
            .policies
            .contains(&"arn:aws-cn:iam::210987654321:policy/iamwiz-require-mfa".to_string())
    );
    // A plan without it writes no such field.
    let (app, _) = on_access();
    let plain = planfile::from_draft(&app.draft, &app.effective()).unwrap();
    assert!(!planfile::to_json(&plain).contains("require_mfa"));
}

#[test]
fn a_plan_requiring_mfa_without_a_console_password_is_refused_with_what_to_do() {
    let problems = planfile::load(
        r#"{"version": 1, "users": ["a"], "access_key": true, "require_mfa": true}"#,
    )
    .unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].at, "require_mfa");
    assert_eq!(
        problems[0].message,
        "MFA is required at console sign-in, but the plan gives no console password: add \
         \"console_password\": {\"require_reset\": true}, or remove \"require_mfa\"."
    );
    let typed =
        planfile::load(r#"{"version": 1, "users": ["a"], "require_mfa": "yes"}"#).unwrap_err();
    assert!(typed.iter().any(|p| p.at == "require_mfa"), "{typed:?}");
}

#[test]
fn the_identity_center_question_is_asked_once_when_console_access_is_first_shown() {
    let (mut app, cmds) = on_access();
    assert!(!asks_identity_center(&cmds), "not without console access");
    let cmds = choose_console(&mut app);
    assert!(asks_identity_center(&cmds));
    choose_console(&mut app);
    let again = choose_console(&mut app);
    assert!(!asks_identity_center(&again), "asked once per run");
}

#[test]
fn the_advice_shows_only_with_console_access_when_the_account_has_identity_center() {
    let (mut app, _) = on_access();
    choose_console(&mut app);
    assert!(!draw(&app).contains(NUDGE), "not before the answer");
    update(&mut app, Msg::Worker(Event::IdentityCenter(false)));
    assert!(!draw(&app).contains(NUDGE));
    update(&mut app, Msg::Worker(Event::IdentityCenter(true)));
    assert!(draw(&app).contains(NUDGE));
    choose_console(&mut app);
    assert!(!draw(&app).contains(NUDGE), "only with console access");
}

#[test]
fn access_with_require_mfa_and_the_identity_center_advice() {
    let mut app = requiring_mfa();
    update(&mut app, Msg::Worker(Event::IdentityCenter(true)));
    insta::assert_snapshot!("access_require_mfa_nudge", draw(&app));
}

// ---- the worker's question, against a stub answering as sso-admin does ------------------------

/// A one-request HTTP server on loopback answering `status` with `body` (awsJson 1.1, as
/// sso-admin answers); its endpoint.
fn stub(status: u16, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            // The request: headers, then as many bytes as Content-Length says.
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length || n == 0 {
                        assert!(
                            text.contains("SWBExternalService.ListInstances"),
                            "not ListInstances: {text}"
                        );
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    endpoint
}

async fn identity_center_answer(status: u16, body: &'static str) -> bool {
    // The stub alone: no emulator is needed.
    common::use_dummy_credentials();
    let settings = iamwiz::aws::AwsSettings {
        profile: None,
        region: Some("us-east-1".to_string()),
        endpoint_url: Some(stub(status, body)),
        credentials: None,
        interceptors: Vec::new(),
        timeouts: None,
        run_timeout: None,
    };
    match ask(settings, vec![Request::LoadIdentityCenter])
        .await
        .as_slice()
    {
        [Event::IdentityCenter(recommended)] => *recommended,
        other => panic!("unexpected answer: {other:?}"),
    }
}

#[tokio::test]
async fn the_advice_is_recommended_when_list_instances_returns_an_instance() {
    let body = r#"{"Instances":[{"InstanceArn":"arn:aws:sso:::instance/ssoins-1234567890abcdef","IdentityStoreId":"d-1234567890","OwnerAccountId":"123456789012","Status":"ACTIVE"}]}"#;
    assert!(identity_center_answer(200, body).await);
}

#[tokio::test]
async fn no_advice_on_an_empty_list() {
    assert!(!identity_center_answer(200, r#"{"Instances":[]}"#).await);
}

#[tokio::test]
async fn no_advice_when_list_instances_is_denied() {
    let body = r#"{"__type":"AccessDeniedException","Message":"User: arn:aws:iam::123456789012:user/admin is not authorized to perform: sso:ListInstances"}"#;
    assert!(!identity_center_answer(400, body).await);
}

/// From Access with Require MFA chosen, on to Review and Enter: the Creating screen, and the run.
fn creating_with_require_mfa() -> (App, u64) {
    let mut app = requiring_mfa();
    for _ in 0..4 {
        press(&mut app, KeyCode::Enter);
    }
    let (run, _) = create_spec(press(&mut app, KeyCode::Enter));
    assert_eq!(app.screen, Screen::Creating);
    (app, run)
}

#[test]
fn creating_lists_the_policy_step_first() {
    let (app, _) = creating_with_require_mfa();
    insta::assert_snapshot!("creating_require_mfa", draw(&app));
}

#[test]
fn a_policy_that_says_something_else_fails_the_creation_with_what_to_do() {
    use iamwiz::protocol::{AwsError, CreationResult, StepKind, StepStatus};
    let (mut app, run) = creating_with_require_mfa();
    let error = AwsError {
        operation: "iam:GetPolicyVersion".into(),
        code: iamwiz::aws::mfa::POLICY_DIFFERS.into(),
        message: format!(
            "the customer managed policy iamwiz-require-mfa ({ARN}) exists, and its default \
             version says something else than the one iamwiz makes"
        ),
        hint: "iamwiz never changes a policy it finds: compare it with AWS's example.".into(),
    };
    for (index, status) in [
        (0, StepStatus::Failed(error.clone())),
        (1, StepStatus::Skipped),
        (2, StepStatus::Skipped),
        (3, StepStatus::Skipped),
        (4, StepStatus::Skipped),
        (5, StepStatus::Skipped),
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
                step: StepKind::EnsurePolicy(ARN.into()),
                error,
                leftovers: Vec::new(),
            },
        }),
    );
    insta::assert_snapshot!("creating_require_mfa_policy_differs", draw(&app));
}

#[test]
fn a_plan_counts_the_mfa_policy_among_the_ten_a_user_may_have() {
    let policies: Vec<String> = (0..10)
        .map(|i| format!("arn:aws:iam::123456789012:policy/p{i}"))
        .collect();
    let plan = serde_json::json!({
        "version": 1, "users": ["a"], "console_password": {}, "require_mfa": true,
        "managed_policies": policies,
    });
    let problems = planfile::load(&plan.to_string()).unwrap_err();
    assert_eq!(problems[0].at, "managed_policies");
    assert_eq!(
        problems[0].message,
        "11 managed policies; a user can have at most 10 attached. That counts \
         iamwiz-require-mfa, which \"require_mfa\" attaches."
    );
}
