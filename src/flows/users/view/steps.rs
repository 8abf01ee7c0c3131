//! The steps the admin fills in: details, access, permissions, boundary, tags, review.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::{AccessItem, App, ListUi, PermPane, Remote, TagCol, check_access};
use crate::flows::users::draft::{
    self, GROUPS_MAX, MANAGED_POLICIES_MAX, PasswordMode, TAGS_MAX, USER_NAME_RULE,
};
use crate::flows::users::picker::{self, type_label};
use crate::kit::widgets::{
    bold, checkbox, dim, field, label, line, pointer, radio, spinner, truncate,
};
use crate::protocol::PasswordPolicy;
use crate::protocol::{AwsError, NameKind, PolicyInfo, policy_name};
use crate::ui::{ACCENT, DIM, ERROR, OK, pane_label};

const LABEL: usize = 12;

/// One line under a field: the rule in grey, or what is wrong in red.
fn rule_line<'a>(check: Result<(), String>, rule: &str, show_error: bool) -> Line<'a> {
    let pad = Span::raw(" ".repeat(LABEL + 3));
    match check {
        Err(e) if show_error => line(vec![pad, Span::styled(e, Style::new().fg(ERROR))]),
        _ => line(vec![pad, dim(rule.to_string())]),
    }
}

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
        spans.push(name_status(app, app.draft.names[i].value()));
        lines.push(line(spans));
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
    // The other flow, on the last row while the names leave room for it.
    let hint = area.height.saturating_sub(1);
    let room = lines.len() < hint as usize;
    f.render_widget(Paragraph::new(lines), area);
    if room {
        f.render_widget(
            Paragraph::new(line(vec![
                dim(" MongoDB encryption? "),
                Span::styled("Ctrl-E", Style::new().fg(ACCENT).bold()),
                dim(" sets up a KMS key and a service account for it."),
            ])),
            Rect::new(area.x, area.y + hint, area.width, 1),
        );
    }
}

/// Whether the user name `name` is free in the account, as far as the live check knows.
pub(crate) fn name_status<'a>(app: &App, name: &str) -> Span<'a> {
    if name.is_empty() || draft::validate_user_name(name).is_err() {
        return Span::raw("");
    }
    if let Some(existing) = app.name_taken(name) {
        return Span::styled(format!("✗ {existing} exists"), Style::new().fg(ERROR));
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
        Line::from(" Choose how this user will access AWS (one or both)."),
        Line::from(""),
        line(vec![
            pointer(at(AccessItem::AccessKey)),
            bold(format!("{} Access key", checkbox(d.access_key))),
            Span::raw(" – programmatic access"),
        ]),
        line(vec![dim(
            "       For the AWS CLI, SDKs and tools. The secret is shown once.",
        )]),
        line(vec![
            pointer(at(AccessItem::Password)),
            bold(format!("{} Password", checkbox(d.console_password))),
            Span::raw(" – AWS Management Console access"),
        ]),
    ];
    let width = area.width as usize;
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
                    "Adds {} so the user can set a new password.",
                    crate::app::CHANGE_PASSWORD_POLICY
                ),
                7,
                width,
                Style::new().fg(crate::ui::DIM),
            ));
        }
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

/// `text` wrapped at spaces to `width` columns less a one-column right margin, every line
/// indented by `indent` spaces.
fn wrapped<'a>(text: &str, indent: usize, width: usize, style: Style) -> Vec<Line<'a>> {
    use unicode_width::UnicodeWidthStr;
    let room = width.saturating_sub(indent + 1).max(10);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        if !current.is_empty() && current.width() + 1 + word.width() > room {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    lines.push(current);
    lines
        .into_iter()
        .map(|l| line(vec![Span::raw(" ".repeat(indent)), Span::styled(l, style)]))
        .collect()
}

/// Rows of a list window of `height` rows that keeps `cursor` in view.
fn window(cursor: usize, len: usize, height: usize) -> std::ops::Range<usize> {
    if height == 0 {
        return 0..0;
    }
    let start = cursor.saturating_sub(height - 1);
    start..(start + height).min(len)
}

/// A line saying why a list is empty: loading, failed, or no match.
fn list_status<'a, T>(
    remote: &Remote<T>,
    tick: u64,
    what: &str,
    filtered: usize,
) -> Option<Line<'a>> {
    match remote {
        Remote::Loading => Some(line(vec![dim(format!(
            "   {} loading {what}…",
            spinner(tick)
        ))])),
        Remote::Failed(e) => Some(error_line(e)),
        Remote::Ready(_) if filtered == 0 => Some(line(vec![dim(format!("   No {what} match."))])),
        Remote::Ready(_) => None,
    }
}

