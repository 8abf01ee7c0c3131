//! The access-key flow's rules: the marks a key earns, which changes make sense for a key, and
//! what confirming one takes.

use super::{Confirm, RotatePlan};
use crate::kit::text::TextField;
use crate::model::keys::AccessKeyInfo;
use crate::protocol::KeyChange;

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

/// What rotating asks for, with the cursor on key `cursor` of `keys`: a user with IAM's 2 keys
/// loses the key under the cursor first; the remaining key, if active, is the old key that the
/// new one takes over from.
pub fn plan_rotation(keys: &[AccessKeyInfo], cursor: usize, now: i64) -> RotatePlan {
    let (replace, kept) = match keys {
        [_, _, ..] => {
            let replace = keys.get(cursor).cloned();
            let kept = keys.iter().enumerate().find(|(i, _)| *i != cursor);
            (replace, kept.map(|(_, k)| k.clone()))
        }
        _ => (None, keys.first().cloned()),
    };
    let needs_id = replace
        .as_ref()
        .is_some_and(|k| needs_id(k, KeyChange::Delete, now));
    RotatePlan {
        replace,
        old: kept.filter(AccessKeyInfo::is_active),
        needs_id,
        typed: TextField::default(),
    }
}

/// Whether the rotation may go ahead: the replaced key's ID typed in full when it is asked for.
pub fn check_rotate(p: &RotatePlan) -> Result<(), String> {
    match &p.replace {
        Some(k) if p.needs_id && p.typed.value() != k.id => Err(format!(
            "Type the key ID {} exactly to delete it first (it was used in the last 7 days).",
            k.id
        )),
        _ => Ok(()),
    }
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

    #[test]
    fn a_rotation_of_a_user_with_two_keys_deletes_the_key_under_the_cursor_first() {
        let (mut used, now) = key("Active", 10, Some(1));
        used.id = "AKIAUSED".into();
        let (spare, _) = key("Inactive", 200, None);
        let keys = [used.clone(), spare.clone()];
        let p = plan_rotation(&keys, 1, now);
        assert_eq!(p.replace.as_ref().map(|k| k.id.as_str()), Some("AKIAOLD"));
        assert_eq!(p.old.as_ref().map(|k| k.id.as_str()), Some("AKIAUSED"));
        assert!(!p.needs_id, "an inactive key goes without its ID typed");
        let p = plan_rotation(&keys, 0, now);
        assert_eq!(p.replace.as_ref().map(|k| k.id.as_str()), Some("AKIAUSED"));
        assert_eq!(p.old, None, "an inactive key has nothing to hand over");
        assert!(p.needs_id, "a key used this week needs its ID typed");
        assert!(check_rotate(&p).is_err());
    }

    #[test]
    fn a_rotation_of_one_key_replaces_nothing_and_takes_over_from_it_if_active() {
        let (k, now) = key("Active", 100, Some(1));
        let p = plan_rotation(std::slice::from_ref(&k), 0, now);
        assert_eq!(p.replace, None);
        assert_eq!(p.old.as_ref().map(|k| k.id.as_str()), Some("AKIAOLD"));
        assert!(check_rotate(&p).is_ok());
        let (k, now) = key("Inactive", 100, Some(1));
        assert_eq!(plan_rotation(&[k], 0, now).old, None);
        assert_eq!(plan_rotation(&[], 0, now).old, None);
    }
}
