//! The access key's use case and description, as the console asks for them when it creates a key:
//! what the key is for (the answer only chooses which alternative AWS recommends, it is stored
//! nowhere), and an optional description that IAM keeps as a user tag whose key is the new access
//! key ID (so the description follows the tag-value rules).

use crate::kit::tags::{TAG_CHARS_RULE, TAG_VALUE_MAX, is_tag_char};

/// The longest description (a tag value).
pub const DESCRIPTION_MAX: usize = TAG_VALUE_MAX;

/// What the access key is for, the console's six answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyUse {
    Cli,
    LocalCode,
    AwsCompute,
    ThirdParty,
    OutsideAws,
    Other,
}

impl KeyUse {
    /// Every answer, in the console's order.
    pub const ALL: [KeyUse; 6] = [
        KeyUse::Cli,
        KeyUse::LocalCode,
        KeyUse::AwsCompute,
        KeyUse::ThirdParty,
        KeyUse::OutsideAws,
        KeyUse::Other,
    ];

    /// The console's wording.
    pub fn label(self) -> &'static str {
        match self {
            KeyUse::Cli => "Command Line Interface (CLI)",
            KeyUse::LocalCode => "Local code",
            KeyUse::AwsCompute => "Application running on an AWS compute service",
            KeyUse::ThirdParty => "Third-party service",
            KeyUse::OutsideAws => "Application running outside AWS",
            KeyUse::Other => "Other",
        }
    }

    /// The name in a plan file (`"access_key_use"`).
    pub fn plan_name(self) -> &'static str {
        match self {
            KeyUse::Cli => "cli",
            KeyUse::LocalCode => "local-code",
            KeyUse::AwsCompute => "aws-compute",
            KeyUse::ThirdParty => "third-party",
            KeyUse::OutsideAws => "outside-aws",
            KeyUse::Other => "other",
        }
    }

    /// The answer a plan file names, if it is one.
    pub fn from_plan_name(name: &str) -> Option<KeyUse> {
        KeyUse::ALL.into_iter().find(|u| u.plan_name() == name)
    }

    /// Every plan name, for a message that lists them.
    pub fn plan_names() -> String {
        KeyUse::ALL.map(KeyUse::plan_name).join(", ")
    }

    /// What AWS recommends instead of a long-term access key for this use, in one line.
    pub fn alternative(self) -> &'static str {
        match self {
            KeyUse::Cli => {
                "AWS recommends: AWS CloudShell, or the AWS CLI v2 signed in through IAM Identity \
                 Center."
            }
            KeyUse::LocalCode => {
                "AWS recommends: an IDE with the AWS Toolkit signed in through IAM Identity Center."
            }
            KeyUse::AwsCompute => {
                "AWS recommends: an IAM role for the EC2 instance, Lambda function or container."
            }
            KeyUse::ThirdParty => {
                "AWS recommends: an IAM role the service assumes (temporary credentials)."
            }
            KeyUse::OutsideAws => {
                "AWS recommends: IAM Roles Anywhere, temporary credentials for workloads outside AWS."
            }
            KeyUse::Other => {
                "AWS recommends: temporary credentials from an IAM role where you can."
            }
        }
    }

    /// The next answer (`forward`) or the one before, wrapping around through "not said" (`None`).
    pub fn cycle(current: Option<KeyUse>, forward: bool) -> Option<KeyUse> {
        let mut all: Vec<Option<KeyUse>> = vec![None];
        all.extend(KeyUse::ALL.map(Some));
        let i = all.iter().position(|u| *u == current).unwrap_or(0);
        let n = all.len();
        all[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// Checks an access key's description: the tag-value rules (at most 256 of letters, digits,
/// spaces and `_ . : / = + - @`).
pub fn validate_description(text: &str) -> Result<(), String> {
    if let Some(c) = text.chars().find(|c| !is_tag_char(*c)) {
        return Err(format!(
            "{c:?} is not allowed in the access key's description (a tag value); use \
             {TAG_CHARS_RULE}."
        ));
    }
    let n = text.chars().count();
    if n > DESCRIPTION_MAX {
        return Err(format!(
            "The access key's description is {n} characters; the limit is {DESCRIPTION_MAX}."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plan_name_reads_back_as_its_answer_and_an_unknown_one_does_not() {
        for u in KeyUse::ALL {
            assert_eq!(KeyUse::from_plan_name(u.plan_name()), Some(u));
        }
        assert_eq!(KeyUse::from_plan_name("CLI"), None);
    }

    #[test]
    fn cycling_visits_every_answer_and_comes_back_to_not_said() {
        let mut u = None;
        let mut seen = Vec::new();
        for _ in 0..7 {
            u = KeyUse::cycle(u, true);
            seen.push(u);
        }
        assert_eq!(seen.last(), Some(&None));
        assert_eq!(KeyUse::cycle(None, false), Some(KeyUse::Other));
    }

    #[test]
    fn a_description_follows_the_tag_value_rules() {
        assert!(validate_description("CI deploys: app-1 @ build/2").is_ok());
        assert!(validate_description(&"a".repeat(256)).is_ok());
        let long = validate_description(&"a".repeat(257)).unwrap_err();
        assert!(long.contains("257") && long.contains("256"), "{long}");
        let bad = validate_description("tab\there").unwrap_err();
        assert!(bad.contains("'\\t'"), "{bad}");
    }
}
