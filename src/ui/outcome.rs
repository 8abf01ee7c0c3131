//! After Review: creation progress, the one-time reveal, and the closing screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{ACCENT, DIM, ERROR, OK};
use crate::app::reveal::handover::{HandWhat, Handover, choices};
use crate::app::reveal::{CopiedTo, CopyWhat, Made, Prompt, Reveal, Row};
use crate::app::{App, Creation};
use crate::kit::widgets::{self, dim, label, line, pointer, spinner, truncate};
use crate::protocol::{KeyProof, StepKind, StepStatus};

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
    let mut lines = if c.grouped {
        group_lines(c, app.ticks)
    } else if c.groups.len() == 1 {
        step_lines(c, 0, app.ticks)
    } else {
        user_lines(c, app.ticks)
    };
    lines.push(Line::from(""));
    if let Some(note) = app.throttling_note() {
        for l in crate::kit::wrap::wrap(&note, usize::from(area.width.saturating_sub(2))) {
            lines.push(line(vec![Span::styled(
                format!(" {l}"),
                Style::new().fg(Color::Yellow),
            )]));
        }
        lines.push(Line::from(""));
    }
    failure_lines(c, app.ticks, &mut lines);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// Every group of the plan under its heading, one line per step; while the check with the new
/// credentials waits for them to work, how long it has waited and why.
fn group_lines<'a>(c: &Creation, tick: u64) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for (g, name) in c.groups.iter().enumerate() {
        lines.push(line(vec![Span::styled(
            format!(" {name}"),
            Style::new().bold(),
        )]));
        lines.extend(step_lines(c, g, tick));
        let verifying = c.steps[g]
            .iter()
            .any(|(k, s)| *k == StepKind::Verify && *s == StepStatus::Running);
        if let (true, Some(w)) = (verifying, &c.verify) {
            let text = format!(
                "Checking the new key with KMS… waited {} s (attempt {}): {} — new access keys \
                 take a few seconds to work.",
                w.waited_secs, w.attempt, w.error.code
            );
            for l in crate::kit::wrap::wrap(&text, 70) {
                lines.push(line(vec![Span::styled(
                    format!("   {l}"),
                    Style::new().fg(Color::Yellow),
                )]));
            }
        }
    }
    lines
}

/// One line per step of group `g` (a single user's steps, or a group of the encryption plan).
fn step_lines<'a>(c: &Creation, g: usize, tick: u64) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for (kind, status) in &c.steps[g] {
        let (mark, text) = status_span(status, tick);
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
                format!("{:<32} ", truncate(&kind.label(&c.groups[g]), 32)),
                style,
            ),
            dim(format!("{:<23} ", kind.operation())),
            Span::styled(truncate(&text, 18), style),
        ]));
    }
    lines
}

/// One line per user of a batch: a mark per step, and what the steps add up to.
fn user_lines<'a>(c: &Creation, tick: u64) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for (name, steps) in c.groups.iter().zip(&c.steps) {
        let mut spans = vec![Span::raw(format!(" {:<28} ", truncate(name, 28)))];
        for (_, status) in steps {
            spans.push(status_span(status, tick).0);
        }
        let count = |f: fn(&StepStatus) -> bool| steps.iter().filter(|(_, s)| f(s)).count();
        let done = count(|s| matches!(s, StepStatus::Done));
        let undone = count(|s| matches!(s, StepStatus::Undone));
        let failed = count(|s| matches!(s, StepStatus::Failed(_) | StepStatus::UndoFailed(_)));
        let mut summary = format!("  {done}/{} done", steps.len());
        if undone > 0 {
            summary.push_str(&format!(", {undone} undone"));
        }
        if failed > 0 {
            summary.push_str(&format!(", {failed} failed"));
        }
        spans.push(dim(summary));
        lines.push(line(spans));
    }
    lines
}