fn error_line<'a>(e: &AwsError) -> Line<'a> {
    line(vec![Span::styled(
        format!("   {e}. {}", e.hint),
        Style::new().fg(ERROR),
    )])
}

fn filter_line<'a>(list: &ListUi, width: usize) -> Line<'a> {
    let mut spans = vec![Span::raw(" Filter ")];
    spans.extend(field(&list.filter, width, true));
    if list.filter.is_empty() {
        spans.push(dim(" type to filter"));
    }
    line(spans)
}

pub fn permissions(app: &App, f: &mut Frame, area: Rect) {
    let [tabs, filter, list, summary] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area);

    let eff = app.effective();
    let mut tab_spans = vec![Span::raw(" ")];
    for (i, pane) in [
        PermPane::Groups,
        PermPane::Copy,
        PermPane::Policies,
        PermPane::Inline,
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            tab_spans.push(dim(" │ "));
        }
        let count = match pane {
            PermPane::Groups => format!(" ({}/{GROUPS_MAX})", app.draft.groups.len()),
            PermPane::Copy => app
                .draft
                .copy_from
                .as_ref()
                .map(|u| format!(" ({u})"))
                .unwrap_or_default(),
            PermPane::Policies => format!(" ({}/{MANAGED_POLICIES_MAX})", app.draft.policies.len()),
            PermPane::Inline => String::new(),
        };
        let text = format!("{}{count}", pane_label(pane));
        tab_spans.push(if app.focus.pane == pane {
            Span::styled(text, Style::new().fg(ACCENT).bold().underlined())
        } else {
            Span::raw(text)
        });
    }
    f.render_widget(Paragraph::new(line(tab_spans)), tabs);

    let width = (area.width as usize).saturating_sub(10).min(40);
    let (list, preview) = match app.focus.pane {
        PermPane::Policies => split_preview(app, list),
        _ => (list, None),
    };
    let h = list.height as usize;
    let mut lines: Vec<Line> = Vec::new();
    match app.focus.pane {
        PermPane::Groups => {
            f.render_widget(
                Paragraph::new(filter_line(&app.focus.groups, width)),
                filter,
            );
            let groups = app.filtered_groups();
            if let Some(l) = list_status(&app.catalog.groups, app.ticks, "groups", groups.len()) {
                lines.push(l);
            }
            for i in window(app.focus.groups.cursor, groups.len(), h) {
                let g = groups[i];
                let on = app.draft.groups.contains(&g.name);
                let policies = if g.policies.is_empty() {
                    "no policies".to_string()
                } else {
                    g.policies.join(", ")
                };
                let row = format!("{} {:<20} ", checkbox(on), truncate(&g.name, 20));
                let room = (area.width as usize).saturating_sub(row.len() + 4);
                lines.push(line(vec![
                    pointer(i == app.focus.groups.cursor),
                    Span::raw(row),
                    dim(truncate(&policies, room)),
                ]));
            }
        }
        PermPane::Copy => {
            f.render_widget(Paragraph::new(filter_line(&app.focus.users, width)), filter);
            let users = app.filtered_users();
            if let Some(l) = list_status(&app.catalog.users, app.ticks, "users", users.len()) {
                lines.push(l);
            }
            let rows = h.saturating_sub(3);
            for i in window(app.focus.users.cursor, users.len(), rows) {
                let u = users[i];
                let on = app.draft.copy_from.as_deref() == Some(u.name.as_str());
                lines.push(line(vec![
                    pointer(i == app.focus.users.cursor),
                    Span::raw(format!("{} {:<30} ", radio(on), truncate(&u.name, 30))),
                    dim(u.path.clone()),
                ]));
            }
            while lines.len() < rows {
                lines.push(Line::from(""));
            }
            lines.extend(copy_summary(app, area.width as usize));
        }
        PermPane::Policies => {
            policy_filter(f, filter, &app.focus.policies);
            let policies = app.filtered_policies(&app.focus.policies);
            lines = cached_note(app, list.width as usize);
            let rows = h.saturating_sub(lines.len());
            if let Some(l) =
                list_status(&app.catalog.policies, app.ticks, "policies", policies.len())
            {
                lines.push(l);
            }
            let mut matcher = picker::new_matcher();
            let query = app.focus.policies.filter.value();
            for i in window(app.focus.policies.cursor, policies.len(), rows) {
                let p = policies[i];
                let on = app.draft.policies.contains(&p.arn);
                lines.push(policy_row(
                    i == app.focus.policies.cursor,
                    checkbox(on),
                    p,
                    &picker::match_positions(query, &p.name, &mut matcher),
                ));
            }
            if let Some(preview) = preview {
                policy_preview(app, f, preview);
            }
        }
        PermPane::Inline => {
            f.render_widget(
                Paragraph::new(crate::flows::users::view::inline::name_line(app)),
                filter,
            );
            lines = crate::flows::users::view::inline::editor_lines(app, area.width as usize, h);
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), list);

    let total = format!(
        " Chosen: {} group(s), {} managed polic{}{}{}",
        eff.groups.len(),
        eff.policies.len(),
        if eff.policies.len() == 1 { "y" } else { "ies" },
        if eff.inline.is_empty() {
            String::new()
        } else {
            format!(", {} inline", eff.inline.len())
        },
        app.draft
            .copy_from
            .as_ref()
            .map(|u| format!(" (with those of {u})"))
            .unwrap_or_default(),
    );
    f.render_widget(
        Paragraph::new(vec![
            Line::from(""),
            line(vec![Span::styled(total, Style::new().fg(ACCENT))]),
        ]),
        summary,
    );
}

