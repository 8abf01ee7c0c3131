//! The role result screen, and the MongoDB documents (kmsProviders, masterKey, the snippet) it
//! and the credentials screen show.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::App;
use crate::app::reveal::{CopiedTo, Documents, Row};
use crate::flows::encryption::RoleResult;
use crate::kit::widgets::{dim, label, line, pointer, truncate};
use crate::kit::wrap::chunks;
use crate::mongo::Credentials;
use crate::ui::{ACCENT, DIM, ERROR, OK};

use super::*;

/// The box under the result rows: the document under the cursor in full, else the snippet.
pub fn document_box(
    f: &mut Frame,
    area: Rect,
    title: String,
    text: &str,
    scroll: u16,
    secret: bool,
) {
    // Long lines (a key ARN, a comment) are folded at the box's edge rather than cut: what is
    // on screen is the whole document, as copying gives it.
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let style = if secret {
        Style::new().fg(ACCENT)
    } else {
        Style::new()
    };
    // Slices of `text`, never copies: the document may hold a secret.
    let lines: Vec<Line> = text
        .lines()
        .flat_map(|l| chunks(l, width))
        .map(|l| Line::from(Span::styled(l, style)))
        .collect();
    let inner_h = area.height.saturating_sub(2);
    let max_scroll = (lines.len() as u16).saturating_sub(inner_h);
    let scroll = scroll.min(max_scroll);
    let more = if max_scroll > 0 {
        format!(
            " lines {}-{} of {} · PgUp/PgDn ",
            scroll + 1,
            (scroll + inner_h).min(lines.len() as u16),
            lines.len()
        )
    } else {
        String::new()
    };
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), Style::new().bold()))
        .title_bottom(Line::from(dim(more)).right_aligned())
        .border_style(Style::new().fg(DIM));
    f.render_widget(Paragraph::new(lines).scroll((scroll, 0)).block(block), area);
}

/// The snippet box's text, or a line saying there is none yet.
pub fn snippet_text(docs: &Documents, credentials: Credentials) -> String {
    let s = docs.snippet(credentials);
    if s.is_empty() {
        format!("(no {} snippet in this build)", docs.language.label())
    } else {
        s
    }
}

pub fn role(app: &App, f: &mut Frame, area: Rect) {
    let Some(r) = &app.enc.role else { return };
    render_role(r, f, area);
}

fn render_role(r: &RoleResult, f: &mut Frame, area: Rect) {
    const W: usize = 21;
    let width = area.width as usize;
    let mut lines = vec![
        line(vec![Span::styled(
            format!(
                " ✓ Role {} can encrypt and decrypt with the key.",
                r.role.name
            ),
            Style::new().fg(OK).bold(),
        )]),
        line(vec![dim(
            " No secret: the driver uses the role's temporary credentials.",
        )]),
        Line::from(""),
    ];
    let room = width.saturating_sub(W + 3);
    for row in r.rows() {
        let value = match row {
            Row::RoleKmsProviders => r#"{"aws":{}}"#.to_string(),
            Row::SessionTemplate => {
                r#"{"aws":{"accessKeyId":…,"secretAccessKey":…,"sessionToken":…}}"#.to_string()
            }
            Row::MasterKey => r.docs.master_key_line(),
            Row::Snippet => format!("{}  (l/L language)", r.docs.language.label()),
            other => r.text(other).unwrap_or_default(),
        };
        lines.push(line(vec![
            pointer(r.focus == row),
            label(row.label(), W),
            Span::raw(truncate(&value, room)),
        ]));
    }
    if let Some(c) = &r.copied {
        let what = match c.what {
            crate::app::reveal::CopyWhat::Row(row) => row.label(),
            crate::app::reveal::CopyWhat::Instructions => "",
        };
        let to = match c.to {
            None => "copying…",
            Some(CopiedTo::System) => "clipboard",
            Some(CopiedTo::Terminal) => "terminal (OSC 52)",
            Some(CopiedTo::Tmux) => "tmux buffer",
            Some(CopiedTo::Screen) => "terminal via screen (OSC 52)",
        };
        lines.push(line(vec![
            Span::raw("   "),
            label("Copied", W),
            Span::styled(format!("{what} → {to}"), Style::new().fg(Color::Yellow)),
        ]));
    }
    let top = lines.len() as u16;
    f.render_widget(Paragraph::new(lines), area);
    let (title, text) = match r.focus {
        Row::RoleKmsProviders => (
            "kmsProviders".to_string(),
            crate::mongo::kms_providers_role(),
        ),
        Row::SessionTemplate => (
            "kmsProviders with temporary credentials".to_string(),
            crate::mongo::kms_providers_session_template(),
        ),
        Row::MasterKey => ("masterKey".to_string(), r.docs.master_key_json()),
        _ => (
            format!("{} snippet", r.docs.language.label()),
            snippet_text(&r.docs, Credentials::Role),
        ),
    };
    let boxed = Rect::new(
        area.x,
        area.y + top,
        area.width,
        area.height.saturating_sub(top),
    );
    let scroll = if matches!(r.focus, Row::Snippet | Row::RoleArn | Row::InstanceProfile) {
        r.docs.scroll
    } else {
        0
    };
    document_box(f, boxed, title, &text, scroll, false);
}

