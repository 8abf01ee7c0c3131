//! The MongoDB encryption flow through `update` only: keys and worker replies in, state and
//! requests out. No AWS, no terminal.

use crate::common;

use common::fixtures::*;
use crossterm::event::KeyCode;
use iamwiz::app::reveal::{CopyWhat, Row};
use iamwiz::app::{App, Command, Modal, Msg, NoticeKind, Screen, update};
use iamwiz::flows::encryption::{AccountKind, Item, KeyMode, Principal};
use iamwiz::protocol::{
    AwsError, DiscardKey, EncryptionFeature, EncryptionResult, Event, KMS_POLICY_NAME, KeyChoice,
    Leftover, NameKind, Request, ServiceAccount, StepKind, StepStatus, TrustedPrincipal, UserInfo,
};

fn error_text(app: &App) -> String {
    match &app.notice {
        Some(n) if n.kind == NoticeKind::Error => n.text.clone(),
        other => panic!("expected an error notice, got {other:?}"),
    }
}

/// From Key: chooses the first (usable) key and goes on to Account.
fn existing_key_to_account(app: &mut App) {
    focus(app, Item::KeyList);
    press(app, KeyCode::Char(' '));
    press(app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncAccount, "{:?}", app.notice);
}

fn user_exists(app: &mut App, name: &str) {
    // The users list as a reload returns it.
    let cmds = ctrl(app, 'r');
    let seq = seq_of(&cmds, |r| match r {
        Request::LoadUsers { seq } => Some(*seq),
        _ => None,
    });
    update(
        app,
        Msg::Worker(Event::Users {
            seq,
            result: Ok(vec![UserInfo {
                name: name.into(),
                path: "/".into(),
            }]),
        }),
    );
}

// ---- entering and leaving ------------------------------------------------------------------

#[test]
fn ctrl_e_on_user_details_opens_the_flow_and_esc_goes_back() {
    let mut app = loaded();
    assert!(!app.in_encryption());
    ctrl(&mut app, 'e');
    assert_eq!(app.screen, Screen::EncPurpose);
    assert!(app.in_encryption());
    // The region follows the admin's until typed.
    assert_eq!(app.enc.draft.region.value(), "us-east-1");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::Details);
    assert!(!app.in_encryption());
}

#[test]
fn esc_walks_back_through_the_steps() {
    let mut app = encryption();
    enc_to_key(&mut app);
    new_key_to_account(&mut app);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::EncKey);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen, Screen::EncPurpose);
    // What was entered is kept.
    assert_eq!(app.enc.draft.app_name.value(), "orders");
}

#[test]
fn quitting_with_an_encryption_draft_asks_first() {
    let mut app = encryption();
    type_str(&mut app, "x");
    // Focus is on the feature choice: typing there changes nothing.
    assert!(!app.has_unsaved_work());
    focus(&mut app, Item::AppName);
    type_str(&mut app, "orders");
    assert!(app.has_unsaved_work());
    assert!(ctrl(&mut app, 'c').is_empty());
    assert_eq!(app.modal, Some(Modal::ConfirmQuit));
}

// ---- Purpose ---------------------------------------------------------------------------------

#[test]
fn defaults_follow_the_application_name_until_edited() {
    let mut app = encryption();
    enc_to_key(&mut app);
    let d = &app.enc.draft;
    assert_eq!(d.alias.value(), "orders-mongodb-cmk");
    assert_eq!(d.description.value(), "MongoDB CSFLE master key for orders");
    assert_eq!(d.user_name.value(), "orders-mongodb-kms");
    assert_eq!(d.role_name.value(), "orders-mongodb-kms-role");

    // The feature changes the description's wording.
    press(&mut app, KeyCode::Esc);
    focus(&mut app, Item::Feature);
    press(&mut app, KeyCode::Right);
    assert_eq!(
        app.enc.draft.feature,
        EncryptionFeature::QueryableEncryption
    );
    assert_eq!(
        app.enc.draft.description.value(),
        "MongoDB Queryable Encryption master key for orders"
    );

    // Edited on Account, the user name stops following the application name.
    press(&mut app, KeyCode::Enter);
    existing_key_to_account(&mut app);
    focus(&mut app, Item::UserName);
    press(&mut app, KeyCode::Backspace);
    type_str(&mut app, "X");
    assert_eq!(app.enc.draft.user_name.value(), "orders-mongodb-kmX");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    focus(&mut app, Item::AppName);
    type_str(&mut app, "2");
    let d = &app.enc.draft;
    assert_eq!(d.user_name.value(), "orders-mongodb-kmX", "edited: kept");
    assert_eq!(
        d.alias.value(),
        "orders2-mongodb-cmk",
        "not edited: follows"
    );
    assert_eq!(d.role_name.value(), "orders2-mongodb-kms-role");
}

