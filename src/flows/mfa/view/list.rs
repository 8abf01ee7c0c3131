//! The user's MFA devices, one line each (serial, kind, when enabled), the spare virtual device
//! named after them marked as no one's, and the confirmation of a change over the foot of the
//! list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Wrap};

use crate::app::{App, Remote};
use crate::flows::mfa::Row;
use crate::flows::mfa::rules::consequence;
use crate::kit::widgets::{bold, dim, line, pointer, truncate};
use crate::model::keys::day;
use crate::model::mfa::kind;
use crate::ui::{ACCENT, DIM, ERROR, OK};

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let m = &app.flows.mfa;
    let width = area.width as usize;
    let user = m.user.as_deref().unwrap_or("");
    let mut lines = vec![Line::default()];
    match &m.devices {
        None | Some(Remote::Loading) => {
            lines.push(line(vec![dim(format!("   Reading {user}'s MFA devices…"))]));
        }
        Some(Remote::Failed(e)) => {
            let text = format!("   {user}'s MFA devices could not be read: {e}. {}", e.hint);
            f.render_widget(
                Paragraph::new(Span::styled(text, Style::new().fg(ERROR)))
                    .wrap(Wrap { trim: false }),
                area,
            );
            return;
        }
        Some(Remote::Ready(_)) => {
            let rows = m.rows();
            let enabled = rows.iter().filter(|r| r.enabled.is_some()).count();
            let summary = match enabled {
                0 => " · no MFA device: n enrols a virtual one".to_string(),
                1 => " · 1 MFA device".to_string(),
                n => format!(" · {n} MFA devices"),
            };
            lines.push(line(vec![
                Span::raw("   "),
                bold(user.to_string()),
                dim(summary),
            ]));
            lines.push(Line::default());
            for (i, row) in rows.iter().enumerate() {
                lines.push(row_line(row, i == m.cursor, width));
            }
        }
    }
    f.render_widget(Paragraph::new(lines), area);
    if let Some(c) = &m.confirm {
        let body = vec![
            line(vec![Span::raw(c.serial.clone())]),
            line(vec![Span::raw(consequence(c.change, user))]),
            line(vec![dim(format!(
                "y or Enter to {}, n or Esc to cancel.",
                c.change.verb()
            ))]),
        ];
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
        f.render_widget(
            Paragraph::new(body).wrap(Wrap { trim: false }).block(
                Block::bordered()
                    .title(format!(" {} this MFA device? ", capital(c.change.verb())))
                    .padding(Padding::horizontal(1))
                    .border_style(Style::new().fg(ERROR)),
            ),
            rect,
        );
    }
}

/// Columns of the widest "enabled" text ("not enabled: no one has it").
const WHEN_WIDTH: usize = 26;

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|first| first.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A device's line: serial, kind, and when it was enabled (or that no one has it).
fn row_line<'a>(row: &Row, here: bool, width: usize) -> Line<'a> {
    let style = if here {
        Style::new().bold().fg(ACCENT)
    } else {
        Style::new().bold()
    };
    let (when, colour) = match row.enabled {
        Some(t) => (format!("enabled {}", day(t)), OK),
        None => ("not enabled: no one has it".to_string(), DIM),
    };
    let tail = format!("{:<13}", kind(&row.serial));
    // The serial takes what the kind and the widest date column leave.
    let room = width.saturating_sub(3 + tail.len() + WHEN_WIDTH + 1).max(8);
    line(vec![
        pointer(here),
        Span::styled(format!("{:<room$} ", truncate(&row.serial, room)), style),
        Span::raw(tail),
        Span::styled(when, Style::new().fg(colour)),
    ])
}
