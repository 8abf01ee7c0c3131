//! The user's access keys, three lines each (ID, status, created and age, marks; last use;
//! description), and the confirmation of a change drawn over the foot of the list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Wrap};

use crate::app::{App, Remote};
use crate::flows::keys::Confirm;
use crate::flows::keys::rules::marks;
use crate::kit::widgets::{bold, dim, field, line, pointer, truncate};
use crate::model::keys::{AccessKeyInfo, day};
use crate::protocol::KeyChange;
use crate::ui::{ACCENT, DIM, ERROR, OK};

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let k = &app.flows.keys;
    let width = area.width as usize;
    let user = k.user.as_deref().unwrap_or("");
    let mut lines = vec![Line::default()];
    match &k.keys {
        None | Some(Remote::Loading) => {
            lines.push(line(vec![dim(format!("   Reading {user}'s access keys…"))]));
        }
        Some(Remote::Failed(e)) => {
            let text = format!("   {user}'s keys could not be read: {e}. {}", e.hint);
            f.render_widget(
                Paragraph::new(Span::styled(text, Style::new().fg(ERROR)))
                    .wrap(Wrap { trim: false }),
                area,
            );
            return;
        }
        Some(Remote::Ready(keys)) if keys.is_empty() => {
            lines.push(line(vec![dim(format!("   {user} has no access key."))]));
        }
        Some(Remote::Ready(keys)) => {
            lines.push(line(vec![
                Span::raw("   "),
                bold(user.to_string()),
                dim(format!(
                    " · {} of 2 access keys (IAM's limit){}",
                    keys.len(),
                    if k.reading {
                        " · reading again…"
                    } else {
                        ""
                    }
                )),
            ]));
            lines.extend(super::rotate::progress_lines(app));
            lines.push(Line::default());
            for (i, key) in keys.iter().enumerate() {
                lines.extend(key_lines(key, k.now, i == k.cursor, width));
                lines.push(Line::default());
            }
        }
    }
    f.render_widget(Paragraph::new(lines), area);
    super::rotate::draw_confirm(app, f, area);
    if let Some(c) = &k.confirm
        && let Some(key) = k.find(&c.id)
    {
        let body = confirm_lines(c, key, k.now);
        // Each line as wrapped inside the border and its padding.
        let inner = area.width.saturating_sub(8).max(1) as usize;
        let rows: usize = body.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
        let h = (rows as u16 + 2).min(area.height);
        let rect = Rect::new(
            area.x + 2,
            area.y + area.height.saturating_sub(h),
            area.width.saturating_sub(4),
            h,
        );
        f.render_widget(Clear, rect);
        let title = format!(" {} {}? ", capital(c.change.verb()), c.id);
        let colour = if c.change == KeyChange::Activate {
            ACCENT
        } else {
            ERROR
        };
        f.render_widget(
            Paragraph::new(body).wrap(Wrap { trim: false }).block(
                Block::bordered()
                    .title(title)
                    .padding(Padding::horizontal(1))
                    .border_style(Style::new().fg(colour)),
            ),
            rect,
        );
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|first| first.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// When and where `key` was last used, in words.
pub(super) fn last_use(key: &AccessKeyInfo) -> String {
    match &key.last_used {
        None => "never used".to_string(),
        Some(u) => {
            let mut s = format!("last used {}", day(u.date));
            for part in [u.service.as_deref(), u.region.as_deref()]
                .into_iter()
                .flatten()
            {
                s.push_str(" · ");
                s.push_str(part);
            }
            s
        }
    }
}

/// A key's three lines: ID, status, created and age, marks; last use; description.
pub fn key_lines<'a>(key: &AccessKeyInfo, now: i64, here: bool, width: usize) -> Vec<Line<'a>> {
    let status = if key.is_active() {
        Span::styled(format!("{:<9}", key.status), Style::new().fg(OK))
    } else {
        Span::styled(format!("{:<9}", key.status), Style::new().fg(DIM))
    };
    let created = match (key.created, key.age_days(now)) {
        (Some(c), Some(age)) => format!("created {} · {age} d", day(c)),
        _ => "created: unknown".to_string(),
    };
    let id_style = if here {
        Style::new().bold().fg(ACCENT)
    } else {
        Style::new().bold()
    };
    let first = vec![
        pointer(here),
        Span::styled(format!("{:<22}", key.id), id_style),
        status,
        Span::raw(created),
    ];
    let room = width.saturating_sub(3);
    // A key never used says so in its marks only.
    let mut second = vec![Span::raw("    ")];
    if !key.never_used() {
        second.push(Span::raw(format!(" {}", last_use(key))));
    }
    for mark in marks(key, now) {
        second.push(Span::styled(format!(" ⚠ {mark}"), Style::new().fg(ERROR)));
    }
    let third = match &key.description {
        Some(d) => vec![Span::raw("     "), dim(truncate(&format!("“{d}”"), room))],
        None => vec![Span::raw("     "), dim("no description")],
    };
    vec![line(first), line(second), line(third)]
}

/// The confirmation's text: the key, its last use, what the change does, and the ID field when
/// it is asked for.
pub fn confirm_lines<'a>(c: &Confirm, key: &AccessKeyInfo, now: i64) -> Vec<Line<'a>> {
    let mut lines = vec![line(vec![
        Span::raw(format!("{} · {} · ", key.id, key.status)),
        Span::raw(last_use(key)),
    ])];
    if let Some(d) = &key.description {
        lines.push(line(vec![dim(format!("“{d}”"))]));
    }
    let what = match c.change {
        KeyChange::Activate => "It signs requests again from now on.",
        KeyChange::Deactivate => "Whatever uses it stops working until it is activated again.",
        KeyChange::Delete if key.in_recent_use(now) => {
            "Used in the last 7 days: whatever uses it stops working for good."
        }
        KeyChange::Delete => "A deleted key cannot come back; its description goes too.",
    };
    lines.push(line(vec![Span::raw(what)]));
    if c.needs_id {
        let mut typed = vec![Span::raw("Type its ID to delete it: ")];
        typed.extend(field(&c.typed, 22, true));
        lines.push(line(typed));
    } else {
        lines.push(line(vec![dim(format!(
            "y or Enter to {}, n or Esc to cancel.",
            c.change.verb()
        ))]));
    }
    lines
}
