//! Bad input: random keys, pastes, resizes and worker replies through `update` never panic,
//! never break the draft's rules, and always draw; huge pastes, tiny terminals and stray control
//! characters are refused with a message.

use crate::common;

use common::fixtures::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamwiz::app::reveal::{CopiedTo, Effect, Prompt, SaveError};
use iamwiz::app::{AccessItem, App, Command, Msg, NoticeKind, PermPane, Screen, update};
use iamwiz::flows::users::draft::{
    self, GROUPS_MAX, MANAGED_POLICIES_MAX, PATH_MAX, TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_MAX,
    USER_NAME_MAX, USERS_MAX,
};
use iamwiz::protocol::{
    CreatedRole, CreationResult, DiscardedKey, DiscardedUser, EncryptionAccount, EncryptionCreated,
    EncryptionResult, Event, GroupInfo, Identity, KeyChoice, PasswordPolicy, PolicyScope, Request,
    ServiceAccount, UserInfo, UserPermissions, Verification,
};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

// ---- the harness: a fake worker that answers from fixture data ---------------------------------

/// One step of a random session.
#[derive(Clone, Debug)]
enum Action {
    Key(KeyEvent),
    /// A string typed key by key.
    Type(String),
    /// Ctrl-U, a valid name typed, Enter: makes getting past User details (and so every later
    /// screen) likely.
    Name(String),
    Paste(String),
    Resize(u16, u16),
    Tick,
    /// The worker answers every request it has been sent so far.
    Answer,
    /// SIGTERM or SIGHUP: from then on the terminal loop reads no keys and draws nothing; only
    /// the worker's answers still come in.
    Signal,
}

struct Harness {
    app: App,
    pending: Vec<Request>,
    /// Local effects (clipboard, saving) the terminal loop would carry out, and answer.
    effects: Vec<Effect>,
    /// Messages left in this session.
    budget: usize,
    /// A signal arrived.
    ended: bool,
    /// How many times the app asked the worker to delete the users of a batch.
    discards: usize,
}

/// The most messages one random session sends.
const MAX_MESSAGES: usize = 200;

fn identity() -> Identity {
    Identity {
        account: "123456789012".into(),
        arn: "arn:aws:iam::123456789012:user/admin".into(),
        region: "us-east-1".into(),
    }
}