#[test]
fn a_bad_region_is_refused_with_a_message_and_the_draft_kept() {
    let mut app = encryption();
    focus(&mut app, Item::Region);
    // Upper case is refused as typed; the field stays as it was.
    type_str(&mut app, "X");
    assert!(error_text(&app).contains("'X' is not allowed in a region"));
    assert_eq!(app.enc.draft.region.value(), "us-east-1");
    // A name of the wrong shape is refused on Enter.
    ctrl(&mut app, 'u');
    type_str(&mut app, "useast1");
    focus(&mut app, Item::AppName);
    type_str(&mut app, "orders");
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncPurpose);
    assert!(cmds.is_empty(), "no keys asked for a bad region");
    assert_eq!(
        error_text(&app),
        "useast1 is not an AWS region name: use one like us-east-1 or eu-west-2."
    );
    assert_eq!(
        app.enc_item(),
        Some(Item::Region),
        "focus goes to the region"
    );
    assert_eq!(app.enc.draft.region.value(), "useast1");
    // Fixed, it goes on and asks for that region's keys.
    ctrl(&mut app, 'u');
    type_str(&mut app, "eu-west-2");
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncKey);
    assert_eq!(kms_request(&cmds).1, "eu-west-2");
}

#[test]
fn the_application_name_is_required_and_checked() {
    let mut app = encryption();
    press(&mut app, KeyCode::Enter);
    assert!(error_text(&app).starts_with("Enter an application name"));
    focus(&mut app, Item::AppName);
    type_str(&mut app, "ord ");
    assert!(error_text(&app).contains("A space is not allowed in an application name"));
    type_str(&mut app, "ers");
    assert_eq!(app.enc.draft.app_name.value(), "orders");
    type_str(&mut app, &"x".repeat(40));
    assert!(error_text(&app).contains("limit is 32"));
    assert_eq!(app.enc.draft.app_name.value().len(), 32);
}

// ---- Key -------------------------------------------------------------------------------------

#[test]
fn stale_key_lists_are_dropped() {
    let mut app = encryption();
    focus(&mut app, Item::AppName);
    type_str(&mut app, "orders");
    let first = press(&mut app, KeyCode::Enter);
    let (old, region) = kms_request(&first);
    let reload = ctrl(&mut app, 'r');
    let (new, _) = kms_request(&reload);
    assert_ne!(old, new);
    update(
        &mut app,
        Msg::Worker(Event::KmsKeys {
            seq: old,
            region: region.clone(),
            result: Ok(vec![kms_key("old-key", Some("stale"), "Enabled", "")]),
        }),
    );
    assert!(
        app.filtered_kms_keys().is_empty(),
        "the stale reply is dropped"
    );
    update(
        &mut app,
        Msg::Worker(Event::KmsKeys {
            seq: new,
            region,
            result: Ok(region_kms_keys()),
        }),
    );
    assert_eq!(app.filtered_kms_keys().len(), 4);
}

#[test]
fn going_back_to_key_does_not_ask_again_for_the_same_region() {
    let mut app = encryption();
    enc_to_key(&mut app);
    press(&mut app, KeyCode::Esc);
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(cmds.is_empty());
    assert_eq!(app.filtered_kms_keys().len(), 4);
}

#[test]
fn unusable_keys_cannot_be_chosen_and_say_why() {
    let mut app = encryption();
    enc_to_key(&mut app);
    focus(&mut app, Item::KeyList);
    for (down, why) in [
        (1, "alias/legacy-cmk cannot be used: disabled"),
        (
            1,
            "3333cccc-12ab-34cd-56ef-1234567890ab cannot be used: pending deletion",
        ),
        (1, "alias/aws/s3 cannot be used: an AWS managed key"),
    ] {
        for _ in 0..down {
            press(&mut app, KeyCode::Down);
        }
        press(&mut app, KeyCode::Char(' '));
        assert!(error_text(&app).starts_with(why), "{}", error_text(&app));
        assert_eq!(app.enc.draft.chosen, None);
        // Enter with the refused key under the cursor stays too.
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::EncKey);
        assert!(error_text(&app).starts_with(why));
    }
    // The usable one can.
    for _ in 0..3 {
        press(&mut app, KeyCode::Up);
    }
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(
        app.enc.draft.chosen.as_ref().map(|k| k.id.as_str()),
        Some("1234abcd-12ab-34cd-56ef-1234567890ab")
    );
}

#[test]
fn the_key_list_filters_as_typed() {
    let mut app = encryption();
    enc_to_key(&mut app);
    focus(&mut app, Item::KeyList);
    type_str(&mut app, "legacy");
    let names: Vec<String> = app
        .filtered_kms_keys()
        .iter()
        .map(|k| k.display_name().to_string())
        .collect();
    assert_eq!(names, ["alias/legacy-cmk"]);
}

#[test]
fn a_new_alias_is_checked_against_the_rules_and_the_region() {
    let mut app = encryption();
    enc_to_key(&mut app);
    focus(&mut app, Item::KeyMode);
    press(&mut app, KeyCode::Right);
    focus(&mut app, Item::Alias);
    // Refused as typed, the alias unchanged.
    type_str(&mut app, "*");
    assert!(error_text(&app).contains("'*' is not allowed in a key alias"));
    assert_eq!(app.enc.draft.alias.value(), "orders-mongodb-cmk");

    ctrl(&mut app, 'u');
    type_str(&mut app, "aws/mine");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncKey);
    assert_eq!(
        error_text(&app),
        "Aliases starting with aws/ are reserved for AWS managed keys."
    );

    ctrl(&mut app, 'u');
    type_str(&mut app, "orders-cmk");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncKey);
    assert!(
        error_text(&app).starts_with("alias/orders-cmk already names key 1234abcd"),
        "{}",
        error_text(&app)
    );
    assert_eq!(app.enc.draft.alias.value(), "orders-cmk");

    ctrl(&mut app, 'u');
    press(&mut app, KeyCode::Enter);
    assert!(error_text(&app).starts_with("Enter an alias for the new key"));
}