/// Up to three lines saying what will be copied from the chosen user.
fn copy_summary<'a>(app: &App, width: usize) -> Vec<Line<'a>> {
    let Some(from) = &app.draft.copy_from else {
        return vec![line(vec![dim(
            " Space on a user copies its groups, policies, inline policies and boundary.",
        )])];
    };
    match &app.catalog.copy {
        Some((_, Remote::Ready(p))) => {
            let list = |v: Vec<String>| {
                if v.is_empty() {
                    "none".to_string()
                } else {
                    v.join(", ")
                }
            };
            vec![
                line(vec![bold(format!(" Copies from {from}:"))]),
                line(vec![dim(truncate(
                    &format!(
                        "   groups: {} · policies: {}",
                        list(p.groups.clone()),
                        list(
                            p.policies
                                .iter()
                                .map(|a| policy_name(a).to_string())
                                .collect()
                        ),
                    ),
                    width.saturating_sub(2),
                ))]),
                line(vec![dim(truncate(
                    &format!(
                        "   inline: {} · boundary: {}",
                        list(p.inline.iter().map(|i| i.name.clone()).collect()),
                        p.boundary.as_deref().map(policy_name).unwrap_or("none"),
                    ),
                    width.saturating_sub(2),
                ))]),
            ]
        }
        Some((_, Remote::Failed(e))) => vec![error_line(e)],
        _ => vec![line(vec![dim(format!(
            " {} reading the permissions of {from}…",
            spinner(app.ticks)
        ))])],
    }
}

pub fn boundary(app: &App, f: &mut Frame, area: Rect) {
    let [intro, filter, list] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let current = match &app.draft.boundary {
        Some(arn) => policy_name(arn).to_string(),
        None => "none".to_string(),
    };
    f.render_widget(
        Paragraph::new(vec![
            Line::from(" A permissions boundary caps what this user's policies can grant."),
            line(vec![
                Span::raw(" Boundary: "),
                Span::styled(current, Style::new().fg(ACCENT).bold()),
            ]),
            Line::from(""),
        ]),
        intro,
    );
    policy_filter(f, filter, &app.focus.boundary);
    let (list, preview) = split_preview(app, list);
    if let Some(preview) = preview {
        policy_preview(app, f, preview);
    }
    let policies = app.filtered_policies(&app.focus.boundary);
    let cursor = app.focus.boundary.cursor;
    let mut matcher = picker::new_matcher();
    let query = app.focus.boundary.filter.value();
    let mut lines = cached_note(app, list.width as usize);
    let rows = (list.height as usize).saturating_sub(lines.len());
    for i in window(cursor, policies.len() + 1, rows) {
        if i == 0 {
            lines.push(line(vec![
                pointer(cursor == 0),
                Span::raw(format!(
                    "{} No permissions boundary",
                    radio(app.draft.boundary.is_none())
                )),
            ]));
            if let Some(l) =
                list_status(&app.catalog.policies, app.ticks, "policies", policies.len())
            {
                lines.push(l);
            }
            continue;
        }
        let p = policies[i - 1];
        let on = app.draft.boundary.as_deref() == Some(p.arn.as_str());
        lines.push(policy_row(
            i == cursor,
            radio(on),
            p,
            &picker::match_positions(query, &p.name, &mut matcher),
        ));
    }
    f.render_widget(Paragraph::new(lines), list);
}

