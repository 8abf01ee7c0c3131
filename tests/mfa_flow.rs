//! The MFA flow (`iamwiz mfa [USER]`): through `update` (keys and worker replies in, state and
//! requests out) with a fixed clock, its screens on a `TestBackend` against their snapshots, the
//! QR code decoded from the cells drawn on screen, and its worker requests against moto, read
//! back through the SDK.
//!
//! It is longer than ~600 lines because the enrolment's ways out (Esc, quit, a signal before and
//! after the device is made, IAM's refusal, the worker's own check) each need their own table
//! test, and they share the fixtures above with the screens and the worker tests below.

use crate::common;

use clap::Parser;
use common::fixtures::*;
use crossterm::event::KeyCode;
use iamwiz::app::{App, Command, Msg, NoticeKind, Options, Screen, update};
use iamwiz::flows::Flow;
use iamwiz::flows::mfa::Stage;
use iamwiz::model::mfa::{EnableError, MfaDevice, NewVirtualDevice, UserDevices};
use iamwiz::model::totp::{DIGITS, STEP_SECONDS, TotpSeed};
use iamwiz::protocol::{AwsError, Event, MfaChange, Request};

/// The time the codes are checked at, in the tests: 2026-06-01T00:00:00Z.
pub(crate) const NOW: u64 = 1_780_272_000;
/// A fixed seed (64 Base32 characters, as IAM's), so the QR code and snapshots are stable.
pub(crate) const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
pub(crate) const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";

fn fixed_clock() -> u64 {
    NOW
}

pub(crate) fn seed() -> TotpSeed {
    TotpSeed::from_base32(SEED).unwrap()
}

/// The two codes an app shows one after the other, the second at `at`.
pub(crate) fn codes_at(at: u64) -> (String, String) {
    let s = seed();
    let step = at / STEP_SECONDS;
    (
        s.code_for_step(step - 1, DIGITS),
        s.code_for_step(step, DIGITS),
    )
}

/// The MFA flow opened as `iamwiz mfa [USER]`, its lists answered, with the fixed clock.
pub(crate) fn opened(user: Option<&str>) -> (App, Vec<Command>) {
    let options = Options {
        flow: Flow::Mfa,
        user: user.map(str::to_string),
        ..Options::default()
    };
    let (mut app, cmds) = App::with_options((80, 24), options);
    answer_loads(&mut app, &cmds);
    app.flows.mfa.clock = fixed_clock;
    (app, cmds)
}

fn load_seq(cmds: &[Command]) -> u64 {
    seq_of(cmds, |r| match r {
        Request::LoadMfaDevices { seq, .. } => Some(*seq),
        _ => None,
    })
}

/// alice's devices answered: `enabled` devices assigned, and maybe the spare.
pub(crate) fn alice_with(assigned: Vec<MfaDevice>, spare: Option<&str>) -> App {
    let (mut app, cmds) = opened(Some("alice"));
    let seq = load_seq(&cmds);
    update(
        &mut app,
        Msg::Worker(Event::MfaDevices {
            seq,
            user: "alice".into(),
            result: Ok(UserDevices {
                assigned,
                spare: spare.map(str::to_string),
            }),
        }),
    );
    app
}

pub(crate) fn enabled_device() -> MfaDevice {
    MfaDevice {
        user: "alice".into(),
        serial: SERIAL.into(),
        enabled: 1_767_225_600,
    }
}

/// The run of the `CreateMfaDevice` among `cmds`.
fn create_run(cmds: &[Command]) -> u64 {
    seq_of(cmds, |r| match r {
        Request::CreateMfaDevice { run, user } => {
            assert_eq!(user, "alice", "the device is made for the user on show");
            Some(*run)
        }
        _ => None,
    })
}

