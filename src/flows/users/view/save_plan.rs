//! The "Save plan" prompt over Review: the file to write, then where it went and how to use it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::app::App;
use crate::flows::users::save_plan::{CUSTOM_PASSWORD_NOTE, SavePlan};
use crate::kit::keys::Help;
use crate::kit::widgets::{bold, dim, field, label, line};
use crate::ui::{ACCENT, OK};

const LABEL: usize = 14;

/// The keys of the prompt, for the help bar.
pub fn help(prompt: &SavePlan) -> Help {
    let mut h = Help::new(&[]);
    match prompt {
        SavePlan::Asking { .. } => h.keys(&[("Enter", "save"), ("Esc", "cancel"), ("^C", "quit")]),
        SavePlan::Saved { .. } => h.keys(&[("Enter", "close"), ("^C", "quit")]),
    };
    h
}

/// Draws `prompt` at the foot of `area` (the Review box).
pub fn draw(app: &App, prompt: &SavePlan, f: &mut Frame, area: Rect) {
    let w = area.width.saturating_sub(2);
    let inner_w = w.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let title = match prompt {
        SavePlan::Asking { path } => {
            let mut spans = vec![Span::raw(" "), label("Save plan as", LABEL)];
            spans.extend(field(path, inner_w.saturating_sub(LABEL + 2), true));
            lines.push(line(spans));
            lines.push(line(vec![dim(
                " Everything Review lists, never a secret. iamwiz never replaces a file.",
            )]));
            " Save plan "
        }
        SavePlan::Saved { path } => {
            let path = path.display().to_string();
            lines.push(line(vec![
                Span::styled(" ✓ Plan saved to ", Style::new().fg(OK)),
                bold(path.clone()),
            ]));
            lines.push(line(vec![
                dim(" Create these users again: "),
                Span::styled(format!("iamwiz apply {path}"), Style::new().fg(ACCENT)),
            ]));
            lines.push(line(vec![
                dim(" Open it in the wizard:    "),
                Span::styled(format!("iamwiz --plan {path}"), Style::new().fg(ACCENT)),
            ]));
            " Plan saved "
        }
    };
    if app.has_custom_password() {
        lines.push(line(vec![Span::styled(
            format!(" {CUSTOM_PASSWORD_NOTE}"),
            Style::new().bold(),
        )]));
    }
    // Long paths wrap: the box is as tall as its wrapped lines.
    let rows: u16 = lines
        .iter()
        .map(|l| {
            let width: usize = l.spans.iter().map(|s| s.content.width()).sum();
            width.max(1).div_ceil(inner_w.max(1)) as u16
        })
        .sum();
    let h = (rows + 2).min(area.height.saturating_sub(2));
    let rect = Rect::new(
        area.x + 1,
        (area.y + area.height).saturating_sub(h + 1),
        w,
        h,
    );
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(Span::styled(title, Style::new().bold()))
                .border_style(Style::new().fg(ACCENT)),
        ),
        rect,
    );
}