/// What the fake worker replies to `request`, if anything.
fn reply(request: Request) -> Option<Event> {
    Some(match request {
        Request::LoadIdentity => Event::Identity(Ok(identity())),
        Request::LoadGroups { seq } => Event::Groups {
            seq,
            result: Ok(vec![
                group("admins", &["AdministratorAccess"]),
                group("developers", &["ReadOnlyAccess"]),
            ]),
        },
        Request::LoadUsers { seq } => Event::Users {
            seq,
            result: Ok(vec![UserInfo {
                name: "alice".into(),
                path: "/".into(),
            }]),
        },
        Request::LoadPolicies { seq } => Event::Policies {
            seq,
            result: Ok(vec![
                policy("AdministratorAccess", PolicyScope::Aws),
                policy("DeployPipeline", PolicyScope::Customer),
                policy("PowerUserAccess", PolicyScope::Aws),
                policy("ReadOnlyAccess", PolicyScope::Aws),
            ]),
        },
        Request::LoadPasswordPolicy => Event::PasswordPolicy(Ok(PasswordPolicy::aws_default())),
        Request::LoadAccountAlias => Event::AccountAlias(Ok(None)),
        Request::LoadIdentityCenter => Event::IdentityCenter(false),
        Request::LoadUserPermissions { seq, user } => Event::UserPermissions {
            seq,
            user,
            result: Ok(UserPermissions {
                groups: vec!["developers".into()],
                policies: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
                inline: Vec::new(),
                boundary: None,
            }),
        },
        Request::CheckName { seq, kind, name } => Event::NameCheck {
            seq,
            kind,
            result: Ok((name == "alice").then(|| "alice".to_string())),
            name,
        },
        Request::Create { run, .. } => created_event(run),
        Request::CreateGroup {
            seq,
            name,
            policies,
            ..
        } => Event::GroupCreated {
            seq,
            result: Ok(GroupInfo { name, policies }),
        },
        // The picker's preview stays loading.
        Request::LoadPolicyDocument { .. } | Request::EndProof { .. } => return None,
        Request::Discard {
            run,
            users,
            key,
            access_key,
        } => Event::Discarded {
            run,
            users: users
                .into_iter()
                .map(|user| DiscardedUser {
                    deleted: vec![format!("user {user}")],
                    user,
                    leftovers: Vec::new(),
                })
                .chain(access_key.map(|k| DiscardedUser {
                    deleted: vec![format!("access key {} of user {}", k.id, k.user)],
                    user: k.user,
                    leftovers: Vec::new(),
                }))
                .collect(),
            key: key.map(|k| DiscardedKey {
                deletion: format!("KMS key {} is scheduled for deletion", k.key_arn),
                leftovers: Vec::new(),
            }),
        },
        Request::LoadAccessKeys { seq, user } => Event::AccessKeys {
            seq,
            user,
            now: 0,
            result: Ok(Vec::new()),
        },
        Request::ChangeAccessKey {
            seq,
            user,
            id,
            change,
        } => Event::AccessKeyChanged {
            seq,
            user,
            id,
            change,
            result: Ok(()),
        },
        Request::RotateAccessKey { run, user, .. } => Event::AccessKeyRotated {
            run,
            result: Ok(iamwiz::model::keys::Rotated {
                key: iamwiz::protocol::CreatedUser {
                    name: user.clone(),
                    arn: format!("arn:aws:iam::123456789012:user/{user}"),
                    access_key: Some(iamwiz::protocol::AccessKeyPair {
                        id: "AKIAROTATEDROTATED03".into(),
                        secret: iamwiz::secret::Secret::new("rotated-secret".into()),
                    }),
                    password: None,
                    require_reset: false,
                    sign_in_url: String::new(),
                },
                description: None,
                old_profile: None,
            }),
            user,
        },
        Request::LoadMfaDevices { seq, user } => Event::MfaDevices {
            seq,
            user,
            result: Ok(Default::default()),
        },
        Request::CreateMfaDevice { run, user } => Event::MfaDeviceCreated {
            run,
            result: Ok(iamwiz::model::mfa::NewVirtualDevice {
                serial: format!("arn:aws:iam::123456789012:mfa/{user}"),
                seed: iamwiz::model::totp::TotpSeed::from_bytes(b"12345678901234567890".to_vec()),
            }),
            user,
        },
        Request::EnableMfaDevice {
            run, user, serial, ..
        } => Event::MfaDeviceEnabled {
            run,
            user,
            serial,
            result: Ok(()),
        },
        Request::ChangeMfaDevice {
            seq,
            user,
            serial,
            change,
        } => Event::MfaDeviceChanged {
            seq,
            user,
            serial,
            change,
            result: Ok(()),
        },
        Request::LoadKmsKeys { seq, region } => Event::KmsKeys {
            seq,
            result: Ok(vec![
                kms_key("1111", Some("orders-cmk"), "Enabled", ""),
                kms_key("2222", None, "Disabled", ""),
                kms_key("3333", Some("old"), "PendingDeletion", ""),
            ]),
            region,
        },
        Request::CreateEncryption { run, spec } => {
            let key_arn = match &spec.key {
                KeyChoice::Existing(k) => k.arn.clone(),
                KeyChoice::New { .. } => {
                    format!("arn:aws:kms:{}:123456789012:key/new", spec.region)
                }
            };
            let account = match &spec.account {
                ServiceAccount::User { name, .. } => {
                    let Event::Finished {
                        result: CreationResult::Created(mut users),
                        ..
                    } = created_event(run)
                    else {
                        unreachable!("created_event is a success")
                    };
                    let mut user = users.remove(0);
                    user.name = name.clone();
                    user.password = None;
                    EncryptionAccount::User(user)
                }
                ServiceAccount::Role { name, .. } => EncryptionAccount::Role(CreatedRole {
                    name: name.clone(),
                    arn: format!("arn:aws:iam::123456789012:role/{name}"),
                    instance_profile: None,
                }),
            };
            Event::EncryptionFinished {
                run,
                result: EncryptionResult::Created(EncryptionCreated {
                    feature: spec.feature,
                    key_arn,
                    key_created: matches!(spec.key, KeyChoice::New { .. }),
                    region: spec.region,
                    endpoint: None,
                    account,
                    verification: Verification::Verified {
                        attempts: 1,
                        seconds: 0,
                    },
                }),
            }
        }
    })
}

