//! The policy catalogue saved on disk: what `update` does with a saved list and the live one,
//! what the pickers show meanwhile, the real worker writing and reading the file against moto,
//! and the real binary showing a saved list while AWS does not answer.

use crate::common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::fixtures::*;
use common::pty::{Wizard, keys};
use crossterm::event::KeyCode;
use iamwiz::app::{App, Command, Msg, NoticeKind, PermPane, Remote, Screen, update};
use iamwiz::cache::{self, PolicyCache};
use iamwiz::flows::users::picker;
use iamwiz::protocol::{AwsError, Event, Identity, PolicyInfo, PolicyScope, Request};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ACCOUNT: &str = "123456789012";
const THREE_HOURS: u64 = 3 * 3_600;

fn policies_seq(cmds: &[Command]) -> u64 {
    seq_of(cmds, |r| match r {
        Request::LoadPolicies { seq } => Some(*seq),
        _ => None,
    })
}

fn identity(account: &str) -> Event {
    Event::Identity(Ok(Identity {
        account: account.into(),
        arn: format!("arn:aws:iam::{account}:user/admin"),
        region: "us-east-1".into(),
    }))
}

fn cached(seq: u64, account: &str, policies: Vec<PolicyInfo>) -> Event {
    Event::CachedPolicies {
        seq,
        account: account.into(),
        saved_at: 1_700_000_000,
        age_secs: THREE_HOURS,
        policies,
    }
}

fn live(seq: u64, policies: Vec<PolicyInfo>) -> Event {
    Event::Policies {
        seq,
        result: Ok(policies),
    }
}

fn timeout_error() -> AwsError {
    AwsError {
        operation: "iam:ListPolicies".into(),
        code: "Timeout".into(),
        message: "no answer within 20 s".into(),
        hint: "Check the network.".into(),
    }
}

fn send(app: &mut App, event: Event) -> Vec<Command> {
    update(app, Msg::Worker(event))
}

fn names(app: &App) -> Vec<String> {
    app.catalog
        .policies
        .ready()
        .map(|ps| ps.iter().map(|p| p.name.clone()).collect())
        .unwrap_or_default()
}

/// The catalogue as an earlier run saved it.
fn saved_catalogue() -> Vec<PolicyInfo> {
    vec![
        policy("AdministratorAccess", PolicyScope::Aws),
        policy("DeployPipeline", PolicyScope::Customer),
        policy("PowerUserAccess", PolicyScope::Aws),
        policy("ReadOnlyAccess", PolicyScope::Aws),
    ]
}

/// The catalogue as AWS lists it now: two policies more (sorted in ahead of the others), and
/// `DeployPipeline` gone.
fn live_catalogue() -> Vec<PolicyInfo> {
    vec![
        policy("AdministratorAccess", PolicyScope::Aws),
        policy("AmazonEC2ReadOnlyAccess", PolicyScope::Aws),
        policy("AmazonS3ReadOnlyAccess", PolicyScope::Aws),
        policy("PowerUserAccess", PolicyScope::Aws),
        policy("ReadOnlyAccess", PolicyScope::Aws),
    ]
}

/// A fresh wizard on the Permissions step's Policies pane, and the sequence number of its
/// catalogue request.
fn on_policies_pane() -> (App, u64) {
    let (mut app, cmds) = App::new((80, 24));
    let seq = policies_seq(&cmds);
    app.screen = Screen::Permissions;
    app.focus.pane = PermPane::Policies;
    (app, seq)
}

fn highlighted_name(app: &App) -> Option<String> {
    picker::highlighted(app).map(|p| p.name.clone())
}

fn draw(app: &App) -> String {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
    terminal.backend().to_string()
}

// ---- update ----------------------------------------------------------------------------------