#[test]
fn key_tags_use_the_tag_rules() {
    let mut app = encryption();
    enc_to_key(&mut app);
    focus(&mut app, Item::KeyMode);
    press(&mut app, KeyCode::Right);
    ctrl(&mut app, 'n');
    assert_eq!(app.enc_item(), Some(Item::KeyTag(0)));
    type_str(&mut app, "aws:team");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncKey);
    assert_eq!(
        error_text(&app),
        "Tag keys starting with aws: are reserved for AWS."
    );
    ctrl(&mut app, 'u');
    type_str(&mut app, "team");
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "payments");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncAccount);
}

// ---- Account ---------------------------------------------------------------------------------

#[test]
fn a_taken_user_name_is_refused() {
    let mut app = encryption();
    enc_to_key(&mut app);
    new_key_to_account(&mut app);
    user_exists(&mut app, "Orders-MongoDB-KMS");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncAccount);
    assert!(
        error_text(&app).starts_with("A user named Orders-MongoDB-KMS already exists"),
        "{}",
        error_text(&app)
    );
}

#[test]
fn the_user_name_is_checked_live_once_typing_rests() {
    let mut app = encryption();
    enc_to_key(&mut app);
    new_key_to_account(&mut app);
    focus(&mut app, Item::UserName);
    type_str(&mut app, "2");
    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.extend(update(&mut app, Msg::Tick));
    }
    let checked: Vec<String> = sent
        .iter()
        .filter_map(|c| match c {
            Command::Worker(Request::CheckName { name, .. }) => Some(name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(checked, ["orders-mongodb-kms2"]);
}

#[test]
fn role_names_and_principals_are_checked() {
    let mut app = encryption();
    enc_to_key(&mut app);
    new_key_to_account(&mut app);
    focus(&mut app, Item::AccountKind);
    press(&mut app, KeyCode::Right);
    assert_eq!(app.enc.draft.account, AccountKind::Role);
    focus(&mut app, Item::RoleName);
    type_str(&mut app, "/");
    assert!(error_text(&app).contains("'/' is not allowed in a role name"));
    assert_eq!(app.enc.draft.role_name.value(), "orders-mongodb-kms-role");

    focus(&mut app, Item::Principal);
    press(&mut app, KeyCode::Left);
    assert_eq!(app.enc.draft.principal, Principal::Arn);
    focus(&mut app, Item::PrincipalArn);
    for bad in [
        "12345678901",
        "arn:aws:iam::123456789012:user/bob",
        "arn:aws:iam::12345678901x:root",
    ] {
        ctrl(&mut app, 'u');
        type_str(&mut app, bad);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::EncAccount, "{bad} accepted");
        assert!(
            error_text(&app).starts_with(&format!("{bad} is not an account or role")),
            "{}",
            error_text(&app)
        );
        assert_eq!(app.enc.draft.principal_arn.value(), bad);
    }
}

/// The name checks among `cmds`: (seq, kind, name), in order.
fn name_checks(cmds: &[Command]) -> Vec<(u64, NameKind, String)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Worker(Request::CheckName { seq, kind, name }) => {
                Some((*seq, *kind, name.clone()))
            }
            _ => None,
        })
        .collect()
}

/// The checks sent by `n` ticks of the heartbeat.
fn ticks(app: &mut App, n: usize) -> Vec<(u64, NameKind, String)> {
    let mut sent = Vec::new();
    for _ in 0..n {
        sent.extend(update(app, Msg::Tick));
    }
    name_checks(&sent)
}

fn answer(app: &mut App, seq: u64, kind: NameKind, name: &str, existing: Option<&str>) {
    update(
        app,
        Msg::Worker(Event::NameCheck {
            seq,
            kind,
            name: name.into(),
            result: Ok(existing.map(str::to_string)),
        }),
    );
}

/// From Key: a new key, then a role trusted by `principal` whose seeded name
/// (orders-mongodb-kms-role) is checked and free, then `typed` typed on, with the focus left on
/// the role name.
fn role_on_account(app: &mut App, principal: Principal, typed: &str) {
    enc_to_key(app);
    new_key_to_account(app);
    focus(app, Item::AccountKind);
    press(app, KeyCode::Right);
    assert_eq!(app.enc.draft.account, AccountKind::Role);
    focus(app, Item::Principal);
    while app.enc.draft.principal != principal {
        press(app, KeyCode::Right);
    }
    let seeded = ticks(app, 3);
    assert!(
        seeded
            .iter()
            .any(|(_, k, n)| *k == NameKind::Role && n == "orders-mongodb-kms-role"),
        "{seeded:?}"
    );
    for (seq, kind, name) in seeded {
        answer(app, seq, kind, &name, None);
    }
    focus(app, Item::RoleName);
    type_str(app, typed);
}

#[test]
fn the_role_and_its_instance_profile_are_checked_once_typing_rests() {
    let mut app = encryption();
    role_on_account(&mut app, Principal::Ec2, "2");
    assert_eq!(ticks(&mut app, 1), [], "checked while still typing");
    let sent = ticks(&mut app, 2);
    let kinds: Vec<(NameKind, &str)> = sent.iter().map(|(_, k, n)| (*k, n.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (NameKind::Role, "orders-mongodb-kms-role2"),
            (NameKind::InstanceProfile, "orders-mongodb-kms-role2"),
        ]
    );
    assert_eq!(ticks(&mut app, 4), [], "each name is checked once");
    // Both free: Next goes on to Review.
    for (seq, kind, name) in sent {
        answer(&mut app, seq, kind, &name, None);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncReview, "{:?}", app.notice);
}