/// What the terminal loop reports back for a local command: copies and saves succeed, except
/// that a profile exists until the admin says to overwrite it.
fn effect(command: &Command) -> Option<Effect> {
    Some(match command {
        Command::Copy(_) => Effect::Copied(Ok(CopiedTo::System)),
        Command::ClearClipboard => Effect::ClipboardCleared(Ok(true)),
        Command::SaveCsv { path } => Effect::Saved(Ok(format!("CSV file {}", path.display()))),
        Command::SaveProfile {
            name,
            overwrite: false,
        } => Effect::Saved(Err(SaveError::ProfileExists(name.clone()))),
        Command::SaveProfile { name, .. } => Effect::Saved(Ok(format!("profile {name}"))),
        Command::SavePlan { path, .. } => Effect::PlanSaved(Ok(path.clone())),
        Command::SaveEncrypted { recipient, .. } => {
            Effect::Saved(Ok(format!("encrypted for {recipient}")))
        }
        Command::Worker(_) | Command::Quit => return None,
    })
}

impl Harness {
    fn new(size: (u16, u16)) -> Harness {
        let (app, cmds) = App::new(size);
        let mut h = Harness {
            app,
            pending: Vec::new(),
            effects: Vec::new(),
            budget: MAX_MESSAGES,
            ended: false,
            discards: 0,
        };
        h.queue(cmds);
        h
    }

    fn queue(&mut self, cmds: Vec<Command>) -> Vec<Command> {
        let mut rest = Vec::new();
        for c in cmds {
            match c {
                Command::Worker(r) => {
                    self.discards += usize::from(matches!(r, Request::Discard { .. }));
                    self.pending.push(r);
                }
                other => {
                    self.effects.extend(effect(&other));
                    rest.push(other);
                }
            }
        }
        rest
    }

    /// Runs `action`, calling `check` after every message with the app and the non-worker
    /// commands it emitted, and the screen before the message.
    fn run(&mut self, action: Action, check: &mut dyn FnMut(&App, Screen, &[Command])) {
        if self.ended && !matches!(action, Action::Answer) {
            return;
        }
        let msgs: Vec<Msg> = match action {
            Action::Signal => {
                self.ended = true;
                vec![Msg::Signal]
            }
            Action::Key(k) => vec![Msg::Key(k)],
            Action::Type(s) => s.chars().map(|c| Msg::Key(key(KeyCode::Char(c)))).collect(),
            Action::Name(s) => {
                std::iter::once(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL))
                    .chain(s.chars().map(|c| key(KeyCode::Char(c))))
                    .chain([key(KeyCode::Enter)])
                    .map(Msg::Key)
                    .collect()
            }
            Action::Paste(s) => vec![Msg::Paste(s)],
            Action::Resize(w, h) => vec![Msg::Resize(w, h)],
            Action::Tick => vec![Msg::Tick],
            Action::Answer => std::mem::take(&mut self.pending)
                .into_iter()
                .filter_map(reply)
                .map(Msg::Worker)
                .chain(
                    std::mem::take(&mut self.effects)
                        .into_iter()
                        .map(Msg::Effect),
                )
                .collect(),
        };
        for msg in msgs {
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            let before = self.app.screen;
            let cmds = update(&mut self.app, msg);
            let rest = self.queue(cmds);
            check(&self.app, before, &rest);
            if self.ended {
                // Once ending, no batch keeps secrets nobody has: the app drops them and asks
                // for those users to be deleted, once.
                assert!(
                    !self
                        .app
                        .reveal
                        .as_ref()
                        .is_some_and(|r| r.nobody_has_secrets()),
                    "ending with secrets nobody has, and their users kept"
                );
                assert!(self.discards <= 1, "{} discards asked for", self.discards);
            }
        }
    }
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn draw(app: &App) -> String {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
    terminal.backend().to_string()
}

// ---- strategies --------------------------------------------------------------------------------

