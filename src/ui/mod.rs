//! Drawing: `view(&App, &mut Frame)`. Views only read the state; every change happens in `update`.

use crate::flows::encryption::view as encryption;
mod outcome;
use crate::flows::users::view::{self as steps, new_group, save_plan};
pub use crate::kit::widgets;
pub use crate::kit::widgets::{ACCENT, DIM, ERROR, OK};

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::reveal::Prompt;
use crate::app::{
    AccessItem, App, MIN_HEIGHT, MIN_WIDTH, Modal, NoticeKind, PermPane, Remote, Screen,
};
use crate::flows::encryption::STEPS as ENC_STEPS;
use widgets::truncate;

pub fn view(app: &App, f: &mut Frame) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area);
        return;
    }
    // A notice too long for one line gets a second one.
    let notice_lines = match &app.notice {
        Some(n) if n.text.chars().count() + 3 > area.width as usize => 2,
        _ => 1,
    };
    let [header, crumbs, body, notice, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(notice_lines),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(app, f, header);
    draw_crumbs(app, f, crumbs);
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ", screen_title(app)),
            Style::new().bold(),
        ))
        .border_style(Style::new().fg(DIM));
    let inner = block.inner(body);
    f.render_widget(block, body);
    match app.screen {
        Screen::Details => steps::details(app, f, inner),
        Screen::Access => steps::access(app, f, inner),
        Screen::Permissions => steps::permissions(app, f, inner),
        Screen::Boundary => steps::boundary(app, f, inner),
        Screen::Tags => steps::tags(app, f, inner),
        Screen::Review => steps::review(app, f, inner),
        Screen::Creating => outcome::creating(app, f, inner),
        Screen::Reveal => outcome::reveal(app, f, inner),
        Screen::Done => outcome::done(app, f, inner),
        Screen::EncPurpose => encryption::purpose(app, f, inner),
        Screen::EncKey => encryption::key(app, f, inner),
        Screen::EncAccount => encryption::account(app, f, inner),
        Screen::EncReview => encryption::review(app, f, inner),
        Screen::EncRole => encryption::role(app, f, inner),
    }
    if app.screen == Screen::Permissions
        && let Some(form) = &app.new_group.form
    {
        new_group::draw(app, form, f, body);
    }
    if app.screen == Screen::Review
        && let Some(prompt) = &app.save_plan
    {
        save_plan::draw(app, prompt, f, body);
    }
    draw_notice(app, f, notice);
    draw_help_bar(app, f, help);
    match app.modal {
        Some(Modal::Help) => help_modal(app, f, area),
        Some(Modal::ConfirmQuit) => confirm_quit(app, f, area),
        Some(Modal::ConfirmLeaveReveal) => confirm_leave_reveal(app, f, area),
        None => {}
    }
}

fn screen_title(app: &App) -> String {
    if let (Screen::Creating, Some(c)) = (app.screen, &app.creation) {
        if c.grouped {
            return "Creating the encryption service account".to_string();
        }
        return match c.users.as_slice() {
            [one] => format!("Creating {one}"),
            many => format!("Creating {} users", many.len()),
        };
    }
    if let Some(i) = ENC_STEPS.iter().position(|x| *x == app.screen) {
        return format!("Step {} of 4 · {}", i + 1, app.screen.title());
    }
    match Screen::STEPS.iter().position(|x| *x == app.screen) {
        Some(i) => format!("Step {} of 6 · {}", i + 1, app.screen.title()),
        None => app.screen.title().to_string(),
    }
}

fn too_small(f: &mut Frame, area: Rect) {
    let text = vec![
        Line::from(Span::styled(
            "Terminal too small",
            Style::new().bold().fg(ERROR),
        )),
        Line::from(format!("This window is {}x{}.", area.width, area.height)),
        Line::from(format!("iamwiz needs at least {MIN_WIDTH}x{MIN_HEIGHT}.")),
        Line::from("Enlarge it, or press Ctrl-C to quit."),
    ];
    let y = area.height.saturating_sub(text.len() as u16) / 2;
    let rect = Rect::new(
        area.x,
        area.y + y,
        area.width,
        area.height.saturating_sub(y),
    );
    f.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}

