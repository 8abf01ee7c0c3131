//! The customer managed policy that requires MFA: AWS's documented example "Allows
//! MFA-authenticated IAM users to manage their own credentials on the Security credentials page"
//! (IAM User Guide, `reference_policies_examples_aws_my-sec-creds-self-manage`), as written in the
//! guide's last published source (github.com/awsdocs/iam-user-guide, commit 0519d51 of
//! 2023-05-30, the version that added `iam:ChangePassword` to the MFA-less exceptions).
//!
//! Attached to a user with console access, it lets them see their account's password policy,
//! change their own password, and manage their own access keys, signing certificates, SSH keys,
//! Git credentials and MFA device; without an MFA sign-in everything else is denied
//! (`DenyAllExceptListedIfNoMFA`: `Deny` + `NotAction` under `BoolIfExists
//! aws:MultiFactorAuthPresent false`), so the user must enrol a device first. A user may create
//! a virtual MFA device of any name (`mfa/*`), but enable, list and deactivate devices only on
//! themselves (`user/${aws:username}`).
//!
//! iamwiz keeps one such policy per account under [`REQUIRE_MFA_POLICY_NAME`]. A policy of that
//! name whose document differs is never changed: the admin is told to look at it.
//! tests/fixtures/require_mfa_policy.json holds the same document, transcribed separately from
//! the page; a test compares the two byte for byte.

/// The name of the policy in every account.
pub const REQUIRE_MFA_POLICY_NAME: &str = "iamwiz-require-mfa";

/// Its description, as `CreatePolicy` stores it.
pub const REQUIRE_MFA_POLICY_DESCRIPTION: &str = "Made by iamwiz: users may manage their own \
     credentials, and need an MFA sign-in for anything else (AWS's documented example policy).";

/// The ARN of the require-MFA policy in `account` of `partition` (`aws`, `aws-cn`…): a customer
/// managed policy at path `/`.
pub fn require_mfa_arn(partition: &str, account: &str) -> String {
    format!("arn:{partition}:iam::{account}:policy/{REQUIRE_MFA_POLICY_NAME}")
}

/// Whether `arn` names the require-MFA policy of some account (not an AWS managed policy).
pub fn is_require_mfa_arn(arn: &str) -> bool {
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(
        fields.as_slice(),
        ["arn", partition, "iam", "", account, resource]
            if !partition.is_empty()
                && *account != "aws"
                && !account.is_empty()
                && *resource == format!("policy/{REQUIRE_MFA_POLICY_NAME}")
    )
}

/// A customer managed policy to find or create by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagedPolicySpec {
    pub name: String,
    pub description: String,
    /// The policy document, JSON.
    pub document: String,
}

/// The require-MFA policy as iamwiz makes it.
pub fn require_mfa_policy() -> ManagedPolicySpec {
    ManagedPolicySpec {
        name: REQUIRE_MFA_POLICY_NAME.to_string(),
        description: REQUIRE_MFA_POLICY_DESCRIPTION.to_string(),
        document: REQUIRE_MFA_POLICY_DOCUMENT.to_string(),
    }
}