fn any_key() -> impl Strategy<Value = KeyEvent> {
    let named = prop::sample::select(vec![
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Insert,
        KeyCode::F(1),
        KeyCode::F(2),
        KeyCode::Char(' '),
    ])
    .prop_map(key);
    let ascii = prop::char::range(' ', '~').prop_map(|c| key(KeyCode::Char(c)));
    let anything = any::<char>().prop_map(|c| key(KeyCode::Char(c)));
    let control = prop::sample::select(vec!['\0', '\u{7}', '\u{1b}', '\t', '\n', '\r', '\u{7f}'])
        .prop_map(|c| key(KeyCode::Char(c)));
    // Every Ctrl combination iamwiz uses, except Ctrl-C (quit).
    let ctrl = prop::sample::select(vec!['n', 'd', 'r', 'g', 't', 'p', 's', 'u', 'e'])
        .prop_map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    let shifted = prop::sample::select(vec![
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::PageUp,
        KeyCode::PageDown,
    ])
    .prop_map(|c| KeyEvent::new(c, KeyModifiers::SHIFT));
    prop_oneof![
        8 => named,
        // Enter moves on, y answers the leave-the-credentials question: both help reach the
        // last screens.
        5 => Just(key(KeyCode::Enter)),
        1 => Just(key(KeyCode::Char('y'))),
        6 => ascii,
        2 => anything,
        1 => control,
        3 => ctrl,
        1 => shifted,
    ]
}

fn any_paste() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9_.@-]{1,12}\n?",
        2 => "(?s).{0,40}",
        1 => "[\\x00-\\x1f\u{fffd}é ]{1,8}",
        1 => prop::collection::vec(any::<char>(), 0..3000)
            .prop_map(|cs| cs.into_iter().collect::<String>()),
        1 => (1usize..4000).prop_map(|n| "a".repeat(n)),
    ]
}

fn any_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        20 => any_key().prop_map(Action::Key),
        3 => "[a-z]{1,8}".prop_map(Action::Type),
        2 => "[a-z]{1,8}".prop_map(Action::Name),
        3 => any_paste().prop_map(Action::Paste),
        1 => prop_oneof![
            Just((10u16, 5u16)),
            Just((80, 24)),
            (1u16..200, 1u16..60),
        ]
        .prop_map(|(w, h)| Action::Resize(w, h)),
        2 => Just(Action::Tick),
        4 => Just(Action::Answer),
        1 => Just(Action::Signal),
    ]
}

fn session() -> impl Strategy<Value = Vec<Action>> {
    prop::collection::vec(any_action(), 0..200)
}

// ---- the invariants ----------------------------------------------------------------------------

fn unique<T: PartialEq>(items: &[T]) -> bool {
    items
        .iter()
        .enumerate()
        .all(|(i, x)| !items[..i].contains(x))
}

/// The draft's rules that must hold after every message, whatever came in.
fn check_invariants(app: &App, before: Screen, cmds: &[Command]) {
    let d = &app.draft;
    assert!(
        (1..=USERS_MAX).contains(&d.names.len()),
        "{} names",
        d.names.len()
    );
    for n in &d.names {
        let v = n.value();
        assert!(v.chars().count() <= USER_NAME_MAX, "name too long: {v:?}");
        assert!(
            v.chars().all(draft::is_user_name_char),
            "bad character in name {v:?}"
        );
        assert!(n.cursor() <= n.len());
    }
    let path = d.path.value();
    assert!(path.chars().count() <= PATH_MAX, "path too long");
    assert!(path.chars().all(draft::is_path_char), "bad path {path:?}");
    assert!(d.tags.len() <= TAGS_MAX, "{} tags", d.tags.len());
    for t in &d.tags {
        let (k, v) = (t.key.value(), t.value.value());
        assert!(k.chars().count() <= TAG_KEY_MAX, "tag key too long");
        assert!(v.chars().count() <= TAG_VALUE_MAX, "tag value too long");
        assert!(k.chars().all(draft::is_tag_char), "bad tag key {k:?}");
        assert!(v.chars().all(draft::is_tag_char), "bad tag value {v:?}");
    }
    assert!(d.groups.len() <= GROUPS_MAX, "{} groups", d.groups.len());
    assert!(unique(&d.groups), "duplicate groups {:?}", d.groups);
    assert!(
        d.policies.len() <= MANAGED_POLICIES_MAX,
        "{} policies",
        d.policies.len()
    );
    assert!(unique(&d.policies), "duplicate policies {:?}", d.policies);
    let f = &app.focus;
    assert!(f.details <= d.names.len(), "details focus {}", f.details);
    assert!(
        f.tag_row < d.tags.len() || f.tag_row == 0,
        "tag row {} of {}",
        f.tag_row,
        d.tags.len()
    );
    // Ctrl-C is never sent, and the confirm-quit question only comes from it: the only other way
    // out is q, Enter or Esc on the Done screen.
    if cmds.iter().any(|c| matches!(c, Command::Quit)) {
        assert_eq!(before, Screen::Done, "quit from {before:?}");
    }
    // A saved plan is one `iamwiz apply` takes, and never holds the custom password.
    for c in cmds {
        if let Command::SavePlan { json, .. } = c {
            assert_eq!(before, Screen::Review, "a plan saved from {before:?}");
            if let Err(p) = iamwiz::planfile::load(json) {
                panic!("a saved plan that does not load: {p:?}\n{json}");
            }
            // Shorter ones could be a name or tag typed in the same session.
            let password = d.custom_password.value();
            assert!(
                password.len() < 8 || !json.contains(password),
                "the custom password is in the plan"
            );
        }
    }
}