#[test]
fn a_taken_role_name_is_refused_and_the_draft_kept() {
    let mut app = encryption();
    role_on_account(&mut app, Principal::Lambda, "2");
    let sent = ticks(&mut app, 3);
    let [(seq, NameKind::Role, name)] = sent.as_slice() else {
        panic!("expected one role check, got {sent:?}");
    };
    assert_eq!(name, "orders-mongodb-kms-role2");
    // IAM ignores case: the role it has is spelled its own way.
    answer(
        &mut app,
        *seq,
        NameKind::Role,
        name,
        Some("Orders-MongoDB-KMS-Role2"),
    );
    let draft = app.enc.draft.clone();
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.screen, Screen::EncAccount);
    assert_eq!(app.enc_item(), Some(Item::RoleName));
    assert!(
        error_text(&app).starts_with(
            "A role named Orders-MongoDB-KMS-Role2 already exists in this account (IAM ignores \
             case); choose another role name."
        ),
        "{}",
        error_text(&app)
    );
    assert_eq!(app.enc.draft, draft);
    // Another name is free again once checked.
    type_str(&mut app, "b");
    let sent = ticks(&mut app, 3);
    let [(seq, kind, name)] = sent.as_slice() else {
        panic!("expected one role check, got {sent:?}");
    };
    answer(&mut app, *seq, *kind, name, None);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncReview, "{:?}", app.notice);
}

#[test]
fn a_stale_role_check_answer_is_ignored() {
    let mut app = encryption();
    role_on_account(&mut app, Principal::EcsTasks, "2");
    let sent = ticks(&mut app, 3);
    let [(seq, NameKind::Role, name)] = sent.as_slice() else {
        panic!("expected one role check, got {sent:?}");
    };
    // An answer for the same name under another request's seq is not this check's.
    answer(&mut app, seq + 1000, NameKind::Role, name, Some(name));
    assert_eq!(app.checked_taken(NameKind::Role, name), None);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncReview, "{:?}", app.notice);
    // The answer to the check sent is taken.
    answer(&mut app, *seq, NameKind::Role, name, Some(name));
    assert_eq!(
        app.checked_taken(NameKind::Role, name).as_deref(),
        Some(name.as_str())
    );
}

#[test]
fn the_instance_profile_is_checked_for_ec2_only() {
    let mut app = encryption();
    role_on_account(&mut app, Principal::EcsTasks, "2");
    let sent = ticks(&mut app, 3);
    assert_eq!(
        sent.iter().map(|(_, k, _)| *k).collect::<Vec<_>>(),
        [NameKind::Role],
        "no instance profile is made for ECS tasks"
    );
    answer(&mut app, sent[0].0, NameKind::Role, &sent[0].2, None);

    // Trusted by EC2, the role gets an instance profile of its name: that name is checked too.
    focus(&mut app, Item::Principal);
    while app.enc.draft.principal != Principal::Ec2 {
        press(&mut app, KeyCode::Left);
    }
    let sent = ticks(&mut app, 3);
    let [(seq, NameKind::InstanceProfile, name)] = sent.as_slice() else {
        panic!("expected one instance profile check, got {sent:?}");
    };
    assert_eq!(name, "orders-mongodb-kms-role2");
    answer(
        &mut app,
        *seq,
        NameKind::InstanceProfile,
        name,
        Some("orders-mongodb-kms-role2"),
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncAccount);
    assert_eq!(app.enc_item(), Some(Item::RoleName));
    assert!(
        error_text(&app).starts_with(
            "An instance profile named orders-mongodb-kms-role2 already exists in this account"
        ),
        "{}",
        error_text(&app)
    );

    // A role trusted by Lambda makes no instance profile: the taken one does not matter.
    focus(&mut app, Item::Principal);
    while app.enc.draft.principal != Principal::Lambda {
        press(&mut app, KeyCode::Right);
    }
    assert_eq!(ticks(&mut app, 3), []);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncReview, "{:?}", app.notice);
}

// ---- Review and the request ------------------------------------------------------------------

#[test]
fn a_new_key_and_a_user_give_exactly_this_request() {
    let mut app = encryption();
    enc_to_key(&mut app);
    new_key_to_account(&mut app);
    ctrl(&mut app, 'n');
    type_str(&mut app, "team");
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "payments");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncReview);
    let (run, spec) = encryption_spec(press(&mut app, KeyCode::Enter));
    assert_eq!(spec.feature, EncryptionFeature::Csfle);
    assert_eq!(spec.region, "us-east-1");
    assert_eq!(
        spec.key,
        KeyChoice::New {
            alias: "orders-mongodb-cmk".into(),
            description: "MongoDB CSFLE master key for orders".into(),
            tags: vec![],
        }
    );
    assert_eq!(
        spec.account,
        ServiceAccount::User {
            name: "orders-mongodb-kms".into(),
            tags: vec![("team".into(), "payments".into())],
        }
    );
    assert_eq!(spec.policy_name, KMS_POLICY_NAME);
    // Review showed the policy for the key KMS is about to make.
    assert_eq!(
        app.enc_key_arn(),
        "arn:aws:kms:us-east-1:123456789012:key/<new key ID>"
    );
    // The progress screen lists the plan's groups and steps.
    assert_eq!(app.screen, Screen::Creating);
    let c = app.creation.as_ref().unwrap();
    assert_eq!(c.run, run);
    assert_eq!(
        c.groups,
        ["alias/orders-mongodb-cmk", "orders-mongodb-kms", "Check"]
    );
    assert_eq!(c.steps[0].len(), 2);
    assert_eq!(c.steps[2][0].0, StepKind::Verify);
}

