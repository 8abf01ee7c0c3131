//! Drawing: `view(&App, &mut Frame)`. Views only read the state; every change happens in `update`.

use crate::flows::encryption::view as encryption;
mod outcome;
pub mod palette;
mod service_account;
pub use crate::kit::widgets;
pub use crate::kit::widgets::{ACCENT, DIM, ERROR, OK};

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::{App, MIN_HEIGHT, MIN_WIDTH, Modal, NoticeKind, PermPane, Remote, Screen};
use widgets::truncate;

/// Draws the whole screen; without colour (`NO_COLOR`, `--color never`) every colour is turned
/// into an attribute that says the same ([`palette::monochrome`]).
pub fn view(app: &App, f: &mut Frame) {
    draw(app, f);
    if !app.options.color {
        palette::monochrome(f.buffer_mut());
    }
}

fn draw(app: &App, f: &mut Frame) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area);
        return;
    }
    // A notice too long for one line gets a second one.
    let notice_lines = match &app.notice {
        Some(n) if n.text.chars().count() + 3 > area.width as usize => 2,
        _ => 1,
    };
    let [header, crumbs, body, notice, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(notice_lines),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(app, f, header);
    draw_crumbs(app, f, crumbs);
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ", screen_title(app)),
            Style::new().bold(),
        ))
        .border_style(Style::new().fg(DIM));
    let inner = block.inner(body);
    f.render_widget(block, body);
    match app.screen {
        Screen::Creating => outcome::creating(app, f, inner),
        Screen::Reveal => outcome::reveal(app, f, inner),
        Screen::Done => outcome::done(app, f, inner),
        _ => crate::flows::view(app, f, inner, body),
    }
    draw_notice(app, f, notice);
    draw_help_bar(app, f, help);
    match app.modal {
        Some(Modal::Help) => help_modal(app, f, area),
        Some(Modal::ConfirmQuit) => confirm_quit(app, f, area),
        Some(Modal::ConfirmLeaveReveal) => confirm_leave_reveal(app, f, area),
        None => {}
    }
}

fn screen_title(app: &App) -> String {
    if let (Screen::Creating, Some(c)) = (app.screen, &app.creation) {
        if c.grouped {
            return "Creating the encryption service account".to_string();
        }
        return match c.groups.as_slice() {
            [one] => format!("Creating {one}"),
            many => format!("Creating {} users", many.len()),
        };
    }
    match app.flow.step_index(app.screen) {
        Some(i) => format!(
            "Step {} of {} · {}",
            i + 1,
            app.flow.steps().len(),
            app.screen.title()
        ),
        None => app.screen.title().to_string(),
    }
}

fn too_small(f: &mut Frame, area: Rect) {
    let text = vec![
        Line::from(Span::styled(
            "Terminal too small",
            Style::new().bold().fg(ERROR),
        )),
        Line::from(format!("This window is {}x{}.", area.width, area.height)),
        Line::from(format!("iamwiz needs at least {MIN_WIDTH}x{MIN_HEIGHT}.")),
        Line::from("Enlarge it, or press Ctrl-C to quit."),
    ];
    let y = area.height.saturating_sub(text.len() as u16) / 2;
    let rect = Rect::new(
        area.x,
        area.y + y,
        area.width,
        area.height.saturating_sub(y),
    );
    f.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}