/// Drawing a frame takes over a millisecond in a debug build, so the drawing property runs 64
/// sessions of up to 200 messages by default (about 12,000 frames, ~12 s); `PROPTEST_CASES`
/// sets it, as it does the others (256 by default).
fn drawing_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(drawing_cases()))]

    /// Property 1: any session never panics, in `update` or in drawing at the current size (and
    /// keeps the invariants of property 2 as it goes).
    #[test]
    fn random_sessions_never_panic_and_always_draw(actions in session()) {
        let mut h = Harness::new((80, 24));
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        for a in actions {
            h.run(a, &mut |app, before, cmds| {
                check_invariants(app, before, cmds);
                let (w, h) = app.size;
                if terminal.size().unwrap() != ratatui::layout::Size::new(w, h) {
                    terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
                }
                terminal.draw(|f| iamwiz::ui::view(app, f)).unwrap();
            });
        }
    }
}

proptest! {

    /// Property 2: the draft's rules hold after every message.
    #[test]
    fn random_sessions_keep_the_drafts_invariants(actions in session()) {
        let mut h = Harness::new((80, 24));
        for a in actions {
            h.run(a, &mut check_invariants);
        }
    }

    // ---- validators at their edges ---------------------------------------------------------

    #[test]
    fn user_name_validator_matches_its_rule(s in "(?s).{0,70}|[a-zA-Z0-9+=,.@_-]{60,70}") {
        let n = s.chars().count();
        let ok = (1..=USER_NAME_MAX).contains(&n) && s.chars().all(draft::is_user_name_char);
        prop_assert_eq!(draft::validate_user_name(&s).is_ok(), ok, "{:?}", s);
    }

    #[test]
    fn tag_validators_match_their_rules(s in "(?s).{0,10}|[a-zA-Z0-9 _.:/=+@-]{120,260}") {
        let n = s.chars().count();
        let chars = s.chars().all(draft::is_tag_char);
        let key_ok = (1..=TAG_KEY_MAX).contains(&n)
            && chars
            && !s.to_ascii_lowercase().starts_with("aws:");
        prop_assert_eq!(draft::validate_tag_key(&s).is_ok(), key_ok, "{:?}", s);
        prop_assert_eq!(draft::validate_tag_value(&s).is_ok(), n <= TAG_VALUE_MAX && chars);
    }

    #[test]
    fn path_validator_matches_its_rule(s in "(?s).{0,10}|/[!-~]{505,515}/?") {
        let ok = s.chars().count() <= PATH_MAX
            && s.chars().all(draft::is_path_char)
            && s.starts_with('/')
            && s.ends_with('/');
        prop_assert_eq!(draft::validate_path(&s).is_ok(), ok, "{:?}", s);
    }
}

// ---- deterministic edges -----------------------------------------------------------------------

fn error_text(app: &App) -> String {
    match &app.notice {
        Some(n) if n.kind == NoticeKind::Error => n.text.clone(),
        other => panic!("expected an error notice, got {other:?}"),
    }
}

fn to_permissions(app: &mut App) {
    type_str(app, "carol");
    press(app, KeyCode::Enter);
    press(app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Permissions);
}

fn to_tags(app: &mut App) {
    to_permissions(app);
    press(app, KeyCode::Enter);
    press(app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Tags);
    ctrl(app, 'n');
    type_str(app, "team");
}

fn prompt_value(app: &App) -> String {
    match app.reveal.as_ref().and_then(|r| r.prompt.as_ref()) {
        Some(Prompt::CsvPath(f)) | Some(Prompt::ProfileName(f)) => f.value().to_string(),
        other => panic!("no prompt open: {other:?}"),
    }
}