/// alice (no device yet) on the enrolment screen, her new device made with [`SEED`].
pub(crate) fn enrolling() -> (App, u64) {
    let mut app = alice_with(Vec::new(), None);
    let cmds = press(&mut app, KeyCode::Char('n'));
    let run = create_run(&cmds);
    update(
        &mut app,
        Msg::Worker(Event::MfaDeviceCreated {
            run,
            user: "alice".into(),
            result: Ok(NewVirtualDevice {
                serial: SERIAL.into(),
                seed: seed(),
            }),
        }),
    );
    assert_eq!(app.screen, Screen::MfaEnrol);
    (app, run)
}

/// Types the two codes and presses Enter.
fn enter_codes(app: &mut App, first: &str, second: &str) -> Vec<Command> {
    type_str(app, first);
    if app.flows.mfa.enrol.as_ref().unwrap().field == 0 {
        press(app, KeyCode::Tab);
    }
    type_str(app, second);
    press(app, KeyCode::Enter)
}

fn notice(app: &App, kind: NoticeKind) -> String {
    let n = app.notice.as_ref().expect("a notice");
    assert_eq!(n.kind, kind, "{}", n.text);
    n.text.clone()
}

/// The discards (`DeleteVirtualMFADevice` of a device never enabled) among `cmds`.
fn discards(cmds: &[Command]) -> Vec<String> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Worker(Request::ChangeMfaDevice {
                serial,
                change: MfaChange::Discard,
                ..
            }) => Some(serial.clone()),
            _ => None,
        })
        .collect()
}

fn discard_seq(cmds: &[Command]) -> u64 {
    seq_of(cmds, |r| match r {
        Request::ChangeMfaDevice {
            seq,
            change: MfaChange::Discard,
            ..
        } => Some(*seq),
        _ => None,
    })
}

fn discarded(app: &mut App, seq: u64, result: Result<(), AwsError>) -> Vec<Command> {
    update(
        app,
        Msg::Worker(Event::MfaDeviceChanged {
            seq,
            user: "alice".into(),
            serial: SERIAL.into(),
            change: MfaChange::Discard,
            result,
        }),
    )
}

fn quits(cmds: &[Command]) -> bool {
    cmds.iter().any(|c| matches!(c, Command::Quit))
}

// ---- the command line -----------------------------------------------------------------------

#[test]
fn mfa_with_or_without_a_user_opens_the_flow_and_list_stays_a_script() {
    use iamwiz::cli::{Cli, MfaCommand, Mode};
    let cli = Cli::try_parse_from(["iamwiz", "mfa", "alice"]).unwrap();
    let options = cli.options(".".into());
    assert_eq!(options.flow, Flow::Mfa);
    assert_eq!(options.user.as_deref(), Some("alice"));
    let cli = Cli::try_parse_from(["iamwiz", "mfa"]).unwrap();
    assert_eq!(cli.options(".".into()).user, None);
    let cli = Cli::try_parse_from(["iamwiz", "mfa", "list", "bob", "--json"]).unwrap();
    match cli.command {
        Some(Mode::Mfa(args)) => match args.command {
            Some(MfaCommand::List(list)) => {
                assert_eq!(list.user, "bob");
                assert!(list.json);
            }
            other => panic!("expected list, got {other:?}"),
        },
        other => panic!("expected mfa, got {other:?}"),
    }
}

// ---- the lists --------------------------------------------------------------------------------

#[test]
fn mfa_user_opens_on_that_users_devices_and_a_stale_answer_is_dropped() {
    let (mut app, cmds) = opened(Some("alice"));
    assert_eq!(app.screen, Screen::MfaList);
    let seq = load_seq(&cmds);
    let again = ctrl(&mut app, 'r');
    assert_ne!(load_seq(&again), seq);
    update(
        &mut app,
        Msg::Worker(Event::MfaDevices {
            seq,
            user: "alice".into(),
            result: Ok(UserDevices {
                assigned: vec![enabled_device()],
                spare: None,
            }),
        }),
    );
    assert!(
        app.flows.mfa.rows().is_empty(),
        "the stale answer is dropped"
    );
}