fn failure_lines<'a>(c: &Creation, tick: u64, lines: &mut Vec<Line<'a>>) {
    match &c.failure {
        None => lines.push(line(vec![dim(format!(
            " {} Working… independent calls run at the same time.",
            spinner(tick)
        ))])),
        Some(failure) => {
            let whose = if c.grouped {
                format!(" ({})", failure.user)
            } else if c.groups.len() > 1 {
                format!(" (user {})", failure.user)
            } else {
                String::new()
            };
            lines.push(line(vec![Span::styled(
                format!(" ✗ {}{whose}", failure.error),
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
            if let Some(deletion) = &failure.key_deletion {
                for l in crate::kit::wrap::wrap(deletion, 72) {
                    lines.push(line(vec![Span::styled(
                        format!("   {l}"),
                        Style::new().fg(Color::Yellow),
                    )]));
                }
            }
            lines.push(line(vec![dim(
                "   Press Enter to go back to Review; your choices are kept.",
            )]));
        }
    }
}

pub fn reveal(app: &App, f: &mut Frame, area: Rect) {
    let Some(r) = &app.reveal else { return };
    if r.docs.is_some() {
        return super::service_account::draw(app, f, area);
    }
    const W: usize = 22;
    let mut lines = vec![
        line(vec![Span::styled(
            " This is the only time these secrets can be viewed. Save them now.",
            Style::new().fg(Color::Yellow).bold(),
        )]),
        if r.users.len() > 1 {
            line(vec![
                Span::styled(
                    format!(" User {} of {}", r.current + 1, r.users.len()),
                    Style::new().fg(ACCENT).bold(),
                ),
                dim("  (←→ other users; the CSV holds them all)"),
            ])
        } else if let Made::AccessKey { old: Some(old), .. } = &r.made {
            line(vec![dim(format!(
                " {old} stays active until you leave and this one works."
            ))])
        } else {
            Line::from("")
        },
    ];
    for row in r.rows() {
        let shown = match row {
            Row::SecretKey if !r.show_secret_key => None,
            Row::Password if !r.show_password => None,
            _ => r.value(row),
        };
        let value = match shown {
            // Borrowed from the reveal state: a shown secret is never copied to draw it.
            Some(v) => Span::styled(
                v,
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
        if row == Row::SecretKey {
            lines.extend(proof_line(r, W + 3, app.ticks));
        }
        if row == Row::Password && r.user().require_reset {
            lines.push(line(vec![
                Span::raw(" ".repeat(W + 3)),
                dim("must be changed at first sign-in"),
            ]));
        }
    }
    lines.push(Line::from(""));
    // The paragraph wraps: a long path shows whole.
    lines.extend(copied_and_saved(app, r, " ", W, usize::MAX));
    match &r.prompt {
        Some(Prompt::CsvPath(field)) => {
            let mut spans = vec![Span::raw(" "), label("Save CSV as", W)];
            spans.extend(widgets::field(field, 50, true));
            lines.push(line(spans));
            lines.push(line(vec![dim(
                "   A new file only you can read (0600); iamwiz never replaces a file.",
            )]));
            lines.extend(outside_git_note(app));
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
        Some(Prompt::Encrypt(h)) => lines.extend(handover_lines(r, h, W)),
        None if r.is_new_key() => {
            if let Made::AccessKey {
                old: Some(old),
                old_profile: Some(profile),
                ..
            } = &r.made
                && !r
                    .saved
                    .iter()
                    .any(|s| s.starts_with(&format!("profile {profile} ")))
            {
                lines.push(line(vec![Span::styled(
                    format!(" a offers profile {profile}: it holds the old key {old}."),
                    Style::new().fg(ACCENT),
                )]));
            }
            lines.push(line(vec![dim(
                " c copy · d CSV · a AWS profile · e encrypt for its owner",
            )]));
        }
        None => lines.push(line(vec![dim(
            " c copy · d CSV · a AWS profile · m sign-in text (no password) · e encrypt",
        )])),
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The encrypted hand-over's prompt: the recipient, what is encrypted and how, and where to.
pub(super) fn handover_lines<'a>(r: &Reveal, h: &Handover, w: usize) -> Vec<Line<'a>> {
    let mut field = vec![Span::raw(" "), label("Encrypt for", w)];
    field.extend(widgets::field(&h.recipient, 50, true));
    let what = h.what.describe(&r.user().name, r.users.len());
    let more = if choices(r).len() > 1 {
        "  (Tab: other)"
    } else {
        ""
    };
    let format = if h.armor { "ASCII armor" } else { "binary" };
    let file = match h.what {
        HandWhat::User => format!("{}_credentials.csv.age", r.user().name),
        HandWhat::Batch => "credentials.csv.age".to_string(),
        HandWhat::PasswordApart => format!("{}_password.txt.age", r.user().name),
        HandWhat::KmsProviders => format!("{}_kmsProviders.json.age", r.user().name),
    };
    vec![
        line(field),
        line(vec![
            Span::raw(" "),
            label("What", w),
            Span::styled(what, Style::new().fg(ACCENT)),
            dim(more),
        ]),
        line(vec![
            Span::raw(" "),
            label("Format", w),
            Span::raw(format),
            dim("  (^A: the other)"),
        ]),
        line(vec![dim(format!(
            "   age1…, or an SSH public key (a line of github.com/USER.keys), or a recipients file. \
             Written to {} (0600, never over a file); the secret is never shown.",
            r.csv_dir.join(file).display()
        ))]),
    ]
}

/// How the proof of the new key on screen stands, under the secret: checking, waiting while AWS
/// spreads the key, "✓ works", or the failure with what to do (nothing is deleted).
pub(super) fn proof_line<'a>(r: &Reveal, indent: usize, tick: u64) -> Option<Line<'a>> {
    r.proof_run?;
    r.user().access_key.as_ref()?;
    let (text, style) = match r.proof() {
        None => (
            format!(
                "{} checking that it works (sts:GetCallerIdentity)",
                spinner(tick)
            ),
            Style::new().fg(DIM),
        ),
        Some(p @ KeyProof::Waiting { .. }) => (
            format!("{} {}", spinner(tick), p.line()),
            Style::new().fg(DIM),
        ),
        Some(p @ KeyProof::Works { .. }) => (p.line(), Style::new().fg(OK)),
        Some(KeyProof::Failed { why, .. }) if r.is_new_key() => (
            format!("✗ {why}: leaving deletes it again; the old key stays"),
            Style::new().fg(ERROR),
        ),
        Some(p @ KeyProof::Failed { .. }) => (p.line(), Style::new().fg(ERROR)),
    };
    Some(line(vec![
        Span::raw(" ".repeat(indent)),
        Span::styled(text, style),
    ]))
}

pub fn done(app: &App, f: &mut Frame, area: Rect) {
    // A flow may say what its run made in its own words.
    if crate::flows::done(app, f, area) {
        return;
    }
    let created = match app.created.as_slice() {
        [one] => format!(" ✓ User {one} was created."),
        many => format!(" ✓ {} users were created: {}.", many.len(), many.join(", ")),
    };
    let lines = vec![
        Line::from(""),
        line(vec![Span::styled(created, Style::new().fg(OK).bold())]),
        Line::from(" The secrets were shown once and are gone from iamwiz."),
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

/// The credentials screen's "Copied" line (what, where, and when it is cleared) and "Saved to"
/// lines, indented by `indent`, labels `w` wide, a saved path cut to `room` characters.
pub(super) fn copied_and_saved<'a>(
    app: &App,
    r: &Reveal,
    indent: &'static str,
    w: usize,
    room: usize,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if let Some(c) = &r.copied {
        let what = match c.what {
            CopyWhat::Row(row) => row.label(),
            CopyWhat::Instructions => "Sign-in instructions",
        };
        let status = match (c.to, r.clear_in(app.ticks)) {
            (None, _) => "copying…".to_string(),
            (Some(CopiedTo::System), Some(s)) => format!("clipboard, cleared in {s} s"),
            (Some(CopiedTo::Terminal), Some(s)) => format!("terminal (OSC 52), cleared in {s} s"),
            (Some(CopiedTo::Tmux), Some(s)) => format!("tmux buffer, deleted in {s} s"),
            (Some(CopiedTo::Screen), Some(s)) => format!("terminal via screen, cleared in {s} s"),
            (Some(CopiedTo::System), None) => "clipboard".to_string(),
            (Some(CopiedTo::Terminal), None) => "terminal (OSC 52)".to_string(),
            (Some(CopiedTo::Tmux), None) => "tmux buffer".to_string(),
            (Some(CopiedTo::Screen), None) => "terminal via screen".to_string(),
        };
        lines.push(line(vec![
            Span::raw(indent),
            label("Copied", w),
            Span::styled(format!("{what} → {status}"), Style::new().fg(Color::Yellow)),
        ]));
    }
    for (i, s) in r.saved.iter().enumerate() {
        lines.push(line(vec![
            Span::raw(indent),
            label(if i == 0 { "Saved to" } else { "" }, w),
            Span::styled(truncate(s, room), Style::new().fg(OK)),
        ]));
    }
    lines
}

/// When the working folder is in a git work tree: why the CSV is offered elsewhere.
pub(super) fn outside_git_note<'a>(app: &App) -> Vec<Line<'a>> {
    let Some(repo) = app.options.csv_avoided_repo.as_ref() else {
        return Vec::new();
    };
    let text = format!(
        "The working folder is in the git work tree {}: offered outside it, so the secrets are \
         never committed.",
        repo.display()
    );
    crate::kit::wrap::wrap(&text, 72)
        .into_iter()
        .map(|l| {
            line(vec![Span::styled(
                format!("   {l}"),
                Style::new().fg(Color::Yellow),
            )])
        })
        .collect()
}
