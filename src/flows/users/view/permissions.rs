//! The Permissions step: groups, copy from a user, managed policies, inline policy.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::{App, PermPane, Remote};
use crate::flows::users::draft::{GROUPS_MAX, MANAGED_POLICIES_MAX};
use crate::flows::users::picker::{self};
use crate::kit::widgets::{bold, checkbox, dim, line, pointer, radio, spinner, truncate};
use crate::protocol::policy_name;
use crate::ui::{ACCENT, pane_label};

use super::policies::{cached_note, policy_filter, policy_preview, policy_row, split_preview};
use super::*;

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
                    list.width as usize,
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