#[test]
fn mfa_without_a_user_opens_on_the_user_list_and_enter_chooses() {
    let (mut app, cmds) = opened(None);
    assert_eq!(app.screen, Screen::MfaUser);
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Worker(Request::LoadMfaDevices { .. })))
    );
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::MfaList);
    assert_eq!(app.flows.mfa.user.as_deref(), Some("alice"));
    load_seq(&cmds);
}

#[test]
fn typing_filters_the_users_fuzzily_esc_clears_the_filter_then_says_it_is_the_first_step() {
    let (mut app, _) = opened(None);
    crate::keys_flow::with_users(&mut app, &["alice", "bob", "carol-admin"]);
    type_str(&mut app, "cadm");
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(app.flows.mfa.user.as_deref(), Some("carol-admin"));
    load_seq(&cmds);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::MfaUser);
    assert_eq!(
        app.flows.mfa.pick.filter.value(),
        "cadm",
        "the filter is kept"
    );
    press(&mut app, KeyCode::Esc);
    assert!(app.flows.mfa.pick.filter.is_empty());
    press(&mut app, KeyCode::Esc);
    assert!(notice(&app, NoticeKind::Info).contains("first step"));
    assert_eq!(app.screen, Screen::MfaUser);
}

#[test]
fn deleting_an_enabled_virtual_device_says_to_deactivate_it_first_and_sends_nothing() {
    let mut app = alice_with(vec![enabled_device()], None);
    let cmds = press(&mut app, KeyCode::Char('x'));
    assert!(cmds.is_empty());
    assert!(app.flows.mfa.confirm.is_none());
    let text = notice(&app, NoticeKind::Info);
    assert!(
        text.contains("deactivate") && text.contains("first"),
        "{text}"
    );
}

#[test]
fn deactivating_asks_first_then_sends_deactivate_for_the_device_under_the_cursor() {
    let mut app = alice_with(vec![enabled_device()], None);
    assert!(press(&mut app, KeyCode::Char('d')).is_empty());
    assert!(app.flows.mfa.confirm.is_some());
    press(&mut app, KeyCode::Char('n'));
    assert!(app.flows.mfa.confirm.is_none(), "n cancels");
    press(&mut app, KeyCode::Char('d'));
    let cmds = press(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(
            cmds.as_slice(),
            [Command::Worker(Request::ChangeMfaDevice { user, serial, change: MfaChange::Deactivate, .. })]
                if user == "alice" && serial == SERIAL
        ),
        "{cmds:?}"
    );
}

#[test]
fn the_spare_device_is_deleted_after_a_yes_and_blocks_a_new_one_until_then() {
    let mut app = alice_with(Vec::new(), Some(SERIAL));
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    let text = notice(&app, NoticeKind::Info);
    assert!(text.contains("x deletes it"), "{text}");
    press(&mut app, KeyCode::Char('x'));
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(
            cmds.as_slice(),
            [Command::Worker(Request::ChangeMfaDevice { serial, change: MfaChange::Delete, .. })]
                if serial == SERIAL
        ),
        "{cmds:?}"
    );
}

// ---- the enrolment ------------------------------------------------------------------------

#[test]
fn n_makes_a_device_named_after_the_user_and_quitting_waits_for_it() {
    let mut app = alice_with(Vec::new(), None);
    let cmds = press(&mut app, KeyCode::Char('n'));
    create_run(&cmds);
    assert_eq!(app.screen, Screen::MfaEnrol);
    let cmds = ctrl(&mut app, 'c');
    assert!(cmds.is_empty(), "quitting waits for the device: {cmds:?}");
    assert!(app.creation_running());
}

