//! A rotation in the access-key flow (`r` on the key list): through `update` (what is asked of
//! the worker at each step, what the admin is told, what a quit or a signal deletes), and the
//! worker's rotation against moto, read back through the SDK.

use crate::common;
use crate::keys_flow::{alice_keys, answer_keys, change_request, notice, opened, two_keys};

use common::fixtures::*;
use crossterm::event::KeyCode;
use iamwiz::app::reveal::{Made, Row};
use iamwiz::app::{App, Command, Modal, Msg, NoticeKind, Screen, update};
use iamwiz::model::keys::{KeyRef, RotateFailure, Rotated};
use iamwiz::protocol::{AccessKeyPair, AwsError, CreatedUser, Event, KeyChange, KeyProof, Request};
use iamwiz::secret::Secret;

const OLD: &str = "AKIAOLDOLDOLDOLD0001";
const RECENT: &str = "AKIANEWNEWNEWNEW0002";
const NEW: &str = "AKIAROTATEDROTATED03";

/// What a rotation asked of the worker.
#[derive(Debug, PartialEq)]
struct Asked {
    run: u64,
    replace: Option<String>,
    old: Option<String>,
    description: Option<String>,
}

fn rotate_request(cmds: &[Command]) -> Option<Asked> {
    cmds.iter().find_map(|c| match c {
        Command::Worker(Request::RotateAccessKey {
            run,
            replace,
            old,
            description,
            ..
        }) => Some(Asked {
            run: *run,
            replace: replace.clone(),
            old: old.clone(),
            description: description.clone(),
        }),
        _ => None,
    })
}

/// alice with only her recent key (active, used yesterday, described).
fn alice_one_key() -> App {
    let (mut app, cmds) = opened(Some("alice"));
    answer_keys(&mut app, &cmds, two_keys("alice").split_off(1));
    app
}

/// The new key as the worker answers it.
fn rotated(old_profile: Option<&str>) -> Rotated {
    Rotated {
        key: CreatedUser {
            name: "alice".into(),
            arn: "arn:aws:iam::123456789012:user/alice".into(),
            access_key: Some(AccessKeyPair {
                id: NEW.into(),
                secret: Secret::new("wJalrXUtnFEMIK7MDENGbPxRfiCYROTATEDKEY".into()),
            }),
            password: None,
            require_reset: false,
            sign_in_url: String::new(),
        },
        description: Some("deploy pipeline".into()),
        old_profile: old_profile.map(str::to_string),
    }
}

/// alice's one key rotated up to the reveal: the run, and the app on the reveal.
pub(crate) fn on_reveal(old_profile: Option<&str>) -> (App, u64) {
    let mut app = alice_one_key();
    press(&mut app, KeyCode::Char('r'));
    let asked = rotate_request(&press(&mut app, KeyCode::Char('y'))).expect("a rotation");
    update(
        &mut app,
        Msg::Worker(Event::AccessKeyRotated {
            run: asked.run,
            user: "alice".into(),
            result: Ok(rotated(old_profile)),
        }),
    );
    (app, asked.run)
}

fn proof(app: &mut App, run: u64, proof: KeyProof) -> Vec<Command> {
    update(
        app,
        Msg::Worker(Event::KeyProof {
            run,
            user: "alice".into(),
            proof,
        }),
    )
}

/// Enter on the reveal, then y: the admin says they have the new key.
fn leave_reveal(app: &mut App) -> Vec<Command> {
    press(app, KeyCode::Enter);
    assert_eq!(app.modal, Some(Modal::ConfirmLeaveReveal));
    press(app, KeyCode::Char('y'))
}

fn ends_proof(cmds: &[Command]) -> bool {
    cmds.iter()
        .any(|c| matches!(c, Command::Worker(Request::EndProof { .. })))
}

// ---- the confirmation --------------------------------------------------------------------------