fn draw_header(app: &App, f: &mut Frame, area: Rect) {
    let title = Line::from(vec![
        Span::styled(" iamwiz ", Style::new().bold().fg(Color::Black).bg(ACCENT)),
        Span::raw(if app.in_encryption() {
            " MongoDB encryption service account"
        } else {
            " Create IAM user"
        }),
    ]);
    f.render_widget(Paragraph::new(title), area);
    let room = area
        .width
        .saturating_sub(if app.in_encryption() { 46 } else { 26 }) as usize;
    let who = match &app.catalog.identity {
        Remote::Loading => Span::styled("connecting to AWS…", Style::new().fg(DIM)),
        Remote::Ready(id) => {
            let full = format!("{} · {} · {}", id.account, arn_resource(&id.arn), id.region);
            // Without the caller's name when the line is too narrow for it.
            let text = if full.chars().count() > room {
                format!("{} · {}", id.account, id.region)
            } else {
                full
            };
            Span::styled(truncate(&text, room), Style::new().fg(DIM))
        }
        Remote::Failed(e) => Span::styled(
            truncate(&format!("not connected: {}", e.code), room),
            Style::new().fg(ERROR),
        ),
    };
    f.render_widget(
        Paragraph::new(Line::from(vec![who, Span::raw(" ")])).alignment(Alignment::Right),
        area,
    );
}

/// The part of an ARN after the account (`user/alice`, `assumed-role/Admin/jane`).
fn arn_resource(arn: &str) -> &str {
    arn.splitn(6, ':').nth(5).unwrap_or(arn)
}

fn draw_crumbs(app: &App, f: &mut Frame, area: Rect) {
    const SHORT: [&str; 6] = [
        "Details",
        "Access",
        "Permissions",
        "Boundary",
        "Tags",
        "Review",
    ];
    const AFTER: [(Screen, &str); 3] = [
        (Screen::Creating, "Create"),
        (Screen::Reveal, "Credentials"),
        (Screen::Done, "Done"),
    ];
    const ENC_SHORT: [&str; 4] = ["Purpose", "Key", "Account", "Review"];
    let (short, steps): (&[&str], &[Screen]) = if app.in_encryption() {
        (&ENC_SHORT, &ENC_STEPS)
    } else {
        (&SHORT, &Screen::STEPS)
    };
    let sep = || Span::styled(" › ", Style::new().fg(DIM));
    let here = Style::new()
        .fg(ACCENT)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let mut spans = vec![Span::raw(" ")];
    if let Some(current) = steps.iter().position(|s| *s == app.screen) {
        for (i, name) in short.iter().enumerate() {
            if i > 0 {
                spans.push(sep());
            }
            let style = match i.cmp(&current) {
                std::cmp::Ordering::Equal => here,
                std::cmp::Ordering::Less => Style::new(),
                std::cmp::Ordering::Greater => Style::new().fg(DIM),
            };
            spans.push(Span::styled(format!("{} {name}", i + 1), style));
        }
    } else {
        spans.push(Span::styled(
            format!("Steps 1-{} ✓", steps.len()),
            Style::new().fg(OK),
        ));
        // The role result stands where the credentials would.
        let shown = match app.screen {
            Screen::EncRole => Screen::Reveal,
            s => s,
        };
        let current = AFTER.iter().position(|(s, _)| *s == shown).unwrap_or(0);
        for (i, (_, name)) in AFTER.iter().enumerate() {
            spans.push(sep());
            let style = match i.cmp(&current) {
                std::cmp::Ordering::Equal => here,
                std::cmp::Ordering::Less => Style::new(),
                std::cmp::Ordering::Greater => Style::new().fg(DIM),
            };
            spans.push(Span::styled(*name, style));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_notice(app: &App, f: &mut Frame, area: Rect) {
    let Some(n) = &app.notice else { return };
    let (mark, color) = match n.kind {
        NoticeKind::Error => ("✗ ", ERROR),
        NoticeKind::Info => ("• ", ACCENT),
    };
    // As many lines as the layout gave the notice, wrapped at spaces.
    let room = (area.width as usize).saturating_sub(3).max(10);
    let mut lines = encryption::wrap(&n.text, room);
    let rows = area.height.max(1) as usize;
    if lines.len() > rows {
        let rest = lines.split_off(rows - 1).join(" ");
        lines.push(truncate(&rest, room));
    }
    let text: Vec<Line> = lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let lead = if i == 0 {
                format!(" {mark}")
            } else {
                "   ".to_string()
            };
            Line::from(Span::styled(format!("{lead}{l}"), Style::new().fg(color)))
        })
        .collect();
    f.render_widget(Paragraph::new(text), area);
}

/// The keys of Purpose, Key and Account, for the row under the cursor.
fn enc_help_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    use crate::flows::encryption::Item;
    match app.enc_item() {
        Some(Item::Feature | Item::KeyMode | Item::AccountKind | Item::Principal) => {
            vec![("←→", "choose"), ("↑↓", "move"), ("Enter", "next step")]
        }
        Some(Item::KeyList) => vec![
            ("↑↓", "move"),
            ("Space", "choose"),
            ("type", "filter"),
            ("Enter", "next"),
        ],
        Some(Item::KeyTag(_) | Item::AccountTag(_)) => vec![
            ("Tab", "next cell"),
            ("^N", "add tag"),
            ("^D", "remove"),
            ("Enter", "next"),
        ],
        _ if app.screen == Screen::EncPurpose => vec![("↑↓", "move"), ("Enter", "next step")],
        _ => vec![("↑↓", "move"), ("^N", "add tag"), ("Enter", "next step")],
    }
}