#[test]
fn wrong_codes_are_explained_and_nothing_is_sent() {
    let (mut app, _) = enrolling();
    let cmds = enter_codes(&mut app, "123456", "654321");
    assert!(cmds.is_empty(), "{cmds:?}");
    let text = notice(&app, NoticeKind::Error);
    assert!(text.contains("not this device's"), "{text}");
    assert!(text.contains("Nothing was sent"), "{text}");
    assert_eq!(app.flows.mfa.enrol.as_ref().unwrap().stage, Stage::Ready);
}

#[test]
fn a_pair_from_a_phone_two_minutes_ahead_is_explained_and_nothing_is_sent() {
    let (mut app, _) = enrolling();
    let (a, b) = codes_at(NOW + 120);
    let cmds = enter_codes(&mut app, &a, &b);
    assert!(cmds.is_empty(), "{cmds:?}");
    let text = notice(&app, NoticeKind::Error);
    assert!(text.contains("about 120 s ahead"), "{text}");
    let (a, b) = codes_at(NOW - 90);
    let cmds = enter_codes(&mut app, &a, &b);
    assert!(cmds.is_empty(), "{cmds:?}");
    let text = notice(&app, NoticeKind::Error);
    assert!(text.contains("about 90 s behind"), "{text}");
}

#[test]
fn the_same_code_twice_is_not_consecutive_and_a_short_code_is_malformed() {
    let (mut app, _) = enrolling();
    let (_, b) = codes_at(NOW);
    assert!(enter_codes(&mut app, &b, &b).is_empty());
    let text = notice(&app, NoticeKind::Error);
    assert!(text.contains("not two consecutive"), "{text}");
    type_str(&mut app, "12345");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let text = notice(&app, NoticeKind::Error);
    assert!(text.contains("first code must be 6 digits"), "{text}");
}

#[test]
fn two_pasted_codes_fill_both_fields_and_pass() {
    let (mut app, _) = enrolling();
    let (a, b) = codes_at(NOW);
    update(&mut app, Msg::Paste(format!("{a}\n")));
    update(&mut app, Msg::Paste(b.clone()));
    let e = app.flows.mfa.enrol.as_ref().unwrap();
    assert_eq!([e.codes[0].value(), e.codes[1].value()], [&a, &b]);
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(
            cmds.as_slice(),
            [Command::Worker(Request::EnableMfaDevice { .. })]
        ),
        "{cmds:?}"
    );
}

#[test]
fn a_letter_in_a_code_field_is_refused_and_says_why() {
    let (mut app, _) = enrolling();
    type_str(&mut app, "12a");
    assert_eq!(app.flows.mfa.enrol.as_ref().unwrap().codes[0].value(), "12");
    let text = notice(&app, NoticeKind::Error);
    assert!(text.contains("6 digits"), "{text}");
}

#[test]
fn a_pair_that_passes_is_sent_to_enable_the_device_and_quitting_waits_for_it() {
    let (mut app, run) = enrolling();
    let (a, b) = codes_at(NOW);
    let cmds = enter_codes(&mut app, &a, &b);
    match cmds.as_slice() {
        [
            Command::Worker(Request::EnableMfaDevice {
                run: r,
                user,
                serial,
                seed: sent,
                codes,
            }),
        ] => {
            assert_eq!((*r, user.as_str(), serial.as_str()), (run, "alice", SERIAL));
            assert_eq!([codes[0].expose(), codes[1].expose()], [&a, &b]);
            assert_eq!(sent.to_base32().as_str(), SEED);
        }
        other => panic!("expected EnableMfaDevice, got {other:?}"),
    }
    // What the log would hold of the request (it logs requests with `Debug`).
    let logged = format!("{cmds:?}");
    for secret in [SEED, &a, &b] {
        assert!(!logged.contains(secret), "{secret} is logged: {logged}");
    }
    assert!(
        ctrl(&mut app, 'c').is_empty(),
        "quitting waits for IAM's answer"
    );
}

