//! The rules of the encryption flow's fields (region, application name, alias, description,
//! role name, trusted account), checked as they are typed and again before creating.

use crate::flows::users::draft::{self};
use crate::flows::users::update::FieldRule;
use crate::protocol::KmsKey;

pub const APP_NAME_MAX: usize = 32;
/// The alias name without `alias/` (AWS allows 256 characters with the prefix).
pub const ALIAS_MAX: usize = 250;
pub const DESCRIPTION_MAX: usize = 8192;
pub const ROLE_NAME_MAX: usize = 64;
pub const ARN_MAX: usize = 2048;

pub const REGION: FieldRule = FieldRule {
    secret: false,
    what: "a region",
    allowed: |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    chars: "lower-case letters, digits and -",
    max: 32,
};

pub const APP_NAME: FieldRule = FieldRule {
    secret: false,
    what: "an application name",
    allowed: is_app_name_char,
    chars: "letters, digits, - and _",
    max: APP_NAME_MAX,
};

pub const ALIAS: FieldRule = FieldRule {
    secret: false,
    what: "a key alias",
    allowed: is_alias_char,
    chars: "letters, digits and / _ -",
    max: ALIAS_MAX,
};

pub const DESCRIPTION: FieldRule = FieldRule {
    secret: false,
    what: "a key description",
    allowed: |c| !c.is_control(),
    chars: "printable characters",
    max: DESCRIPTION_MAX,
};

pub const ROLE_NAME: FieldRule = FieldRule {
    secret: false,
    what: "a role name",
    allowed: draft::is_user_name_char,
    chars: "letters, digits and + = , . @ _ -",
    max: ROLE_NAME_MAX,
};

pub const PRINCIPAL_ARN: FieldRule = FieldRule {
    secret: false,
    what: "an account ID or ARN",
    allowed: |c| c.is_ascii_graphic(),
    chars: "printable ASCII without spaces",
    max: ARN_MAX,
};

pub fn is_app_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

pub fn is_alias_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/_-".contains(c)
}

/// The region part of a KMS key ARN (`arn:aws:kms:<region>:…`).
pub fn arn_region(arn: &str) -> &str {
    arn.split(':').nth(3).unwrap_or("")
}

pub fn validate_region(region: &str) -> Result<(), String> {
    if region.is_empty() {
        return Err("Enter the region of the key, for example us-east-1.".to_string());
    }
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{region} is not an AWS region name: use one like us-east-1 or eu-west-2."
        ))
    }
}

pub fn validate_app_name(name: &str) -> Result<(), String> {
    const RULE: &str = "1 to 32 letters, digits, - and _";
    if name.is_empty() {
        return Err(format!(
            "Enter an application name ({RULE}): it names the key alias, the user and the role."
        ));
    }
    if let Some(c) = name.chars().find(|c| !is_app_name_char(*c)) {
        return Err(format!(
            "{} is not allowed in an application name; use {RULE}.",
            draft::describe_char(c)
        ));
    }
    let n = name.chars().count();
    if n > APP_NAME_MAX {
        return Err(format!(
            "The application name is {n} characters; the limit is {APP_NAME_MAX}."
        ));
    }
    Ok(())
}

/// A new key's alias name (without `alias/`), against the rules of KMS and the aliases of
/// `keys` (the region's keys, when loaded).
pub fn validate_alias(alias: &str, keys: Option<&[KmsKey]>) -> Result<(), String> {
    const RULE: &str = "letters, digits and / _ - (1 to 250 characters; iamwiz adds alias/)";
    if alias.is_empty() {
        return Err(format!("Enter an alias for the new key: {RULE}."));
    }
    if let Some(c) = alias.chars().find(|c| !is_alias_char(*c)) {
        return Err(format!(
            "{} is not allowed in an alias; use {RULE}.",
            draft::describe_char(c)
        ));
    }
    let n = alias.chars().count();
    if n > ALIAS_MAX {
        return Err(format!(
            "The alias is {n} characters; the limit is {ALIAS_MAX}."
        ));
    }
    if alias.starts_with("alias/") {
        return Err("Leave out alias/: iamwiz adds it.".to_string());
    }
    if alias.to_ascii_lowercase().starts_with("aws/") {
        return Err("Aliases starting with aws/ are reserved for AWS managed keys.".to_string());
    }
    let full = format!("alias/{alias}");
    if let Some(key) = keys
        .unwrap_or_default()
        .iter()
        .find(|k| k.aliases.contains(&full))
    {
        return Err(format!(
            "{full} already names key {} in this region; choose another alias, or pick that key \
             under Existing.",
            key.id
        ));
    }
    Ok(())
}

