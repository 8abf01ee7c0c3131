//! How the users flow's steps look: one function per step, and the Permissions step's forms.
//! The helpers the steps share are here.

mod details;
pub mod inline;
pub mod new_group;
mod permissions;
mod policies;
mod review;
pub mod save_plan;

pub(crate) use details::name_status;
pub use details::{access, details};
pub use permissions::permissions;
pub use policies::boundary;
pub use review::{review, tags};

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::{ListUi, Remote};
use crate::kit::widgets::{dim, field, line, spinner};
use crate::protocol::AwsError;
use crate::ui::ERROR;

const LABEL: usize = 12;

/// See [`crate::flows::users::draft::Draft::these_users`].
fn these_users(app: &crate::app::App) -> String {
    app.draft.these_users()
}

/// See [`crate::flows::users::draft::Draft::the_users`].
fn the_users(app: &crate::app::App) -> &'static str {
    app.draft.the_users()
}

/// One line under a field: the rule in grey, or what is wrong in red.
fn rule_line<'a>(check: Result<(), String>, rule: &str, show_error: bool) -> Line<'a> {
    let pad = Span::raw(" ".repeat(LABEL + 3));
    match check {
        Err(e) if show_error => line(vec![pad, Span::styled(e, Style::new().fg(ERROR))]),
        _ => line(vec![pad, dim(rule.to_string())]),
    }
}

/// `text` wrapped at spaces to `width` columns less a one-column right margin, every line
/// indented by `indent` spaces.
fn wrapped<'a>(text: &str, indent: usize, width: usize, style: Style) -> Vec<Line<'a>> {
    crate::kit::wrap::wrap(text, width.saturating_sub(indent + 1))
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