#[test]
fn an_existing_key_gives_exactly_this_request() {
    let mut app = encryption();
    enc_to_key(&mut app);
    existing_key_to_account(&mut app);
    press(&mut app, KeyCode::Enter);
    let (_, spec) = encryption_spec(press(&mut app, KeyCode::Enter));
    assert_eq!(spec.key, KeyChoice::Existing(region_kms_keys().remove(0)));
    assert_eq!(
        spec.account,
        ServiceAccount::User {
            name: "orders-mongodb-kms".into(),
            tags: vec![],
        }
    );
}

#[test]
fn a_role_gives_exactly_this_request_for_each_principal() {
    for (left, arn, trusted) in [
        (0, None, TrustedPrincipal::Ec2),
        (3, None, TrustedPrincipal::EcsTasks),
        (2, None, TrustedPrincipal::Lambda),
        (
            1,
            Some("123456789012"),
            TrustedPrincipal::Arn("123456789012".into()),
        ),
        (
            1,
            Some("arn:aws:iam::123456789012:root"),
            TrustedPrincipal::Arn("arn:aws:iam::123456789012:root".into()),
        ),
        (
            1,
            Some("arn:aws:iam::123456789012:role/app/orders"),
            TrustedPrincipal::Arn("arn:aws:iam::123456789012:role/app/orders".into()),
        ),
    ] {
        let mut app = encryption();
        enc_to_key(&mut app);
        existing_key_to_account(&mut app);
        focus(&mut app, Item::AccountKind);
        press(&mut app, KeyCode::Char(' '));
        focus(&mut app, Item::Principal);
        for _ in 0..left {
            press(&mut app, KeyCode::Left);
        }
        if let Some(arn) = arn {
            focus(&mut app, Item::PrincipalArn);
            type_str(&mut app, arn);
        }
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen, Screen::EncReview, "{:?}", app.notice);
        let (_, spec) = encryption_spec(press(&mut app, KeyCode::Enter));
        assert_eq!(
            spec.account,
            ServiceAccount::Role {
                name: "orders-mongodb-kms-role".into(),
                tags: vec![],
                trusted,
            }
        );
        assert_eq!(spec.key, KeyChoice::Existing(region_kms_keys().remove(0)));
    }
}

#[test]
fn review_checks_again_and_jumps_to_the_problem() {
    let mut app = encryption();
    enc_to_key(&mut app);
    new_key_to_account(&mut app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncReview);
    // The name was taken meanwhile.
    user_exists(&mut app, "orders-mongodb-kms");
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Worker(Request::CreateEncryption { .. })))
    );
    assert_eq!(app.screen, Screen::EncAccount);
    assert_eq!(app.enc_item(), Some(Item::UserName));
    assert!(error_text(&app).starts_with("A user named orders-mongodb-kms already exists"));
}

#[test]
fn review_numbers_reopen_the_steps() {
    let mut app = encryption();
    enc_to_key(&mut app);
    new_key_to_account(&mut app);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('2'));
    assert_eq!(app.screen, Screen::EncKey);
    assert_eq!(app.enc.draft.key_mode, KeyMode::New, "as it was left");
}

// ---- Creating --------------------------------------------------------------------------------

#[test]
fn steps_and_the_verify_wait_are_shown_and_stale_runs_ignored() {
    let (mut app, run) = enc_creating();
    update(
        &mut app,
        Msg::Worker(Event::Step {
            run,
            user: 2,
            index: 0,
            status: StepStatus::Running,
        }),
    );
    let wait = |run| {
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
        })
    };
    update(&mut app, wait(run + 100));
    assert!(app.creation.as_ref().unwrap().verify.is_none());
    update(&mut app, wait(run));
    let c = app.creation.as_ref().unwrap();
    assert_eq!(c.steps[2][0].1, StepStatus::Running);
    let w = c.verify.as_ref().unwrap();
    assert_eq!((w.attempt, w.waited_secs), (4, 8));
    // Ctrl-C while it runs does not quit.
    assert!(ctrl(&mut app, 'c').is_empty());
    assert_eq!(app.screen, Screen::Creating);
}

#[test]
fn a_failure_says_what_happened_to_the_key_and_goes_back_to_review() {
    let (mut app, run) = enc_creating();
    update(
        &mut app,
        Msg::Worker(Event::EncryptionFinished {
            run,
            result: EncryptionResult::Failed {
                group: "orders-mongodb-kms".into(),
                step: StepKind::CreateUser,
                error: AwsError {
                    operation: "iam:CreateUser".into(),
                    code: "AccessDenied".into(),
                    message: String::new(),
                    hint: "Ask for iam:CreateUser.".into(),
                },
                leftovers: vec![Leftover {
                    what: "alias alias/orders-mongodb-cmk".into(),
                    command: "aws kms delete-alias --alias-name alias/orders-mongodb-cmk".into(),
                }],
                key_deletion: Some("KMS key 9999eeee is scheduled for deletion.".into()),
            },
        }),
    );
    let f = app.creation.as_ref().unwrap().failure.as_ref().unwrap();
    assert_eq!(
        f.key_deletion.as_deref(),
        Some("KMS key 9999eeee is scheduled for deletion.")
    );
    assert_eq!(f.leftovers.len(), 1);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncReview);
    assert_eq!(app.enc.draft.app_name.value(), "orders", "choices kept");
}

