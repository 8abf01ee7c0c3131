//! The Boundary step, and the policy picker's parts it shares with the Permissions step: the
//! filter, the rows, the cached-catalogue note and the preview of a policy's document.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::{App, ListUi};
use crate::flows::users::picker::{self, type_label};
use crate::kit::widgets::{bold, dim, line, pointer, radio, spinner, truncate};
use crate::protocol::{PolicyInfo, policy_name};
use crate::ui::{ACCENT, DIM, ERROR};

use super::*;

/// The width of a policy list's area (a terminal of about 120 columns) from which the preview
/// goes beside the list rather than below it.
const SIDE_BY_SIDE: u16 = 116;

/// The least width of a policy list beside its preview: a 56-column name stays whole.
const LIST_BESIDE: u16 = 81;

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
            Line::from(format!(
                " A permissions boundary caps what {} policies can grant.",
                possessive(&these_users(app))
            )),
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
            list.width as usize,
        ));
    }
    f.render_widget(Paragraph::new(lines), list);
}

/// While the catalogue is the one saved by an earlier run: how old it is and that it is being
/// refreshed, or why it could not be (in red, on up to two lines of `width`).
pub(super) fn cached_note<'a>(app: &App, width: usize) -> Vec<Line<'a>> {
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

/// "this user's", "these 3 users'".
fn possessive(who: &str) -> String {
    if who.ends_with('s') {
        format!("{who}'")
    } else {
        format!("{who}'s")
    }
}

/// A policy list's filter line, with its type filter at the right.
pub(super) fn policy_filter(f: &mut Frame, area: Rect, list: &ListUi) {
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

/// The name column of a policy list `width` columns wide: 48 columns in an 80-column terminal,
/// else all the width the pointer, the mark and the type column leave (AWS names run to 128).
pub(super) fn name_column(width: usize) -> usize {
    const NARROW: usize = 48;
    // The pointer, the mark and the spaces (9), the widest type (16).
    let fitted = width.saturating_sub(25);
    if width <= 78 {
        fitted.min(NARROW)
    } else {
        fitted.min(128)
    }
}

/// A policy row in a list `width` columns wide: the pointer, a checkbox or radio `mark`, the name
/// with the characters the filter matched highlighted, and the policy's type.
pub(super) fn policy_row<'a>(
    focused: bool,
    mark: &str,
    p: &PolicyInfo,
    matched: &[u32],
    width: usize,
) -> Line<'a> {
    let name_width = name_column(width);
    let name = truncate(&p.name, name_width);
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
    let pad = name_width.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_str()));
    spans.push(Span::raw(" ".repeat(pad + 1)));
    spans.push(dim(type_label(p)));
    line(spans)
}

/// Splits a policy list's area into the list and, when shown and there is room, the preview:
/// beside the list from about 120 columns (after a one-column gap: two fifths of the width, 36
/// to 72 columns, leaving the list at least [`LIST_BESIDE`]), else below it.
pub(super) fn split_preview(app: &App, area: Rect) -> (Rect, Option<Rect>) {
    if !app.picker.preview.shown {
        return (area, None);
    }
    if area.width >= SIDE_BY_SIDE && area.height >= 5 {
        let preview = (area.width * 2 / 5)
            .clamp(36, 72)
            .min(area.width - 1 - LIST_BESIDE);
        let [list, _, preview] = Layout::horizontal([
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(preview),
        ])
        .areas(area);
        return (list, Some(preview));
    }
    if area.height < 10 {
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
pub(super) fn policy_preview(app: &App, f: &mut Frame, area: Rect) {
    let width = area.width as usize;
    let rule = Style::new().fg(DIM);
    let Some(p) = picker::highlighted(app) else {
        let block = Block::new()
            .borders(Borders::TOP)
            .border_style(rule)
            .title(line(vec![Span::raw("─"), bold(" Preview ")]));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let text = match app.catalog.policies.ready() {
            Some(_) if app.draft.names.len() > 1 => {
                " No boundary: the users' own policies alone decide what they may do."
            }
            Some(_) => " No boundary: the user's own policies alone decide what it may do.",
            None => "",
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
                // Beside the list the preview is narrow: the name keeps room before the key.
                right = if width >= 60 {
                    format!(" {}-{last} of {total} · Shift-↑↓ ", scroll + 1)
                } else {
                    format!(" {}-{last}/{total} ", scroll + 1)
                };
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
            for l in crate::kit::wrap::wrap(&format!("{e}. {}", e.hint), width.saturating_sub(4)) {
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
