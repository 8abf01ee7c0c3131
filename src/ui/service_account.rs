//! The one-time reveal of the encryption flow's service account: the check with the new
//! credentials, the access key, and the driver's documents (`kmsProviders`, `masterKey`, a
//! snippet in the language chosen), the one under the cursor shown whole in a box below.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use super::outcome::{MASK, copied_and_saved, handover_lines, outside_git_note};
use super::{ACCENT, ERROR};
use crate::app::App;
use crate::app::reveal::{CopyWhat, Prompt, Row};
use crate::kit::widgets::{self, dim, label, line, pointer};
use crate::mongo::Credentials;

/// The one-time reveal of the encryption flow's user: the check, the access key, and the
/// driver's documents, with the one under the cursor (or the snippet) in a box below.
pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let Some(r) = &app.reveal else { return };
    let Some(docs) = &r.docs else { return };
    const W: usize = 20;
    let width = area.width as usize;
    let room = width.saturating_sub(W + 4);
    let mut lines = vec![line(vec![Span::styled(
        " This is the only time the secret can be viewed. Save it now.",
        Style::new().fg(Color::Yellow).bold(),
    )])];
    lines.extend(super::encryption::verification_lines(docs, width));
    let key = r.user().access_key.as_ref();
    let id = key.map(|k| k.id.as_str()).unwrap_or_default();
    for row in r.rows() {
        // The row's text in parts, a shown secret borrowed from the reveal state, never copied.
        let (parts, secret): (Vec<Cow<str>>, bool) = match row {
            Row::SecretKey if !r.show_secret_key => (vec![MASK.into()], true),
            Row::KmsProviders => {
                let secret = match (r.show_secret_key, key) {
                    (true, Some(k)) => k.secret.expose(),
                    _ => MASK,
                };
                (
                    vec![
                        r#"{"aws":{"accessKeyId":""#.into(),
                        id.into(),
                        r#"","secretAccessKey":""#.into(),
                        secret.into(),
                        r#""}}"#.into(),
                    ],
                    true,
                )
            }
            Row::MasterKey => (vec![docs.master_key_line().into()], false),
            Row::Snippet => (
                vec![format!("{}  (l/L language)", docs.language.label()).into()],
                false,
            ),
            other => (
                vec![r.value(other).unwrap_or_default().into()],
                other.is_secret(),
            ),
        };
        let style = if secret {
            Style::new().fg(ACCENT)
        } else {
            Style::new()
        };
        let mut spans = vec![pointer(r.focus == row), label(row.label(), W)];
        spans.extend(widgets::truncated_spans(parts, room, style));
        if row == Row::SecretKey {
            let verb = if r.show_secret_key { "hides" } else { "shows" };
            spans.push(dim(format!("  (s {verb})")));
        }
        lines.push(line(spans));
    }
    lines.extend(copied_and_saved(app, r, "   ", W, room));
    match &r.prompt {
        Some(Prompt::CsvPath(field)) => {
            let mut spans = vec![Span::raw("   "), label("Save CSV as", W)];
            spans.extend(widgets::field(field, 50, true));
            lines.push(line(spans));
            lines.extend(outside_git_note(app));
        }
        Some(Prompt::ProfileName(field)) => {
            let mut spans = vec![Span::raw("   "), label("Profile name", W)];
            spans.extend(widgets::field(field, 30, true));
            lines.push(line(spans));
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
        None => {}
    }
    let top = lines.len() as u16;
    f.render_widget(Paragraph::new(lines), area);
    // The document under the cursor, as a secret: wiped when dropped, once drawn.
    let kms_document = match (r.focus, r.show_secret_key) {
        (Row::KmsProviders, true) => r.copy_text(CopyWhat::Row(Row::KmsProviders)),
        (Row::KmsProviders, false) => Some(crate::mongo::kms_providers(
            id,
            &crate::secret::Secret::new(MASK.to_string()),
        )),
        _ => None,
    };
    let (title, text, secret): (String, Cow<str>, bool) = match r.focus {
        Row::KmsProviders => (
            if r.show_secret_key {
                "kmsProviders (holds the secret)"
            } else {
                "kmsProviders (s shows the secret)"
            }
            .to_string(),
            kms_document.as_ref().map_or("", |d| d.expose()).into(),
            true,
        ),
        Row::MasterKey => (
            "masterKey".to_string(),
            docs.master_key_json().into(),
            false,
        ),
        _ => (
            format!(
                "{} snippet: reads {} and {}",
                docs.language.label(),
                crate::mongo::ENV_ACCESS_KEY_ID,
                crate::mongo::ENV_SECRET_ACCESS_KEY
            ),
            super::encryption::snippet_text(docs, Credentials::AccessKey).into(),
            false,
        ),
    };
    let boxed = Rect::new(
        area.x,
        area.y + top,
        area.width,
        area.height.saturating_sub(top),
    );
    let scroll = if secret { 0 } else { docs.scroll };
    super::encryption::document_box(f, boxed, title, &text, scroll, secret);
}
