//! After Review: creation progress, the one-time reveal, and the closing screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::widgets::{self, dim, label, line, pointer, spinner, truncate};
use super::{ACCENT, DIM, ERROR, OK};
use crate::app::App;
use crate::app::reveal::{CopiedTo, CopyWhat, Prompt, Row};
use crate::protocol::StepStatus;

/// The mask drawn for a hidden secret: the same width whatever the secret, so it gives away
/// nothing about it.
pub const MASK: &str = "••••••••••••••••";

fn status_span<'a>(status: &StepStatus, tick: u64) -> (Span<'a>, String) {
    match status {
        StepStatus::Pending => (dim("·"), "waiting".to_string()),
        StepStatus::Running => (
            Span::styled(spinner(tick), Style::new().fg(ACCENT)),
            "running".to_string(),
        ),
        StepStatus::Done => (Span::styled("✓", Style::new().fg(OK)), "done".to_string()),
        StepStatus::Failed(e) => (Span::styled("✗", Style::new().fg(ERROR)), e.code.clone()),
        StepStatus::Skipped => (dim("–"), "not started".to_string()),
        StepStatus::Undoing => (
            Span::styled(spinner(tick), Style::new().fg(Color::Yellow)),
            "undoing".to_string(),
        ),
        StepStatus::Undone => (
            Span::styled("↶", Style::new().fg(Color::Yellow)),
            "undone".to_string(),
        ),
        StepStatus::UndoFailed(_) => (
            Span::styled("!", Style::new().fg(ERROR).bold()),
            "NOT undone".to_string(),
        ),
    }
}