#[test]
fn a_saved_list_is_usable_at_once_and_the_live_one_replaces_it_keeping_picks() {
    let (mut app, seq) = on_policies_pane();
    send(&mut app, cached(seq, ACCOUNT, saved_catalogue()));
    assert_eq!(
        names(&app),
        [
            "AdministratorAccess",
            "DeployPipeline",
            "PowerUserAccess",
            "ReadOnlyAccess"
        ]
    );
    assert!(app.catalog.policies_cached.is_some());

    // The picker works on the saved list: filter, pick, move the highlight.
    type_str(&mut app, "access");
    let filtered: Vec<String> = app
        .filtered_policies(&app.focus.policies)
        .iter()
        .map(|p| p.name.clone())
        .collect();
    let read_only = filtered
        .iter()
        .position(|n| *n == "ReadOnlyAccess")
        .unwrap();
    app.focus.policies.cursor = read_only;
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(
        app.draft.policies,
        ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    );
    let power = filtered
        .iter()
        .position(|n| *n == "PowerUserAccess")
        .unwrap();
    app.focus.policies.cursor = power;
    assert_eq!(highlighted_name(&app).as_deref(), Some("PowerUserAccess"));

    send(&mut app, live(seq, live_catalogue()));
    assert_eq!(
        app.catalog.policies_cached, None,
        "the live list is not the saved one"
    );
    assert_eq!(
        names(&app),
        live_catalogue()
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        app.draft.policies,
        ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    );
    assert_eq!(app.focus.policies.filter.value(), "access");
    let now: Vec<&str> = app
        .filtered_policies(&app.focus.policies)
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_ne!(
        now.iter().position(|n| *n == "PowerUserAccess"),
        Some(power),
        "the test needs the highlighted policy to move in the new list: {now:?}"
    );
    assert_eq!(
        highlighted_name(&app).as_deref(),
        Some("PowerUserAccess"),
        "the highlight follows the policy it was on"
    );
}

#[test]
fn a_highlight_on_a_policy_that_is_gone_stays_within_the_list() {
    let (mut app, seq) = on_policies_pane();
    send(&mut app, cached(seq, ACCOUNT, saved_catalogue()));
    app.focus.policies.cursor = 3;
    send(
        &mut app,
        live(seq, vec![policy("AdministratorAccess", PolicyScope::Aws)]),
    );
    assert_eq!(app.focus.policies.cursor, 0);
    assert_eq!(
        highlighted_name(&app).as_deref(),
        Some("AdministratorAccess")
    );
}

#[test]
fn a_saved_list_of_another_account_goes_when_the_identity_says_so() {
    let (mut app, seq) = on_policies_pane();
    let other = "111111111111";
    let mut saved = saved_catalogue();
    saved[1].arn = format!("arn:aws:iam::{other}:policy/DeployPipeline");
    send(&mut app, cached(seq, other, saved));
    app.draft.policies = vec![
        "arn:aws:iam::aws:policy/PowerUserAccess".into(),
        format!("arn:aws:iam::{other}:policy/DeployPipeline"),
    ];

    send(&mut app, identity(ACCOUNT));
    assert_eq!(
        app.catalog.policies,
        Remote::Loading,
        "back to waiting for the live list"
    );
    assert_eq!(app.catalog.policies_cached, None);
    assert!(app.filtered_policies(&app.focus.policies).is_empty());
    assert_eq!(
        app.draft.policies,
        ["arn:aws:iam::aws:policy/PowerUserAccess"],
        "the other account's own policy cannot be attached here"
    );
    let notice = app.notice.as_ref().expect("a notice");
    assert_eq!(notice.kind, NoticeKind::Info);
    assert!(notice.text.contains(other), "{}", notice.text);

    // The live list still lands.
    send(&mut app, live(seq, live_catalogue()));
    assert_eq!(names(&app).len(), live_catalogue().len());
}

#[test]
fn a_saved_list_of_another_account_is_not_shown_when_the_identity_came_first() {
    let (mut app, seq) = on_policies_pane();
    send(&mut app, identity(ACCOUNT));
    send(&mut app, cached(seq, "111111111111", saved_catalogue()));
    assert_eq!(app.catalog.policies, Remote::Loading);
    assert_eq!(app.catalog.policies_cached, None);
}