// ---- The reveal ------------------------------------------------------------------------------

#[test]
fn a_created_user_opens_the_reveal_masked_with_the_documents() {
    let app = enc_revealed();
    let r = app.reveal.as_ref().unwrap();
    assert_eq!(
        r.rows(),
        [
            Row::UserName,
            Row::AccessKeyId,
            Row::SecretKey,
            Row::KmsProviders,
            Row::MasterKey,
            Row::Snippet
        ],
        "no console rows for the service account"
    );
    assert!(!r.show_secret_key, "masked until asked for");
    let providers = app.copy_text(CopyWhat::Row(Row::KmsProviders)).unwrap();
    let json: serde_json::Value = serde_json::from_str(providers.expose()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"aws": {"accessKeyId": "AKIAEXAMPLE000000001",
                                   "secretAccessKey": "s3cr3t-EXAMPLE-KEY"}})
    );
    let master = app.copy_text(CopyWhat::Row(Row::MasterKey)).unwrap();
    let json: serde_json::Value = serde_json::from_str(master.expose()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "key": "arn:aws:kms:us-east-1:123456789012:key/9999eeee-12ab-34cd-56ef-1234567890ab",
            "region": "us-east-1"})
    );
}

#[test]
fn copying_kms_providers_is_a_secret_copy_cleared_in_time() {
    let mut app = enc_revealed();
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(app.reveal.as_ref().unwrap().focus, Row::KmsProviders);
    let cmds = press(&mut app, KeyCode::Char('c'));
    assert!(matches!(
        cmds.as_slice(),
        [Command::Copy(CopyWhat::Row(Row::KmsProviders))]
    ));
    let copied = app.reveal.as_ref().unwrap().copied.clone().unwrap();
    let at = copied.clear_at.expect("a secret copy is cleared");
    // Cleared when the time is up (30 s by default, four ticks a second).
    let mut cleared = Vec::new();
    while app.ticks < at {
        cleared.extend(update(&mut app, Msg::Tick));
    }
    assert!(matches!(cleared.as_slice(), [Command::ClearClipboard]));
}

#[test]
fn languages_cycle_and_the_master_key_copies_without_a_clear() {
    let mut app = enc_revealed();
    let lang = |app: &App| app.reveal.as_ref().unwrap().docs.as_ref().unwrap().language;
    let first = lang(&app);
    press(&mut app, KeyCode::Char('l'));
    assert_eq!(lang(&app), first.next());
    press(&mut app, KeyCode::Char('L'));
    press(&mut app, KeyCode::Char('L'));
    assert_eq!(lang(&app), first.prev());
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    let cmds = press(&mut app, KeyCode::Char('c'));
    assert!(matches!(
        cmds.as_slice(),
        [Command::Copy(CopyWhat::Row(Row::MasterKey))]
    ));
    assert_eq!(
        app.reveal
            .as_ref()
            .unwrap()
            .copied
            .as_ref()
            .unwrap()
            .clear_at,
        None
    );
}

#[test]
fn leaving_the_reveal_asks_and_drops_the_secrets() {
    let mut app = enc_revealed();
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.modal, Some(Modal::ConfirmLeaveReveal));
    press(&mut app, KeyCode::Char('y'));
    assert!(app.reveal.is_none());
    assert!(app.copy_text(CopyWhat::Row(Row::KmsProviders)).is_none());
    assert_eq!(app.screen, Screen::Done);
    // n starts another service account, in the same flow.
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.screen, Screen::EncPurpose);
    assert_eq!(app.enc.draft.app_name.value(), "");
}

#[test]
fn a_created_role_shows_its_documents_and_copies_them() {
    let mut app = encryption();
    enc_to_key(&mut app);
    existing_key_to_account(&mut app);
    focus(&mut app, Item::AccountKind);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    let (run, _) = encryption_spec(press(&mut app, KeyCode::Enter));
    update(&mut app, Msg::Worker(encryption_created_role(run)));
    assert_eq!(app.screen, Screen::EncRole);
    assert!(app.reveal.is_none(), "a role has no secret to reveal");
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    assert_eq!(app.enc.role.as_ref().unwrap().focus, Row::RoleKmsProviders);
    let cmds = press(&mut app, KeyCode::Char('c'));
    assert!(matches!(
        cmds.as_slice(),
        [Command::Copy(CopyWhat::Row(Row::RoleKmsProviders))]
    ));
    let text = app.copy_text(CopyWhat::Row(Row::RoleKmsProviders)).unwrap();
    let json: serde_json::Value = serde_json::from_str(text.expose()).unwrap();
    assert_eq!(json, serde_json::json!({"aws": {}}));
    let text = app.copy_text(CopyWhat::Row(Row::SessionTemplate)).unwrap();
    let json: serde_json::Value = serde_json::from_str(text.expose()).unwrap();
    assert!(json["aws"]["sessionToken"].is_string());
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Done);
}

