//! The keys of each MFA screen and what the help screen says about it: the help bar and the
//! help screen are drawn from these.

use super::Stage;
use crate::app::{App, Screen};
use crate::kit::keys::Help;

/// The keys of the MFA flow's screen on show.
pub fn of(app: &App) -> Help {
    let m = &app.flows.mfa;
    match (app.screen, &m.confirm) {
        (Screen::MfaUser, _) => {
            let mut h = Help::new(USER);
            h.keys(&[
                ("type", "filter"),
                ("↑↓", "move"),
                ("Enter", "show devices"),
            ]);
            h.more("Esc", "clear the filter");
            h.more("^R", "reload users from AWS");
            h
        }
        (Screen::MfaList, Some(c)) => {
            let mut h = Help::new(CONFIRM);
            h.keys(&[("y/Enter", c.change.verb()), ("n/Esc", "cancel")]);
            h
        }
        (Screen::MfaList, None) => {
            let mut h = Help::new(LIST);
            h.keys(&[
                ("↑↓", "device"),
                ("n", "enrol a device"),
                ("d", "deactivate"),
                ("x", "delete"),
                ("Esc", "users"),
            ]);
            h.more("^R", "read the devices again");
            h
        }
        (Screen::MfaEnrol, _) => {
            let mut h = Help::new(ENROL);
            match m.enrol.as_ref().map(|e| e.stage) {
                Some(Stage::Ready) => {
                    h.keys(&[
                        ("0-9", "codes"),
                        ("Tab", "next code"),
                        ("Enter", "check and enable"),
                        ("s", "show/hide seed"),
                        ("Esc", "cancel"),
                    ]);
                    h.more("↑↓", "the other code");
                }
                Some(Stage::Creating) => {
                    h.key("Esc", "cancel");
                }
                // IAM's answer is awaited: no key changes anything meanwhile.
                _ => {}
            }
            h
        }
        _ => Help::new(&[]),
    }
}

const USER: &[&str] = &[
    "Choose the user whose MFA devices to look after. Typing",
    "filters the account's users (fuzzy: the best match first);",
    "Enter shows the devices of the user under the cursor.",
];

const LIST: &[&str] = &[
    "The user's MFA devices: serial number (a virtual device's",
    "ARN), kind and when it was enabled. n enrols a new virtual",
    "device named after the user. d deactivates the device under",
    "the cursor; x deletes a virtual device, which IAM allows only",
    "once no user has it (deactivate it first).",
];

const CONFIRM: &[&str] = &[
    "Check the device before going ahead: a deactivated device no",
    "longer signs the user in; a deleted one cannot come back.",
];

const ENROL: &[&str] = &[
    "Scan the QR code with the authenticator app (or type the",
    "seed by hand: s shows it), then type two consecutive codes.",
    "Enter checks them here first: wrong codes, codes that are",
    "not consecutive or a phone clock that is off are explained",
    "and nothing is sent; a pair that passes enables the device.",
    "Esc, quitting or a failure deletes the new device again.",
];
