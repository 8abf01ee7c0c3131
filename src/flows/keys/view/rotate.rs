//! A rotation on the key list: its confirmation drawn over the foot of the list (what goes
//! first, what is made and proven, what the old key becomes), and the line that follows the new
//! key's proof once the admin has left the reveal.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Wrap};

use super::list::last_use;
use crate::app::App;
use crate::flows::keys::{RotatePlan, Stage};
use crate::kit::widgets::{dim, field, line};
use crate::protocol::KeyProof;
use crate::ui::{ACCENT, DIM, ERROR, OK};

/// The rotation's steps in order, numbered, with the ID field when the key deleted first needs
/// it.
pub fn confirm_lines<'a>(p: &RotatePlan, user: &str, now: i64) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let mut step = 0;
    let mut next = |text: String| {
        step += 1;
        line(vec![Span::raw(format!("{step}. {text}"))])
    };
    if let Some(r) = &p.replace {
        let why = if r.in_recent_use(now) {
            " Used in the last 7 days: whatever uses it stops working for good."
        } else {
            ""
        };
        lines.push(next(format!(
            "Delete {} ({}, {}): {user} has 2 keys, IAM's limit.{why}",
            r.id,
            r.status.to_lowercase(),
            last_use(r)
        )));
    }
    lines.push(next(format!(
        "Make {user}'s new key and show it once: save it, then leave."
    )));
    lines.push(next(
        "Prove it works (sts:GetCallerIdentity), for up to a minute.".to_string(),
    ));
    match &p.old {
        Some(old) => lines.push(next(format!(
            "Then deactivate {} ({}); delete it later.",
            old.id,
            last_use(old)
        ))),
        None => lines.push(next("No active key to deactivate afterwards.".to_string())),
    }
    if let Some(d) = p.description() {
        lines.push(line(vec![dim(format!(
            "The new key takes the description “{d}”."
        ))]));
    }
    match &p.replace {
        Some(r) if p.needs_id => {
            let mut typed = vec![Span::raw(format!(
                "Type {}'s ID to delete it first: ",
                r.id
            ))];
            typed.extend(field(&p.typed, 22, true));
            lines.push(line(typed));
        }
        _ => lines.push(line(vec![dim("y or Enter to rotate, n or Esc to cancel.")])),
    }
    lines
}

/// Draws the confirmation over the foot of `area`.
pub fn draw_confirm(app: &App, f: &mut Frame, area: Rect) {
    let k = &app.flows.keys;
    let Some(p) = &k.rotate else { return };
    let user = k.user.as_deref().unwrap_or("");
    let body = confirm_lines(p, user, k.now);
    // Each line as wrapped inside the border and its padding.
    let inner = area.width.saturating_sub(8).max(1) as usize;
    let rows: usize = body
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            crate::kit::wrap::wrap(&text, inner).len().max(1)
        })
        .sum();
    let h = (rows as u16 + 2).min(area.height);
    let rect = Rect::new(
        area.x + 2,
        area.y + area.height.saturating_sub(h),
        area.width.saturating_sub(4),
        h,
    );
    let colour = if p.replace.is_some() { ERROR } else { ACCENT };
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(body).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(format!(" Rotate {user}'s access key? "))
                .padding(Padding::horizontal(1))
                .border_style(Style::new().fg(colour)),
        ),
        rect,
    );
}

/// While the admin has the new key and the old one waits for its proof: what the rotation does
/// next, and how the proof stands.
pub fn progress_lines<'a>(app: &App) -> Vec<Line<'a>> {
    let Some(r) = app.flows.keys.rotation.as_ref() else {
        return Vec::new();
    };
    let Some(new) = r.new.as_deref() else {
        return Vec::new();
    };
    if r.stage != Stage::Proving {
        return Vec::new();
    }
    let what = match &r.old {
        Some(old) => format!("↻ {new} replaces {old} as soon as it works"),
        None => format!("↻ {new} is proven before the rotation is done"),
    };
    let (text, colour) = match &r.proof {
        None => ("checking it: sts:GetCallerIdentity".to_string(), DIM),
        Some(KeyProof::Waiting {
            waited_secs,
            limit_secs,
            code,
        }) => (
            format!("not working yet ({code}): {waited_secs} s of at most {limit_secs} s"),
            DIM,
        ),
        Some(KeyProof::Works { secs }) => (format!("✓ works, {secs} s"), OK),
        Some(KeyProof::Failed { why, .. }) => (format!("✗ {why}"), ERROR),
    };
    vec![
        line(vec![
            Span::raw("   "),
            Span::styled(what, Style::new().fg(ACCENT)),
        ]),
        line(vec![
            Span::raw("     "),
            Span::styled(text, Style::new().fg(colour)),
        ]),
    ]
}