fn group_form(app: &App) -> &iamwiz::flows::users::new_group::Form {
    app.new_group.form.as_ref().expect("new-group form open")
}

type Setup = fn(&mut App);
type Read = fn(&App) -> String;

/// Every text field of the wizard: how to focus it, and how to read it.
fn fields() -> Vec<(&'static str, Setup, Read)> {
    vec![
        (
            "user name",
            |a| type_str(a, "bob"),
            |a| a.draft.names[0].value().into(),
        ),
        (
            "path",
            |a| {
                press(a, KeyCode::Down);
            },
            |a| a.draft.path.value().into(),
        ),
        (
            "custom password",
            |a| {
                to_custom_password(a, "carol");
                assert_eq!(a.focus.access, AccessItem::Custom);
                type_str(a, "Abc1");
            },
            |a| a.draft.custom_password.value().into(),
        ),
        (
            "groups filter",
            |a| {
                to_permissions(a);
                type_str(a, "dev");
            },
            |a| a.focus.groups.filter.value().into(),
        ),
        (
            "copy-from filter",
            |a| {
                to_permissions(a);
                press(a, KeyCode::Tab);
                assert_eq!(a.focus.pane, PermPane::Copy);
            },
            |a| a.focus.users.filter.value().into(),
        ),
        (
            "policies filter",
            |a| {
                to_permissions(a);
                press(a, KeyCode::Tab);
                press(a, KeyCode::Tab);
                assert_eq!(a.focus.pane, PermPane::Policies);
                type_str(a, "read");
            },
            |a| a.focus.policies.filter.value().into(),
        ),
        (
            "inline policy editor",
            |a| {
                to_permissions(a);
                for _ in 0..3 {
                    press(a, KeyCode::Tab);
                }
                assert!(a.inline_editor_focused());
                type_str(a, "{}");
            },
            |a| a.draft.inline_doc.text(),
        ),
        (
            "inline policy name",
            |a| {
                to_permissions(a);
                for _ in 0..3 {
                    press(a, KeyCode::Tab);
                }
                press(a, KeyCode::Up);
                assert!(a.focus.inline_on_name);
                type_str(a, "extra");
            },
            |a| a.draft.inline_name.value().into(),
        ),
        (
            "boundary filter",
            |a| {
                to_permissions(a);
                press(a, KeyCode::Enter);
                assert_eq!(a.screen, Screen::Boundary);
            },
            |a| a.focus.boundary.filter.value().into(),
        ),
        ("tag key", to_tags, |a| a.draft.tags[0].key.value().into()),
        (
            "tag value",
            |a| {
                to_tags(a);
                press(a, KeyCode::Tab);
                type_str(a, "ops");
            },
            |a| a.draft.tags[0].value.value().into(),
        ),
        (
            "CSV path prompt",
            |a| {
                to_review(a);
                create_and_reveal(a);
                press(a, KeyCode::Char('d'));
            },
            prompt_value,
        ),
        (
            "profile name prompt",
            |a| {
                to_review(a);
                create_and_reveal(a);
                press(a, KeyCode::Char('a'));
            },
            prompt_value,
        ),
        (
            "new group name",
            |a| {
                to_permissions(a);
                ctrl(a, 'g');
                type_str(a, "ops");
            },
            |a| group_form(a).name.value().into(),
        ),
        (
            "new group path",
            |a| {
                to_permissions(a);
                ctrl(a, 'g');
                press(a, KeyCode::Tab);
            },
            |a| group_form(a).path.value().into(),
        ),
        (
            "new group policies filter",
            |a| {
                to_permissions(a);
                ctrl(a, 'g');
                press(a, KeyCode::Tab);
                press(a, KeyCode::Tab);
            },
            |a| group_form(a).policies.filter.value().into(),
        ),
    ]
}

#[test]
fn a_one_megabyte_paste_is_refused_whole_in_every_field() {
    let huge = "a".repeat(1 << 20);
    for (name, setup, read) in fields() {
        let mut app = loaded();
        setup(&mut app);
        let before = read(&app);
        let screen = app.screen;
        update(&mut app, Msg::Paste(huge.clone()));
        assert_eq!(read(&app), before, "{name}: the field changed");
        assert_eq!(app.screen, screen, "{name}");
        let e = error_text(&app);
        assert!(e.starts_with("Paste refused."), "{name}: {e}");
        assert!(
            e.contains("limit") || e.contains("at most"),
            "{name}: the message names the limit: {e}"
        );
        assert!(
            draw(&app).contains("Paste refused"),
            "{name}: the refusal is on screen"
        );
    }
}