/// While the catalogue is the one saved by an earlier run: how old it is and that it is being
/// refreshed, or why it could not be (in red, on up to two lines of `width`).
fn cached_note<'a>(app: &App, width: usize) -> Vec<Line<'a>> {
    let Some(cached) = &app.catalog.policies_cached else {
        return Vec::new();
    };
    let text = cached.note(app.ticks);
    if cached.refresh_error.is_none() {
        return vec![line(vec![dim(truncate(&format!("   {text}"), width))])];
    }
    let room = width.saturating_sub(3).max(10);
    let mut rows: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match rows.last_mut() {
            Some(row) if row.chars().count() + 1 + word.chars().count() <= room => {
                row.push(' ');
                row.push_str(word);
            }
            _ => rows.push(word.to_string()),
        }
    }
    if rows.len() > 2 {
        let rest = rows.split_off(1).join(" ");
        rows.push(rest);
    }
    rows.into_iter()
        .map(|row| {
            line(vec![Span::styled(
                truncate(&format!("   {row}"), width),
                Style::new().fg(ERROR),
            )])
        })
        .collect()
}

/// A policy list's filter line, with its type filter at the right.
fn policy_filter(f: &mut Frame, area: Rect, list: &ListUi) {
    let kind = list.policy_type.label();
    let right = format!("Type: {kind} (Ctrl-T) ");
    let hint = if list.filter.is_empty() { 15 } else { 0 };
    let width = (area.width as usize)
        .saturating_sub(8 + hint + right.len() + 2)
        .clamp(10, 40);
    f.render_widget(Paragraph::new(filter_line(list, width)), area);
    f.render_widget(
        Paragraph::new(line(vec![
            dim("Type: "),
            Span::styled(kind, Style::new().fg(ACCENT).bold()),
            dim(" (Ctrl-T) "),
        ]))
        .alignment(Alignment::Right),
        area,
    );
}

/// A policy row: the pointer, a checkbox or radio `mark`, the name with the characters the filter
/// matched highlighted, and the policy's type.
fn policy_row<'a>(focused: bool, mark: &str, p: &PolicyInfo, matched: &[u32]) -> Line<'a> {
    const NAME: usize = 48;
    let name = truncate(&p.name, NAME);
    // A cut name ends in an ellipsis that matches nothing.
    let shown = name.chars().count() - usize::from(name != p.name);
    let hit = Style::new().fg(ACCENT).bold();
    let mut spans = vec![pointer(focused), Span::raw(format!("{mark} "))];
    let mut run = String::new();
    let mut run_hit = false;
    for (i, c) in name.chars().enumerate() {
        let is_hit = i < shown && matched.binary_search(&(i as u32)).is_ok();
        if is_hit != run_hit && !run.is_empty() {
            let text = std::mem::take(&mut run);
            spans.push(if run_hit {
                Span::styled(text, hit)
            } else {
                Span::raw(text)
            });
        }
        run_hit = is_hit;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(if run_hit {
            Span::styled(run, hit)
        } else {
            Span::raw(run)
        });
    }
    let pad = NAME.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_str()));
    spans.push(Span::raw(" ".repeat(pad + 1)));
    spans.push(dim(type_label(p)));
    line(spans)
}

/// `text` in lines of at most `width` columns, broken at spaces (a longer word is cut).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines.into_iter().map(|l| truncate(&l, width)).collect()
}

/// Splits a policy list's area into the list and, when shown and there is room, the preview below.
fn split_preview(app: &App, area: Rect) -> (Rect, Option<Rect>) {
    if !app.picker.preview.shown || area.height < 10 {
        return (area, None);
    }
    let [list, preview] = Layout::vertical([
        Constraint::Length((area.height / 2).max(5)),
        Constraint::Min(0),
    ])
    .areas(area);
    (list, Some(preview))
}

