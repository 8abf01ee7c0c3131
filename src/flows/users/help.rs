//! The keys of each users-flow step and what the help screen says about the step: the help bar
//! and the help screen are drawn from these.

use super::view::{new_group, save_plan};
use crate::app::{AccessItem, App, PermPane, Screen};
use crate::kit::keys::Help;

/// The keys of a form open over the step (the new-group form, the save-plan prompt): they take
/// every key, so nothing else is offered.
pub fn form(app: &App) -> Option<Help> {
    if app.screen == Screen::Permissions
        && let Some(form) = &app.new_group.form
    {
        return Some(new_group::help(form));
    }
    if app.screen == Screen::Review
        && let Some(prompt) = &app.save_plan
    {
        return Some(save_plan::help(prompt));
    }
    None
}

/// The keys of the users flow's step on screen.
pub fn of(app: &App) -> Help {
    let mut h = Help::new(about(app.screen));
    match app.screen {
        Screen::Details => h.keys(&[
            ("Tab", "next field"),
            ("^N", "add user"),
            ("Enter", "next step"),
        ]),
        Screen::Access => {
            let typing = app.focus.access == AccessItem::Custom && app.draft.console_password;
            if app.focus.access == AccessItem::KeyUse {
                h.keys(&[("↑↓", "move"), ("←→", "use case"), ("Enter", "next step")])
            } else if app.focus.access == AccessItem::KeyDescription {
                h.keys(&[
                    ("↑↓", "move"),
                    ("type", "description"),
                    ("Enter", "next step"),
                ])
            } else if typing {
                h.keys(&[("↑↓", "move"), ("type", "password"), ("Enter", "next step")])
            } else {
                h.keys(&[("↑↓", "move"), ("Space", "toggle"), ("Enter", "next step")])
            }
        }
        Screen::Permissions if app.focus.pane == PermPane::Inline && app.focus.inline_on_name => h
            .keys(&[
                ("Tab/⇧Tab", "pane"),
                ("↓/Enter", "editor"),
                ("^S/F2", "done, next step"),
            ]),
        Screen::Permissions if app.focus.pane == PermPane::Inline => h.keys(&[
            ("Tab/⇧Tab", "pane"),
            ("^S/F2", "done, next step"),
            ("Enter", "newline"),
        ]),
        Screen::Permissions if app.focus.pane == PermPane::Policies => h.keys(&[
            ("←→", "pane"),
            ("↑↓", "move"),
            ("Space", "choose"),
            ("Enter", "next"),
            ("^T", "type"),
        ]),
        Screen::Permissions => h.keys(&[
            ("←→", "pane"),
            ("↑↓", "move"),
            ("Space", "choose"),
            ("Enter", "next"),
        ]),
        Screen::Boundary => h.keys(&[
            ("↑↓", "move"),
            ("Space", "choose"),
            ("Enter", "next"),
            ("^T", "type"),
        ]),
        Screen::Tags => h.keys(&[
            ("Ctrl-N", "add"),
            ("Ctrl-D", "remove"),
            ("Tab", "next cell"),
            ("Enter", "next"),
        ]),
        Screen::Review => {
            h.keys(&[
                ("Enter", "create"),
                ("1-5", "edit step"),
                ("↑↓", "scroll"),
                ("s", "save plan"),
            ]);
            if !app.missing_from_account().is_empty() {
                h.key("x", "drop missing");
            }
            &mut h
        }
        _ => &mut h,
    };
    if app.screen == Screen::Permissions && app.focus.pane == PermPane::Groups {
        h.key("^G", "new");
    }
    if app.screen != Screen::Details {
        h.key("Esc", "back");
    } else {
        h.more("^E", "set up a MongoDB encryption service account");
        h.more("^K", "an existing user's access keys");
    }
    h.more("^R", "reload lists from AWS");
    let picker = app.screen == Screen::Boundary
        || (app.screen == Screen::Permissions && app.focus.pane == PermPane::Policies);
    if picker {
        h.more("^P", "show or hide the policy preview");
        h.more("Shift", "with ↑↓ or PgUp/PgDn scrolls the preview");
    }
    h
}

fn about(screen: Screen) -> &'static [&'static str] {
    match screen {
        Screen::Details => &[
            "Name the new IAM user, or up to 10 users (Ctrl-N adds one):",
            "they share every other choice. Names are unique in the",
            "account, ignoring case; each is checked as you type.",
            "The path groups users (default /).",
        ],
        Screen::Access => &[
            "An access key is for the CLI, SDKs and tools; a console",
            "password is for the AWS web console. Choose one or both.",
            "Typing on \"Custom password\" enters your own password.",
            "It must meet the account's password policy; generated",
            "ones always do. Ctrl-R reads the policy again.",
        ],
        Screen::Permissions => &[
            "Add the user to groups, copy the groups and policies of an",
            "existing user, and/or attach managed policies directly.",
            "The three panes combine. Ctrl-R reloads the lists.",
            "Inline policy: type or paste JSON; Ctrl-S or F2 goes on.",
        ],
        Screen::Boundary => &[
            "A permissions boundary caps what the user's policies can",
            "grant. Choose none, or one managed policy. Typing searches",
            "(letters in order: s3full finds AmazonS3FullAccess);",
            "Ctrl-T picks AWS managed, customer managed or job function.",
        ],
        Screen::Tags => &[
            "Tags are key/value pairs on the user (at most 50).",
            "Keys are unique ignoring case and may not start with aws:.",
        ],
        Screen::Review => &[
            "Check everything, then press Enter to create the user.",
            "Keys 1 to 5 reopen a step as you left it. s saves the plan",
            "(everything here, never a secret) as JSON for iamwiz apply",
            "or iamwiz --plan. x drops the groups and policies the",
            "account does not have (a plan may name them).",
        ],
        _ => &[],
    }
}