#[test]
fn a_saved_list_of_the_same_account_stays_when_the_identity_arrives() {
    let (mut app, seq) = on_policies_pane();
    send(&mut app, cached(seq, ACCOUNT, saved_catalogue()));
    send(&mut app, identity(ACCOUNT));
    assert_eq!(names(&app).len(), saved_catalogue().len());
    assert!(app.catalog.policies_cached.is_some());
}

#[test]
fn a_failed_refresh_keeps_the_saved_list_and_says_why() {
    let (mut app, seq) = on_policies_pane();
    send(&mut app, cached(seq, ACCOUNT, saved_catalogue()));
    let screen = draw(&app);
    assert!(screen.contains("saved 3 h ago · refreshing…"), "{screen}");

    send(
        &mut app,
        Event::Policies {
            seq,
            result: Err(timeout_error()),
        },
    );
    assert_eq!(names(&app).len(), saved_catalogue().len(), "still usable");
    let cached = app
        .catalog
        .policies_cached
        .as_ref()
        .expect("still the saved list");
    assert_eq!(cached.refresh_error, Some(timeout_error()));
    let note = cached.note(app.ticks);
    assert_eq!(
        note,
        "could not refresh the policy list: iam:ListPolicies Timeout; showing the list saved \
         3 h ago"
    );
    let screen = draw(&app);
    assert!(
        screen.contains("could not refresh the policy list"),
        "{screen}"
    );
    assert!(screen.contains("list saved 3 h ago"), "{screen}");
    assert!(screen.contains("ReadOnlyAccess"), "{screen}");
    assert!(!screen.contains("refreshing…"), "{screen}");
}

#[test]
fn a_saved_list_arriving_after_a_failed_live_read_is_shown_with_the_error() {
    let (mut app, seq) = on_policies_pane();
    send(
        &mut app,
        Event::Policies {
            seq,
            result: Err(timeout_error()),
        },
    );
    send(&mut app, cached(seq, ACCOUNT, saved_catalogue()));
    assert_eq!(names(&app).len(), saved_catalogue().len());
    let cached = app
        .catalog
        .policies_cached
        .as_ref()
        .expect("the saved list");
    assert_eq!(cached.refresh_error, Some(timeout_error()));
}

#[test]
fn a_saved_list_arriving_after_the_live_one_is_ignored() {
    let (mut app, seq) = on_policies_pane();
    send(&mut app, live(seq, live_catalogue()));
    send(&mut app, cached(seq, ACCOUNT, saved_catalogue()));
    assert_eq!(names(&app).len(), live_catalogue().len());
    assert_eq!(app.catalog.policies_cached, None);
}

#[test]
fn a_saved_list_for_a_superseded_request_is_dropped() {
    let (mut app, cmds) = App::new((80, 24));
    let old = policies_seq(&cmds);
    let reload = ctrl(&mut app, 'r');
    let new = policies_seq(&reload);
    assert_ne!(old, new);
    send(&mut app, cached(old, ACCOUNT, saved_catalogue()));
    assert_eq!(app.catalog.policies, Remote::Loading);
    assert_eq!(app.catalog.policies_cached, None);
    send(&mut app, cached(new, ACCOUNT, saved_catalogue()));
    assert!(app.catalog.policies_cached.is_some());
}

#[test]
fn reloading_forgets_the_saved_list() {
    let (mut app, seq) = on_policies_pane();
    send(&mut app, cached(seq, ACCOUNT, saved_catalogue()));
    let cmds = ctrl(&mut app, 'r');
    policies_seq(&cmds);
    assert_eq!(app.catalog.policies, Remote::Loading);
    assert_eq!(app.catalog.policies_cached, None);
}

