//! The encryption flow's steps (Purpose, Key, Account, Review) and the role result screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::reveal::{CopiedTo, Documents, Row};
use crate::app::{App, Remote, TagCol};
use crate::flows::encryption::{
    self, AccountKind, Item, KEY_POLICY_SENTENCE, KeyMode, Principal, RoleResult,
};
use crate::flows::users::draft::{self, TagRow};
use crate::kit::widgets::{bold, dim, field, label, line, pointer, radio, spinner, truncate};
use crate::mongo::Credentials;
use crate::protocol::{EncryptionFeature, KMS_POLICY_NAME, KmsKey, NameKind, kms_policy_document};
use crate::ui::{ACCENT, DIM, ERROR, OK};

const LABEL: usize = 13;

/// The blank space under a label, for the lines that explain a field.
fn under<'a>() -> Span<'a> {
    Span::raw(" ".repeat(LABEL + 3))
}

/// A field's rule in grey, or what is wrong with it in red (once something is typed), wrapped
/// under the field.
fn rule_lines<'a>(check: Result<(), String>, rule: &str, typed: bool) -> Vec<Line<'a>> {
    let (text, style) = match check {
        Err(e) if typed => (e, Style::new().fg(ERROR)),
        _ => (rule.to_string(), Style::new().fg(DIM)),
    };
    wrap(&text, 60)
        .into_iter()
        .map(|l| line(vec![under(), Span::styled(l, style)]))
        .collect()
}

/// JSON cut into lines of at most `width` columns after a comma or an opening bracket, so no
/// string is split.
fn wrap_json(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut piece = String::new();
    for c in text.chars() {
        piece.push(c);
        if matches!(c, ',' | '[' | '{') {
            if !current.is_empty() && current.chars().count() + piece.chars().count() > width {
                out.push(std::mem::take(&mut current));
            }
            current.push_str(&std::mem::take(&mut piece));
        }
    }
    if !current.is_empty() && current.chars().count() + piece.chars().count() > width {
        out.push(std::mem::take(&mut current));
    }
    current.push_str(&piece);
    out.push(current);
    out.into_iter()
        .flat_map(|l| wrap(&l, width.max(10)))
        .collect()
}

/// `text` cut into lines of at most `width` columns at spaces (or anywhere in a long word).
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(10);
    let mut out = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            out.push(head);
        }
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn choice<'a>(on: bool, text: &str, focused: bool) -> Span<'a> {
    let style = if on && focused {
        Style::new().fg(ACCENT).bold()
    } else if on {
        Style::new().bold()
    } else {
        Style::new()
    };
    Span::styled(format!("{} {text}   ", radio(on)), style)
}

/// The rows of a tag table, with the focused cell.
fn tag_lines<'a>(tags: &[TagRow], focused: Option<(usize, TagCol)>, width: usize) -> Vec<Line<'a>> {
    let key_w = 24;
    let value_w = width.saturating_sub(LABEL + key_w + 8).min(32);
    let mut lines = Vec::new();
    if tags.is_empty() {
        lines.push(line(vec![
            Span::raw("   "),
            label("Tags", LABEL),
            dim("none · Ctrl-N adds one"),
        ]));
        return lines;
    }
    for (i, t) in tags.iter().enumerate() {
        let here = focused.filter(|(row, _)| *row == i).map(|(_, c)| c);
        let mut spans = vec![
            pointer(here.is_some()),
            label(if i == 0 { "Tags" } else { "" }, LABEL),
        ];
        spans.extend(field(&t.key, key_w, here == Some(TagCol::Key)));
        spans.push(Span::raw(" = "));
        spans.extend(field(&t.value, value_w, here == Some(TagCol::Value)));
        lines.push(line(spans));
    }
    let status = match draft::validate_tags(tags) {
        Err((row, e)) if !tags[row.min(tags.len() - 1)].key.is_empty() => {
            Span::styled(e, Style::new().fg(ERROR))
        }
        _ => dim("Ctrl-N adds a tag, Ctrl-D removes the one under the cursor."),
    };
    lines.push(line(vec![under(), status]));
    lines
}