#[test]
fn rotating_a_single_active_key_takes_over_from_it_and_keeps_its_description() {
    let mut app = alice_one_key();
    assert!(press(&mut app, KeyCode::Char('r')).is_empty());
    let plan = app.flows.keys.rotate.as_ref().expect("a confirmation");
    assert_eq!(plan.replace, None);
    assert!(!plan.needs_id);
    let asked = rotate_request(&press(&mut app, KeyCode::Char('y'))).expect("a rotation");
    assert_eq!(
        asked,
        Asked {
            run: asked.run,
            replace: None,
            old: Some(RECENT.into()),
            description: Some("deploy pipeline".into()),
        }
    );
    assert!(app.creation_running(), "quitting waits for the new key");
}

#[test]
fn n_cancels_a_rotation_and_nothing_is_asked() {
    let mut app = alice_one_key();
    press(&mut app, KeyCode::Char('r'));
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert!(app.flows.keys.rotate.is_none());
    assert!(app.flows.keys.rotation.is_none());
}

#[test]
fn with_two_keys_the_one_under_the_cursor_goes_first_and_one_in_use_needs_its_id() {
    let mut app = alice_keys();
    // The cursor on the recent key, used yesterday: deleting it first needs its ID.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('r'));
    assert!(app.flows.keys.rotate.as_ref().unwrap().needs_id);
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(rotate_request(&cmds).is_none(), "nothing without the ID");
    assert!(notice(&app, NoticeKind::Error).contains(RECENT));
    type_str(&mut app, RECENT);
    let asked = rotate_request(&press(&mut app, KeyCode::Enter)).expect("a rotation");
    assert_eq!(asked.replace.as_deref(), Some(RECENT));
    assert_eq!(asked.old.as_deref(), Some(OLD));
}

#[test]
fn with_two_keys_an_unused_key_under_the_cursor_goes_first_on_a_plain_yes() {
    let mut app = alice_keys();
    press(&mut app, KeyCode::Char('r'));
    let asked = rotate_request(&press(&mut app, KeyCode::Char('y'))).expect("a rotation");
    assert_eq!(asked.replace.as_deref(), Some(OLD));
    assert_eq!(asked.old.as_deref(), Some(RECENT));
}

#[test]
fn nothing_else_starts_while_a_rotation_is_under_way() {
    let mut app = alice_one_key();
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Char('y'));
    assert!(press(&mut app, KeyCode::Char('r')).is_empty());
    assert!(app.flows.keys.rotate.is_none());
    press(&mut app, KeyCode::Char('d'));
    assert!(app.flows.keys.confirm.is_none());
    assert!(notice(&app, NoticeKind::Info).contains("rotation"));
}

#[test]
fn a_rotation_that_failed_says_why_and_whether_the_replaced_key_is_gone() {
    let mut app = alice_keys();
    press(&mut app, KeyCode::Char('r'));
    let asked = rotate_request(&press(&mut app, KeyCode::Char('y'))).unwrap();
    let cmds = update(
        &mut app,
        Msg::Worker(Event::AccessKeyRotated {
            run: asked.run,
            user: "alice".into(),
            result: Err(RotateFailure {
                error: AwsError {
                    operation: "iam:CreateAccessKey".into(),
                    code: "LimitExceeded".into(),
                    message: String::new(),
                    hint: "Another admin may have made a key meanwhile.".into(),
                },
                replaced_gone: true,
                leftover: None,
            }),
        }),
    );
    let text = notice(&app, NoticeKind::Error);
    assert!(
        text.contains("iam:CreateAccessKey failed: LimitExceeded"),
        "{text}"
    );
    assert!(text.contains("Another admin"), "{text}");
    assert!(text.contains("deleted first is gone"), "{text}");
    assert!(app.flows.keys.rotation.is_none());
    assert_eq!(app.screen, Screen::KeysList);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Worker(Request::LoadAccessKeys { .. }))),
        "the keys are read again"
    );
}

