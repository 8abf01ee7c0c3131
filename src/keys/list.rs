//! `iamwiz keys list [USER] [--json]`: the access keys of one user, or of every user (a page of
//! `ListUsers` at a time), as a table or JSON on stdout. Each key shows its status, when it was
//! made and its age, its last use (date, service, region) and its description; keys older than
//! 90 days or never used are marked. AWS never gives a secret again, so none can be printed.

use std::fmt::Write as _;
use std::io::Write;

use serde::Serialize;

use super::{exit, now, refused_code};
use crate::aws::{self, AwsSettings, access_keys};
use crate::cli::KeysListArgs;
use crate::eprintln_clean as eprintln;
use crate::model::keys::{AccessKeyInfo, ROTATE_AFTER_DAYS, day, timestamp};
use crate::term_text::clean;

/// Lists the keys and returns the exit code.
pub async fn run(settings: &AwsSettings, args: &KeysListArgs) -> i32 {
    let c = aws::connect(settings).await;
    let keys = match &args.user {
        Some(user) => match access_keys::user_arn(&c, user).await {
            Ok(Some(_)) => access_keys::user_keys(&c, user).await,
            Ok(None) => {
                eprintln!(
                    "iamwiz keys list: there is no user named {user}: check the name (`iamwiz \
                     keys list` lists every user's keys)."
                );
                return exit::REFUSED;
            }
            Err(e) => Err(e),
        },
        None => match access_keys::user_names(&c).await {
            Ok(users) => access_keys::users_keys(&c, &users).await,
            Err(e) => Err(e),
        },
    };
    let keys = match keys {
        Ok(keys) => keys,
        Err(e) => {
            eprintln!("iamwiz keys list: {e}.\n  {}", e.hint);
            return refused_code(&e);
        }
    };
    let now = now();
    let text = if args.json {
        let rows: Vec<JsonKey> = keys.iter().map(|k| JsonKey::of(k, now)).collect();
        let mut text = serde_json::to_string_pretty(&rows).expect("plain data serializes");
        text.push('\n');
        text
    } else {
        table(&keys, now)
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => exit::DONE,
        Err(e) => {
            eprintln!("iamwiz keys list: cannot write to stdout: {e}");
            exit::REFUSED
        }
    }
}

/// One key in `--json`.
#[derive(Serialize)]
struct JsonKey<'a> {
    user: &'a str,
    access_key_id: &'a str,
    status: &'a str,
    created: Option<String>,
    age_days: Option<i64>,
    last_used: Option<JsonUse<'a>>,
    description: Option<&'a str>,
    older_than_90_days: bool,
    never_used: bool,
}

#[derive(Serialize)]
struct JsonUse<'a> {
    date: String,
    service: Option<&'a str>,
    region: Option<&'a str>,
}

impl<'a> JsonKey<'a> {
    fn of(k: &'a AccessKeyInfo, now: i64) -> JsonKey<'a> {
        JsonKey {
            user: &k.user,
            access_key_id: &k.id,
            status: &k.status,
            created: k.created.map(timestamp),
            age_days: k.age_days(now),
            last_used: k.last_used.as_ref().map(|u| JsonUse {
                date: timestamp(u.date),
                service: u.service.as_deref(),
                region: u.region.as_deref(),
            }),
            description: k.description.as_deref(),
            older_than_90_days: k.is_old(now),
            never_used: k.never_used(),
        }
    }
}

/// The columns of the table.
const HEADER: [&str; 8] = [
    "USER",
    "ACCESS KEY ID",
    "STATUS",
    "CREATED",
    "AGE",
    "LAST USED",
    "DESCRIPTION",
    "NOTE",
];

/// The keys as a table with aligned columns, or a line saying there are none.
pub fn table(keys: &[AccessKeyInfo], now: i64) -> String {
    if keys.is_empty() {
        return "No access keys.\n".to_string();
    }
    let rows: Vec<[String; 8]> = keys.iter().map(|k| row(k, now)).collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for cells in std::iter::once(HEADER.map(str::to_string)).chain(rows) {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let _ = write!(line, "{cell:<w$}  ", w = widths[i]);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn row(k: &AccessKeyInfo, now: i64) -> [String; 8] {
    let last_used = match &k.last_used {
        None => "never".to_string(),
        Some(u) => {
            let mut s = day(u.date);
            if let Some(service) = &u.service {
                let _ = write!(s, " {service}");
            }
            if let Some(region) = &u.region {
                let _ = write!(s, " {region}");
            }
            s
        }
    };
    let mut notes = Vec::new();
    if k.is_old(now) {
        notes.push(format!("older than {ROTATE_AFTER_DAYS} days"));
    }
    if k.never_used() {
        notes.push("never used".to_string());
    }
    [
        k.user.clone(),
        k.id.clone(),
        k.status.clone(),
        k.created.map(day).unwrap_or_default(),
        k.age_days(now)
            .map(|d| format!("{d} d"))
            .unwrap_or_default(),
        last_used,
        clean(k.description.as_deref().unwrap_or("")).replace(['\n', '\t'], " "),
        notes.join(", "),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::keys::LastUse;

    #[test]
    fn the_table_aligns_its_columns_and_marks_old_and_unused_keys() {
        let day_secs = 86_400;
        let now = 1_000 * day_secs;
        let keys = [
            AccessKeyInfo {
                user: "alice".into(),
                id: "AKIAOLD".into(),
                status: "Inactive".into(),
                created: Some(now - 120 * day_secs),
                last_used: None,
                description: Some("laptop".into()),
            },
            AccessKeyInfo {
                user: "alice".into(),
                id: "AKIANEW".into(),
                status: "Active".into(),
                created: Some(now - 3 * day_secs),
                last_used: Some(LastUse {
                    date: now - day_secs,
                    service: Some("s3".into()),
                    region: Some("eu-west-1".into()),
                }),
                description: None,
            },
        ];
        let table = table(&keys, now);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3, "{table}");
        assert!(lines[1].contains("120 d") && lines[1].ends_with("older than 90 days, never used"));
        assert!(lines[2].contains("1972-09-26 s3 eu-west-1"), "{table}");
        assert_eq!(lines[0].find("STATUS"), lines[1].find("Inactive"));
    }
}
