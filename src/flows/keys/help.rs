//! The keys of each access-key screen and what the help screen says about it: the help bar and
//! the help screen are drawn from these.

use crate::app::{App, Screen};
use crate::kit::keys::Help;

/// The keys of the access-key flow's screen on show.
pub fn of(app: &App) -> Help {
    match (app.screen, &app.flows.keys.confirm) {
        (Screen::KeysUser, _) => {
            let mut h = Help::new(USER);
            h.keys(&[("type", "filter"), ("↑↓", "move"), ("Enter", "show keys")]);
            if app.flows.keys.from_users && app.flows.keys.pick.filter.is_empty() {
                h.key("Esc", "back");
            } else {
                h.more("Esc", "clear the filter");
            }
            h.more("^R", "reload users from AWS");
            h
        }
        (Screen::KeysList, Some(c)) => {
            let mut h = Help::new(CONFIRM);
            if c.needs_id {
                h.keys(&[("type", "key ID"), ("Enter", "delete"), ("Esc", "cancel")]);
            } else {
                h.keys(&[("y/Enter", c.change.verb()), ("n/Esc", "cancel")]);
            }
            h
        }
        (Screen::KeysList, None) if app.flows.keys.rotate.is_some() => {
            let mut h = Help::new(ROTATE);
            let needs_id = app.flows.keys.rotate.as_ref().is_some_and(|p| p.needs_id);
            if needs_id {
                h.keys(&[("type", "key ID"), ("Enter", "rotate"), ("Esc", "cancel")]);
            } else {
                h.keys(&[("y/Enter", "rotate"), ("n/Esc", "cancel")]);
            }
            h
        }
        (Screen::KeysList, None) => {
            let mut h = Help::new(LIST);
            h.keys(&[
                ("↑↓", "key"),
                ("r", "rotate"),
                ("d", "deactivate"),
                ("x", "delete"),
                ("Esc", "users"),
            ]);
            h.more("a", "activate");
            h.more("^R", "read the keys again");
            h
        }
        _ => Help::new(&[]),
    }
}

const USER: &[&str] = &[
    "Choose the user whose access keys to look after. Typing",
    "filters the account's users (fuzzy: the best match first);",
    "Enter shows the keys of the user under the cursor.",
];

const LIST: &[&str] = &[
    "The user's access keys: status, when made and how old, last",
    "use (date, service, region) and the console's description.",
    "Keys older than 90 days or never used are marked. d, a and",
    "x deactivate, activate and delete the key under the cursor,",
    "each after a confirmation that shows its last use. r rotates:",
    "a new key, shown once and proven to work, then the old key",
    "deactivated (with 2 keys, the one under the cursor goes first).",
];

const ROTATE: &[&str] = &[
    "A rotation makes the user's new key and shows it once; save it",
    "and leave the screen. iamwiz proves the new key signs as the",
    "user, and only then deactivates the old key (delete it later,",
    "once nothing uses it). A new key that never works is deleted",
    "again; a new key nobody saw is deleted on quit.",
];

const CONFIRM: &[&str] = &[
    "Check the key and its last use before going ahead: whatever",
    "uses a deactivated key stops working; a deleted key cannot",
    "come back. Deleting an active key used in the last 7 days",
    "needs its ID typed.",
];
