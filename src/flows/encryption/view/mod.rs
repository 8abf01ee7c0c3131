//! The encryption flow's steps (Purpose, Key, Account, Review) and the role result screen.
//!
//! [`steps`] draws Purpose, Key and Account, [`review`] Review, [`role`] the role result and the
//! documents both results show; the helpers they share are here.

mod review;
mod role;
mod steps;

pub use review::review;
pub use role::{document_box, done, role, snippet_text, verification_lines};
pub use steps::{account, key, purpose};

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::TagCol;
use crate::flows::users::draft::{self, TagRow};
use crate::kit::widgets::{dim, field, label, line, pointer, radio};
use crate::kit::wrap::wrap;
use crate::kit::wrap::wrap_json;
use crate::ui::{ACCENT, DIM, ERROR};

const LABEL: usize = 13;

/// The blank space under a label, for the lines that explain a field.
fn under<'a>() -> Span<'a> {
    Span::raw(" ".repeat(LABEL + 3))
}

/// A field's rule in grey, or what is wrong with it in red (once something is typed), wrapped
/// under the field.
fn rule_lines<'a>(check: Result<(), String>, rule: &str, typed: bool) -> Vec<Line<'a>> {
    let (text, style) = match check {
        Err(e) if typed => (e, Style::new().fg(ERROR)),
        _ => (rule.to_string(), Style::new().fg(DIM)),
    };
    wrap(&text, 60)
        .into_iter()
        .map(|l| line(vec![under(), Span::styled(l, style)]))
        .collect()
}

fn choice<'a>(on: bool, text: &str, focused: bool) -> Span<'a> {
    let style = if on && focused {
        Style::new().fg(ACCENT).bold()
    } else if on {
        Style::new().bold()
    } else {
        Style::new()
    };
    Span::styled(format!("{} {text}   ", radio(on)), style)
}

/// The rows of a tag table, with the focused cell.
fn tag_lines<'a>(tags: &[TagRow], focused: Option<(usize, TagCol)>, width: usize) -> Vec<Line<'a>> {
    let key_w = 24;
    let value_w = width.saturating_sub(LABEL + key_w + 8).min(32);
    let mut lines = Vec::new();
    if tags.is_empty() {
        lines.push(line(vec![
            Span::raw("   "),
            label("Tags", LABEL),
            dim("none · Ctrl-N adds one"),
        ]));
        return lines;
    }
    for (i, t) in tags.iter().enumerate() {
        let here = focused.filter(|(row, _)| *row == i).map(|(_, c)| c);
        let mut spans = vec![
            pointer(here.is_some()),
            label(if i == 0 { "Tags" } else { "" }, LABEL),
        ];
        spans.extend(field(&t.key, key_w, here == Some(TagCol::Key)));
        spans.push(Span::raw(" = "));
        spans.extend(field(&t.value, value_w, here == Some(TagCol::Value)));
        lines.push(line(spans));
    }
    let status = match draft::validate_tags(tags) {
        Err(p) if !tags[p.row.min(tags.len() - 1)].key.is_empty() => {
            Span::styled(p.message, Style::new().fg(ERROR))
        }
        _ => dim("Ctrl-N adds a tag, Ctrl-D removes the one under the cursor."),
    };
    lines.push(line(vec![under(), status]));
    lines
}

/// Draws the encryption flow's screen on show.
pub fn draw(app: &crate::app::App, f: &mut ratatui::Frame, area: ratatui::layout::Rect) {
    match app.screen {
        crate::app::Screen::EncPurpose => purpose(app, f, area),
        crate::app::Screen::EncKey => key(app, f, area),
        crate::app::Screen::EncAccount => account(app, f, area),
        crate::app::Screen::EncReview => review(app, f, area),
        crate::app::Screen::EncRole => role(app, f, area),
        _ => {}
    }
}