// ---- Paste, help and stale results -----------------------------------------------------------

#[test]
fn pasting_an_application_name_seeds_the_defaults_and_bad_pastes_are_refused_whole() {
    let mut app = encryption();
    focus(&mut app, Item::AppName);
    update(&mut app, Msg::Paste("orders\n".into()));
    assert_eq!(app.enc.draft.app_name.value(), "orders");
    assert_eq!(app.enc.draft.user_name.value(), "orders-mongodb-kms");
    update(&mut app, Msg::Paste("-v2 beta".into()));
    assert!(error_text(&app).starts_with("Paste refused."));
    assert_eq!(app.enc.draft.app_name.value(), "orders");
}

#[test]
fn a_question_mark_in_the_description_is_text_not_help() {
    let mut app = encryption();
    enc_to_key(&mut app);
    focus(&mut app, Item::KeyMode);
    press(&mut app, KeyCode::Right);
    focus(&mut app, Item::Description);
    type_str(&mut app, "?");
    assert_eq!(app.modal, None);
    assert!(app.enc.draft.description.value().ends_with("for orders?"));
    // Elsewhere it opens the help.
    focus(&mut app, Item::KeyMode);
    type_str(&mut app, "?");
    assert_eq!(app.modal, Some(Modal::Help));
}

#[test]
fn a_result_for_another_run_is_ignored() {
    let (mut app, run) = enc_creating();
    update(&mut app, Msg::Worker(encryption_created_user(run + 1)));
    assert_eq!(app.screen, Screen::Creating);
    assert!(app.reveal.is_none());
}

#[test]
fn empty_tag_rows_are_dropped_not_refused() {
    let mut app = encryption();
    enc_to_key(&mut app);
    focus(&mut app, Item::KeyMode);
    press(&mut app, KeyCode::Right);
    ctrl(&mut app, 'n');
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncAccount, "{:?}", app.notice);
    assert!(app.enc.draft.key_tags.is_empty());
    ctrl(&mut app, 'n');
    ctrl(&mut app, 'n');
    assert_eq!(app.enc_item(), Some(Item::AccountTag(1)));
    ctrl(&mut app, 'd');
    assert_eq!(app.enc.draft.account_tags.len(), 1);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncReview);
    assert!(app.enc.draft.account_tags.is_empty());
}

#[test]
fn the_snippet_scrolls_and_s_shows_the_secret_in_both_rows() {
    let mut app = enc_revealed();
    press(&mut app, KeyCode::PageDown);
    let docs = |app: &App| app.reveal.as_ref().unwrap().docs.as_ref().unwrap().scroll;
    assert_eq!(docs(&app), 5);
    press(&mut app, KeyCode::Char('l'));
    assert_eq!(docs(&app), 0, "a new language starts at the top");
    press(&mut app, KeyCode::Char('s'));
    assert!(app.reveal.as_ref().unwrap().show_secret_key);
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Char(' '));
    assert!(!app.reveal.as_ref().unwrap().show_secret_key);
}

#[test]
fn the_encryption_option_starts_on_purpose_with_nothing_behind_it() {
    use iamwiz::app::Options;
    let (mut app, _) = App::with_options(
        (80, 24),
        Options {
            flow: iamwiz::flows::Flow::Encryption,
            ..Options::default()
        },
    );
    assert_eq!(app.screen, Screen::EncPurpose);
    assert!(app.in_encryption());
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        app.screen,
        Screen::EncPurpose,
        "Esc does not leave the first step"
    );
    assert_eq!(
        app.notice.as_ref().map(|n| n.text.as_str()),
        Some("This is the first step. Ctrl-C quits.")
    );
}

// ---- ending on a signal --------------------------------------------------------------------

/// The discard a signal asks for, if any.
fn discard_on_signal(app: &mut App) -> Option<(Vec<String>, Option<DiscardKey>)> {
    let cmds = update(app, Msg::Signal);
    cmds.into_iter().find_map(|c| match c {
        Command::Worker(Request::Discard { users, key, .. }) => Some((users, key)),
        _ => None,
    })
}

#[test]
fn a_signal_before_the_secret_is_shown_discards_the_user_and_the_key_made_for_it() {
    let mut app = enc_revealed();
    let (users, key) = discard_on_signal(&mut app).expect("a discard");
    assert_eq!(users, ["orders-mongodb-kms"]);
    assert_eq!(
        key,
        Some(DiscardKey {
            region: "us-east-1".into(),
            key_arn: "arn:aws:kms:us-east-1:123456789012:key/9999eeee-12ab-34cd-56ef-1234567890ab"
                .into(),
            alias: Some("orders-mongodb-cmk".into()),
        })
    );
    assert!(app.reveal.is_none(), "the secret is dropped");
    assert!(app.finishing(), "the discard must finish before exit");
}

#[test]
fn a_signal_never_discards_a_key_picked_from_the_list() {
    let mut app = encryption();
    enc_to_key(&mut app);
    existing_key_to_account(&mut app);
    press(&mut app, KeyCode::Enter);
    let (run, _) = encryption_spec(press(&mut app, KeyCode::Enter));
    let mut answer = encryption_created_user(run);
    if let Event::EncryptionFinished {
        result: EncryptionResult::Created(c),
        ..
    } = &mut answer
    {
        c.key_arn = region_kms_keys()[0].arn.clone();
        c.key_created = false;
    }
    update(&mut app, Msg::Worker(answer));
    assert_eq!(app.screen, Screen::Reveal);
    let (users, key) = discard_on_signal(&mut app).expect("the user is discarded");
    assert_eq!(users, ["orders-mongodb-kms"]);
    assert_eq!(key, None, "the admin's own key stays");
}