pub fn purpose(app: &App, f: &mut Frame, area: Rect) {
    let d = &app.enc.draft;
    let item = app.enc_item();
    let at = |i: Item| item == Some(i);
    let w = 30;
    let csfle = d.feature == EncryptionFeature::Csfle;
    let mut lines = vec![
        Line::from(" Set up a KMS key and a service account that may only encrypt and decrypt"),
        Line::from(" with it, for MongoDB's client-side encryption."),
        Line::from(""),
        line(vec![
            pointer(at(Item::Feature)),
            label("Feature", LABEL),
            choice(csfle, "CSFLE", at(Item::Feature)),
            choice(!csfle, "Queryable Encryption", at(Item::Feature)),
        ]),
        line(vec![under(), dim(d.feature.label())]),
    ];
    let mut region = vec![pointer(at(Item::Region)), label("Region", LABEL)];
    region.extend(field(&d.region, w, at(Item::Region)));
    lines.push(line(region));
    let yours = match app.catalog.identity.ready() {
        Some(id) if !id.region.is_empty() => format!(" (yours: {})", id.region),
        _ => String::new(),
    };
    lines.extend(rule_lines(
        encryption::validate_region(d.region.value()),
        &format!("Where the key lives{yours}."),
        !d.region.is_empty(),
    ));
    let mut name = vec![pointer(at(Item::AppName)), label("Application", LABEL)];
    name.extend(field(&d.app_name, w, at(Item::AppName)));
    lines.push(line(name));
    lines.extend(rule_lines(
        encryption::validate_app_name(d.app_name.value()),
        "1 to 32 letters, digits, - and _. It names the defaults:",
        !d.app_name.is_empty(),
    ));
    let n = if d.app_name.is_empty() {
        "<name>"
    } else {
        d.app_name.value()
    };
    let width = area.width as usize;
    lines.push(line(vec![
        under(),
        dim(truncate(
            &format!("alias/{n}-mongodb-cmk, user {n}-mongodb-kms, role {n}-mongodb-kms-role"),
            width.saturating_sub(LABEL + 4),
        )),
    ]));
    lines.push(Line::from(""));
    lines.push(line(vec![dim(
        " Next: the key (existing or new), then the account (an IAM user, or a role).",
    )]));
    f.render_widget(Paragraph::new(lines), area);
}

/// One row of the key list: name, state, and the description or why the key cannot be used.
fn key_row<'a>(k: &KmsKey, focused: bool, chosen: bool, width: usize) -> Line<'a> {
    let refusal = k.refusal();
    let style = if refusal.is_some() {
        Style::new().fg(DIM)
    } else if chosen {
        Style::new().fg(OK).bold()
    } else {
        Style::new()
    };
    let mark = if chosen {
        "✓ "
    } else if refusal.is_some() {
        "✗ "
    } else {
        "  "
    };
    let rest = width.saturating_sub(3 + 2 + 31 + 17);
    let about = match &refusal {
        Some(why) => why.clone(),
        None if k.description.is_empty() => "(no description)".to_string(),
        None => k.description.clone(),
    };
    line(vec![
        pointer(focused),
        Span::styled(mark, style),
        Span::styled(format!("{:<30} ", truncate(k.display_name(), 30)), style),
        Span::styled(format!("{:<16} ", truncate(&k.state, 16)), style),
        Span::styled(truncate(&about, rest), style),
    ])
}

