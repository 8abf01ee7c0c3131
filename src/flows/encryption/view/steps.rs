//! The encryption flow's Purpose, Key and Account steps.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{App, Remote};
use crate::flows::encryption::{self, AccountKind, Item, KEY_POLICY_SENTENCE, KeyMode, Principal};
use crate::flows::users::draft::{self};
use crate::kit::widgets::{bold, dim, field, label, line, pointer, radio, spinner, truncate};
use crate::protocol::{EncryptionFeature, KMS_POLICY_NAME, KmsKey, NameKind};
use crate::ui::{ACCENT, DIM, ERROR, OK};

use super::*;

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
        let keys = app.filtered_kms_keys();
        let height = area.height.saturating_sub(9) as usize;
        match app.region_kms_keys() {
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
        let keys = match app.region_kms_keys() {
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
        name.push(crate::flows::users::view::name_status(
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
