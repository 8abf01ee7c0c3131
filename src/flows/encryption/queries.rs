//! What the views, Review and the creation read from the encryption flow's state: the rows of
//! each step, the key to use, the names to check, and the spec the worker gets.

use super::*;
use crate::app::reveal::CopyWhat;
use crate::app::{App, Remote, Screen};
use crate::flows::users::draft::{self, TagRow};
use crate::protocol::{
    EncryptionSpec, KMS_POLICY_NAME, KeyChoice, KmsKey, NameKind, ServiceAccount,
};

impl App {
    /// The text a copy of `what` puts on the clipboard, built at this moment from the
    /// credentials screen (the only place the secrets live) or the role result.
    pub fn copy_text(&self, what: CopyWhat) -> Option<crate::secret::Secret> {
        if let Some(r) = &self.reveal {
            return r.copy_text(what);
        }
        match (what, &self.enc.role) {
            (CopyWhat::Row(row), Some(role)) => role.text(row).map(crate::secret::Secret::new),
            _ => None,
        }
    }

    /// The encryption flow is on screen (its steps, or creating and revealing from it).
    pub fn in_encryption(&self) -> bool {
        self.flow == crate::flows::Flow::Encryption
    }

    /// The loaded keys, when they are the draft region's.
    pub fn region_kms_keys(&self) -> Option<&Remote<Vec<KmsKey>>> {
        match &self.enc.keys {
            Some((region, keys)) if region == self.enc.draft.region.value() => Some(keys),
            _ => None,
        }
    }

