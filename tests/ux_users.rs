//! The create-user wizard as a new admin meets it: names checked whatever the order of the
//! keys, verdicts never cut at the box edge, the policy list using a wide terminal, and a batch
//! of users spoken of as a batch.

use crate::common;

use common::fixtures::*;
use crossterm::event::KeyCode;
use iamwiz::app::{App, Command, Msg, NoticeKind, Remote, Screen, update};
use iamwiz::protocol::{Event, NameKind, Request};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The names the commands ask AWS to check, in order.
fn checked(cmds: &[Command]) -> Vec<(u64, String)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Worker(Request::CheckName { seq, name, .. }) => Some((*seq, name.clone())),
            _ => None,
        })
        .collect()
}

/// Ticks the heartbeat `n` times; returns the name checks sent meanwhile.
fn rest(app: &mut App, n: usize) -> Vec<(u64, String)> {
    (0..n)
        .flat_map(|_| checked(&update(app, Msg::Tick)))
        .collect()
}

/// Answers a name check as the worker would: `existing` is the user it found, if any.
fn answer(app: &mut App, (seq, name): (u64, String), existing: Option<&str>) -> Vec<Command> {
    update(
        app,
        Msg::Worker(Event::NameCheck {
            seq,
            kind: NameKind::User,
            name,
            result: Ok(existing.map(str::to_string)),
        }),
    )
}

/// A wizard whose lists have arrived but the account's users, still being read (a large account).
fn users_unread() -> App {
    let mut app = loaded();
    app.catalog.users = Remote::Loading;
    app
}

fn notice(app: &App) -> (NoticeKind, String) {
    let n = app.notice.as_ref().expect("a notice");
    (n.kind, n.text.clone())
}

fn draw(app: &App) -> String {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
    terminal.backend().to_string()
}

mod name_checks {
    use super::*;

    #[test]
    fn a_name_typed_right_before_ctrl_n_is_checked_once_typing_rests() {
        let mut app = loaded();
        type_str(&mut app, "ivy");
        ctrl(&mut app, 'n');
        type_str(&mut app, "jon");
        let names: Vec<String> = rest(&mut app, 4).into_iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["ivy", "jon"], "both names are checked, each once");
        assert!(rest(&mut app, 4).is_empty(), "and not again");
    }

    #[test]
    fn a_name_checked_after_ctrl_n_shows_its_verdict_on_its_row() {
        let mut app = loaded();
        type_str(&mut app, "ivy");
        ctrl(&mut app, 'n');
        type_str(&mut app, "jon");
        for check in rest(&mut app, 4) {
            let taken = (check.1 == "ivy").then_some("Ivy");
            answer(&mut app, check, taken);
        }
        let screen = draw(&app);
        assert!(
            screen
                .lines()
                .any(|l| l.contains("User 1") && l.contains("✗ Ivy exists")),
            "{screen}"
        );
        assert!(
            screen
                .lines()
                .any(|l| l.contains("User 2") && l.contains("✓ available")),
            "{screen}"
        );
    }

    #[test]
    fn a_name_is_checked_when_typing_rests_with_the_focus_on_the_path() {
        let mut app = loaded();
        type_str(&mut app, "kim");
        press(&mut app, KeyCode::Tab);
        type_str(&mut app, "/ops/");
        let names: Vec<String> = rest(&mut app, 4).into_iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["kim"]);
    }

    #[test]
    fn enter_waits_for_a_name_still_being_checked_then_goes_on() {
        let mut app = users_unread();
        type_str(&mut app, "lea");
        let sent = checked(&press(&mut app, KeyCode::Enter));
        assert_eq!(app.screen, Screen::Details, "not while lea is unchecked");
        let (kind, text) = notice(&app);
        assert_eq!(kind, NoticeKind::Info);
        assert!(text.contains("Still checking"), "says why it waits: {text}");
        assert!(text.contains("lea"), "names the name: {text}");
        let check = sent
            .into_iter()
            .next()
            .expect("Enter sends the check at once");
        answer(&mut app, check, None);
        assert_eq!(app.screen, Screen::Access, "the answer lets it go on");
    }

    #[test]
    fn enter_waits_for_a_name_still_being_checked_and_stays_when_it_is_taken() {
        let mut app = users_unread();
        type_str(&mut app, "Mo");
        ctrl(&mut app, 'n');
        type_str(&mut app, "ned");
        let sent = checked(&press(&mut app, KeyCode::Enter));
        assert_eq!(sent.len(), 2, "both names: {sent:?}");
        answer(&mut app, sent[1].clone(), None);
        assert_eq!(app.screen, Screen::Details, "Mo is still unchecked");
        answer(&mut app, sent[0].clone(), Some("mo"));
        assert_eq!(app.screen, Screen::Details);
        assert_eq!(app.focus.details, 0, "the focus goes to the taken name");
        let (kind, text) = notice(&app);
        assert_eq!(kind, NoticeKind::Error);
        assert!(text.contains("A user named mo already exists"), "{text}");
    }

    #[test]
    fn with_the_user_list_read_enter_goes_on_and_the_check_follows() {
        let mut app = loaded();
        type_str(&mut app, "pat");
        let sent = checked(&press(&mut app, KeyCode::Enter));
        assert_eq!(sent.len(), 1, "the name is checked at once: {sent:?}");
        assert_eq!(
            app.screen,
            Screen::Access,
            "the user list already settles pat"
        );
    }

    #[test]
    fn the_user_list_arriving_lets_a_waiting_enter_go_on() {
        let (mut app, cmds) = App::new((80, 24));
        // Connected (the identity is in), the account's user list not read yet.
        update(
            &mut app,
            Msg::Worker(Event::Identity(Ok(iamwiz::protocol::Identity {
                account: "123456789012".into(),
                arn: "arn:aws:iam::123456789012:user/admin".into(),
                region: "us-east-1".into(),
            }))),
        );
        type_str(&mut app, "quinn");
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Details, "{:?}", app.notice);
        answer_loads(&mut app, &cmds);
        assert_eq!(app.screen, Screen::Access);
    }

    #[test]
    fn while_aws_is_not_reached_enter_goes_on_and_review_checks_again() {
        // Still connecting (AWS has not answered who the caller is): nothing is waited for.
        let (mut app, _) = App::new((80, 24));
        type_str(&mut app, "quinn");
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Access, "{:?}", app.notice);
    }

    #[test]
    fn editing_a_name_while_enter_waits_cancels_the_wait() {
        let mut app = users_unread();
        type_str(&mut app, "oli");
        let sent = checked(&press(&mut app, KeyCode::Enter));
        type_str(&mut app, "ver");
        answer(&mut app, sent[0].clone(), None);
        assert_eq!(app.screen, Screen::Details, "oliver is not checked yet");
    }
}