#[test]
fn a_signal_after_the_secret_was_shown_discards_nothing() {
    let mut app = enc_revealed();
    press(&mut app, KeyCode::Char('s'));
    assert!(discard_on_signal(&mut app).is_none());
    assert!(!app.finishing());
}

#[test]
fn a_signal_on_a_role_discards_nothing() {
    let (mut app, run) = enc_creating();
    update(&mut app, Msg::Worker(encryption_created_role(run)));
    assert_eq!(app.screen, Screen::EncRole);
    assert!(discard_on_signal(&mut app).is_none());
}

#[test]
fn enter_before_the_region_is_read_waits_for_it_and_then_goes_on() {
    use iamwiz::app::Options;
    use iamwiz::protocol::Identity;
    let (mut app, _) = App::with_options(
        (80, 24),
        Options {
            flow: iamwiz::flows::Flow::Encryption,
            ..Options::default()
        },
    );
    focus(&mut app, Item::AppName);
    type_str(&mut app, "orders");
    assert_eq!(
        app.enc.draft.region.value(),
        "",
        "the region is not known yet"
    );
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(cmds.is_empty());
    assert_eq!(app.screen, Screen::EncPurpose);
    let notice = app.notice.as_ref().expect("a notice");
    assert_ne!(notice.kind, NoticeKind::Error, "{notice:?}");
    assert!(notice.text.contains("Reading"), "{notice:?}");
    // The region arrives with the caller's identity: the Enter pressed goes through.
    let cmds = update(
        &mut app,
        Msg::Worker(Event::Identity(Ok(Identity {
            account: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:user/admin".into(),
            region: "eu-west-2".into(),
        }))),
    );
    assert_eq!(app.screen, Screen::EncKey);
    assert_eq!(kms_request(&cmds).1, "eu-west-2");
    assert!(
        app.notice
            .as_ref()
            .is_none_or(|n| n.kind != NoticeKind::Error),
        "{:?}",
        app.notice
    );
}

#[test]
fn a_region_typed_before_the_identity_arrives_is_kept_and_no_step_is_taken_for_the_admin() {
    use iamwiz::app::Options;
    use iamwiz::protocol::Identity;
    let (mut app, _) = App::with_options(
        (80, 24),
        Options {
            flow: iamwiz::flows::Flow::Encryption,
            ..Options::default()
        },
    );
    focus(&mut app, Item::Region);
    type_str(&mut app, "ap-south-1");
    update(
        &mut app,
        Msg::Worker(Event::Identity(Ok(Identity {
            account: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:user/admin".into(),
            region: "eu-west-2".into(),
        }))),
    );
    assert_eq!(app.enc.draft.region.value(), "ap-south-1");
    assert_eq!(app.screen, Screen::EncPurpose, "nothing was asked to go on");
}

/// From Purpose to Key, the region's keys answered with `keys`.
fn to_key_with(app: &mut App, keys: Vec<iamwiz::protocol::KmsKey>) {
    focus(app, Item::AppName);
    type_str(app, "orders");
    let cmds = press(app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::EncKey, "{:?}", app.notice);
    let (seq, region) = kms_request(&cmds);
    update(
        app,
        Msg::Worker(Event::KmsKeys {
            seq,
            region,
            result: Ok(keys),
        }),
    );
}

#[test]
fn a_region_without_a_usable_key_starts_on_new_key_with_the_focus_on_the_choice() {
    let mut app = encryption();
    to_key_with(&mut app, Vec::new());
    assert_eq!(app.enc.draft.key_mode, KeyMode::New);
    assert_eq!(app.enc_item(), Some(Item::KeyMode));
    // Only keys that cannot be used count as none.
    let mut app = encryption();
    let unusable: Vec<_> = region_kms_keys()
        .into_iter()
        .filter(|k| k.refusal().is_some())
        .collect();
    assert!(!unusable.is_empty());
    to_key_with(&mut app, unusable);
    assert_eq!(app.enc.draft.key_mode, KeyMode::New);
    // With a usable key, the list stays first.
    let mut app = encryption();
    to_key_with(&mut app, region_kms_keys());
    assert_eq!(app.enc.draft.key_mode, KeyMode::Existing);
}

#[test]
fn a_mode_the_admin_chose_is_kept_when_the_keys_arrive() {
    let mut app = encryption();
    focus(&mut app, Item::AppName);
    type_str(&mut app, "orders");
    let cmds = press(&mut app, KeyCode::Enter);
    let (seq, region) = kms_request(&cmds);
    // The admin goes to the mode and picks New, then Existing again, before the list arrives.
    focus(&mut app, Item::KeyMode);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    assert_eq!(app.enc.draft.key_mode, KeyMode::Existing);
    update(
        &mut app,
        Msg::Worker(Event::KmsKeys {
            seq,
            region,
            result: Ok(Vec::new()),
        }),
    );
    assert_eq!(app.enc.draft.key_mode, KeyMode::Existing);
}
