//! The access-key flow's rules: which users the filter keeps (fuzzy, best first), the marks a
//! key earns, which changes make sense for a key, and what confirming one takes.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Matcher, Utf32Str};

use super::Confirm;
use crate::app::{App, Remote};
use crate::model::keys::AccessKeyInfo;
use crate::protocol::KeyChange;

/// The account's user names the filter keeps: every one, sorted, for an empty filter; else the
/// fuzzy matches, best first (ties by name).
pub fn filtered_users(app: &App) -> Vec<&str> {
    let Remote::Ready(users) = &app.catalog.users else {
        return Vec::new();
    };
    let filter = app.flows.keys.pick.filter.value();
    let mut names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    if filter.is_empty() {
        names.sort_unstable();
        return names;
    }
    let pattern = Pattern::parse(filter, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(nucleo_matcher::Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, &str)> = names
        .into_iter()
        .filter_map(|n| {
            let score = pattern.score(Utf32Str::new(n, &mut buf), &mut matcher)?;
            Some((score, n))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().map(|(_, n)| n).collect()
}

/// The warnings a key carries: older than 90 days, never used.
pub fn marks(key: &AccessKeyInfo, now: i64) -> Vec<&'static str> {
    let mut marks = Vec::new();
    if key.is_old(now) {
        marks.push("older than 90 days: rotate it");
    }
    if key.never_used() {
        marks.push("never used");
    }
    marks
}

/// Why `change` cannot be asked of `key`, if it cannot.
pub fn refusal(key: &AccessKeyInfo, change: KeyChange) -> Option<String> {
    match change {
        KeyChange::Activate if key.is_active() => Some(format!("{} is already active.", key.id)),
        KeyChange::Deactivate if !key.is_active() => {
            Some(format!("{} is already inactive.", key.id))
        }
        _ => None,
    }
}

/// Whether confirming `change` of `key` needs its ID typed: deleting an active key used in the
/// last 7 days (whatever uses it stops working).
pub fn needs_id(key: &AccessKeyInfo, change: KeyChange, now: i64) -> bool {
    change == KeyChange::Delete && key.in_recent_use(now)
}

/// Whether the confirmation may go ahead: the ID typed in full when it is asked for.
pub fn check_confirm(c: &Confirm) -> Result<(), String> {
    if c.needs_id && c.typed.value() != c.id {
        return Err(format!(
            "Type the key ID {} exactly to delete it (it was used in the last 7 days).",
            c.id
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::keys::LastUse;

    const DAY: i64 = 86_400;

    fn key(status: &str, age_days: i64, used_days_ago: Option<i64>) -> (AccessKeyInfo, i64) {
        let now = 1_000 * DAY;
        let k = AccessKeyInfo {
            user: "alice".into(),
            id: "AKIAOLD".into(),
            status: status.into(),
            created: Some(now - age_days * DAY),
            last_used: used_days_ago.map(|d| LastUse {
                date: now - d * DAY,
                service: Some("s3".into()),
                region: Some("eu-west-1".into()),
            }),
            description: None,
        };
        (k, now)
    }

    #[test]
    fn an_old_unused_key_carries_both_marks_and_a_fresh_used_one_none() {
        let (k, now) = key("Active", 91, None);
        assert_eq!(
            marks(&k, now),
            vec!["older than 90 days: rotate it", "never used"]
        );
        let (k, now) = key("Active", 90, Some(1));
        assert!(marks(&k, now).is_empty());
    }

    #[test]
    fn only_deleting_an_active_key_used_this_week_needs_its_id() {
        let (k, now) = key("Active", 10, Some(6));
        assert!(needs_id(&k, KeyChange::Delete, now));
        assert!(!needs_id(&k, KeyChange::Deactivate, now));
        let (k, now) = key("Inactive", 10, Some(1));
        assert!(!needs_id(&k, KeyChange::Delete, now));
        let (k, now) = key("Active", 10, Some(8));
        assert!(!needs_id(&k, KeyChange::Delete, now));
    }

    #[test]
    fn a_key_is_not_activated_twice_nor_deactivated_twice() {
        let (k, _) = key("Active", 1, None);
        assert!(refusal(&k, KeyChange::Activate).is_some());
        assert!(refusal(&k, KeyChange::Deactivate).is_none());
        let (k, _) = key("Inactive", 1, None);
        assert!(refusal(&k, KeyChange::Deactivate).is_some());
        assert!(refusal(&k, KeyChange::Delete).is_none());
    }
}
