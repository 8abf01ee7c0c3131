//! The encryption flow's Review: everything the run will make, before it is made.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::flows::encryption::{AccountKind, KEY_POLICY_SENTENCE, KeyMode};
use crate::flows::users::draft::TagRow;
use crate::kit::widgets::{dim, label, line};
use crate::protocol::{KMS_POLICY_NAME, kms_policy_document};
use crate::ui::ACCENT;

use super::*;

/// A row of Review: a label and a value wrapped to the width.
fn review_row(lines: &mut Vec<Line<'static>>, k: &str, v: &str, width: usize) {
    const W: usize = 15;
    for (i, part) in wrap(v, width.saturating_sub(W + 6)).into_iter().enumerate() {
        lines.push(line(vec![
            Span::raw("     "),
            label(if i == 0 { k } else { "" }, W),
            Span::raw(part),
        ]));
    }
}

fn tags_text(tags: &[TagRow]) -> String {
    if tags.is_empty() {
        return "none".to_string();
    }
    tags.iter()
        .map(|t| format!("{}={}", t.key.value(), t.value.value()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn review(app: &App, f: &mut Frame, area: Rect) {
    let d = &app.enc.draft;
    let width = area.width as usize;
    let section = |n: usize, title: &str| {
        line(vec![
            Span::styled(format!(" {n} "), Style::new().fg(ACCENT).bold()),
            Span::styled(title.to_string(), Style::new().bold()),
            dim(format!("  (press {n} to edit)")),
        ])
    };
    let mut lines = vec![section(1, "Purpose")];
    let row = |lines: &mut Vec<Line<'static>>, k: &str, v: &str| review_row(lines, k, v, width);
    row(&mut lines, "Feature", d.feature.label());
    row(&mut lines, "Region", d.region.value());
    row(&mut lines, "Application", d.app_name.value());
    lines.push(section(2, "Customer master key"));
    match (&d.key_mode, &d.chosen) {
        (KeyMode::Existing, Some(k)) => {
            row(
                &mut lines,
                "Key",
                &format!("existing: {} ({})", k.display_name(), k.state),
            );
            row(&mut lines, "ARN", &k.arn);
        }
        _ => {
            row(
                &mut lines,
                "Key",
                &format!("new: alias/{} (SYMMETRIC_DEFAULT)", d.alias.value()),
            );
            row(&mut lines, "Description", d.description.value());
            row(&mut lines, "Tags", &tags_text(&d.key_tags));
        }
    }
    row(&mut lines, "Key policy", KEY_POLICY_SENTENCE);
    lines.push(section(3, "Service account"));
    match d.account {
        AccountKind::User => {
            row(&mut lines, "IAM user", d.user_name.value());
            row(
                &mut lines,
                "Access",
                "access key only; no password, groups or managed policies",
            );
        }
        AccountKind::Role => {
            row(&mut lines, "IAM role", d.role_name.value());
            row(&mut lines, "Trusted by", &d.trusted().label());
        }
    }
    row(&mut lines, "Tags", &tags_text(&d.account_tags));
    row(&mut lines, "Inline policy", KMS_POLICY_NAME);
    let doc = kms_policy_document(&app.enc_key_arn());
    for part in wrap_json(&doc, width.saturating_sub(6)) {
        lines.push(line(vec![
            Span::raw("     "),
            Span::styled(part, Style::new().fg(Color::Yellow)),
        ]));
    }
    lines.push(Line::from(""));
    let what = match d.account {
        AccountKind::User => "user",
        AccountKind::Role => "role",
    };
    let verify = match d.account {
        AccountKind::User => ", then check it with Encrypt and Decrypt",
        AccountKind::Role => "",
    };
    let key = if d.key_mode == KeyMode::New {
        "the key and "
    } else {
        ""
    };
    lines.push(line(vec![Span::styled(
        format!(" Press Enter to create {key}the {what}{verify}."),
        Style::new().fg(ACCENT).bold(),
    )]));
    // When it does not fit, the last row says how much more there is.
    let total = lines.len() as u16;
    let (view, more) = if total > area.height {
        let view = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
        let more = Rect::new(area.x, area.y + view.height, area.width, 1);
        (view, Some(more))
    } else {
        (area, None)
    };
    let max_scroll = total.saturating_sub(view.height);
    let scroll = app.enc.focus.review_scroll.min(max_scroll);
    f.render_widget(Paragraph::new(lines).scroll((scroll, 0)), view);
    if let Some(more) = more {
        let below = max_scroll - scroll;
        let text = if below > 0 {
            format!(
                " ↓ {below} more line{} (↓ scrolls)",
                if below == 1 { "" } else { "s" }
            )
        } else {
            " ↑ scrolls back up".to_string()
        };
        f.render_widget(Paragraph::new(line(vec![dim(text)])), more);
    }
}