    /// The region's keys that pass the filter, in the order KMS listed them.
    pub fn filtered_kms_keys(&self) -> Vec<&KmsKey> {
        let f = self.enc.focus.keys.filter.value();
        match self.region_kms_keys() {
            Some(Remote::Ready(keys)) => keys
                .iter()
                .filter(|k| {
                    crate::app::matches(f, &k.id)
                        || crate::app::matches(f, &k.description)
                        || k.aliases.iter().any(|a| crate::app::matches(f, a))
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The rows of an encryption step, top to bottom.
    pub fn enc_items(&self, screen: Screen) -> Vec<Item> {
        let d = &self.enc.draft;
        match screen {
            Screen::EncPurpose => vec![Item::Feature, Item::Region, Item::AppName],
            Screen::EncKey => match d.key_mode {
                KeyMode::Existing => vec![Item::KeyMode, Item::KeyList],
                KeyMode::New => {
                    let mut items = vec![Item::KeyMode, Item::Alias, Item::Description];
                    items.extend((0..d.key_tags.len()).map(Item::KeyTag));
                    items
                }
            },
            Screen::EncAccount => {
                let mut items = vec![Item::AccountKind];
                match d.account {
                    AccountKind::User => items.push(Item::UserName),
                    AccountKind::Role => {
                        items.extend([Item::RoleName, Item::Principal]);
                        if d.principal == Principal::Arn {
                            items.push(Item::PrincipalArn);
                        }
                    }
                }
                items.extend((0..d.account_tags.len()).map(Item::AccountTag));
                items
            }
            _ => Vec::new(),
        }
    }

    /// The focused row of the encryption step on screen.
    pub fn enc_item(&self) -> Option<Item> {
        let items = self.enc_items(self.screen);
        let at = match self.screen {
            Screen::EncPurpose => self.enc.focus.purpose,
            Screen::EncKey => self.enc.focus.key,
            Screen::EncAccount => self.enc.focus.account,
            _ => return None,
        };
        items.get(at.min(items.len().saturating_sub(1))).copied()
    }

    /// Whether the focus is on a field where `?` is text (the description and the key filter).
    pub fn enc_free_text_focused(&self) -> bool {
        matches!(self.enc_item(), Some(Item::Description | Item::KeyList))
    }

    /// The new key's ARN as Review shows it: the key ID is known only once KMS made it.
    pub fn new_key_arn_shape(&self) -> String {
        let account = self
            .catalog
            .identity
            .ready()
            .map(|i| i.account.clone())
            .unwrap_or_else(|| "<account>".to_string());
        format!(
            "arn:aws:kms:{}:{account}:key/<new key ID>",
            self.enc.draft.region.value()
        )
    }

    /// The key's ARN for the policy on Review.
    pub fn enc_key_arn(&self) -> String {
        match (&self.enc.draft.key_mode, &self.enc.draft.chosen) {
            (KeyMode::Existing, Some(k)) => k.arn.clone(),
            _ => self.new_key_arn_shape(),
        }
    }

    pub(crate) fn check_purpose(&self) -> Result<(), (Item, String)> {
        let d = &self.enc.draft;
        validate_region(d.region.value()).map_err(|e| (Item::Region, e))?;
        validate_app_name(d.app_name.value()).map_err(|e| (Item::AppName, e))
    }

    pub(crate) fn check_kms_key(&self) -> Result<(), (Item, String)> {
        let d = &self.enc.draft;
        match d.key_mode {
            KeyMode::Existing => {
                let Some(key) = &d.chosen else {
                    return Err((
                        Item::KeyList,
                        "Choose a key from the list (Space), or switch to New to create one."
                            .to_string(),
                    ));
                };
                if let Some(why) = key.refusal() {
                    return Err((
                        Item::KeyList,
                        format!("{} cannot be used: {why}.", key.display_name()),
                    ));
                }
                let region = d.region.value();
                if arn_region(&key.arn) != region {
                    return Err((
                        Item::KeyList,
                        format!(
                            "{} is in {}, not {region}: choose a key of {region}.",
                            key.display_name(),
                            arn_region(&key.arn)
                        ),
                    ));
                }
                Ok(())
            }
            KeyMode::New => {
                let keys = match self.region_kms_keys() {
                    Some(Remote::Ready(keys)) => Some(keys.as_slice()),
                    _ => None,
                };
                validate_alias(d.alias.value(), keys).map_err(|e| (Item::Alias, e))?;
                validate_description(d.description.value()).map_err(|e| (Item::Description, e))?;
                draft::validate_tags(&d.key_tags)
                    .map_err(|p| (Item::KeyTag(p.row.min(d.key_tags.len() - 1)), p.message))
            }
        }
    }

    pub(crate) fn check_account(&self) -> Result<(), (Item, String)> {
        let d = &self.enc.draft;
        match d.account {
            AccountKind::User => {
                let name = d.user_name.value();
                draft::validate_user_name(name).map_err(|e| (Item::UserName, e))?;
                if let Some(taken) = self.name_taken(name) {
                    return Err((
                        Item::UserName,
                        format!(
                            "A user named {taken} already exists in this account (IAM ignores \
                             case); choose another name."
                        ),
                    ));
                }
            }
            AccountKind::Role => {
                let name = d.role_name.value();
                validate_role_name(name).map_err(|e| (Item::RoleName, e))?;
                if let Some(taken) = self.checked_taken(NameKind::Role, name) {
                    return Err((
                        Item::RoleName,
                        format!(
                            "A role named {taken} already exists in this account (IAM ignores \
                             case); choose another role name."
                        ),
                    ));
                }
                if d.principal == Principal::Ec2
                    && let Some(taken) = self.checked_taken(NameKind::InstanceProfile, name)
                {
                    return Err((
                        Item::RoleName,
                        format!(
                            "An instance profile named {taken} already exists in this account \
                             (IAM ignores case), and a role trusted by EC2 gets an instance \
                             profile of its own name; choose another role name."
                        ),
                    ));
                }
                if d.principal == Principal::Arn {
                    validate_principal_arn(d.principal_arn.value())
                        .map_err(|e| (Item::PrincipalArn, e))?;
                }
            }
        }
        draft::validate_tags(&d.account_tags).map_err(|p| {
            let row = p.row.min(d.account_tags.len() - 1);
            (Item::AccountTag(row), p.message)
        })
    }

    /// The names the service account takes, by kind, as Account checks them live: the user's, or
    /// the role's and, for a role trusted by EC2, its instance profile's (the role's name too).
    pub fn account_names(&self) -> Vec<(NameKind, String)> {
        let d = &self.enc.draft;
        match d.account {
            AccountKind::User => vec![(NameKind::User, d.user_name.value().to_string())],
            AccountKind::Role => {
                let name = d.role_name.value().to_string();
                let mut names = vec![(NameKind::Role, name.clone())];
                if d.principal == Principal::Ec2 {
                    names.push((NameKind::InstanceProfile, name));
                }
                names
            }
        }
    }

    /// Checks the whole encryption draft as Review does before creating: the first problem, with
    /// the step and row where it can be fixed.
    pub fn check_encryption(&self) -> Result<(), (Screen, Item, String)> {
        self.check_purpose()
            .map_err(|(i, e)| (Screen::EncPurpose, i, e))?;
        self.check_kms_key()
            .map_err(|(i, e)| (Screen::EncKey, i, e))?;
        self.check_account()
            .map_err(|(i, e)| (Screen::EncAccount, i, e))
    }

    /// What Review sends. Call only after [`App::check_encryption`] passed.
    pub fn encryption_spec(&self) -> EncryptionSpec {
        let d = &self.enc.draft;
        let tags = |rows: &[TagRow]| {
            rows.iter()
                .map(|t| (t.key.value().to_string(), t.value.value().to_string()))
                .collect::<Vec<_>>()
        };
        let key = match (d.key_mode, &d.chosen) {
            (KeyMode::Existing, Some(k)) => KeyChoice::Existing(k.clone()),
            _ => KeyChoice::New {
                alias: d.alias.value().to_string(),
                description: d.description.value().to_string(),
                tags: tags(&d.key_tags),
            },
        };
        let account = match d.account {
            AccountKind::User => ServiceAccount::User {
                name: d.user_name.value().to_string(),
                tags: tags(&d.account_tags),
            },
            AccountKind::Role => ServiceAccount::Role {
                name: d.role_name.value().to_string(),
                tags: tags(&d.account_tags),
                trusted: d.trusted(),
            },
        };
        EncryptionSpec {
            feature: d.feature,
            region: d.region.value().to_string(),
            key,
            account,
            policy_name: KMS_POLICY_NAME.to_string(),
        }
    }
}