mod verdicts {
    use super::*;

    /// User details at `w`x`h` with `typed` as the name, found taken by a user spelt `existing`.
    fn taken(w: u16, h: u16, typed: &str, existing: &str) -> String {
        let mut app = loaded();
        update(&mut app, Msg::Resize(w, h));
        type_str(&mut app, typed);
        for check in rest(&mut app, 4) {
            answer(&mut app, check, Some(existing));
        }
        draw(&app)
    }

    /// Every screen line that shows part of the verdict on the name.
    fn verdict(screen: &str) -> String {
        screen
            .lines()
            .filter(|l| l.contains('✗') || l.contains("exists"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_long_taken_name_keeps_its_whole_verdict_at_80_columns() {
        let name = "Existing-Alice-From-The-Platform-Team-Acct";
        assert!(name.len() > 40);
        let screen = taken(80, 24, &name.to_lowercase(), name);
        let shown = verdict(&screen);
        assert!(shown.contains("exists"), "the verdict is cut:\n{screen}");
        assert!(shown.contains("✗ Existing-Alice"), "{screen}");
        assert!(
            screen
                .lines()
                .all(|l| !l.contains("exi│") && !l.ends_with("exi")),
            "{screen}"
        );
    }

    #[test]
    fn a_taken_name_keeps_its_whole_verdict_under_a_full_row_and_on_a_wide_one() {
        let at_80 = taken(80, 24, "existing-alice", "Existing-Alice");
        assert!(
            verdict(&at_80).contains("✗ Existing-Alice exists"),
            "{at_80}"
        );
        let at_160 = taken(160, 40, "existing-alice", "Existing-Alice");
        assert!(
            at_160
                .lines()
                .any(|l| l.contains("User name") && l.contains("✗ Existing-Alice exists")),
            "on the name's own row when there is room:\n{at_160}"
        );
    }

    #[test]
    fn a_verdict_under_the_row_keeps_the_lines_below_in_view() {
        let screen = taken(80, 24, "existing-alice", "Existing-Alice");
        assert!(screen.contains("Use letters, digits"), "{screen}");
        assert!(screen.contains("Path"), "{screen}");
    }

    #[test]
    fn a_sixty_four_character_taken_name_keeps_its_verdict_at_80_columns() {
        let name = format!("Svc-{}", "x".repeat(60));
        let screen = taken(80, 24, &name, &name.to_uppercase());
        let shown = verdict(&screen);
        assert!(shown.contains("✗ SVC-XXX"), "{screen}");
        assert!(
            shown.contains("… exists") || shown.contains("X exists"),
            "{screen}"
        );
    }

    #[test]
    fn a_wide_character_in_a_name_is_refused_and_the_row_stays_inside_the_box() {
        let mut app = loaded();
        type_str(&mut app, "ops-");
        type_str(&mut app, "名前");
        assert_eq!(
            app.draft.names[0].value(),
            "ops-",
            "the wide characters are refused"
        );
        let (kind, text) = notice(&app);
        assert_eq!(kind, NoticeKind::Error);
        assert!(
            text.contains("letters, digits"),
            "says what is allowed: {text}"
        );
        let screen = draw(&app);
        assert!(
            screen.contains(&text) || screen.contains("letters, digits"),
            "{screen}"
        );
    }
}

mod wide_policy_list {
    use super::*;
    use iamwiz::protocol::{PolicyDocument, PolicyScope};

    /// Real AWS managed policy names, the longest about 60 characters.
    const LONG: [&str; 3] = [
        "AmazonSageMakerCanvasDirectDeployAccess",
        "AWSServiceRoleForAmazonEKSNodegroupAccessAndQuickSightReadOnly",
        "QuickSightAccessForS3StorageManagementAnalyticsReadOnly",
    ];

    /// The Policies pane at `w`x`h`, the account listing [`LONG`] too, the first long name
    /// highlighted and its document previewed.
    fn policies_at(w: u16, h: u16) -> App {
        let mut app = loaded();
        update(&mut app, Msg::Resize(w, h));
        type_str(&mut app, "carol");
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Left);
        let cmds = ctrl(&mut app, 'r');
        let seq = seq_of(&cmds, |r| match r {
            Request::LoadPolicies { seq } => Some(*seq),
            _ => None,
        });
        let mut policies: Vec<_> = LONG.iter().map(|n| policy(n, PolicyScope::Aws)).collect();
        policies.push(policy("DeployPipeline", PolicyScope::Customer));
        update(
            &mut app,
            Msg::Worker(Event::Policies {
                seq,
                result: Ok(policies),
            }),
        );
        type_str(&mut app, "quicksight");
        let mut asked = None;
        for _ in 0..=iamwiz::flows::users::picker::REST_TICKS {
            for c in update(&mut app, Msg::Tick) {
                if let Command::Worker(Request::LoadPolicyDocument { seq, arn }) = c {
                    asked = Some((seq, arn));
                }
            }
        }
        let (seq, arn) = asked.expect("the preview was requested");
        let document = serde_json::to_string_pretty(&serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": ["quicksight:DescribeDashboard", "s3:ListAllMyBuckets",
                    "s3:GetBucketLocation", "storagelens:ListStorageLensConfigurations"],
                "Resource": "*"
            }]
        }))
        .unwrap();
        let result = Ok(PolicyDocument {
            version: "v3".into(),
            description: "Lets QuickSight read S3 Storage Lens analytics.".into(),
            summary: "Allow 4 actions on *".into(),
            document,
        });
        update(
            &mut app,
            Msg::Worker(Event::PolicyDocument { seq, arn, result }),
        );
        app
    }

    /// The screen row that lists `name`.
    fn row_of<'a>(screen: &'a str, start: &str) -> &'a str {
        screen
            .lines()
            .find(|l| l.contains(start) && l.contains("AWS managed") && !l.contains('·'))
            .unwrap_or_else(|| panic!("no row for {start}:\n{screen}"))
    }

    /// Whether a row of the list and the preview's description share a screen row.
    fn beside(screen: &str) -> bool {
        screen
            .lines()
            .any(|l| l.contains("[ ] ") && l.contains("Lets QuickSight"))
    }

    #[test]
    fn at_160_columns_every_policy_name_is_whole_beside_the_preview() {
        let app = policies_at(160, 40);
        let screen = draw(&app);
        for name in LONG
            .iter()
            .filter(|n| n.to_lowercase().contains("quicksight"))
        {
            let row = row_of(&screen, &name[..20]);
            assert!(row.contains(name), "cut: {row}");
        }
        assert!(
            beside(&screen),
            "the preview is beside the list, on the same rows:\n{screen}"
        );
        insta::assert_snapshot!("policies_160x40", screen);
    }

    #[test]
    fn at_120_columns_the_list_and_the_preview_are_side_by_side() {
        let app = policies_at(120, 30);
        let screen = draw(&app);
        let row = row_of(&screen, "QuickSightAccessForS3");
        assert!(
            row.contains("QuickSightAccessForS3StorageManagementAnalyticsReadOnly"),
            "the name is whole: {row}"
        );
        assert!(
            beside(&screen),
            "a list row and the preview share a screen row:\n{screen}"
        );
        insta::assert_snapshot!("policies_120x30", screen);
    }

    #[test]
    fn beside_the_list_a_long_document_leaves_the_preview_title_room_for_the_name() {
        let app = policies_at(120, 24);
        let screen = draw(&app);
        // The row holds the list's first row too: the title is what follows its rule.
        let row = screen
            .lines()
            .find(|l| l.contains("─ QuickS"))
            .unwrap_or_else(|| panic!("no preview title:\n{screen}"));
        let title = &row[row.find("─ QuickS").unwrap()..];
        assert!(title.contains("QuickSightAccessFor"), "{title}");
        assert!(title.contains("1-"), "says which lines it shows: {title}");
    }

    #[test]
    fn at_80_columns_the_preview_stays_under_the_list() {
        let app = policies_at(80, 24);
        let screen = draw(&app);
        assert!(
            !screen
                .lines()
                .any(|l| l.contains("[ ]") && l.contains("Allow 4")),
            "{screen}"
        );
        insta::assert_snapshot!("policies_80x24", screen);
    }
}