fn draw_header(app: &App, f: &mut Frame, area: Rect) {
    let title = Line::from(vec![
        Span::styled(" iamwiz ", Style::new().bold().fg(Color::Black).bg(ACCENT)),
        Span::raw(format!(" {}", app.flow.title())),
    ]);
    f.render_widget(Paragraph::new(title), area);
    // The title, and a gap before the identity.
    let room = area
        .width
        .saturating_sub(app.flow.title().chars().count() as u16 + 11) as usize;
    let who = match &app.catalog.identity {
        Remote::Loading => Span::styled("connecting to AWS…", Style::new().fg(DIM)),
        Remote::Ready(id) => {
            let full = format!("{} · {} · {}", id.account, arn_resource(&id.arn), id.region);
            // Without the caller's name when the line is too narrow for it.
            let text = if full.chars().count() > room {
                format!("{} · {}", id.account, id.region)
            } else {
                full
            };
            Span::styled(truncate(&text, room), Style::new().fg(DIM))
        }
        Remote::Failed(e) => Span::styled(
            truncate(&format!("not connected: {}", e.code), room),
            Style::new().fg(ERROR),
        ),
    };
    f.render_widget(
        Paragraph::new(Line::from(vec![who, Span::raw(" ")])).alignment(Alignment::Right),
        area,
    );
}

/// The part of an ARN after the account (`user/alice`, `assumed-role/Admin/jane`).
fn arn_resource(arn: &str) -> &str {
    arn.splitn(6, ':').nth(5).unwrap_or(arn)
}

fn draw_crumbs(app: &App, f: &mut Frame, area: Rect) {
    let after = app.flow.after_steps();
    let steps = app.flow.steps();
    let sep = || Span::styled(" › ", Style::new().fg(DIM));
    let here = Style::new()
        .fg(ACCENT)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let mut spans = vec![Span::raw(" ")];
    if let Some(current) = app.flow.step_index(app.screen) {
        for (i, (_, name)) in steps.iter().enumerate() {
            if i > 0 {
                spans.push(sep());
            }
            let style = match i.cmp(&current) {
                std::cmp::Ordering::Equal => here,
                std::cmp::Ordering::Less => Style::new(),
                std::cmp::Ordering::Greater => Style::new().fg(DIM),
            };
            spans.push(Span::styled(format!("{} {name}", i + 1), style));
        }
    } else {
        spans.push(Span::styled(
            format!("Steps 1-{} ✓", steps.len()),
            Style::new().fg(OK),
        ));
        // A flow's own result screen (the role result) stands where the credentials would.
        let shown = if app.flow.result_screens().contains(&app.screen) {
            Screen::Reveal
        } else {
            app.screen
        };
        let current = after.iter().position(|(s, _)| *s == shown).unwrap_or(0);
        for (i, (_, name)) in after.iter().enumerate() {
            spans.push(sep());
            let style = match i.cmp(&current) {
                std::cmp::Ordering::Equal => here,
                std::cmp::Ordering::Less => Style::new(),
                std::cmp::Ordering::Greater => Style::new().fg(DIM),
            };
            spans.push(Span::styled(*name, style));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_notice(app: &App, f: &mut Frame, area: Rect) {
    let Some(n) = &app.notice else { return };
    let (mark, color) = match n.kind {
        NoticeKind::Error => ("✗ ", ERROR),
        NoticeKind::Info => ("• ", ACCENT),
    };
    // As many lines as the layout gave the notice, wrapped at spaces.
    let room = (area.width as usize).saturating_sub(3).max(10);
    let mut lines = crate::kit::wrap::wrap(&n.text, room);
    let rows = area.height.max(1) as usize;
    if lines.len() > rows {
        let rest = lines.split_off(rows - 1).join(" ");
        lines.push(truncate(&rest, room));
    }
    let text: Vec<Line> = lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let lead = if i == 0 {
                format!(" {mark}")
            } else {
                "   ".to_string()
            };
            Line::from(Span::styled(format!("{lead}{l}"), Style::new().fg(color)))
        })
        .collect();
    f.render_widget(Paragraph::new(text), area);
}

/// The keys of the current screen, as (key, action) pairs, as the help bar shows them.
pub fn help_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    crate::app::help(app).bar()
}