fn enabled(app: &mut App, run: u64, result: Result<(), EnableError>) -> Vec<Command> {
    update(
        app,
        Msg::Worker(Event::MfaDeviceEnabled {
            run,
            user: "alice".into(),
            serial: SERIAL.into(),
            result,
        }),
    )
}

#[test]
fn an_enabled_device_is_said_and_never_deleted_by_a_quit_or_a_signal() {
    let (mut app, run) = enrolling();
    let (a, b) = codes_at(NOW);
    enter_codes(&mut app, &a, &b);
    let cmds = enabled(&mut app, run, Ok(()));
    load_seq(&cmds);
    assert_eq!(app.screen, Screen::MfaList);
    let text = notice(&app, NoticeKind::Info);
    assert_eq!(text, format!("MFA enabled for alice ({SERIAL})."));
    assert!(app.flows.mfa.enrol.is_none(), "the seed is gone");
    let cmds = ctrl(&mut app, 'c');
    assert!(quits(&cmds), "{cmds:?}");
    assert!(discards(&cmds).is_empty(), "{cmds:?}");
    let cmds = update(&mut app, Msg::Signal);
    assert!(discards(&cmds).is_empty(), "{cmds:?}");
    assert!(!app.finishing());
}

#[test]
fn esc_deletes_the_device_never_enabled_and_says_so() {
    let (mut app, _) = enrolling();
    let cmds = press(&mut app, KeyCode::Esc);
    assert_eq!(discards(&cmds), vec![SERIAL.to_string()]);
    assert_eq!(app.screen, Screen::MfaList);
    let enrol = app.flows.mfa.enrol.as_ref().unwrap();
    assert!(enrol.seed.is_none(), "the seed goes at once");
    let cmds = discarded(&mut app, discard_seq(&cmds), Ok(()));
    load_seq(&cmds);
    let text = notice(&app, NoticeKind::Info);
    assert!(text.contains("deleted again"), "{text}");
    assert!(app.flows.mfa.enrol.is_none());
}

#[test]
fn quitting_deletes_the_device_never_enabled() {
    let (mut app, _) = enrolling();
    let cmds = ctrl(&mut app, 'c');
    assert!(cmds.is_empty(), "the quit is asked first: {cmds:?}");
    let cmds = press(&mut app, KeyCode::Char('y'));
    assert_eq!(discards(&cmds), vec![SERIAL.to_string()]);
    assert!(quits(&cmds));
}

#[test]
fn a_signal_deletes_the_device_never_enabled_and_the_end_waits_for_it() {
    let (mut app, _) = enrolling();
    let cmds = update(&mut app, Msg::Signal);
    assert_eq!(discards(&cmds), vec![SERIAL.to_string()]);
    assert!(app.finishing(), "the end waits for the deletion");
    discarded(&mut app, discard_seq(&cmds), Ok(()));
    assert!(!app.finishing());
}

#[test]
fn a_device_made_while_a_signal_ends_the_wizard_is_deleted_when_it_arrives() {
    let mut app = alice_with(Vec::new(), None);
    let run = create_run(&press(&mut app, KeyCode::Char('n')));
    let cmds = update(&mut app, Msg::Signal);
    assert!(discards(&cmds).is_empty(), "nothing to delete yet");
    assert!(app.finishing(), "the end waits for the device");
    let cmds = update(
        &mut app,
        Msg::Worker(Event::MfaDeviceCreated {
            run,
            user: "alice".into(),
            result: Ok(NewVirtualDevice {
                serial: SERIAL.into(),
                seed: seed(),
            }),
        }),
    );
    assert_eq!(discards(&cmds), vec![SERIAL.to_string()]);
    assert!(app.finishing());
}