pub fn validate_description(text: &str) -> Result<(), String> {
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(format!(
            "{} is not allowed in a key description; use printable characters.",
            draft::describe_char(c)
        ));
    }
    let n = text.chars().count();
    if n > DESCRIPTION_MAX {
        return Err(format!(
            "The description is {n} characters; the limit is {DESCRIPTION_MAX}."
        ));
    }
    Ok(())
}

pub fn validate_role_name(name: &str) -> Result<(), String> {
    const RULE: &str = "letters, digits and + = , . @ _ - (1 to 64 characters)";
    if name.is_empty() {
        return Err(format!("Enter a role name: {RULE}."));
    }
    if let Some(c) = name.chars().find(|c| !draft::is_user_name_char(*c)) {
        return Err(format!(
            "{} is not allowed in a role name; use {RULE}.",
            draft::describe_char(c)
        ));
    }
    let n = name.chars().count();
    if n > ROLE_NAME_MAX {
        return Err(format!(
            "The role name is {n} characters; the limit is {ROLE_NAME_MAX}."
        ));
    }
    Ok(())
}

/// An account that may assume the role: a 12-digit account ID, `arn:aws:iam::<account>:root`, or
/// a role ARN `arn:aws:iam::<account>:role/<name>`.
pub fn validate_principal_arn(text: &str) -> Result<(), String> {
    const RULE: &str = "a 12-digit account ID, arn:aws:iam::<account ID>:root or \
                        arn:aws:iam::<account ID>:role/<name>";
    let account = |s: &str| s.len() == 12 && s.chars().all(|c| c.is_ascii_digit());
    if text.is_empty() {
        return Err(format!("Enter who may assume the role: {RULE}."));
    }
    if account(text) {
        return Ok(());
    }
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && ["aws", "aws-cn", "aws-us-gov"].contains(&parts[1])
        && parts[2] == "iam"
        && parts[3].is_empty()
        && account(parts[4])
        && (parts[5] == "root"
            || parts[5].strip_prefix("role/").is_some_and(|name| {
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| draft::is_user_name_char(c) || c == '/')
            }));
    if ok {
        Ok(())
    } else {
        Err(format!("{text} is not an account or role: use {RULE}."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_have_the_aws_shape() {
        for ok in ["us-east-1", "eu-west-2", "us-gov-west-1", "ap-southeast-12"] {
            assert_eq!(validate_region(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "useast1",
            "us-east",
            "us-east-1a",
            "u-east-1",
            "us--1",
            "US-east-1",
        ] {
            assert!(validate_region(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn principals_are_accounts_or_roles() {
        for ok in [
            "123456789012",
            "arn:aws:iam::123456789012:root",
            "arn:aws:iam::123456789012:role/app",
            "arn:aws:iam::123456789012:role/path/to/app",
            "arn:aws-cn:iam::123456789012:root",
        ] {
            assert_eq!(validate_principal_arn(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "12345678901",
            "1234567890123",
            "arn:aws:iam::123456789012:user/bob",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam:us-east-1:123456789012:root",
            "arn:aws:sts::123456789012:root",
        ] {
            assert!(validate_principal_arn(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn aliases_follow_the_kms_rules() {
        assert_eq!(validate_alias("orders-mongodb-cmk", None), Ok(()));
        assert_eq!(validate_alias("team/orders_1", None), Ok(()));
        assert!(validate_alias("alias/orders", None).is_err());
        assert!(validate_alias("AWS/orders", None).is_err());
        assert!(validate_alias(&"a".repeat(251), None).is_err());
        assert_eq!(validate_alias(&"a".repeat(250), None), Ok(()));
    }
}