/// The keys of the current screen, as (key, action) pairs.
pub fn help_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    if app.screen == Screen::Permissions
        && let Some(form) = &app.new_group.form
    {
        return new_group::help_keys(form);
    }
    if app.screen == Screen::Review
        && let Some(prompt) = &app.save_plan
    {
        return save_plan::help_keys(prompt);
    }
    let mut keys = match app.screen {
        Screen::Details => vec![
            ("Tab", "next field"),
            ("^N", "add user"),
            ("Enter", "next step"),
        ],
        Screen::Access => {
            let typing = app.focus.access == AccessItem::Custom && app.draft.console_password;
            if typing {
                vec![("↑↓", "move"), ("type", "password"), ("Enter", "next step")]
            } else {
                vec![("↑↓", "move"), ("Space", "toggle"), ("Enter", "next step")]
            }
        }
        Screen::Permissions if app.focus.pane == PermPane::Inline && app.focus.inline_on_name => {
            vec![
                ("Tab/⇧Tab", "pane"),
                ("↓/Enter", "editor"),
                ("^S/F2", "done, next step"),
            ]
        }
        Screen::Permissions if app.focus.pane == PermPane::Inline => vec![
            ("Tab/⇧Tab", "pane"),
            ("^S/F2", "done, next step"),
            ("Enter", "newline"),
        ],
        Screen::Permissions if app.focus.pane == PermPane::Policies => vec![
            ("←→", "pane"),
            ("↑↓", "move"),
            ("Space", "choose"),
            ("Enter", "next"),
            ("^T", "type"),
        ],
        Screen::Permissions => vec![
            ("←→", "pane"),
            ("↑↓", "move"),
            ("Space", "choose"),
            ("Enter", "next"),
        ],
        Screen::Boundary => vec![
            ("↑↓", "move"),
            ("Space", "choose"),
            ("Enter", "next"),
            ("^T", "type"),
        ],
        Screen::Tags => vec![
            ("Ctrl-N", "add"),
            ("Ctrl-D", "remove"),
            ("Tab", "next cell"),
            ("Enter", "next"),
        ],
        Screen::Review => {
            let mut keys = vec![
                ("Enter", "create"),
                ("1-5", "edit step"),
                ("↑↓", "scroll"),
                ("s", "save plan"),
            ];
            if !app.missing_from_account().is_empty() {
                keys.push(("x", "drop missing"));
            }
            keys
        }
        Screen::Creating => match &app.creation {
            Some(c) if c.failure.is_some() => vec![("Enter", "back to review")],
            _ => vec![],
        },
        Screen::Reveal => match app.reveal.as_ref().and_then(|r| r.prompt.as_ref()) {
            Some(Prompt::ConfirmOverwrite(_)) => vec![("y", "replace"), ("n", "other name")],
            Some(_) => vec![("Enter", "save"), ("Esc", "cancel")],
            None if app.reveal.as_ref().is_some_and(|r| r.docs.is_some()) => vec![
                ("↑↓", "row"),
                ("c", "copy"),
                ("s", "show"),
                ("l", "lang"),
                ("d", "CSV"),
                ("a", "profile"),
                ("Enter", "done"),
            ],
            None if app.reveal.as_ref().is_some_and(|r| r.users.len() > 1) => vec![
                ("↑↓", "row"),
                ("←→", "user"),
                ("c", "copy"),
                ("d", "CSV"),
                ("a", "profile"),
                ("Enter", "done"),
            ],
            None => vec![
                ("↑↓", "row"),
                ("c", "copy"),
                ("s/p", "show"),
                ("d", "CSV"),
                ("a", "profile"),
                ("Enter", "done"),
            ],
        },
        Screen::Done if app.in_encryption() => vec![("n", "another"), ("q", "quit")],
        Screen::Done => vec![("n", "new user"), ("q", "quit")],
        Screen::EncPurpose | Screen::EncKey | Screen::EncAccount => enc_help_keys(app),
        Screen::EncReview => vec![("Enter", "create"), ("1-3", "edit step"), ("↑↓", "scroll")],
        Screen::EncRole => vec![
            ("↑↓", "row"),
            ("c", "copy"),
            ("l/L", "language"),
            ("PgDn", "scroll"),
            ("Enter", "done"),
        ],
    };
    if ENC_STEPS.contains(&app.screen) && (app.screen != Screen::EncPurpose || app.enc.from_users) {
        keys.push(("Esc", "back"));
    }
    if app.screen == Screen::Permissions && app.focus.pane == PermPane::Groups {
        keys.push(("^G", "new"));
    }
    if Screen::STEPS.contains(&app.screen) && app.screen != Screen::Details {
        keys.push(("Esc", "back"));
    }
    // In the editor '?' is text: F1 opens help.
    let help = if app.inline_editor_focused() {
        "F1"
    } else {
        "?"
    };
    keys.push((help, "help"));
    keys.push(("^C", "quit"));
    keys
}