#[test]
fn a_signal_while_enabling_waits_and_deletes_the_device_if_its_codes_came_back_refused() {
    let (mut app, run) = enrolling();
    let (a, b) = codes_at(NOW);
    enter_codes(&mut app, &a, &b);
    let cmds = update(&mut app, Msg::Signal);
    assert!(discards(&cmds).is_empty(), "IAM's answer is awaited");
    assert!(app.finishing());
    let verdict = iamwiz::model::totp::Verdict::ClockAhead { seconds: 60 };
    let cmds = enabled(&mut app, run, Err(EnableError::Codes(verdict)));
    assert_eq!(discards(&cmds), vec![SERIAL.to_string()]);
    assert!(app.finishing(), "the end waits for the deletion");
}

#[test]
fn iam_refusing_to_enable_deletes_the_device_and_names_the_operation_and_code() {
    let (mut app, run) = enrolling();
    let (a, b) = codes_at(NOW);
    enter_codes(&mut app, &a, &b);
    let err = AwsError {
        operation: "iam:EnableMFADevice".into(),
        code: "AccessDenied".into(),
        message: "not allowed".into(),
        hint: "Ask for iam:EnableMFADevice.".into(),
    };
    let cmds = enabled(&mut app, run, Err(EnableError::Aws(err)));
    assert_eq!(discards(&cmds), vec![SERIAL.to_string()]);
    let text = notice(&app, NoticeKind::Info);
    assert!(
        text.contains("iam:EnableMFADevice failed: AccessDenied"),
        "{text}"
    );
    assert!(text.contains("Ask for iam:EnableMFADevice."), "{text}");
}

#[test]
fn codes_the_workers_own_check_refuses_come_back_to_the_fields() {
    let (mut app, run) = enrolling();
    let (a, b) = codes_at(NOW);
    enter_codes(&mut app, &a, &b);
    let verdict = iamwiz::model::totp::Verdict::ClockAhead { seconds: 60 };
    let cmds = enabled(&mut app, run, Err(EnableError::Codes(verdict)));
    assert!(cmds.is_empty(), "{cmds:?}");
    let e = app.flows.mfa.enrol.as_ref().unwrap();
    assert_eq!(e.stage, Stage::Ready);
    assert!(e.codes[0].is_empty() && e.codes[1].is_empty());
    assert!(notice(&app, NoticeKind::Error).contains("60 s ahead"));
}

// ---- screens --------------------------------------------------------------------------------

mod screens {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;
    use ratatui::style::Color;

    fn buffer(app: &mut App, w: u16, h: u16) -> Buffer {
        update(app, Msg::Resize(w, h));
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
        terminal.backend().buffer().clone()
    }

    fn draw(app: &mut App, w: u16, h: u16) -> String {
        update(app, Msg::Resize(w, h));
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
        terminal.backend().to_string()
    }

