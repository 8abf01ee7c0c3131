//! The "New group" form over the Permissions step's Groups pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::App;
use crate::app::Remote;
use crate::flows::users::draft;
use crate::flows::users::new_group::{Form, GROUP_NAME_RULE, GROUP_POLICIES_MAX, GroupField};
use crate::flows::users::picker::type_label;
use crate::kit::keys::Help;
use crate::kit::widgets::{bold, checkbox, dim, field, label, line, pointer, spinner, truncate};
use crate::kit::wrap::wrap;
use crate::protocol::policy_name;
use crate::ui::{ACCENT, ERROR};

const LABEL: usize = 11;
const WIDTH: u16 = 78;

/// The keys of the form, for the help bar.
pub fn help(form: &Form) -> Help {
    let mut h = Help::new(&[]);
    if form.creating {
        h.keys(&[("Esc", "close (the group is still made)"), ("^C", "quit")]);
        return h;
    }
    h.keys(&[("Enter", "create"), ("Tab", "next field")]);
    if form.focus == GroupField::Policies {
        h.keys(&[("↑↓", "move"), ("Space", "toggle")]);
    }
    h.keys(&[("Esc", "cancel"), ("^C", "quit")]);
    h
}

/// A rule line under a field: the rule in grey, or the error in red.
fn rule<'a>(check: Result<(), String>, rule: &str, show_error: bool, width: usize) -> Line<'a> {
    let pad = Span::raw(" ".repeat(LABEL + 1));
    let room = width.saturating_sub(LABEL + 2);
    match check {
        Err(e) if show_error => line(vec![
            pad,
            Span::styled(truncate(&e, room), Style::new().fg(ERROR)),
        ]),
        _ => line(vec![pad, dim(truncate(rule, room))]),
    }
}

pub fn draw(app: &App, form: &Form, f: &mut Frame, area: Rect) {
    let w = WIDTH.min(area.width);
    let h = area.height.saturating_sub(2).min(22);
    let rect = Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h);
    f.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(Span::styled(" New group ", Style::new().bold()))
        .border_style(Style::new().fg(ACCENT));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let width = inner.width as usize;
    let field_w = width.saturating_sub(LABEL + 3).min(50);

    let mut lines: Vec<Line> = Vec::new();
    let name_check = app.new_group_name_check().unwrap_or(Ok(()));
    let mut spans = vec![Span::raw(" "), label("Group name", LABEL)];
    spans.extend(field(&form.name, field_w, form.focus == GroupField::Name));
    lines.push(line(spans));
    lines.push(rule(
        name_check,
        GROUP_NAME_RULE,
        form.show_errors || !form.name.is_empty(),
        width,
    ));
    let mut spans = vec![Span::raw(" "), label("Path", LABEL)];
    spans.extend(field(&form.path, field_w, form.focus == GroupField::Path));
    lines.push(line(spans));
    lines.push(rule(
        draft::validate_path(form.path.value()),
        "optional: starts and ends with / (default /)",
        true,
        width,
    ));

    let focused = form.focus == GroupField::Policies;
    let mut spans = vec![Span::raw(" "), label("Policies", LABEL)];
    spans.extend(field(&form.policies.filter, 24, focused));
    spans.push(dim(format!(
        "  {}/{GROUP_POLICIES_MAX} chosen",
        form.chosen.len()
    )));
    if form.policies.filter.is_empty() {
        spans.push(dim(" · type to filter"));
    }
    lines.push(line(spans));

    // Name, path and their rules, the filter; then the chosen line, the note and the status (an
    // error takes up to five lines).
    let status: Vec<String> = match &form.error {
        Some(e) if !form.creating => {
            let mut l = wrap(&format!("✗ {e}."), width.saturating_sub(3));
            l.extend(wrap(&e.hint, width.saturating_sub(3)));
            l.truncate(5);
            l
        }
        _ => Vec::new(),
    };
    let fixed = lines.len() + 2 + status.len().max(2);
    let rows = (inner.height as usize).saturating_sub(fixed);
    let policies = app.filtered_policies(&form.policies);
    match &app.catalog.policies {
        Remote::Loading => lines.push(line(vec![dim(format!(
            "   {} loading policies…",
            spinner(app.ticks)
        ))])),
        Remote::Failed(e) => lines.push(line(vec![Span::styled(
            truncate(&format!("   {e}"), width),
            Style::new().fg(ERROR),
        )])),
        Remote::Ready(_) if policies.is_empty() => {
            lines.push(line(vec![dim("   No policies match.")]))
        }
        Remote::Ready(_) => {}
    }
    let start = form.policies.cursor.saturating_sub(rows.saturating_sub(1));
    let name_w = width.saturating_sub(3 + 4 + 18).min(50);
    for (i, p) in policies.iter().enumerate().skip(start).take(rows) {
        let on = form.chosen.contains(&p.arn);
        lines.push(line(vec![
            pointer(focused && i == form.policies.cursor),
            Span::raw(format!(
                "{} {:<name_w$} ",
                checkbox(on),
                truncate(&p.name, name_w)
            )),
            dim(type_label(p)),
        ]));
    }
    while lines.len() < fixed - 2 - status.len().max(2) + rows {
        lines.push(Line::from(""));
    }

    let chosen = if form.chosen.is_empty() {
        "none".to_string()
    } else {
        form.chosen
            .iter()
            .map(|a| policy_name(a))
            .collect::<Vec<_>>()
            .join(", ")
    };
    lines.push(line(vec![
        Span::raw(" "),
        bold("Attach: "),
        dim(truncate(&chosen, width.saturating_sub(10))),
    ]));
    lines.push(line(vec![Span::styled(
        truncate(
            &format!(
                " The group is created now, even if you later cancel {}.",
                app.draft.the_users()
            ),
            width,
        ),
        Style::new().fg(ACCENT),
    )]));
    if form.creating {
        lines.push(line(vec![Span::styled(
            format!(" {} Creating group…", spinner(app.ticks)),
            Style::new().fg(ACCENT),
        )]));
        lines.push(Line::from(""));
    } else if !status.is_empty() {
        for (i, l) in status.into_iter().enumerate() {
            let indent = if i == 0 { " " } else { "   " };
            lines.push(line(vec![Span::styled(
                format!("{indent}{l}"),
                Style::new().fg(ERROR),
            )]));
        }
    } else {
        lines.push(line(vec![dim(format!(
            " Enter creates the group and chooses it for {}; Esc cancels.",
            app.draft.the_users()
        ))]));
        lines.push(Line::from(""));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