pub fn creating(app: &App, f: &mut Frame, area: Rect) {
    let Some(c) = &app.creation else { return };
    let mut lines = Vec::new();
    for (kind, status) in &c.steps {
        let (mark, text) = status_span(status, app.ticks);
        let style = match status {
            StepStatus::Failed(_) | StepStatus::UndoFailed(_) => Style::new().fg(ERROR),
            StepStatus::Pending | StepStatus::Skipped => Style::new().fg(DIM),
            _ => Style::new(),
        };
        lines.push(line(vec![
            Span::raw(" "),
            mark,
            Span::raw(" "),
            Span::styled(
                format!("{:<32} ", truncate(&kind.label(&c.user), 32)),
                style,
            ),
            dim(format!("{:<23} ", kind.operation())),
            Span::styled(truncate(&text, 18), style),
        ]));
    }
    lines.push(Line::from(""));
    match &c.failure {
        None => lines.push(line(vec![dim(format!(
            " {} Working… independent calls run at the same time.",
            spinner(app.ticks)
        ))])),
        Some(failure) => {
            lines.push(line(vec![Span::styled(
                format!(" ✗ {}", failure.error),
                Style::new().fg(ERROR).bold(),
            )]));
            lines.push(line(vec![Span::raw(format!("   {}", failure.error.hint))]));
            if failure.leftovers.is_empty() {
                lines.push(line(vec![Span::styled(
                    "   Everything that was made has been undone: the account is as it was.",
                    Style::new().fg(OK),
                )]));
            } else {
                lines.push(line(vec![Span::styled(
                    "   These could not be undone; remove them with:",
                    Style::new().fg(ERROR).bold(),
                )]));
                for l in &failure.leftovers {
                    lines.push(line(vec![Span::raw(format!("   • {}:", l.what))]));
                    lines.push(line(vec![Span::styled(
                        format!("     {}", l.command),
                        Style::new().fg(Color::Yellow),
                    )]));
                }
            }
            lines.push(line(vec![dim(
                "   Press Enter to go back to Review; your choices are kept.",
            )]));
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

pub fn reveal(app: &App, f: &mut Frame, area: Rect) {
    let Some(r) = &app.reveal else { return };
    const W: usize = 22;
    let mut lines = vec![
        line(vec![Span::styled(
            " This is the only time these secrets can be viewed. Save them now.",
            Style::new().fg(Color::Yellow).bold(),
        )]),
        Line::from(""),
    ];
    for row in r.rows() {
        let shown = match row {
            Row::SecretKey if !r.show_secret_key => None,
            Row::Password if !r.show_password => None,
            _ => r.value(row),
        };
        let value = match shown {
            Some(v) => Span::styled(
                v.to_string(),
                if row.is_secret() {
                    Style::new().fg(ACCENT)
                } else {
                    Style::new()
                },
            ),
            None => Span::styled(MASK, Style::new().fg(ACCENT)),
        };
        let mut spans = vec![pointer(r.focus == row), label(row.label(), W), value];
        if row.is_secret() {
            let key = if row == Row::SecretKey { "s" } else { "p" };
            let verb = if shown.is_some() { "hides" } else { "shows" };
            spans.push(dim(format!("  ({key} {verb})")));
        }
        lines.push(line(spans));
        if row == Row::Password && r.user.require_reset {
            lines.push(line(vec![
                Span::raw(" ".repeat(W + 3)),
                dim("must be changed at first sign-in"),
            ]));
        }
    }
    lines.push(Line::from(""));
    if let Some(c) = &r.copied {
        let what = match c.what {
            CopyWhat::Row(row) => row.label(),
            CopyWhat::Instructions => "Sign-in instructions",
        };
        let status = match (c.to, r.clear_in(app.ticks)) {
            (None, _) => "copying…".to_string(),
            (Some(CopiedTo::System), Some(s)) => format!("clipboard, cleared in {s} s"),
            (Some(CopiedTo::Terminal), Some(s)) => format!("terminal (OSC 52), cleared in {s} s"),
            (Some(CopiedTo::System), None) => "clipboard".to_string(),
            (Some(CopiedTo::Terminal), None) => "terminal (OSC 52)".to_string(),
        };
        lines.push(line(vec![
            Span::raw(" "),
            label("Copied", W),
            Span::styled(format!("{what} → {status}"), Style::new().fg(Color::Yellow)),
        ]));
    }
    for (i, s) in r.saved.iter().enumerate() {
        lines.push(line(vec![
            Span::raw(" "),
            label(if i == 0 { "Saved to" } else { "" }, W),
            Span::styled(s.clone(), Style::new().fg(OK)),
        ]));
    }
    match &r.prompt {
        Some(Prompt::CsvPath(field)) => {
            let mut spans = vec![Span::raw(" "), label("Save CSV as", W)];
            spans.extend(widgets::field(field, 50, true));
            lines.push(line(spans));
            lines.push(line(vec![dim(
                "   A new file only you can read (0600); iamwiz never replaces a file.",
            )]));
        }
        Some(Prompt::ProfileName(field)) => {
            let mut spans = vec![Span::raw(" "), label("Profile name", W)];
            spans.extend(widgets::field(field, 30, true));
            lines.push(line(spans));
            lines.push(line(vec![dim(
                "   Added to your AWS credentials file; the rest of the file is kept as is.",
            )]));
        }
        Some(Prompt::ConfirmOverwrite(name)) => {
            lines.push(line(vec![Span::styled(
                format!(
                    " Profile {name} exists. Replace its keys? y replaces, n picks another name."
                ),
                Style::new().fg(ERROR).bold(),
            )]));
        }
        None => lines.push(line(vec![dim(
            " c copy · d save CSV · a save AWS profile · m copy sign-in text (no password)",
        )])),
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

pub fn done(app: &App, f: &mut Frame, area: Rect) {
    let name = app.created.clone().unwrap_or_default();
    let lines = vec![
        Line::from(""),
        line(vec![Span::styled(
            format!(" ✓ User {name} was created."),
            Style::new().fg(OK).bold(),
        )]),
        Line::from(" Its secrets were shown once and are gone from iamwiz."),
        Line::from(""),
        line(vec![
            Span::styled("   n", Style::new().fg(ACCENT).bold()),
            Span::raw("  create another user"),
        ]),
        line(vec![
            Span::styled("   q", Style::new().fg(ACCENT).bold()),
            Span::raw("  quit"),
        ]),
    ];
    f.render_widget(Paragraph::new(lines), area);
}