#[test]
fn the_saved_list_ages_with_the_heartbeat() {
    let (mut app, seq) = on_policies_pane();
    send(
        &mut app,
        Event::CachedPolicies {
            seq,
            account: ACCOUNT.into(),
            saved_at: 1_700_000_000,
            age_secs: 30,
            policies: saved_catalogue(),
        },
    );
    let note = |app: &App| {
        app.catalog
            .policies_cached
            .as_ref()
            .unwrap()
            .note(app.ticks)
    };
    assert_eq!(note(&app), "saved just now · refreshing…");
    for _ in 0..4 * 60 {
        update(&mut app, Msg::Tick);
    }
    assert_eq!(note(&app), "saved 1 min ago · refreshing…");
}

#[test]
fn the_boundary_step_shows_the_note_too() {
    let (mut app, seq) = on_policies_pane();
    send(&mut app, cached(seq, ACCOUNT, saved_catalogue()));
    app.screen = Screen::Boundary;
    let screen = draw(&app);
    assert!(screen.contains("saved 3 h ago · refreshing…"), "{screen}");
    assert!(screen.contains("No permissions boundary"), "{screen}");
}

// ---- the real worker against moto ------------------------------------------------------------

const DEADLINE: Duration = Duration::from_secs(60);

/// Waits until `path` exists (the worker saves after it has answered).
async fn wait_for_file(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < DEADLINE,
            "{} was never written",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What a worker with a cache sent for one catalogue request: the saved list (if any), the live
/// answer, and the worker itself, still running (it saves the list after answering).
struct Loaded {
    saved: Option<Vec<PolicyInfo>>,
    live: Result<Vec<PolicyInfo>, AwsError>,
    worker: iamwiz::worker::WorkerHandle,
}

/// Starts a worker with `dir` as its cache directory and asks it for the catalogue.
async fn load_catalogue(settings: iamwiz::aws::AwsSettings, dir: &Path) -> Loaded {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = iamwiz::worker::spawn_with_cache(settings, tx, Some(dir.to_path_buf()));
    worker
        .requests
        .send(Request::LoadPolicies { seq: 5 })
        .unwrap();
    let mut saved = None;
    let live = tokio::time::timeout(DEADLINE, async {
        loop {
            match rx.recv().await.expect("the worker is running") {
                Event::CachedPolicies { seq, policies, .. } => {
                    assert_eq!(seq, 5);
                    saved = Some(policies);
                }
                Event::Policies { seq, result } => {
                    assert_eq!(seq, 5);
                    return result;
                }
                _ => {}
            }
        }
    })
    .await
    .expect("the live answer within the deadline");
    // The saved list is read at once; give it a moment in case the live answer was quicker.
    if saved.is_none()
        && let Ok(Some(Event::CachedPolicies { policies, .. })) =
            tokio::time::timeout(Duration::from_secs(2), rx.recv()).await
    {
        saved = Some(policies);
    }
    Loaded {
        saved,
        live,
        worker,
    }
}

#[tokio::test]
async fn the_worker_saves_the_live_list_and_sends_it_first_next_time() {
    let settings = common::settings();
    let dir = tempfile::tempdir().unwrap();
    let file = PolicyCache::for_target(dir.path(), None, Some(&common::endpoint()));

    let first = load_catalogue(settings.clone(), dir.path()).await;
    assert_eq!(first.saved, None, "nothing was saved before");
    let live = first.live.expect("ListPolicies against moto");
    wait_for_file(file.path()).await;
    drop(first.worker);
    let on_disk = file.read().expect("a readable cache file");
    let account = common::admin()
        .await
        .sts
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .account
        .unwrap();
    assert_eq!(on_disk.account, account);
    assert!(on_disk.saved_at.abs_diff(cache::now()) < 120);
    assert!(on_disk.policies.iter().any(|p| p.name == "ReadOnlyAccess"));
    assert_eq!(on_disk.policies.len(), live.len());

    let second = load_catalogue(settings, dir.path()).await;
    let saved = second
        .saved
        .expect("the saved list, sent by the second worker");
    assert!(saved.iter().any(|p| p.name == "ReadOnlyAccess"));
    assert!(second.live.is_ok());
}

/// An endpoint that accepts connections and never answers.
fn black_hole() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    url
}

