//! The Inline policy pane of the Permissions step: the name field, the JSON editor with line
//! numbers, and the live verdict under it (syntax error with its line, size against the limit).

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::app::App;
use crate::flows::users::inline_policy::{INLINE_POLICY_MAX, POLICY_NAME_RULE};
use crate::kit::widgets::{dim, field, line, truncate};
use crate::ui::{ACCENT, ERROR, OK};

/// Lines under the editor: verdict, size, and a warning or the name's problem.
const STATUS_ROWS: usize = 3;

/// The name field, with its rule.
pub fn name_line(app: &App) -> Line<'static> {
    let focused = app.focus.inline_on_name;
    let mut spans = vec![Span::raw(" Name   ")];
    spans.extend(field(&app.draft.inline_name, 30, focused));
    spans.push(dim(format!(" {POLICY_NAME_RULE}")));
    line(spans)
}

/// The editor (`height` rows in all, status included), `width` columns wide.
pub fn editor_lines(app: &App, width: usize, height: usize) -> Vec<Line<'static>> {
    let check = app.inline_check();
    let area = &app.draft.inline_doc;
    let focused = app.inline_editor_focused();
    let (row, col) = area.cursor();
    let error_line = check.document.as_ref().err().and_then(|p| p.line);
    let rows = height.saturating_sub(STATUS_ROWS).max(1);
    let top = (row + 1).saturating_sub(rows);
    // Gutter: " 123│ " is six columns.
    let room = width.saturating_sub(8).max(10);
    let left = (col + 1).saturating_sub(room);
    let mut lines = Vec::new();
    for (i, text) in area.lines().iter().enumerate().skip(top).take(rows) {
        let bad = error_line == Some(i + 1);
        let gutter = format!("{:>4}{} ", i + 1, if bad { "▸" } else { "│" });
        let gutter_style = if bad {
            Style::new().fg(ERROR).bold()
        } else {
            Style::new().fg(crate::ui::DIM)
        };
        let text_style = if bad {
            Style::new().fg(ERROR)
        } else {
            Style::new()
        };
        let chars: Vec<char> = text.chars().skip(left).take(room).collect();
        let mut spans = vec![Span::styled(gutter, gutter_style)];
        if focused && i == row {
            let c = col - left;
            let before: String = chars.iter().take(c).collect();
            let at: String = chars.get(c).map_or(" ".to_string(), |ch| ch.to_string());
            let after: String = chars.iter().skip(c + 1).collect();
            spans.push(Span::styled(before, text_style));
            spans.push(Span::styled(
                at,
                text_style.add_modifier(Modifier::REVERSED),
            ));
            spans.push(Span::styled(after, text_style));
        } else {
            spans.push(Span::styled(
                chars.into_iter().collect::<String>(),
                text_style,
            ));
        }
        if area.is_empty() {
            spans.push(dim(" type or paste a JSON policy document; empty: none"));
        }
        lines.push(line(spans));
    }
    while lines.len() < rows {
        lines.push(Line::from(""));
    }

    let fits = |s: String| truncate(&s, width.saturating_sub(1));
    let verdict = if check.empty {
        dim(" No inline policy. Ctrl-S or F2: next step.")
    } else {
        match &check.document {
            Err(p) => Span::styled(fits(format!(" ✗ {}", p.message)), Style::new().fg(ERROR)),
            Ok(_) => Span::styled(" ✓ Valid policy document", Style::new().fg(OK)),
        }
    };
    lines.push(line(vec![verdict]));
    let size_style = if check.over_limit() {
        Style::new().fg(ERROR)
    } else {
        Style::new().fg(ACCENT)
    };
    let copied = if check.copied > 0 {
        format!(", {} copied", check.copied)
    } else {
        String::new()
    };
    lines.push(line(vec![Span::styled(
        fits(format!(
            " {} / {INLINE_POLICY_MAX} characters (whitespace not counted){copied}",
            check.total()
        )),
        size_style,
    )]));
    let extra = match (&check.name, &check.document) {
        _ if check.empty => None,
        (Err(e), _) => Some(Span::styled(
            fits(format!(" ✗ {e}")),
            Style::new().fg(ERROR),
        )),
        (Ok(()), Ok(w)) if !w.is_empty() => Some(Span::styled(
            fits(format!(" ! {}", w[0])),
            Style::new()
                .fg(crate::ui::ERROR)
                .add_modifier(Modifier::DIM),
        )),
        _ => None,
    };
    lines.push(extra.map_or(Line::from(""), |s| line(vec![s])));
    lines
}