// ---- the reveal and the proof ------------------------------------------------------------------

#[test]
fn the_new_key_is_revealed_alone_and_a_offers_the_profile_that_held_the_old_key() {
    let (mut app, _) = on_reveal(Some("pipeline"));
    assert_eq!(app.screen, Screen::Reveal);
    let r = app.reveal.as_ref().unwrap();
    assert_eq!(
        r.rows(),
        vec![Row::UserName, Row::AccessKeyId, Row::SecretKey]
    );
    assert_eq!(
        r.made,
        Made::AccessKey {
            key: KeyRef {
                user: "alice".into(),
                id: NEW.into()
            },
            old: Some(RECENT.into()),
            old_profile: Some("pipeline".into()),
        }
    );
    press(&mut app, KeyCode::Char('a'));
    match &app.reveal.as_ref().unwrap().prompt {
        Some(iamwiz::app::reveal::Prompt::ProfileName(f)) => assert_eq!(f.value(), "pipeline"),
        other => panic!("expected the profile prompt, got {other:?}"),
    }
}

#[test]
fn the_old_key_is_deactivated_only_once_the_admin_has_left_and_the_new_key_works() {
    let (mut app, run) = on_reveal(None);
    let cmds = proof(&mut app, run, KeyProof::Works { secs: 3 });
    assert!(
        change_request(&cmds).is_none(),
        "not while the key is on show"
    );
    assert!(
        app.reveal.as_ref().unwrap().proof().is_some(),
        "the reveal shows the proof"
    );
    let cmds = leave_reveal(&mut app);
    assert!(!ends_proof(&cmds));
    assert_eq!(app.screen, Screen::KeysList);
    let (seq, id, change) = change_request(&cmds).expect("the old key goes");
    assert_eq!((id.as_str(), change), (RECENT, KeyChange::Deactivate));
    assert!(app.reveal.is_none(), "the secret is gone from iamwiz");
    update(
        &mut app,
        Msg::Worker(Event::AccessKeyChanged {
            seq,
            user: "alice".into(),
            id: RECENT.into(),
            change: KeyChange::Deactivate,
            result: Ok(()),
        }),
    );
    let text = notice(&app, NoticeKind::Info);
    assert!(text.contains("rotation is done"), "{text}");
    assert!(text.contains(NEW), "{text}");
}

#[test]
fn leaving_before_the_proof_waits_for_it_then_deactivates_the_old_key() {
    let (mut app, run) = on_reveal(None);
    let cmds = leave_reveal(&mut app);
    assert!(change_request(&cmds).is_none());
    assert!(!ends_proof(&cmds), "the proof goes on");
    assert!(notice(&app, NoticeKind::Info).contains("Waiting for"));
    let waiting = KeyProof::Waiting {
        waited_secs: 4,
        limit_secs: 60,
        code: "InvalidClientTokenId".into(),
    };
    assert!(change_request(&proof(&mut app, run, waiting)).is_none());
    let cmds = proof(&mut app, run, KeyProof::Works { secs: 9 });
    assert_eq!(
        change_request(&cmds).map(|(_, id, c)| (id, c)),
        Some((RECENT.to_string(), KeyChange::Deactivate))
    );
}

#[test]
fn a_new_key_that_never_works_is_deleted_again_and_the_old_key_left_active() {
    let (mut app, run) = on_reveal(None);
    leave_reveal(&mut app);
    let cmds = proof(
        &mut app,
        run,
        KeyProof::Failed {
            why: "it did not work within 60 s (InvalidClientTokenId)".into(),
            what_to_do: "check the endpoint".into(),
        },
    );
    let (seq, id, change) = change_request(&cmds).expect("the new key goes");
    assert_eq!((id.as_str(), change), (NEW, KeyChange::Delete));
    update(
        &mut app,
        Msg::Worker(Event::AccessKeyChanged {
            seq,
            user: "alice".into(),
            id: NEW.into(),
            change: KeyChange::Delete,
            result: Ok(()),
        }),
    );
    let text = notice(&app, NoticeKind::Info);
    assert!(
        text.contains(&format!("{RECENT} was left as it was")),
        "{text}"
    );
    assert!(text.contains("never worked"), "{text}");
}

