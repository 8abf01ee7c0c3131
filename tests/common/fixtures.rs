//! Wizard states for the tests of `update` and of the screens: keys in, worker replies in, no
//! runtime and no terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamwiz::app::{App, Command, Msg, Screen, update};
use iamwiz::protocol::PasswordPolicy;
use iamwiz::protocol::{
    AccessKeyPair, CreatedRole, CreatedUser, CreationResult, EncryptionAccount, EncryptionCreated,
    EncryptionFeature, EncryptionResult, EncryptionSpec, Event, GroupInfo, Identity, KmsKey,
    PolicyInfo, PolicyScope, Request, UserInfo, UserPermissions, UserSpec, Verification,
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
    answer_loads(&mut app, &cmds);
    app
}

/// Answers the list requests among `cmds` (a new wizard's), as an account with two groups, one
/// user (alice), four managed policies and no password policy.
pub fn answer_loads(app: &mut App, cmds: &[Command]) {
    let groups = seq_of(cmds, |r| match r {
        Request::LoadGroups { seq } => Some(*seq),
        _ => None,
    });
    let users = seq_of(cmds, |r| match r {
        Request::LoadUsers { seq } => Some(*seq),
        _ => None,
    });
    let policies = seq_of(cmds, |r| match r {
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
        update(app, Msg::Worker(e));
    }
}

/// Answers the user name checks among `cmds` as the worker would for names nobody has.
pub fn answer_name_checks(app: &mut App, cmds: &[Command]) {
    for c in cmds {
        if let Command::Worker(Request::CheckName { seq, kind, name }) = c {
            update(
                app,
                Msg::Worker(Event::NameCheck {
                    seq: *seq,
                    kind: *kind,
                    name: name.clone(),
                    result: Ok(None),
                }),
            );
        }
    }
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

// ---- the MongoDB encryption flow ---------------------------------------------------------------

/// A KMS key of us-east-1 as the key picker lists it; `state` `Enabled` makes it usable.
pub fn kms_key(id: &str, alias: Option<&str>, state: &str, description: &str) -> KmsKey {
    KmsKey {
        id: id.to_string(),
        arn: format!("arn:aws:kms:us-east-1:123456789012:key/{id}"),
        aliases: alias
            .map(|a| vec![format!("alias/{a}")])
            .unwrap_or_default(),
        description: description.to_string(),
        state: state.to_string(),
        spec: "SYMMETRIC_DEFAULT".to_string(),
        usage: "ENCRYPT_DECRYPT".to_string(),
        manager: "CUSTOMER".to_string(),
    }
}

/// The keys of us-east-1 in the encryption tests: one usable, one disabled, one pending
/// deletion, one AWS managed.
pub fn region_kms_keys() -> Vec<KmsKey> {
    let mut aws = kms_key(
        "0000aaaa-1111-2222-3333-444455556666",
        Some("aws/s3"),
        "Enabled",
        "Default key that protects my S3 objects when no other key is defined",
    );
    aws.manager = "AWS".to_string();
    vec![
        kms_key(
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            Some("orders-cmk"),
            "Enabled",
            "Orders master key",
        ),
        kms_key(
            "2222bbbb-12ab-34cd-56ef-1234567890ab",
            Some("legacy-cmk"),
            "Disabled",
            "Old key",
        ),
        kms_key(
            "3333cccc-12ab-34cd-56ef-1234567890ab",
            None,
            "PendingDeletion",
            "",
        ),
        aws,
    ]
}

/// The loaded wizard, switched to the encryption flow with Ctrl-E (region us-east-1 from the
/// identity).
pub fn encryption() -> App {
    let mut app = loaded();
    ctrl(&mut app, 'e');
    assert_eq!(app.screen, Screen::EncPurpose);
    app
}

/// The `LoadKmsKeys` request among `cmds`: its seq and region.
pub fn kms_request(cmds: &[Command]) -> (u64, String) {
    cmds.iter()
        .find_map(|c| match c {
            Command::Worker(Request::LoadKmsKeys { seq, region }) => Some((*seq, region.clone())),
            _ => None,
        })
        .expect("no LoadKmsKeys request")
}

/// From Purpose: names the application `orders` and goes to Key, answering the key request with
/// [`region_kms_keys`].
pub fn enc_to_key(app: &mut App) {
    press(app, KeyCode::Down);
    press(app, KeyCode::Down);
    type_str(app, "orders");
    let cmds = press(app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncKey, "{:?}", app.notice);
    let (seq, region) = kms_request(&cmds);
    update(
        app,
        Msg::Worker(Event::KmsKeys {
            seq,
            region,
            result: Ok(region_kms_keys()),
        }),
    );
}

/// The `CreateEncryption` request among `cmds`.
pub fn encryption_spec(cmds: Vec<Command>) -> (u64, EncryptionSpec) {
    cmds.into_iter()
        .find_map(|c| match c {
            Command::Worker(Request::CreateEncryption { run, spec }) => Some((run, spec)),
            _ => None,
        })
        .expect("no CreateEncryption request")
}

/// What the worker answers when the user `orders-mongodb-kms` and its new key were made and
/// verified.
pub fn encryption_created_user(run: u64) -> Event {
    Event::EncryptionFinished {
        run,
        result: EncryptionResult::Created(EncryptionCreated {
            feature: EncryptionFeature::Csfle,
            key_arn: "arn:aws:kms:us-east-1:123456789012:key/9999eeee-12ab-34cd-56ef-1234567890ab"
                .into(),
            key_created: true,
            region: "us-east-1".into(),
            endpoint: None,
            account: EncryptionAccount::User(CreatedUser {
                name: "orders-mongodb-kms".into(),
                arn: "arn:aws:iam::123456789012:user/orders-mongodb-kms".into(),
                access_key: Some(AccessKeyPair {
                    id: "AKIAEXAMPLE000000001".into(),
                    secret: Secret::new("s3cr3t-EXAMPLE-KEY".into()),
                }),
                password: None,
                require_reset: false,
                sign_in_url: String::new(),
            }),
            verification: Verification::Verified {
                attempts: 2,
                seconds: 3,
            },
        }),
    }
}

/// What the worker answers when the role `orders-mongodb-kms-role` (trusted by EC2) was made
/// with an existing key.
pub fn encryption_created_role(run: u64) -> Event {
    Event::EncryptionFinished {
        run,
        result: EncryptionResult::Created(EncryptionCreated {
            feature: EncryptionFeature::QueryableEncryption,
            key_arn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                .into(),
            key_created: false,
            region: "us-east-1".into(),
            endpoint: None,
            account: EncryptionAccount::Role(CreatedRole {
                name: "orders-mongodb-kms-role".into(),
                arn: "arn:aws:iam::123456789012:role/orders-mongodb-kms-role".into(),
                instance_profile: Some("orders-mongodb-kms-role".into()),
            }),
            verification: Verification::NotRun(
                "a role's credentials are the application's to use".into(),
            ),
        }),
    }
}

/// Moves the focus of the encryption step on screen to `item`, with Down/Up only (as an admin
/// would).
pub fn focus(app: &mut App, item: iamwiz::flows::encryption::Item) {
    for _ in 0..20 {
        press(app, KeyCode::Up);
    }
    for _ in 0..20 {
        if app.enc_item() == Some(item) {
            return;
        }
        press(app, KeyCode::Down);
    }
    panic!("{item:?} is not on {:?}", app.screen);
}

/// From Key (keys loaded): switches to New key and goes on to Account with the defaults.
pub fn new_key_to_account(app: &mut App) {
    focus(app, iamwiz::flows::encryption::Item::KeyMode);
    press(app, KeyCode::Right);
    assert_eq!(
        app.enc.draft.key_mode,
        iamwiz::flows::encryption::KeyMode::New
    );
    press(app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncAccount, "{:?}", app.notice);
}

/// The encryption flow with a new key and the default account, created from Review: the app
/// and the run of its `CreateEncryption` request.
pub fn enc_creating() -> (App, u64) {
    let mut app = encryption();
    enc_to_key(&mut app);
    new_key_to_account(&mut app);
    press(&mut app, KeyCode::Enter);
    let (run, _) = encryption_spec(press(&mut app, KeyCode::Enter));
    (app, run)
}

/// [`enc_creating`], answered with [`encryption_created_user`]: the credentials screen.
pub fn enc_revealed() -> App {
    let (mut app, run) = enc_creating();
    update(&mut app, Msg::Worker(encryption_created_user(run)));
    assert_eq!(app.screen, Screen::Reveal);
    app
}

/// Space on the "Copy from user" pane (its cursor on alice), answered with `permissions` as
/// alice's, as the worker would.
pub fn copy_alice(app: &mut App, permissions: UserPermissions) {
    let cmds = press(app, KeyCode::Char(' '));
    let seq = seq_of(&cmds, |r| match r {
        Request::LoadUserPermissions { seq, .. } => Some(*seq),
        _ => None,
    });
    update(
        app,
        Msg::Worker(Event::UserPermissions {
            seq,
            user: "alice".into(),
            result: Ok(permissions),
        }),
    );
}