    /// The seed as the screen groups it.
    fn grouped_seed() -> Vec<String> {
        SEED.as_bytes()
            .chunks(16)
            .map(|c| {
                c.chunks(4)
                    .map(|g| std::str::from_utf8(g).unwrap())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn the_device_list() {
        let mut app = alice_with(
            vec![enabled_device()],
            Some("arn:aws:iam::123456789012:mfa/old/alice"),
        );
        let screen = draw(&mut app, 80, 24);
        assert!(screen.contains("enabled 2026-01-01"), "{screen}");
        assert!(screen.contains("not enabled: no one has it"), "{screen}");
        insta::assert_snapshot!("mfa_flow_devices", screen);
    }

    #[test]
    fn the_enrolment_at_80x24_asks_for_a_larger_terminal_and_masks_the_seed() {
        let (mut app, _) = enrolling();
        let screen = draw(&mut app, 80, 24);
        assert!(
            screen.contains("enlarge the terminal to 88x33"),
            "the size named is the QR code's (53x27), the text beside it and the margin:\n{screen}"
        );
        assert!(!screen.contains("GEZD"), "the seed is masked:\n{screen}");
        insta::assert_snapshot!("mfa_flow_enrol", screen);
        press(&mut app, KeyCode::Char('s'));
        let screen = draw(&mut app, 80, 24);
        for line in grouped_seed() {
            assert!(screen.contains(&line), "s shows {line}:\n{screen}");
        }
    }

    #[test]
    fn the_enrolment_at_100x40_draws_the_qr_code_beside_the_seed_shown() {
        let (mut app, _) = enrolling();
        press(&mut app, KeyCode::Char('s'));
        let screen = draw(&mut app, 100, 40);
        assert!(!screen.contains("enlarge"), "{screen}");
        insta::assert_snapshot!("mfa_flow_enrol_qr", screen);
    }

    #[test]
    fn the_enrolment_at_60x20_asks_to_enlarge_the_terminal() {
        let (mut app, _) = enrolling();
        let screen = draw(&mut app, 60, 20);
        assert!(screen.contains("Enlarge it"), "{screen}");
        assert!(!screen.contains("GEZD"), "{screen}");
        insta::assert_snapshot!("mfa_flow_enrol_60x20", screen);
    }

    /// What a phone sees of the screen: every cell drawn black on white (the code), each cell's
    /// two halves in the colour the terminal paints them; the pixels decoded with rqrr.
    #[test]
    fn the_qr_code_drawn_on_the_screen_decodes_to_the_exact_otpauth_uri() {
        let (mut app, _) = enrolling();
        let buf = buffer(&mut app, 100, 40);
        let area = buf.area;
        let white = |x: u16, y: u16| buf[(x, y)].bg == Color::White;
        let cells: Vec<(u16, u16)> = (0..area.height)
            .flat_map(|y| (0..area.width).map(move |x| (x, y)))
            .filter(|&(x, y)| white(x, y))
            .collect();
        assert!(!cells.is_empty(), "no QR code on screen");
        let x0 = cells.iter().map(|c| c.0).min().unwrap();
        let x1 = cells.iter().map(|c| c.0).max().unwrap();
        let y0 = cells.iter().map(|c| c.1).min().unwrap();
        let y1 = cells.iter().map(|c| c.1).max().unwrap();
        let (w, h) = ((x1 - x0 + 1) as usize, (y1 - y0 + 1) as usize);
        assert_eq!((w, h), (53, 27), "the code with its quiet zone");
        // Pixel (px, py): the upper or lower half of cell (px, py / 2).
        let dark = |px: usize, py: usize| -> bool {
            let cell = &buf[(x0 + px as u16, y0 + (py / 2) as u16)];
            let glyph = cell.symbol().chars().next().unwrap_or(' ');
            let lower = py % 2 == 1;
            let ink = match glyph {
                '█' => true,
                '▀' => !lower,
                '▄' => lower,
                _ => false,
            };
            let colour = if ink { cell.fg } else { cell.bg };
            colour == Color::Black
        };
        const SCALE: usize = 4;
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(w * SCALE, 2 * h * SCALE, |x, y| {
                if dark(x / SCALE, y / SCALE) { 0 } else { 255 }
            });
        let found: Vec<String> = img
            .detect_grids()
            .iter()
            .map(|g| g.decode().expect("the code decodes").1)
            .collect();
        assert_eq!(
            found,
            vec![format!(
                "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret={SEED}\
                 &issuer=Amazon%20Web%20Services"
            )]
        );
    }
}

// ---- the worker, against moto ---------------------------------------------------------------

pub(crate) mod worker {
    use super::*;
    use common::worker::ask;
    use common::{admin, settings, unique};

    /// A new user, named uniquely.
    pub(crate) async fn new_user() -> String {
        let user = unique("mfaflow");
        admin()
            .await
            .iam
            .create_user()
            .user_name(&user)
            .send()
            .await
            .unwrap();
        user
    }

    async fn one(request: Request) -> Event {
        ask(settings(), vec![request]).await.pop().unwrap()
    }

    async fn create(user: &str) -> NewVirtualDevice {
        match one(Request::CreateMfaDevice {
            run: 1,
            user: user.into(),
        })
        .await
        {
            Event::MfaDeviceCreated { result, .. } => result.expect("the device is made"),
            other => panic!("expected MfaDeviceCreated, got {other:?}"),
        }
    }

    async fn devices(user: &str) -> UserDevices {
        match one(Request::LoadMfaDevices {
            seq: 1,
            user: user.into(),
        })
        .await
        {
            Event::MfaDevices { result, .. } => result.unwrap(),
            other => panic!("expected MfaDevices, got {other:?}"),
        }
    }

    async fn change(user: &str, serial: &str, change: MfaChange) -> Result<(), AwsError> {
        match one(Request::ChangeMfaDevice {
            seq: 1,
            user: user.into(),
            serial: serial.into(),
            change,
        })
        .await
        {
            Event::MfaDeviceChanged { result, .. } => result,
            other => panic!("expected MfaDeviceChanged, got {other:?}"),
        }
    }

    /// Every virtual MFA device in the account.
    pub(crate) async fn virtual_serials() -> Vec<String> {
        admin()
            .await
            .iam
            .list_virtual_mfa_devices()
            .send()
            .await
            .unwrap()
            .virtual_mfa_devices
            .into_iter()
            .map(|d| d.serial_number)
            .collect()
    }

    #[tokio::test]
    async fn a_device_made_then_enabled_with_codes_from_its_seed_is_listed() {
        let user = new_user().await;
        let device = create(&user).await;
        assert!(
            device.serial.ends_with(&format!(":mfa/{user}")),
            "named after the user: {}",
            device.serial
        );
        let now = iamwiz::model::mfa::system_clock();
        let step = now / STEP_SECONDS;
        let codes = [
            device.seed.code_for_step(step - 1, DIGITS),
            device.seed.code_for_step(step, DIGITS),
        ];
        let event = one(Request::EnableMfaDevice {
            run: 2,
            user: user.clone(),
            serial: device.serial.clone(),
            seed: iamwiz::model::mfa::copy_seed(&device.seed),
            codes: codes.map(iamwiz::secret::Secret::new),
        })
        .await;
        match event {
            Event::MfaDeviceEnabled { result, .. } => result.expect("enabled"),
            other => panic!("expected MfaDeviceEnabled, got {other:?}"),
        }
        let listed = devices(&user).await;
        assert_eq!(
            listed
                .assigned
                .iter()
                .map(|d| d.serial.as_str())
                .collect::<Vec<_>>(),
            vec![device.serial.as_str()]
        );
        assert_eq!(listed.spare, None);
    }

    #[tokio::test]
    async fn a_device_deleted_on_cancel_leaves_no_device() {
        let user = new_user().await;
        let device = create(&user).await;
        assert_eq!(
            devices(&user).await.spare.as_deref(),
            Some(device.serial.as_str()),
            "a device never enabled is the user's spare"
        );
        change(&user, &device.serial, MfaChange::Discard)
            .await
            .unwrap();
        assert!(!virtual_serials().await.contains(&device.serial));
        assert_eq!(devices(&user).await, UserDevices::default());
    }

    #[tokio::test]
    async fn wrong_codes_never_reach_iam_and_the_device_stays_unassigned() {
        let user = new_user().await;
        let device = create(&user).await;
        let event = one(Request::EnableMfaDevice {
            run: 2,
            user: user.clone(),
            serial: device.serial.clone(),
            seed: iamwiz::model::mfa::copy_seed(&device.seed),
            codes: ["000000", "000001"].map(|c| iamwiz::secret::Secret::new(c.into())),
        })
        .await;
        match event {
            Event::MfaDeviceEnabled {
                result: Err(EnableError::Codes(_)),
                ..
            } => {}
            other => panic!("expected the codes refused, got {other:?}"),
        }
        assert!(devices(&user).await.assigned.is_empty());
        change(&user, &device.serial, MfaChange::Discard)
            .await
            .unwrap();
    }
}