/// The highlighted policy: its name, type and default version in the rule above, its description,
/// then its document (Shift-↑↓ scrolls it).
fn policy_preview(app: &App, f: &mut Frame, area: Rect) {
    let width = area.width as usize;
    let rule = Style::new().fg(DIM);
    let Some(p) = picker::highlighted(app) else {
        let block = Block::new()
            .borders(Borders::TOP)
            .border_style(rule)
            .title(line(vec![Span::raw("─"), bold(" Preview ")]));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let text = if app.catalog.policies.ready().is_some() {
            " No boundary: the user's own policies alone decide what it may do."
        } else {
            ""
        };
        f.render_widget(Paragraph::new(line(vec![dim(text)])), inner);
        return;
    };
    let doc = app.picker.preview.docs.get(&p.arn);
    let text_width = width.saturating_sub(2);
    // Above the document: the description and what the document grants, when known.
    let mut head: Vec<Line> = Vec::new();
    let description = match doc {
        Some(Ok(d)) if !d.description.is_empty() => d.description.as_str(),
        _ => p.description.as_str(),
    };
    if !description.is_empty() {
        head.push(line(vec![dim(format!(
            " {}",
            truncate(description, text_width)
        ))]));
    }
    if let Some(Ok(d)) = doc
        && !d.summary.is_empty()
    {
        head.push(line(vec![Span::styled(
            format!(" {}", truncate(&d.summary, text_width)),
            Style::new().fg(ACCENT),
        )]));
    }
    let rows = (area.height as usize).saturating_sub(1 + head.len());
    let scroll = app.picker.preview.scroll_of(&p.arn) as usize;
    let mut right = String::new();
    let mut version = String::new();
    let mut body: Vec<Line> = Vec::new();
    match doc {
        Some(Ok(d)) => {
            version = format!(" · {}", d.version);
            let total = d.document.lines().count();
            if total > rows {
                let last = (scroll + rows).min(total);
                right = format!(" {}-{last} of {total} · Shift-↑↓ ", scroll + 1);
            }
            body.extend(
                d.document
                    .lines()
                    .skip(scroll)
                    .take(rows)
                    .map(|l| Line::from(format!(" {}", truncate(l, text_width)))),
            );
        }
        Some(Err(e)) => {
            let red = Style::new().fg(ERROR);
            for l in wrap_words(&format!("{e}. {}", e.hint), width.saturating_sub(4)) {
                body.push(line(vec![Span::styled(format!("   {l}"), red)]));
            }
            body.push(line(vec![dim(
                "   Ctrl-R reloads the lists and tries again.",
            )]));
        }
        None => body.push(line(vec![dim(format!(
            " {} reading the default version…",
            spinner(app.ticks)
        ))])),
    }
    let room = width.saturating_sub(right.chars().count() + 4);
    let title = truncate(
        &format!("{} · {}{version}", p.name, type_label(p)),
        room.saturating_sub(2),
    );
    let mut block = Block::new()
        .borders(Borders::TOP)
        .border_style(rule)
        .title(line(vec![Span::raw("─"), bold(format!(" {title} "))]));
    if !right.is_empty() {
        block = block.title(Line::from(dim(right)).right_aligned());
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    head.extend(body);
    f.render_widget(Paragraph::new(head), inner);
}

pub fn tags(app: &App, f: &mut Frame, area: Rect) {
    let key_w = 28;
    let value_w = (area.width as usize).saturating_sub(key_w + 8).min(40);
    let mut lines = vec![line(vec![
        Span::raw("   "),
        bold(format!("{:<width$}", "Key", width = key_w + 2)),
        bold("Value"),
    ])];
    let tags = &app.draft.tags;
    if tags.is_empty() {
        lines.push(line(vec![dim("   No tags. Ctrl-N adds one.")]));
    }
    let h = area.height.saturating_sub(3) as usize;
    for i in window(app.focus.tag_row, tags.len(), h) {
        let t = &tags[i];
        let here = i == app.focus.tag_row;
        let mut spans = vec![pointer(here)];
        spans.extend(field(
            &t.key,
            key_w,
            here && app.focus.tag_col == TagCol::Key,
        ));
        spans.push(Span::raw("  "));
        spans.extend(field(
            &t.value,
            value_w,
            here && app.focus.tag_col == TagCol::Value,
        ));
        lines.push(line(spans));
    }
    while lines.len() < h + 1 {
        lines.push(Line::from(""));
    }
    let status = match draft::validate_tags(tags) {
        Err((row, e))
            if !tags[row.min(tags.len() - 1)].key.is_empty() || row != app.focus.tag_row =>
        {
            Span::styled(format!(" {e}"), Style::new().fg(ERROR))
        }
        _ => dim(format!(
            " {} of {TAGS_MAX} tags. Keys: 1-128 characters, values: 0-256.",
            tags.len()
        )),
    };
    lines.push(Line::from(""));
    lines.push(line(vec![status]));
    f.render_widget(Paragraph::new(lines), area);
}

pub fn review(app: &App, f: &mut Frame, area: Rect) {
    let d = &app.draft;
    let eff = app.effective();
    let section = |n: usize, title: &str| {
        line(vec![
            Span::styled(format!(" {n} "), Style::new().fg(ACCENT).bold()),
            Span::styled(title.to_string(), Style::new().bold()),
            dim(format!("  (press {n} to edit)")),
        ])
    };
    let row = |k: &str, v: String| line(vec![Span::raw("     "), label(k, 20), Span::raw(v)]);
    let copied = |c: bool| if c { " (copied)" } else { "" };

    let mut lines = vec![
        section(1, "User details"),
        row(
            if d.names.len() > 1 {
                "User names"
            } else {
                "User name"
            },
            d.names
                .iter()
                .map(|n| n.value())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        row("Path", d.path.value().to_string()),
        section(2, "Access type"),
        row(
            "Access key",
            if d.access_key {
                "yes, shown once after creation"
            } else {
                "no"
            }
            .to_string(),
        ),
        row(
            "Console password",
            if !d.console_password {
                "no".to_string()
            } else {
                format!(
                    "{}{}",
                    match d.password_mode {
                        PasswordMode::Autogenerated => "autogenerated",
                        PasswordMode::Custom => "custom",
                    },
                    if d.require_reset {
                        ", must be changed at first sign-in"
                    } else {
                        ""
                    }
                )
            },
        ),
    ];
    if d.console_password {
        lines.push(row(
            "Sign-in URL",
            app.sign_in_url()
                .unwrap_or_else(|| "known once the account is".to_string()),
        ));
    }
    lines.push(section(3, "Permissions"));
    if eff.groups.is_empty() && eff.policies.is_empty() && eff.inline.is_empty() {
        lines.push(row(
            "",
            "none: the user will have no permissions".to_string(),
        ));
    }
    let missing = app.missing_from_account();
    let lacks = |yes: bool| {
        if yes {
            " (not in this account: x drops it)"
        } else {
            ""
        }
    };
    for (g, c) in &eff.groups {
        let gone = lacks(missing.groups.contains(g));
        lines.push(row("Group", format!("{g}{}{gone}", copied(*c))));
    }
    for (p, c) in &eff.policies {
        let added = if eff.added.contains(p) {
            " (added for the password reset)"
        } else {
            ""
        };
        let gone = lacks(missing.policies.contains(p));
        lines.push(row(
            "Managed policy",
            format!("{}{}{added}{gone}", policy_name(p), copied(*c)),
        ));
    }
    let typed = app.typed_inline_policy();
    for p in &eff.inline {
        if typed.as_ref() == Some(p) {
            let n = crate::flows::users::inline_policy::policy_size(&p.document);
            lines.push(row("Inline policy", format!("{} ({n} characters)", p.name)));
            continue;
        }
        lines.push(row("Inline policy", format!("{} (copied)", p.name)));
    }
    if let Some(from) = &d.copy_from
        && !matches!(&app.catalog.copy, Some((u, Remote::Ready(_))) if u == from)
    {
        lines.push(row("Copy from", format!("{from}: not read yet")));
    }
    lines.push(section(4, "Permissions boundary"));
    lines.push(row(
        "Boundary",
        match &eff.boundary {
            Some((b, c)) => format!(
                "{}{}{}",
                policy_name(b),
                copied(*c),
                lacks(missing.boundary.as_ref() == Some(b))
            ),
            None => "none".to_string(),
        },
    ));
    lines.push(section(5, "Tags"));
    if d.tags.is_empty() {
        lines.push(row("", "none".to_string()));
    }
    for t in &d.tags {
        lines.push(row(t.key.value(), t.value.value().to_string()));
    }
    lines.push(Line::from(""));
    let create = match d.names.len() {
        1 => " Press Enter to create the user.".to_string(),
        n => format!(" Press Enter to create the {n} users."),
    };
    lines.push(line(vec![Span::styled(
        create,
        Style::new().fg(ACCENT).bold(),
    )]));
    let max_scroll = (lines.len() as u16).saturating_sub(area.height);
    f.render_widget(
        Paragraph::new(lines).scroll((app.focus.review_scroll.min(max_scroll), 0)),
        area,
    );
}
