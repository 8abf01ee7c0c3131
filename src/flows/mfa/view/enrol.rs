//! The enrolment screen: the new device's QR code on the left, black on white, and beside it
//! what to do, the Base32 seed (masked until `s`) and the two code fields. When the terminal
//! cannot hold the code and the text beside it, the screen says which size it needs and offers
//! the seed to type by hand instead.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::App;
use crate::flows::mfa::enrol::uri;
use crate::flows::mfa::{Enrolment, Stage};
use crate::kit::qr::QrArt;
use crate::kit::widgets::{bold, dim, field, label, line, pointer};
use crate::model::totp::TotpSeed;
use crate::ui::{ACCENT, ERROR};

/// Columns the text beside the code takes.
pub const TEXT_WIDTH: u16 = 30;
/// Groups of four Base32 characters on each line of the shown seed.
pub const SEED_GROUPS_A_LINE: usize = 4;
/// Columns between the code and the text.
const GAP: u16 = 2;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let Some(e) = app.flows.mfa.enrol.as_ref() else {
        return;
    };
    // A column of margin on the left, as the other screens keep.
    let area = Rect::new(
        area.x + 1,
        area.y,
        area.width.saturating_sub(1),
        area.height,
    );
    let (Some(seed), Stage::Ready | Stage::Enabling) = (e.seed.as_ref(), e.stage) else {
        let text = format!(" Making a virtual MFA device for {}…", e.user);
        f.render_widget(
            Paragraph::new(vec![Line::default(), line(vec![dim(text)])]),
            area,
        );
        return;
    };
    let art = uri(app).and_then(|u| QrArt::new(u.expose()).ok());
    let Some(art) = art else {
        return;
    };
    let (qr_w, qr_h) = art.size();
    let need_w = qr_w + GAP + TEXT_WIDTH;
    if area.width >= need_w && area.height >= qr_h {
        let qr = Rect::new(area.x, area.y, qr_w, qr_h);
        f.render_widget(Paragraph::new(art.lines()), qr);
        let x = area.x + qr_w + GAP;
        let text = Rect::new(x, area.y, area.right().saturating_sub(x), area.height);
        let lines = text_lines(e, seed, None);
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
    } else {
        // The terminal around the body: what the frame takes beyond this area.
        let extra_w = app.size.0.saturating_sub(area.width);
        let extra_h = app.size.1.saturating_sub(area.height);
        let enlarge = (need_w + extra_w, qr_h + extra_h);
        let lines = text_lines(e, seed, Some(enlarge));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}

/// The seed in groups of four, [`SEED_GROUPS_A_LINE`] groups a line, as an app's "enter a setup
/// key" field takes it (spaces are ignored there).
pub fn seed_lines(seed: &TotpSeed) -> Vec<String> {
    let text = seed.to_base32();
    let groups: Vec<&str> = text
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect();
    groups
        .chunks(SEED_GROUPS_A_LINE)
        .map(|g| g.join(" "))
        .collect()
}

/// What to do, the seed and the code fields; `enlarge` is the terminal size the QR code needs,
/// when it does not fit.
fn text_lines<'a>(e: &Enrolment, seed: &TotpSeed, enlarge: Option<(u16, u16)>) -> Vec<Line<'a>> {
    let mut lines = vec![
        line(vec![
            Span::raw("New virtual MFA device for "),
            bold(e.user.clone()),
        ]),
        Line::default(),
    ];
    match enlarge {
        None => lines.push(line(vec![Span::raw(
            "1. Scan the code with the authenticator app (or type the seed by hand).",
        )])),
        Some((w, h)) => {
            lines.push(line(vec![Span::styled(
                format!("The QR code does not fit: enlarge the terminal to {w}x{h}."),
                Style::new().fg(ERROR),
            )]));
            lines.push(line(vec![Span::raw(
                "1. Or add the account in the authenticator app by hand with this seed (a \
                 time-based key).",
            )]));
        }
    }
    if e.show_seed {
        lines.push(line(vec![dim("   Seed (s hides it):")]));
        for l in seed_lines(seed) {
            lines.push(line(vec![
                Span::raw("   "),
                Span::styled(l, Style::new().fg(ACCENT)),
            ]));
        }
    } else {
        lines.push(line(vec![
            dim("   Seed: "),
            Span::raw("•".repeat(16)),
            dim(" (s shows it)"),
        ]));
    }
    lines.push(Line::default());
    lines.push(line(vec![Span::raw("2. Type two consecutive codes:")]));
    for (i, name) in ["First", "Second"].into_iter().enumerate() {
        let here = e.field == i && e.stage == Stage::Ready;
        let mut row = vec![pointer(here), label(name, 8)];
        row.extend(field(&e.codes[i], 8, here));
        lines.push(line(row));
    }
    lines.push(Line::default());
    match (&e.verdict, e.stage) {
        (_, Stage::Enabling) => lines.push(line(vec![dim("Enabling the device…")])),
        (Some(v), _) => lines.push(line(vec![Span::styled(v.clone(), Style::new().fg(ERROR))])),
        (None, _) => lines.push(line(vec![dim(
            "Enter checks them here, then enables the device.",
        )])),
    }
    if let Some(serial) = e.serial() {
        lines.push(Line::default());
        lines.push(line(vec![dim(serial.to_string())]));
    }
    lines
}