pub fn key(app: &App, f: &mut Frame, area: Rect) {
    let d = &app.enc.draft;
    let item = app.enc_item();
    let at = |i: Item| item == Some(i);
    let width = area.width as usize;
    let existing = d.key_mode == KeyMode::Existing;
    let mut lines = vec![line(vec![
        pointer(at(Item::KeyMode)),
        label("Master key", LABEL),
        choice(existing, "Existing key", at(Item::KeyMode)),
        choice(!existing, "New key", at(Item::KeyMode)),
    ])];
    let policy: Vec<Line> = wrap(KEY_POLICY_SENTENCE, width.saturating_sub(2))
        .into_iter()
        .map(|l| line(vec![dim(format!(" {l}"))]))
        .collect();
    if existing {
        lines.push(line(vec![
            under(),
            dim(format!(
                "Customer managed symmetric keys of {}.",
                d.region.value()
            )),
        ]));
        let mut filter = vec![pointer(false), label("Filter", LABEL)];
        filter.extend(field(&app.enc.focus.keys.filter, 24, at(Item::KeyList)));
        if app.enc.focus.keys.filter.is_empty() && d.chosen.is_none() {
            filter.push(dim(" type to filter"));
        }
        if let Some(k) = &d.chosen {
            filter.push(Span::styled(
                format!("  chosen: {}", truncate(k.display_name(), 28)),
                Style::new().fg(OK),
            ));
        }
        lines.push(line(filter));
        lines.push(line(vec![
            Span::raw("     "),
            bold(format!(
                "{:<31}{:<17}{}",
                "Alias or key ID", "State", "Description"
            )),
        ]));
        let keys = app.filtered_keys();
        let height = area.height.saturating_sub(9) as usize;
        match app.region_keys() {
            None | Some(Remote::Loading) => lines.push(line(vec![dim(format!(
                "   {} loading the keys of {}…",
                spinner(app.ticks),
                d.region.value()
            ))])),
            Some(Remote::Failed(e)) => {
                for l in wrap(&format!("{e}. {}", e.hint), width.saturating_sub(4)) {
                    lines.push(line(vec![Span::styled(
                        format!("   {l}"),
                        Style::new().fg(ERROR),
                    )]));
                }
                lines.push(line(vec![dim(
                    "   Ctrl-R tries again; a new key needs no list (←→ on Master key).",
                )]));
            }
            Some(Remote::Ready(all)) if all.is_empty() => lines.push(line(vec![dim(
                "   No keys in this region: switch to New key to create one.",
            )])),
            Some(Remote::Ready(_)) if keys.is_empty() => {
                lines.push(line(vec![dim("   No keys match.")]))
            }
            Some(Remote::Ready(_)) => {
                let cursor = app.enc.focus.keys.cursor;
                let start = cursor.saturating_sub(height.saturating_sub(1));
                for (i, k) in keys.iter().enumerate().skip(start).take(height) {
                    let chosen = d.chosen.as_ref().is_some_and(|c| c.arn == k.arn);
                    lines.push(key_row(k, at(Item::KeyList) && i == cursor, chosen, width));
                }
            }
        }
        while lines.len() < height + 4 {
            lines.push(Line::from(""));
        }
        // The key under the cursor in full: its ARN, and why it cannot be used.
        match keys.get(app.enc.focus.keys.cursor) {
            Some(k) => {
                lines.push(line(vec![dim(truncate(&format!("   {}", k.arn), width))]));
                match k.refusal() {
                    Some(why) => lines.push(line(vec![Span::styled(
                        truncate(&format!("   Cannot be used: {why}."), width),
                        Style::new().fg(ERROR),
                    )])),
                    None => lines.push(line(vec![dim(
                        "   Space chooses this key; Enter goes on with the chosen one.",
                    )])),
                }
            }
            None => {
                lines.push(Line::from(""));
                lines.push(Line::from(""));
            }
        }
        lines.extend(policy);
    } else {
        lines.push(line(vec![
            under(),
            dim("SYMMETRIC_DEFAULT for ENCRYPT_DECRYPT, created in this run."),
        ]));
        let mut alias = vec![
            pointer(at(Item::Alias)),
            label("Alias", LABEL),
            Span::raw("alias/"),
        ];
        alias.extend(field(&d.alias.field, 36, at(Item::Alias)));
        lines.push(line(alias));
        let keys = match app.region_keys() {
            Some(Remote::Ready(k)) => Some(k.as_slice()),
            _ => None,
        };
        lines.extend(rule_lines(
            encryption::validate_alias(d.alias.value(), keys),
            "Letters, digits and / _ -; not starting with aws/.",
            !d.alias.value().is_empty(),
        ));
        let mut desc = vec![pointer(at(Item::Description)), label("Description", LABEL)];
        desc.extend(field(
            &d.description.field,
            width.saturating_sub(LABEL + 6).min(58),
            at(Item::Description),
        ));
        lines.push(line(desc));
        lines.push(Line::from(""));
        let focused = match item {
            Some(Item::KeyTag(i)) => Some((i, app.enc.focus.tag_col)),
            _ => None,
        };
        lines.extend(tag_lines(&d.key_tags, focused, width));
        lines.push(Line::from(""));
        lines.extend(policy);
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// Whether the role name is free in the account (and, for a role trusted by EC2, as an instance
/// profile name), as far as the live checks know: the status after the field, and a line for
/// each name found taken.
fn role_name_status<'a>(app: &App) -> (Span<'a>, Vec<String>) {
    let name = app.enc.draft.role_name.value();
    if name.is_empty() || encryption::validate_role_name(name).is_err() {
        return (Span::raw(""), Vec::new());
    }
    let kinds: Vec<NameKind> = app.account_names().into_iter().map(|(k, _)| k).collect();
    let taken: Vec<String> = kinds
        .iter()
        .filter_map(|k| {
            let existing = app.checked_taken(*k, name)?;
            let what = match k {
                NameKind::User => "a user",
                NameKind::Role => "a role",
                NameKind::InstanceProfile => "an instance profile",
            };
            Some(format!("✗ {what} named {existing} already exists"))
        })
        .collect();
    if !taken.is_empty() {
        return (Span::raw(""), taken);
    }
    let states: Vec<_> = kinds.iter().map(|k| app.name_check(*k, name)).collect();
    let status = if states
        .iter()
        .all(|s| matches!(s, Some(Remote::Ready(None))))
    {
        Span::styled("✓ available", Style::new().fg(OK))
    } else if states.iter().any(|s| matches!(s, Some(Remote::Loading))) {
        dim(format!("{} checking", spinner(app.ticks)))
    } else if let Some(Some(Remote::Failed(e))) =
        states.iter().find(|s| matches!(s, Some(Remote::Failed(_))))
    {
        dim(format!("not checked: {}", e.code))
    } else {
        Span::raw("")
    };
    (status, Vec::new())
}

pub fn account(app: &App, f: &mut Frame, area: Rect) {
    let d = &app.enc.draft;
    let item = app.enc_item();
    let at = |i: Item| item == Some(i);
    let width = area.width as usize;
    let user = d.account == AccountKind::User;
    let mut lines = vec![line(vec![
        pointer(at(Item::AccountKind)),
        label("Account", LABEL),
        choice(user, "IAM user", at(Item::AccountKind)),
        choice(!user, "IAM role for production", at(Item::AccountKind)),
    ])];
    if user {
        lines.push(line(vec![
            under(),
            dim("Access key only: no console password, no groups,"),
        ]));
        lines.push(line(vec![under(), dim("no managed policies.")]));
        let mut name = vec![pointer(at(Item::UserName)), label("User name", LABEL)];
        name.extend(field(&d.user_name.field, 36, at(Item::UserName)));
        name.push(Span::raw(" "));
        name.push(crate::flows::users::view::steps::name_status(
            app,
            app.enc.draft.user_name.value(),
        ));
        lines.push(line(name));
        lines.extend(rule_lines(
            draft::validate_user_name(d.user_name.value()),
            "Letters, digits and + = , . @ _ - (1 to 64 characters).",
            !d.user_name.value().is_empty(),
        ));
    } else {
        lines.push(line(vec![
            under(),
            dim("The driver gets temporary credentials: no secret to keep."),
        ]));
        let (status, taken) = role_name_status(app);
        let mut name = vec![pointer(at(Item::RoleName)), label("Role name", LABEL)];
        name.extend(field(&d.role_name.field, 36, at(Item::RoleName)));
        name.push(Span::raw(" "));
        name.push(status);
        lines.push(line(name));
        if taken.is_empty() {
            lines.extend(rule_lines(
                encryption::validate_role_name(d.role_name.value()),
                "Letters, digits and + = , . @ _ - (1 to 64 characters).",
                !d.role_name.value().is_empty(),
            ));
        }
        for clash in taken {
            lines.extend(
                wrap(&clash, 60)
                    .into_iter()
                    .map(|l| line(vec![under(), Span::styled(l, Style::new().fg(ERROR))])),
            );
        }
        let mut trusted = vec![pointer(at(Item::Principal)), label("Trusted by", LABEL)];
        for p in Principal::ALL {
            let on = d.principal == p;
            trusted.push(Span::styled(
                format!("{} ", radio(on)),
                if on {
                    Style::new().bold()
                } else {
                    Style::new()
                },
            ));
            trusted.push(Span::styled(
                format!("{}  ", p.label()),
                if on && at(Item::Principal) {
                    Style::new().fg(ACCENT).bold()
                } else if on {
                    Style::new().bold()
                } else {
                    Style::new()
                },
            ));
        }
        lines.push(line(trusted));
        let about = match d.principal {
            Principal::Ec2 => "ec2.amazonaws.com, with an instance profile of the same name.",
            Principal::EcsTasks => "ecs-tasks.amazonaws.com: use it as the task role.",
            Principal::Lambda => "lambda.amazonaws.com: use it as the function's role.",
            Principal::Arn => "The account (or role) that calls sts:AssumeRole.",
        };
        lines.push(line(vec![under(), dim(about)]));
        if d.principal == Principal::Arn {
            let mut arn = vec![
                pointer(at(Item::PrincipalArn)),
                label("Account/role", LABEL),
            ];
            arn.extend(field(
                &d.principal_arn,
                width.saturating_sub(LABEL + 6).min(58),
                at(Item::PrincipalArn),
            ));
            lines.push(line(arn));
            lines.extend(rule_lines(
                encryption::validate_principal_arn(d.principal_arn.value()),
                "123456789012, arn:aws:iam::123456789012:root or …:role/name",
                !d.principal_arn.is_empty(),
            ));
        }
    }
    lines.push(Line::from(""));
    let focused = match item {
        Some(Item::AccountTag(i)) => Some((i, app.enc.focus.tag_col)),
        _ => None,
    };
    lines.extend(tag_lines(&d.account_tags, focused, width));
    lines.push(Line::from(""));
    let policy = format!(
        "Its one inline policy, {KMS_POLICY_NAME}, allows kms:Encrypt and kms:Decrypt on \
         the key, and nothing else."
    );
    for l in wrap(&policy, width.saturating_sub(2)) {
        lines.push(line(vec![dim(format!(" {l}"))]));
    }
    f.render_widget(Paragraph::new(lines), area);
}

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
        .flat_map(|l| char_chunks(l, width))
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

/// `line` in pieces of `width` characters (one empty piece for an empty line).
fn char_chunks(line: &str, width: usize) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut start = 0;
    for (n, (i, _)) in line.char_indices().enumerate() {
        if n > 0 && n % width == 0 {
            chunks.push(&line[start..i]);
            start = i;
        }
    }
    chunks.push(&line[start..]);
    chunks
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