/// The document, as AWS's page shows it.
pub const REQUIRE_MFA_POLICY_DOCUMENT: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowViewAccountInfo",
            "Effect": "Allow",
            "Action": [
                "iam:GetAccountPasswordPolicy",
                "iam:ListVirtualMFADevices"
            ],
            "Resource": "*"
        },
        {
            "Sid": "AllowManageOwnPasswords",
            "Effect": "Allow",
            "Action": [
                "iam:ChangePassword",
                "iam:GetUser"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnAccessKeys",
            "Effect": "Allow",
            "Action": [
                "iam:CreateAccessKey",
                "iam:DeleteAccessKey",
                "iam:ListAccessKeys",
                "iam:UpdateAccessKey"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnSigningCertificates",
            "Effect": "Allow",
            "Action": [
                "iam:DeleteSigningCertificate",
                "iam:ListSigningCertificates",
                "iam:UpdateSigningCertificate",
                "iam:UploadSigningCertificate"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnSSHPublicKeys",
            "Effect": "Allow",
            "Action": [
                "iam:DeleteSSHPublicKey",
                "iam:GetSSHPublicKey",
                "iam:ListSSHPublicKeys",
                "iam:UpdateSSHPublicKey",
                "iam:UploadSSHPublicKey"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnGitCredentials",
            "Effect": "Allow",
            "Action": [
                "iam:CreateServiceSpecificCredential",
                "iam:DeleteServiceSpecificCredential",
                "iam:ListServiceSpecificCredentials",
                "iam:ResetServiceSpecificCredential",
                "iam:UpdateServiceSpecificCredential"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnVirtualMFADevice",
            "Effect": "Allow",
            "Action": [
                "iam:CreateVirtualMFADevice"
            ],
            "Resource": "arn:aws:iam::*:mfa/*"
        },
        {
            "Sid": "AllowManageOwnUserMFA",
            "Effect": "Allow",
            "Action": [
                "iam:DeactivateMFADevice",
                "iam:EnableMFADevice",
                "iam:ListMFADevices",
                "iam:ResyncMFADevice"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "DenyAllExceptListedIfNoMFA",
            "Effect": "Deny",
            "NotAction": [
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:GetUser",
                "iam:ListMFADevices",
                "iam:ListVirtualMFADevices",
                "iam:ResyncMFADevice",
                "sts:GetSessionToken",
                "iam:ChangePassword"
            ],
            "Resource": "*",
            "Condition": {
                "BoolIfExists": {
                    "aws:MultiFactorAuthPresent": "false"
                }
            }
        }
    ]
}
"#;

/// Whether two policy documents say the same: equal as JSON (key order and white space aside).
/// A text that is not JSON equals nothing.
pub fn same_document(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_the_same_whatever_their_layout_and_key_order() {
        assert!(same_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}"#,
            "{ \"Statement\": [ {\"Action\": \"s3:*\", \"Effect\": \"Allow\"} ],\n \"Version\": \"2012-10-17\" }"
        ));
        assert!(!same_document(
            r#"{"Statement":[{"Action":["a","b"]}]}"#,
            r#"{"Statement":[{"Action":["b","a"]}]}"#
        ));
        assert!(!same_document("not json", "not json"));
    }

    #[test]
    fn the_policy_is_known_by_its_arn_in_any_account_but_not_as_an_aws_managed_one() {
        let arn = require_mfa_arn("aws-cn", "123456789012");
        assert_eq!(
            arn,
            "arn:aws-cn:iam::123456789012:policy/iamwiz-require-mfa"
        );
        assert!(is_require_mfa_arn(&arn));
        assert!(!is_require_mfa_arn(
            "arn:aws:iam::aws:policy/iamwiz-require-mfa"
        ));
        assert!(!is_require_mfa_arn(
            "arn:aws:iam::123456789012:policy/team/iamwiz-require-mfa"
        ));
        assert!(!is_require_mfa_arn(
            "arn:aws:iam::123456789012:policy/iamwiz-require-mfa-old"
        ));
        assert!(!is_require_mfa_arn("iamwiz-require-mfa"));
    }

    #[test]
    fn the_document_has_the_documented_statements_in_order() {
        let doc: serde_json::Value = serde_json::from_str(REQUIRE_MFA_POLICY_DOCUMENT).unwrap();
        let sids: Vec<&str> = doc["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(
            sids,
            [
                "AllowViewAccountInfo",
                "AllowManageOwnPasswords",
                "AllowManageOwnAccessKeys",
                "AllowManageOwnSigningCertificates",
                "AllowManageOwnSSHPublicKeys",
                "AllowManageOwnGitCredentials",
                "AllowManageOwnVirtualMFADevice",
                "AllowManageOwnUserMFA",
                "DenyAllExceptListedIfNoMFA",
            ]
        );
    }
}