#[test]
fn a_proof_of_another_run_changes_nothing() {
    let (mut app, run) = on_reveal(None);
    leave_reveal(&mut app);
    let cmds = proof(&mut app, run + 100, KeyProof::Works { secs: 1 });
    assert!(change_request(&cmds).is_none());
    assert!(app.flows.keys.rotation.is_some());
}

// ---- quit and signals --------------------------------------------------------------------------

#[test]
fn quitting_on_a_new_key_nobody_saw_deletes_it_and_leaves_the_old_one() {
    let (mut app, _) = on_reveal(None);
    ctrl(&mut app, 'c');
    assert_eq!(app.modal, Some(Modal::ConfirmQuit));
    let cmds = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        change_request(&cmds).map(|(_, id, c)| (id, c)),
        Some((NEW.to_string(), KeyChange::Delete))
    );
    assert!(matches!(cmds.last(), Some(Command::Quit)), "{cmds:?}");
}

#[test]
fn quitting_once_the_new_key_was_shown_keeps_it() {
    let (mut app, _) = on_reveal(None);
    press(&mut app, KeyCode::Char('s'));
    ctrl(&mut app, 'c');
    let cmds = press(&mut app, KeyCode::Char('y'));
    assert!(change_request(&cmds).is_none());
    assert!(matches!(cmds.last(), Some(Command::Quit)));
}

fn discard_request(cmds: &[Command]) -> Option<(Vec<String>, Option<KeyRef>)> {
    cmds.iter().find_map(|c| match c {
        Command::Worker(Request::Discard {
            users, access_key, ..
        }) => Some((users.clone(), access_key.clone())),
        _ => None,
    })
}

#[test]
fn a_signal_on_a_new_key_nobody_saw_deletes_only_that_key_never_the_user() {
    let (mut app, _) = on_reveal(None);
    let (users, key) = discard_request(&update(&mut app, Msg::Signal)).expect("a discard");
    assert!(users.is_empty(), "the user was there before: {users:?}");
    assert_eq!(
        key,
        Some(KeyRef {
            user: "alice".into(),
            id: NEW.into()
        })
    );
    assert!(app.finishing(), "the deletion finishes before exit");
}

#[test]
fn a_signal_while_the_new_key_is_made_waits_for_it_then_deletes_it() {
    let mut app = alice_one_key();
    press(&mut app, KeyCode::Char('r'));
    let asked = rotate_request(&press(&mut app, KeyCode::Char('y'))).unwrap();
    assert!(discard_request(&update(&mut app, Msg::Signal)).is_none());
    assert!(app.finishing(), "the key being made must be waited for");
    let cmds = update(
        &mut app,
        Msg::Worker(Event::AccessKeyRotated {
            run: asked.run,
            user: "alice".into(),
            result: Ok(rotated(None)),
        }),
    );
    let (users, key) = discard_request(&cmds).expect("the unseen key goes");
    assert!(users.is_empty());
    assert_eq!(key.map(|k| k.id), Some(NEW.to_string()));
}

// ---- the worker, against moto ------------------------------------------------------------------

mod worker {
    use super::*;
    use common::iam_keys::{describe_key, key_states, user_tags, user_with_keys};
    use common::{admin, settings};
    use tokio::sync::mpsc::unbounded_channel;
    use tokio::time::{Duration, timeout};

    async fn user_with_described_key() -> (String, String) {
        let (user, made) = user_with_keys("krot", 1).await;
        describe_key(&user, &made[0].0, "nightly job").await;
        (user, made[0].0.clone())
    }