fn draw_help_bar(app: &App, f: &mut Frame, area: Rect) {
    let mut spans = vec![Span::raw(" ")];
    for (i, (k, what)) in help_keys(app).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(k, Style::new().fg(ACCENT).bold()));
        spans.push(Span::styled(format!(" {what}"), Style::new().fg(DIM)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A rectangle of `w`x`h` centred in `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn modal(f: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, width: u16) {
    // Each line as wrapped inside the border, so a long one never pushes the last off.
    let inner = usize::from(width.min(area.width).saturating_sub(2)).max(1);
    let rows: usize = lines
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            crate::kit::wrap::wrap(&text, inner).len().max(1)
        })
        .sum();
    let rect = centered(area, width, rows as u16 + 2);
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(Span::styled(format!(" {title} "), Style::new().bold()))
                .border_style(Style::new().fg(ACCENT)),
        ),
        rect,
    );
}

fn help_modal(app: &App, f: &mut Frame, area: Rect) {
    let help = crate::app::help(app);
    let mut lines: Vec<Line> = help.about.iter().map(|s| Line::from(*s)).collect();
    lines.push(Line::from(""));
    for (k, what) in help.all() {
        lines.push(Line::from(vec![
            Span::styled(format!("  {k:<8}"), Style::new().fg(ACCENT).bold()),
            Span::raw(what),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Esc closes this help.",
        Style::new().fg(DIM),
    )));
    modal(f, area, "Help", lines, 64);
}

fn confirm_quit(app: &App, f: &mut Frame, area: Rect) {
    let warning = if let Some(flow) = crate::flows::quit_warning(app) {
        flow
    } else if app.reveal.is_some() {
        "The new credentials have not been confirmed as saved. If you quit now, they can never be shown again.".to_string()
    } else {
        "What you have entered so far will be lost.".to_string()
    };
    let lines = vec![
        Line::from(warning),
        Line::from(""),
        Line::from(vec![
            Span::styled("y", Style::new().fg(ACCENT).bold()),
            Span::raw(" quit    "),
            Span::styled("n", Style::new().fg(ACCENT).bold()),
            Span::raw(" stay"),
        ]),
    ];
    modal(f, area, "Quit iamwiz?", lines, 60);
}

fn confirm_leave_reveal(app: &App, f: &mut Frame, area: Rect) {
    let saved = app.reveal.as_ref().map(|r| r.saved.len()).unwrap_or(0);
    let copied = app.reveal.as_ref().is_some_and(|r| r.copied.is_some());
    let service = app.reveal.as_ref().is_some_and(|r| r.docs.is_some());
    let new_key = app.reveal.as_ref().is_some_and(|r| r.is_new_key());
    let mut lines = vec![
        Line::from(if service {
            "Have you saved the secret access key (or kmsProviders)?"
        } else if new_key {
            "Have you saved the new secret access key?"
        } else {
            "Have you saved the secret access key and password?"
        }),
        Line::from("After this they cannot be shown again, by iamwiz or AWS."),
    ];
    if let Some(crate::app::reveal::Made::AccessKey { old: Some(old), .. }) =
        app.reveal.as_ref().map(|r| &r.made)
    {
        lines.push(Line::from(format!(
            "Then {old} is deactivated, as soon as the new key works."
        )));
    }
    if saved == 0 && !copied {
        lines.push(Line::from(Span::styled(
            "You have not copied or saved them in iamwiz.",
            Style::new().fg(ERROR).add_modifier(Modifier::BOLD),
        )));
    }
    lines.extend([
        Line::from(""),
        Line::from(vec![
            Span::styled("y", Style::new().fg(ACCENT).bold()),
            Span::raw(" yes, I saved them    "),
            Span::styled("n", Style::new().fg(ACCENT).bold()),
            Span::raw(" go back"),
        ]),
    ]);
    modal(f, area, "Leave the credentials screen?", lines, 62);
}

pub(crate) fn pane_label(p: PermPane) -> &'static str {
    match p {
        PermPane::Groups => "Groups",
        PermPane::Copy => "Copy from user",
        PermPane::Policies => "Policies",
        PermPane::Inline => "Inline policy",
    }
}
