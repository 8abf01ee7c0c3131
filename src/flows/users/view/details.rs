//! User details (the names and the path) and Access type (access key with its use case and
//! description, console password and whether it needs MFA, and AWS's advice to use IAM Identity
//! Center for people when the account has it).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::{AccessItem, App, Remote};
use crate::flows::users::draft::{self, PasswordMode, USER_NAME_RULE};
use crate::flows::users::rules::{CHANGE_PASSWORD_POLICY, check_access};
use crate::flows::users::{identity_center, key_use};
use crate::kit::widgets::{
    bold, checkbox, dim, field, label, line, pointer, radio, spinner, truncate,
};
use crate::model::mfa_policy::REQUIRE_MFA_POLICY_NAME;
use crate::protocol::NameKind;
use crate::protocol::PasswordPolicy;
use crate::ui::{ACCENT, ERROR, OK};

use super::*;

pub fn details(app: &App, f: &mut Frame, area: Rect) {
    let d = &app.draft;
    let w = (area.width as usize).saturating_sub(LABEL + 30).min(64);
    let mut lines = vec![Line::from("")];
    let many = d.names.len() > 1;
    for (i, name) in d.names.iter().enumerate() {
        let focused = app.focus.details == i;
        let label_text = if many {
            format!("User {}", i + 1)
        } else {
            "User name".to_string()
        };
        let mut spans = vec![pointer(focused), label(&label_text, LABEL)];
        spans.extend(field(name, w, focused));
        spans.push(dim(format!(" {:>2}/64 ", name.len())));
        // The verdict goes on the row when it fits, else whole on its own row under the field
        // (a name too long even there is shortened, never the verdict).
        let used: usize = spans.iter().map(Span::width).sum();
        let room = (area.width as usize).saturating_sub(used);
        let status = name_verdict(app, name.value(), usize::MAX);
        if status.width() <= room {
            spans.push(status);
            lines.push(line(spans));
        } else {
            lines.push(line(spans));
            let under = (area.width as usize).saturating_sub(LABEL + 4);
            lines.push(line(vec![
                Span::raw(" ".repeat(LABEL + 3)),
                name_verdict(app, name.value(), under),
            ]));
        }
    }
    let rule = match draft::validate_user_names(&d.names) {
        Err((row, e)) if !d.names[row].is_empty() => Err(e),
        _ => Ok(()),
    };
    lines.push(rule_line(rule, &format!("Use {USER_NAME_RULE}."), true));
    lines.push(line(vec![dim(format!(
        "               Ctrl-N adds a user ({} of {}), Ctrl-D removes one.",
        d.names.len(),
        draft::USERS_MAX
    ))]));
    lines.push(Line::from(""));
    let path_focus = app.focus.details == d.names.len();
    lines.push(line(
        vec![pointer(path_focus), label("Path", LABEL)]
            .into_iter()
            .chain(field(&d.path, w, path_focus))
            .collect(),
    ));
    lines.push(rule_line(
        draft::validate_path(d.path.value()),
        "Optional. Starts and ends with /, for example /engineering/.",
        true,
    ));
    // The other flows, on the last rows while the names leave room for them.
    let hint = area.height.saturating_sub(2);
    let room = lines.len() < hint as usize;
    f.render_widget(Paragraph::new(lines), area);
    if room {
        let key = |k: &'static str| Span::styled(k, Style::new().fg(ACCENT).bold());
        f.render_widget(
            Paragraph::new(vec![
                line(vec![
                    dim(" An existing user's access keys? "),
                    key("Ctrl-K"),
                    dim(" shows their age and last use."),
                ]),
                line(vec![
                    dim(" MongoDB encryption? "),
                    key("Ctrl-E"),
                    dim(" sets up a KMS key and a service account for it."),
                ]),
            ]),
            Rect::new(area.x, area.y + hint, area.width, 2),
        );
    }
}

/// Whether the user name `name` is free in the account, as far as the live check knows.
pub(crate) fn name_status<'a>(app: &App, name: &str) -> Span<'a> {
    name_verdict(app, name, usize::MAX)
}

/// [`name_status`] in at most `room` columns where it can be: the existing user's name is
/// shortened with an ellipsis (to no fewer than 8 columns), never the verdict after it.
fn name_verdict<'a>(app: &App, name: &str, room: usize) -> Span<'a> {
    if name.is_empty() || draft::validate_user_name(name).is_err() {
        return Span::raw("");
    }
    if let Some(existing) = app.name_taken(name) {
        let (before, after) = ("✗ ", " exists");
        let fit = room.saturating_sub(before.len() + after.len()).max(8);
        return Span::styled(
            format!("{before}{}{after}", truncate(&existing, fit)),
            Style::new().fg(ERROR),
        );
    }
    match app.name_check(NameKind::User, name) {
        Some(Remote::Ready(None)) => Span::styled("✓ available", Style::new().fg(OK)),
        Some(Remote::Loading) => dim(format!("{} checking", spinner(app.ticks))),
        Some(Remote::Failed(e)) => dim(format!("not checked: {}", e.code)),
        _ => Span::raw(""),
    }
}

