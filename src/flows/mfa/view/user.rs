//! The user list: the filter, and the account's users it keeps, the one under the cursor marked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{App, Remote};
use crate::flows::mfa::rules::filtered_users;
use crate::kit::widgets::{dim, field, label, line, pointer, truncate};
use crate::ui::ERROR;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let pick = &app.flows.mfa.pick;
    let width = area.width as usize;
    let mut lines: Vec<Line> = vec![
        line(vec![dim(
            " Whose MFA devices? Type to filter, Enter to choose.",
        )]),
        Line::default(),
    ];
    let mut filter = vec![pointer(true), label("Filter", 8)];
    filter.extend(field(&pick.filter, 30.min(width.saturating_sub(12)), true));
    lines.push(line(filter));
    lines.push(Line::default());
    match &app.catalog.users {
        Remote::Loading => lines.push(line(vec![dim("   Loading the account's users…")])),
        Remote::Failed(e) => lines.push(line(vec![Span::styled(
            truncate(&format!("   The users could not be read: {e}"), width),
            Style::new().fg(ERROR),
        )])),
        Remote::Ready(all) => {
            let users = filtered_users(app);
            let room = (area.height as usize)
                .saturating_sub(lines.len() + 1)
                .max(1);
            let cursor = pick.cursor.min(users.len().saturating_sub(1));
            let start = cursor.saturating_sub(room - 1);
            for (i, name) in users.iter().enumerate().skip(start).take(room) {
                let here = i == cursor;
                let style = if here {
                    Style::new().bold()
                } else {
                    Style::new()
                };
                lines.push(line(vec![
                    pointer(here),
                    Span::styled(truncate(name, width.saturating_sub(4)), style),
                ]));
            }
            let count = if users.is_empty() && !all.is_empty() {
                format!(
                    "   No user matches (of {}): Esc clears the filter.",
                    all.len()
                )
            } else if all.is_empty() {
                "   This account has no IAM user.".to_string()
            } else {
                format!("   {} of {} users", users.len(), all.len())
            };
            lines.push(line(vec![dim(count)]));
        }
    }
    f.render_widget(Paragraph::new(lines), area);
}