    async fn keys_and_tags(user: &str) -> (Vec<(String, String)>, Vec<(String, String)>) {
        (key_states(user).await, user_tags(user).await)
    }

    #[tokio::test]
    async fn the_new_key_is_made_described_and_proven_and_the_replaced_key_is_gone() {
        let (user, old) = user_with_described_key().await;
        let spare = admin()
            .await
            .iam
            .create_access_key()
            .user_name(&user)
            .send()
            .await
            .unwrap()
            .access_key
            .unwrap()
            .access_key_id;
        let (tx, mut events) = unbounded_channel();
        let worker = iamwiz::worker::spawn(settings(), tx);
        worker
            .requests
            .send(Request::RotateAccessKey {
                run: 5,
                user: user.clone(),
                replace: Some(spare.clone()),
                old: Some(old.clone()),
                description: Some("nightly job".into()),
            })
            .unwrap();
        let got = timeout(Duration::from_secs(60), async {
            let mut rotated = None;
            loop {
                match events.recv().await.expect("the worker answers") {
                    Event::AccessKeyRotated { run: 5, result, .. } => {
                        rotated = Some(result.expect("a new key"));
                    }
                    Event::KeyProof {
                        run: 5,
                        proof: p @ (KeyProof::Works { .. } | KeyProof::Failed { .. }),
                        ..
                    } => return (rotated.expect("the key came first"), p),
                    _ => {}
                }
            }
        })
        .await
        .expect("the key was made and proven within a minute");
        common::worker::shut_down(worker).await;
        let (rotated, proof) = got;
        assert!(matches!(proof, KeyProof::Works { .. }), "{proof:?}");
        let new = rotated.key.access_key.as_ref().unwrap().id.clone();
        assert_eq!(rotated.description.as_deref(), Some("nightly job"));
        let (keys, tags) = keys_and_tags(&user).await;
        let mut want = vec![
            (old.clone(), "Active".to_string()),
            (new.clone(), "Active".to_string()),
        ];
        want.sort();
        assert_eq!(keys, want, "the spare key is gone; the old key still works");
        let mut want_tags = vec![
            (old, "nightly job".to_string()),
            (new, "nightly job".to_string()),
        ];
        want_tags.sort();
        assert_eq!(tags, want_tags);
    }

    #[tokio::test]
    async fn a_discarded_new_key_goes_with_its_description_and_the_user_stays() {
        let (user, old) = user_with_described_key().await;
        let iam = admin().await.iam;
        let new = iam
            .create_access_key()
            .user_name(&user)
            .send()
            .await
            .unwrap()
            .access_key
            .unwrap()
            .access_key_id;
        let tag = aws_sdk_iam::types::Tag::builder()
            .key(&new)
            .value("nightly job")
            .build()
            .unwrap();
        iam.tag_user()
            .user_name(&user)
            .tags(tag)
            .send()
            .await
            .unwrap();
        let events = common::worker::ask(
            settings(),
            vec![Request::Discard {
                run: 9,
                users: Vec::new(),
                key: None,
                access_key: Some(KeyRef {
                    user: user.clone(),
                    id: new.clone(),
                }),
            }],
        )
        .await;
        let Some(Event::Discarded { users, .. }) = events.into_iter().next() else {
            panic!("expected Discarded");
        };
        assert_eq!(users.len(), 1);
        assert!(users[0].leftovers.is_empty(), "{:?}", users[0].leftovers);
        let (keys, tags) = keys_and_tags(&user).await;
        assert_eq!(keys, vec![(old.clone(), "Active".to_string())]);
        assert_eq!(tags, vec![(old, "nightly job".to_string())]);
        assert!(
            iam.get_user().user_name(&user).send().await.is_ok(),
            "the user stays"
        );
    }
}

// ---- screens -----------------------------------------------------------------------------------

mod screens {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn draw(app: &App, w: u16, h: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
        terminal.backend().to_string()
    }

