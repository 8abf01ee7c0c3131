//! After Review: creation progress, the one-time reveal, and the closing screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::widgets::{bold, dim, label, line, spinner, truncate};
use super::{ACCENT, DIM, ERROR, OK};
use crate::app::App;
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
    let u = &r.user;
    const W: usize = 22;
    let mut lines = vec![
        line(vec![Span::styled(
            " This is the only time these secrets can be viewed. Save them now.",
            Style::new().fg(Color::Yellow).bold(),
        )]),
        Line::from(""),
        line(vec![
            Span::raw(" "),
            label("User name", W),
            bold(u.name.clone()),
        ]),
    ];
    if let Some(key) = &u.access_key {
        lines.push(line(vec![
            Span::raw(" "),
            label("Access key ID", W),
            Span::raw(key.id.clone()),
        ]));
        let (shown, hint) = if r.show_secret_key {
            (key.secret.expose().to_string(), "s hides")
        } else {
            (MASK.to_string(), "s shows")
        };
        lines.push(line(vec![
            Span::raw(" "),
            label("Secret access key", W),
            Span::styled(shown, Style::new().fg(ACCENT)),
            dim(format!("  ({hint})")),
        ]));
    }
    if let Some(p) = &u.password {
        let (shown, hint) = if r.show_password {
            (p.expose().to_string(), "p hides")
        } else {
            (MASK.to_string(), "p shows")
        };
        lines.push(line(vec![
            Span::raw(" "),
            label("Console password", W),
            Span::styled(shown, Style::new().fg(ACCENT)),
            dim(format!("  ({hint})")),
        ]));
        if u.require_reset {
            lines.push(line(vec![
                Span::raw(" "),
                Span::raw(" ".repeat(W)),
                dim("must be changed at first sign-in"),
            ]));
        }
    }
    lines.push(line(vec![
        Span::raw(" "),
        label("Console sign-in URL", W),
        Span::raw(u.sign_in_url.clone()),
    ]));
    lines.push(Line::from(""));
    lines.push(line(vec![dim(format!(" ARN {}", u.arn))]));
    lines.push(Line::from(""));
    lines.push(line(vec![dim(
        " Press Enter when the secrets are saved; iamwiz then forgets them.",
    )]));
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