pub fn access(app: &App, f: &mut Frame, area: Rect) {
    let d = &app.draft;
    let at = |item: AccessItem| app.focus.access == item;
    let mut lines = vec![
        Line::from(format!(
            " Choose how {} will access AWS (one or both).",
            these_users(app)
        )),
        Line::from(""),
        line(vec![
            pointer(at(AccessItem::AccessKey)),
            bold(format!("{} Access key", checkbox(d.access_key))),
            Span::raw(" – programmatic access"),
        ]),
        line(vec![dim(
            "       For the AWS CLI, SDKs and tools. The secret is shown once.",
        )]),
    ];
    let width = area.width as usize;
    lines.extend([line(vec![
        pointer(at(AccessItem::Password)),
        bold(format!("{} Password", checkbox(d.console_password))),
        Span::raw(" – AWS Management Console access"),
    ])]);
    if identity_center::shown(app) {
        lines.push(line(vec![Span::styled(
            format!("       {}", identity_center::NUDGE),
            Style::new().fg(ACCENT),
        )]));
    }
    let policy = app.password_policy();
    lines.extend(password_policy_lines(app, width));
    if d.console_password {
        let custom = d.password_mode == PasswordMode::Custom;
        lines.push(line(vec![
            pointer(at(AccessItem::Autogenerated)),
            Span::raw(format!("    {} Autogenerated password", radio(!custom))),
        ]));
        let mut custom_line = vec![
            pointer(at(AccessItem::Custom)),
            Span::raw(format!("    {} Custom password  ", radio(custom))),
        ];
        custom_line.extend(field(&d.custom_password, 30, at(AccessItem::Custom)));
        lines.push(line(custom_line));
        if custom && !d.custom_password.is_empty() {
            let check = draft::validate_password(d.custom_password.value(), &policy);
            match check {
                Ok(()) => lines.push(line(vec![
                    Span::raw("          "),
                    Span::styled(
                        if policy.is_default {
                            "✓ meets the AWS default password policy"
                        } else {
                            "✓ meets the account password policy"
                        },
                        Style::new().fg(OK),
                    ),
                ])),
                Err(e) => lines.extend(wrapped(&e, 10, width, Style::new().fg(ERROR))),
            }
        } else {
            lines.push(line(vec![dim(format!(
                "          Autogenerated: {} characters from the OS random source.",
                policy.generated_length()
            ))]));
        }
        lines.push(line(vec![
            pointer(at(AccessItem::RequireReset)),
            Span::raw(format!(
                "{} Require a new password at next sign-in",
                checkbox(d.require_reset)
            )),
        ]));
        if !app.effective().added.is_empty() {
            lines.extend(wrapped(
                &format!(
                    "Adds {} so {} can set a new password.",
                    CHANGE_PASSWORD_POLICY,
                    the_users(app)
                ),
                7,
                width,
                Style::new().fg(crate::ui::DIM),
            ));
        }
        lines.push(line(vec![
            pointer(at(AccessItem::RequireMfa)),
            Span::raw(format!("{} Require MFA", checkbox(d.require_mfa))),
            dim(format!(
                " – attaches {REQUIRE_MFA_POLICY_NAME} (MFA before anything else)"
            )),
        ]));
    }
    if d.access_key {
        lines.push(Line::from(""));
        lines.extend(key_use_lines(app, width));
    }
    lines.push(Line::from(""));
    if let Err(e) = check_access(d, &policy)
        && !d.access_key
        && !d.console_password
    {
        lines.push(line(vec![Span::styled(
            format!(" {e}"),
            Style::new().fg(ERROR),
        )]));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The access key's use case (with AWS's recommended alternative for it) and description.
fn key_use_lines<'a>(app: &App, width: usize) -> Vec<Line<'a>> {
    let d = &app.draft;
    let at = |item: AccessItem| app.focus.access == item;
    let use_text = d.key_use.map_or("not said", |u| u.label());
    let mut lines = vec![line(vec![
        pointer(at(AccessItem::KeyUse)),
        label("Key use case", 14),
        Span::styled(format!("‹ {use_text} ›"), Style::new().fg(ACCENT)),
    ])];
    match d.key_use {
        Some(u) => lines.extend(wrapped(
            u.alternative(),
            3,
            width,
            Style::new().fg(crate::ui::DIM),
        )),
        None if at(AccessItem::KeyUse) => lines.push(line(vec![dim(
            "   ←→ what the key is for; AWS's recommended alternative is shown.",
        )])),
        None => {}
    }
    let mut description = vec![
        pointer(at(AccessItem::KeyDescription)),
        label("Description", 14),
    ];
    let w = width.saturating_sub(50).clamp(10, 30);
    description.extend(field(&d.key_description, w, at(AccessItem::KeyDescription)));
    if d.key_description.is_empty() && !at(AccessItem::KeyDescription) {
        description.push(dim(" optional, kept as a user tag"));
    }
    lines.push(line(description));
    if let Err(e) = key_use::validate_description(d.key_description.value().trim()) {
        lines.extend(wrapped(&e, 3, width, Style::new().fg(ERROR)));
    }
    lines
}

/// The password policy in force, in one dim line (more if the terminal is narrow): the
/// account's, the AWS default when there is none, or why it could not be read.
fn password_policy_lines<'a>(app: &App, width: usize) -> Vec<Line<'a>> {
    let kinds = |p: &PasswordPolicy| {
        let mut parts = vec![format!("{}+ characters", p.min_length)];
        for (required, kind) in [
            (p.require_uppercase, "upper"),
            (p.require_lowercase, "lower"),
            (p.require_digit, "digit"),
            (p.require_symbol, "symbol"),
        ] {
            if required {
                parts.push(kind.to_string());
            }
        }
        parts.join(", ")
    };
    let text = match &app.catalog.password_policy {
        Remote::Loading => format!(
            "{} reading the account password policy…",
            spinner(app.ticks)
        ),
        Remote::Ready(p) if p.is_default => {
            "No account password policy: AWS default (8+ characters, 3 of 4 kinds)".to_string()
        }
        Remote::Ready(p) => format!("Account policy: {}", kinds(p)),
        Remote::Failed(e) => format!(
            "Could not read the password policy ({}): AWS default assumed.",
            e.code
        ),
    };
    wrapped(&text, 7, width, Style::new().fg(crate::ui::DIM))
}