    #[test]
    fn the_confirmation_names_every_step_and_the_key_deleted_first() {
        let mut app = alice_keys();
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Char('r'));
        type_str(&mut app, "AKIANEW");
        let screen = draw(&app, 80, 24);
        for step in [
            "1. Delete AKIANEWNEWNEWNEW0002",
            "2. Make alice's new key",
            "3. Prove it works",
            "4. Then deactivate AKIAOLDOLDOLDOLD0001",
        ] {
            assert!(screen.contains(step), "{step}\n{screen}");
        }
        insta::assert_snapshot!("keys_rotation_confirm", screen);
    }

    #[test]
    fn the_reveal_of_a_new_key_offers_the_old_keys_profile_and_has_no_sign_in_rows() {
        let (app, _) = on_reveal(Some("pipeline"));
        let screen = draw(&app, 80, 24);
        assert!(
            screen.contains("a offers profile pipeline: it holds the old key AKIANEWNEWNEWNEW0002"),
            "{screen}"
        );
        assert!(!screen.contains("sign-in"), "{screen}");
        assert!(
            !screen.contains("wJalrXUtnFEMIK7MDENG"),
            "masked until asked:\n{screen}"
        );
        insta::assert_snapshot!("keys_rotation_reveal", screen);
    }

    #[test]
    fn the_key_list_follows_the_proof_once_the_reveal_is_left() {
        let (mut app, run) = on_reveal(None);
        let cmds = leave_reveal(&mut app);
        let mut keys = two_keys("alice").split_off(1);
        keys.push(iamwiz::model::keys::AccessKeyInfo {
            user: "alice".into(),
            id: NEW.into(),
            status: "Active".into(),
            created: Some(crate::keys_flow::NOW),
            last_used: None,
            description: Some("deploy pipeline".into()),
        });
        answer_keys(&mut app, &cmds, keys);
        proof(
            &mut app,
            run,
            KeyProof::Waiting {
                waited_secs: 6,
                limit_secs: 60,
                code: "InvalidClientTokenId".into(),
            },
        );
        let screen = draw(&app, 80, 24);
        assert!(screen.contains("AKIAROTATEDROTATED03"), "{screen}");
        assert!(
            screen.contains("replaces AKIANEWNEWNEWNEW0002 as soon as it works"),
            "{screen}"
        );
        insta::assert_snapshot!("keys_rotation_proving", screen);
    }
}

mod questions {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn draw(app: &App) -> String {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
        terminal.backend().to_string()
    }

    #[test]
    fn the_quit_question_on_a_new_key_says_what_happens_and_keeps_its_answers_in_the_box() {
        let (mut app, _) = on_reveal(None);
        ctrl(&mut app, 'c');
        let screen = draw(&app);
        assert!(screen.contains("y quit"), "{screen}");
        assert!(screen.contains("it is deleted again"), "{screen}");
        assert!(screen.contains("stays as it is."), "{screen}");
    }

    #[test]
    fn the_quit_warning_on_a_new_key_reads_without_gaps_mid_sentence() {
        let (mut app, _) = on_reveal(None);
        ctrl(&mut app, 'c');
        let warning = iamwiz::flows::quit_warning(&app).expect("the rotation's own words");
        assert!(
            warning.ends_with(&format!(", and {RECENT} stays as it is.")),
            "{warning}"
        );
        assert!(!warning.contains("  "), "{warning:?}");
    }

    #[test]
    fn the_quit_question_on_new_users_keeps_its_answers_in_the_box() {
        let mut app = crate::snapshots::revealed();
        ctrl(&mut app, 'c');
        assert_eq!(app.modal, Some(Modal::ConfirmQuit));
        let screen = draw(&app);
        assert!(screen.contains("can never be shown again."), "{screen}");
        assert!(screen.contains("y quit"), "{screen}");
    }
}