#[tokio::test]
async fn a_failed_live_read_sends_the_saved_list_and_leaves_the_file_alone() {
    common::use_dummy_credentials();
    let endpoint = black_hole();
    let dir = tempfile::tempdir().unwrap();
    let file = PolicyCache::for_target(dir.path(), None, Some(&endpoint));
    file.write(ACCOUNT, 1_700_000_000, &saved_catalogue())
        .unwrap();
    let settings = iamwiz::aws::AwsSettings {
        endpoint_url: Some(endpoint),
        region: Some("us-east-1".into()),
        timeouts: Some(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(1))
                .operation_attempt_timeout(Duration::from_secs(1))
                .operation_timeout(Duration::from_secs(3))
                .build(),
        ),
        ..Default::default()
    };
    let loaded = load_catalogue(settings, dir.path()).await;
    assert_eq!(loaded.saved, Some(saved_catalogue()));
    assert!(loaded.live.is_err());
    assert_eq!(file.read().unwrap().saved_at, 1_700_000_000);
}

// ---- the real binary ---------------------------------------------------------------------------

/// The one cache file iamwiz wrote under `cache_home`.
fn the_cache_file(cache_home: &Path) -> PathBuf {
    let dir = cache_home.join("iamwiz");
    let start = Instant::now();
    loop {
        let files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        let done: Vec<&PathBuf> = files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        if let [one] = done.as_slice() {
            return one.to_path_buf();
        }
        assert!(
            start.elapsed() < DEADLINE,
            "no cache file in {}: {files:?}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_second_start_shows_the_saved_list_while_aws_does_not_answer() {
    let caches = tempfile::tempdir().unwrap();
    let first_cache = caches.path().join("first");
    let first_cache_str = first_cache.to_str().unwrap();

    // First start, against moto: the catalogue is read and saved.
    let mut w = Wizard::spawn_env(80, 24, &[], &[], &[("XDG_CACHE_HOME", first_cache_str)]);
    w.wait_for("Step 1 of 6");
    let written = the_cache_file(&first_cache);
    assert_eq!(
        written.file_name().unwrap().to_str().unwrap(),
        cache::file_name(&cache::key(None, Some(&common::endpoint()))),
        "the file is named by the profile and the endpoint"
    );
    w.send(keys::CTRL_C);
    w.wait_for_exit_success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&written).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Second start, against an endpoint that never answers, with the same file under its key.
    let endpoint = black_hole();
    let second_cache = caches.path().join("second");
    let dir = second_cache.join("iamwiz");
    std::fs::create_dir_all(&dir).unwrap();
    let key = cache::key(None, Some(&endpoint));
    std::fs::copy(&written, dir.join(cache::file_name(&key))).unwrap();
    let mut w = Wizard::spawn_at(
        &endpoint,
        80,
        24,
        &[],
        &[],
        &[("XDG_CACHE_HOME", second_cache.to_str().unwrap())],
    );
    w.wait_for("Step 1 of 6");
    w.send("cache-e2e");
    w.wait_for("cache-e2e");
    w.send(keys::ENTER);
    w.wait_for("Step 2 of 6");
    w.send(keys::ENTER);
    w.wait_for("Step 3 of 6");
    w.send(keys::TAB);
    w.send(keys::TAB);
    w.send("ReadOnlyAccess");
    let screen = w.wait_until("ReadOnlyAccess listed from the saved list", |s| {
        s.contains("Filter ReadOnlyAccess") && s.lines().any(|l| l.contains("[ ] ReadOnlyAccess "))
    });
    assert!(screen.contains("saved just now · refreshing…"), "{screen}");
}