mod batch_wording {
    use super::*;

    /// Three users named on User details, then Enter: the wizard on Access type.
    fn three_users() -> App {
        let mut app = loaded();
        type_str(&mut app, "ana");
        for name in ["ben", "cy"] {
            ctrl(&mut app, 'n');
            type_str(&mut app, name);
        }
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Access);
        app
    }

    /// The singular phrases a batch must not show.
    fn singular(screen: &str) -> Vec<&str> {
        ["this user", "the user ", "the user's", "the user."]
            .into_iter()
            .filter(|p| screen.contains(p))
            .collect()
    }

    #[test]
    fn access_type_speaks_of_these_n_users() {
        let mut app = three_users();
        let screen = draw(&app);
        assert!(
            screen.contains("Choose how these 3 users will access AWS"),
            "{screen}"
        );
        // A console password that must be changed: the policy that lets them is added.
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Char(' '));
        let screen = draw(&app);
        assert!(
            screen.contains("so the users can set a new password"),
            "{screen}"
        );
        assert_eq!(singular(&screen), Vec::<&str>::new(), "{screen}");
    }

    #[test]
    fn a_single_user_is_still_this_user() {
        let mut app = loaded();
        type_str(&mut app, "dee");
        press(&mut app, KeyCode::Enter);
        let screen = draw(&app);
        assert!(
            screen.contains("Choose how this user will access AWS"),
            "{screen}"
        );
    }

    #[test]
    fn boundary_and_review_speak_of_the_users() {
        let mut app = three_users();
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Boundary);
        let screen = draw(&app);
        assert!(screen.contains("these 3 users' policies"), "{screen}");
        assert_eq!(singular(&screen), Vec::<&str>::new(), "{screen}");
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Review);
        update(&mut app, Msg::Resize(80, 40));
        let screen = draw(&app);
        assert!(
            screen.contains("none: these 3 users will have no permissions"),
            "{screen}"
        );
        assert!(screen.contains("create the 3 users"), "{screen}");
        assert_eq!(singular(&screen), Vec::<&str>::new(), "{screen}");
    }

    #[test]
    fn the_new_group_form_chooses_the_group_for_the_users() {
        let mut app = three_users();
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::Permissions);
        ctrl(&mut app, 'g');
        let screen = draw(&app);
        assert!(
            screen.contains("even if you later cancel the users"),
            "{screen}"
        );
        assert!(screen.contains("chooses it for the users"), "{screen}");
        assert_eq!(singular(&screen), Vec::<&str>::new(), "{screen}");
    }
}
