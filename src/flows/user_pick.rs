//! The user list a flow opens on when the command line names no user (`iamwiz mfa`): a filter
//! (fuzzy, best match first) over the account's users, a cursor, Enter to choose. The flow keeps
//! the filter and cursor (a [`ListUi`]) in its own state and decides what a choice, or Esc on an
//! empty filter, leads to.

use crossterm::event::{KeyCode, KeyEvent};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Matcher, Utf32Str};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{App, Command, ListUi, Remote, is_ctrl};
use crate::kit::field::{Edit, FILTER, edit, paste_into};
use crate::kit::text::TextField;
use crate::kit::widgets::{dim, field, label, line, pointer, truncate};
use crate::ui::ERROR;

/// Where a flow keeps its user list.
pub type PickOf = fn(&mut App) -> &mut ListUi;

/// What a key on the user list came to.
pub enum Picked {
    /// Enter on this user.
    User(String),
    /// Esc with the filter already empty: the flow says where that goes.
    Esc,
    /// Handled here (moved, filtered, reloaded, or said why not).
    Done(Vec<Command>),
}

/// The account's user names `filter` keeps: every one, sorted, for an empty filter; else the
/// fuzzy matches, best first (ties by name).
pub fn filtered<'a>(app: &'a App, filter: &str) -> Vec<&'a str> {
    let Remote::Ready(users) = &app.catalog.users else {
        return Vec::new();
    };
    let mut names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    if filter.is_empty() {
        names.sort_unstable();
        return names;
    }
    let pattern = Pattern::parse(filter, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(nucleo_matcher::Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, &str)> = names
        .into_iter()
        .filter_map(|n| Some((pattern.score(Utf32Str::new(n, &mut buf), &mut matcher)?, n)))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().map(|(_, n)| n).collect()
}

/// A key on the user list kept at `pick(app)`.
pub fn key(app: &mut App, key: KeyEvent, pick: PickOf) -> Picked {
    if is_ctrl(&key, 'r') {
        app.info("Reloading the account's users…");
        return Picked::Done(app.reload());
    }
    let filter = pick(app).filter.value().to_string();
    let n = filtered(app, &filter).len();
    let last = n.saturating_sub(1);
    let list = pick(app);
    match key.code {
        KeyCode::Up => list.cursor = list.cursor.saturating_sub(1),
        KeyCode::Down => list.cursor = (list.cursor + 1).min(last),
        KeyCode::PageUp => list.cursor = list.cursor.saturating_sub(10),
        KeyCode::PageDown => list.cursor = (list.cursor + 10).min(last),
        KeyCode::Enter => return chosen(app, pick),
        KeyCode::Esc if !list.filter.is_empty() => {
            list.filter = TextField::default();
            list.cursor = 0;
        }
        KeyCode::Esc => return Picked::Esc,
        _ => match edit(&mut list.filter, FILTER, &key) {
            Ok(Edit::Changed) => list.cursor = 0,
            Ok(_) => {}
            Err(e) => app.error(e),
        },
    }
    Picked::Done(Vec::new())
}

/// Enter: the user under the cursor, or why there is none.
fn chosen(app: &mut App, pick: PickOf) -> Picked {
    let list = pick(app);
    let (filter, cursor) = (list.filter.value().to_string(), list.cursor);
    if let Some(user) = filtered(app, &filter).get(cursor) {
        return Picked::User(user.to_string());
    }
    match &app.catalog.users {
        Remote::Loading => app.info("The users are still loading."),
        Remote::Failed(e) => {
            let text = format!(
                "The users could not be read: {e}. {} Ctrl-R tries again.",
                e.hint
            );
            app.error(text);
        }
        Remote::Ready(_) => app.error("No user matches the filter: Esc clears it."),
    }
    Picked::Done(Vec::new())
}

/// Pasted text goes into the filter.
pub fn paste(app: &mut App, text: &str, pick: PickOf) {
    let list = pick(app);
    list.cursor = 0;
    if let Err(e) = paste_into(&mut list.filter, FILTER, text) {
        app.error(e);
    }
}

/// Draws the list kept in `pick` under `question`.
pub fn draw(app: &App, pick: &ListUi, question: &str, f: &mut Frame, area: Rect) {
    let width = area.width as usize;
    let mut lines: Vec<Line> = vec![line(vec![dim(format!(" {question}"))]), Line::default()];
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
            let users = filtered(app, pick.filter.value());
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