/// Verification, at the top of the result: one line, or a few for a failure.
pub fn verification_lines<'a>(docs: &Documents, width: usize) -> Vec<Line<'a>> {
    use crate::protocol::Verification;
    let failed = |text: String| {
        wrap(&text, width.saturating_sub(4))
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let lead = if i == 0 { " ✗ " } else { "   " };
                line(vec![Span::styled(
                    format!("{lead}{l}"),
                    Style::new().fg(ERROR).bold(),
                )])
            })
            .collect()
    };
    match &docs.verification {
        Verification::Verified { attempts, seconds } => vec![line(vec![Span::styled(
            format!(
                " ✓ Verified: Encrypt and Decrypt work with this key ({attempts} attempt{}, {seconds} s)",
                if *attempts == 1 { "" } else { "s" }
            ),
            Style::new().fg(OK).add_modifier(Modifier::BOLD),
        )])],
        Verification::Failed {
            attempts,
            seconds,
            error,
        } => failed(format!(
            "Not verified: {} failed with {} after {attempts} attempts ({seconds} s). {}",
            error.operation, error.code, error.hint
        )),
        Verification::NotRun(why) => vec![line(vec![dim(format!(" Not verified: {why}"))])],
    }
}

/// Done, after the encryption flow made a service account: what it is and what it may do.
/// Returns false (drawing nothing) when the flow has not made one.
pub fn done(app: &App, f: &mut Frame, area: Rect) -> bool {
    let Some(made) = &app.enc.made else {
        return false;
    };
    let key = if made.key_created {
        "the new key"
    } else {
        "the key"
    };
    let mut lines = vec![
        Line::from(""),
        line(vec![Span::styled(
            format!(
                " ✓ Service account {} ({}) was created.",
                made.name, made.kind
            ),
            Style::new().fg(OK).bold(),
        )]),
        Line::from(format!(
            " It may only kms:Encrypt and kms:Decrypt with {key}:"
        )),
        line(vec![dim(format!("   {}", made.key_arn))]),
    ];
    if made.kind == "IAM user" {
        lines.push(Line::from(
            " The secret was shown once and is gone from iamwiz.",
        ));
    }
    lines.extend([
        Line::from(""),
        line(vec![
            Span::styled("   n", Style::new().fg(ACCENT).bold()),
            Span::raw("  set up another service account"),
        ]),
        line(vec![
            Span::styled("   q", Style::new().fg(ACCENT).bold()),
            Span::raw("  quit"),
        ]),
    ]);
    f.render_widget(Paragraph::new(lines), area);
    true
}