#[test]
fn a_tiny_terminal_says_so_and_the_screen_comes_back() {
    let mut app = loaded();
    type_str(&mut app, "bob");
    let normal = draw(&app);
    update(&mut app, Msg::Resize(10, 5));
    let tiny = draw(&app);
    assert!(tiny.contains("Terminal"), "{tiny}");
    // Keys and pastes wait while the window is too small.
    press(&mut app, KeyCode::Char('x'));
    update(&mut app, Msg::Paste("yz".into()));
    assert_eq!(app.draft.names[0].value(), "bob");
    update(&mut app, Msg::Resize(80, 24));
    assert_eq!(draw(&app), normal);
}

const REFUSED: [char; 5] = ['\u{7}', '\u{1b}', '\0', '\u{fffd}', '\u{7f}'];

#[test]
fn control_and_replacement_characters_are_refused_in_names() {
    for c in REFUSED.into_iter().chain(['é', 'ñ', 'ß', 'Ж']) {
        let mut app = loaded();
        type_str(&mut app, "bob");
        press(&mut app, KeyCode::Char(c));
        assert_eq!(app.draft.names[0].value(), "bob", "{c:?} typed");
        let e = error_text(&app);
        assert!(
            e.contains("not allowed in a user name") && e.contains("+ = , . @ _ -"),
            "{c:?}: {e}"
        );
        update(&mut app, Msg::Paste(format!("ab{c}cd")));
        assert_eq!(app.draft.names[0].value(), "bob", "{c:?} pasted");
        let e = error_text(&app);
        assert!(
            e.starts_with("Paste refused.") && e.contains("not allowed in a user name"),
            "{c:?}: {e}"
        );
    }
}

#[test]
fn control_and_replacement_characters_are_refused_in_tags() {
    for c in REFUSED {
        for value_col in [false, true] {
            let mut app = loaded();
            to_tags(&mut app);
            if value_col {
                press(&mut app, KeyCode::Tab);
                type_str(&mut app, "ops");
            }
            let what = if value_col { "tag value" } else { "tag key" };
            let read = |a: &App| {
                let t = &a.draft.tags[0];
                (t.key.value().to_string(), t.value.value().to_string())
            };
            let before = read(&app);
            press(&mut app, KeyCode::Char(c));
            assert_eq!(read(&app), before, "{c:?} typed into the {what}");
            let e = error_text(&app);
            assert!(
                e.contains(&format!("not allowed in a {what}")) && e.contains("_ . : / = + - @"),
                "{c:?}: {e}"
            );
            update(&mut app, Msg::Paste(format!("x{c}y")));
            assert_eq!(read(&app), before, "{c:?} pasted into the {what}");
            assert!(error_text(&app).starts_with("Paste refused."));
        }
    }
}

/// IAM's tag pattern is `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`: letters of any script are allowed in tags
/// (unlike names), so iamwiz accepts them there.
#[test]
fn tags_take_letters_of_any_script() {
    let mut app = loaded();
    to_tags(&mut app);
    type_str(&mut app, "é");
    update(&mut app, Msg::Paste("Ж".into()));
    assert_eq!(app.draft.tags[0].key.value(), "teaméЖ");
}

#[test]
fn the_harness_reaches_every_screen() {
    // A scripted session through the fake worker, as the random ones run.
    let mut h = Harness::new((80, 24));
    let mut seen = Vec::new();
    let mut note = |app: &App, _: Screen, _: &[Command]| {
        if !seen.contains(&app.screen) {
            seen.push(app.screen);
        }
    };
    h.run(Action::Answer, &mut note);
    h.run(Action::Type("carol".into()), &mut note);
    for _ in 0..6 {
        h.run(Action::Key(key(KeyCode::Enter)), &mut note);
    }
    h.run(Action::Answer, &mut note);
    h.run(Action::Key(key(KeyCode::Enter)), &mut note);
    h.run(Action::Key(key(KeyCode::Char('y'))), &mut note);
    assert_eq!(
        seen,
        [
            Screen::Details,
            Screen::Access,
            Screen::Permissions,
            Screen::Boundary,
            Screen::Tags,
            Screen::Review,
            Screen::Creating,
            Screen::Reveal,
            Screen::Done,
        ]
    );
}