fn draw_help_bar(app: &App, f: &mut Frame, area: Rect) {
    let mut spans = vec![Span::raw(" ")];
    for (i, (k, what)) in help_keys(app).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(k, Style::new().fg(ACCENT).bold()));
        spans.push(Span::styled(format!(" {what}"), Style::new().fg(DIM)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A rectangle of `w`x`h` centred in `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn modal(f: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, width: u16) {
    let rect = centered(area, width, lines.len() as u16 + 2);
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(Span::styled(format!(" {title} "), Style::new().bold()))
                .border_style(Style::new().fg(ACCENT)),
        ),
        rect,
    );
}

fn screen_help(app: &App) -> &'static [&'static str] {
    match app.screen {
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
        Screen::Creating => &[
            "Each call shows as it runs. If one fails, everything made",
            "is undone in the order IAM requires.",
        ],
        Screen::Reveal if app.reveal.as_ref().is_some_and(|r| r.docs.is_some()) => &[
            "The secret access key is shown only now; kmsProviders holds",
            "it too. s shows both; c copies the row under the cursor (a",
            "copied secret is cleared after a while); l and L change the",
            "snippet's language; PgUp/PgDn scroll it. d saves the CSV,",
            "a adds an AWS credentials profile. Enter when done.",
        ],
        Screen::Reveal => &[
            "The secret access key and password are shown only now.",
            "s and p reveal them; c copies the row under the cursor",
            "(a copied secret is cleared after a while); d saves the",
            "console's CSV; a adds an AWS credentials profile; m copies",
            "sign-in instructions without the password. Enter when done.",
        ],
        Screen::Done => &["The secrets are gone from iamwiz."],
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
    }
}

fn help_modal(app: &App, f: &mut Frame, area: Rect) {
    let mut lines: Vec<Line> = screen_help(app).iter().map(|s| Line::from(*s)).collect();
    lines.push(Line::from(""));
    for (k, what) in help_keys(app) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {k:<8}"), Style::new().fg(ACCENT).bold()),
            Span::raw(what),
        ]));
    }
    if Screen::STEPS.contains(&app.screen) || ENC_STEPS.contains(&app.screen) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<8}", "^R"), Style::new().fg(ACCENT).bold()),
            Span::raw("reload lists from AWS"),
        ]));
    }
    let picker = app.screen == Screen::Boundary
        || (app.screen == Screen::Permissions && app.focus.pane == PermPane::Policies);
    if picker {
        for (k, what) in [
            ("^P", "show or hide the policy preview"),
            ("Shift", "with ↑↓ or PgUp/PgDn scrolls the preview"),
        ] {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<8}"), Style::new().fg(ACCENT).bold()),
                Span::raw(what),
            ]));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Esc closes this help.",
        Style::new().fg(DIM),
    )));
    modal(f, area, "Help", lines, 64);
}

fn confirm_quit(app: &App, f: &mut Frame, area: Rect) {
    let warning = if app.reveal.is_some() {
        "The new credentials have not been confirmed as saved. If you quit now, they can never be shown again."
    } else {
        "What you have entered so far will be lost."
    };
    let lines = vec![
        Line::from(warning),
        Line::from(""),
        Line::from(vec![
            Span::styled("y", Style::new().fg(ACCENT).bold()),
            Span::raw(" quit    "),
            Span::styled("n", Style::new().fg(ACCENT).bold()),
            Span::raw(" stay"),
        ]),
    ];
    modal(f, area, "Quit iamwiz?", lines, 60);
}

fn confirm_leave_reveal(app: &App, f: &mut Frame, area: Rect) {
    let saved = app.reveal.as_ref().map(|r| r.saved.len()).unwrap_or(0);
    let copied = app.reveal.as_ref().is_some_and(|r| r.copied.is_some());
    let service = app.reveal.as_ref().is_some_and(|r| r.docs.is_some());
    let mut lines = vec![
        Line::from(if service {
            "Have you saved the secret access key (or kmsProviders)?"
        } else {
            "Have you saved the secret access key and password?"
        }),
        Line::from("After this they cannot be shown again, by iamwiz or AWS."),
    ];
    if saved == 0 && !copied {
        lines.push(Line::from(Span::styled(
            "You have not copied or saved them in iamwiz.",
            Style::new().fg(ERROR).add_modifier(Modifier::BOLD),
        )));
    }
    lines.extend([
        Line::from(""),
        Line::from(vec![
            Span::styled("y", Style::new().fg(ACCENT).bold()),
            Span::raw(" yes, I saved them    "),
            Span::styled("n", Style::new().fg(ACCENT).bold()),
            Span::raw(" go back"),
        ]),
    ]);
    modal(f, area, "Leave the credentials screen?", lines, 62);
}

pub(crate) fn pane_label(p: PermPane) -> &'static str {
    match p {
        PermPane::Groups => "Groups",
        PermPane::Copy => "Copy from user",
        PermPane::Policies => "Policies",
        PermPane::Inline => "Inline policy",
    }
}
