//! The keys of each encryption-flow screen and what the help screen says about it: the help bar
//! and the help screen are drawn from these.

use super::Item;
use crate::app::{App, Screen};
use crate::kit::keys::Help;

/// The keys of the encryption flow's screen on show.
pub fn of(app: &App) -> Help {
    let mut h = Help::new(about(app.screen));
    match app.screen {
        Screen::EncPurpose | Screen::EncKey | Screen::EncAccount => step_keys(app, &mut h),
        Screen::EncReview => {
            h.keys(&[("Enter", "create"), ("1-3", "edit step"), ("↑↓", "scroll")]);
        }
        Screen::EncRole => {
            h.keys(&[
                ("↑↓", "row"),
                ("c", "copy"),
                ("l/L", "language"),
                ("PgDn", "scroll"),
                ("Enter", "done"),
            ]);
        }
        _ => {}
    }
    let step = app.flow.step_index(app.screen).is_some();
    if step && (app.screen != Screen::EncPurpose || app.enc.from_users) {
        h.key("Esc", "back");
    }
    if step {
        h.more("^R", "reload lists from AWS");
    }
    h
}

/// The keys of Purpose, Key and Account, for the row under the cursor.
fn step_keys(app: &App, h: &mut Help) {
    match app.enc_item() {
        Some(Item::Feature | Item::KeyMode | Item::AccountKind | Item::Principal) => {
            h.keys(&[("←→", "choose"), ("↑↓", "move"), ("Enter", "next step")])
        }
        Some(Item::KeyList) => h.keys(&[
            ("↑↓", "move"),
            ("Space", "choose"),
            ("type", "filter"),
            ("Enter", "next"),
        ]),
        Some(Item::KeyTag(_) | Item::AccountTag(_)) => h.keys(&[
            ("Tab", "next cell"),
            ("^N", "add tag"),
            ("^D", "remove"),
            ("Enter", "next"),
        ]),
        _ if app.screen == Screen::EncPurpose => h.keys(&[("↑↓", "move"), ("Enter", "next step")]),
        _ => h.keys(&[("↑↓", "move"), ("^N", "add tag"), ("Enter", "next step")]),
    };
}

fn about(screen: Screen) -> &'static [&'static str] {
    match screen {
        Screen::EncPurpose => &[
            "Choose the MongoDB feature (CSFLE or Queryable Encryption),",
            "the region of the key, and an application name: it seeds",
            "the key alias, the user and the role names (a name you edit",
            "stops following it). Ctrl-R reloads the region's keys.",
        ],
        Screen::EncKey => &[
            "Pick an existing customer managed symmetric key (Space),",
            "or switch to New key: iamwiz creates it with the alias,",
            "description and tags given. Disabled, pending-deletion and",
            "AWS managed keys are listed but cannot be used.",
        ],
        Screen::EncAccount => &[
            "An IAM user gets an access key and nothing else; a role for",
            "production is trusted by EC2, ECS tasks, Lambda or an account.",
            "Either gets one inline policy: kms:Encrypt and kms:Decrypt",
            "on the key. Ctrl-N adds a tag, Ctrl-D removes one.",
        ],
        Screen::EncReview => &[
            "Check everything, then press Enter to create. If a step",
            "fails, everything made is undone; a new key is scheduled",
            "for deletion. Keys 1 to 3 reopen a step.",
        ],
        Screen::EncRole => &[
            "The role has no secret: the driver fetches temporary",
            "credentials itself with kmsProviders {\"aws\": {}}.",
            "c copies the row under the cursor; l and L change the",
            "snippet's language. Enter when done.",
        ],
        _ => &[],
    }
}
