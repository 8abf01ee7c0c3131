//! What the encryption flow holds: the draft, the focus of each step, the role result and what
//! the last run made.

use crate::app::reveal::{Copied, Documents, Row};
use crate::app::{ListUi, Remote, TagCol};
use crate::flows::users::draft::TagRow;
use crate::kit::text::TextField;
use crate::protocol::{CreatedRole, EncryptionFeature, KmsKey, TrustedPrincipal};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyMode {
    #[default]
    Existing,
    New,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AccountKind {
    #[default]
    User,
    Role,
}

/// Who may assume the role, as the Account step offers it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Principal {
    #[default]
    Ec2,
    EcsTasks,
    Lambda,
    /// An account or a role, by ID or ARN (typed in its own field).
    Arn,
}

impl Principal {
    pub const ALL: [Principal; 4] = [
        Principal::Ec2,
        Principal::EcsTasks,
        Principal::Lambda,
        Principal::Arn,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Principal::Ec2 => "EC2",
            Principal::EcsTasks => "ECS tasks",
            Principal::Lambda => "Lambda",
            Principal::Arn => "Account or role",
        }
    }

    pub(crate) fn step(self, by: isize) -> Principal {
        let n = Principal::ALL.len() as isize;
        let i = Principal::ALL.iter().position(|p| *p == self).unwrap_or(0) as isize;
        Principal::ALL[((i + by).rem_euclid(n)) as usize]
    }
}

/// A field whose value follows the application name until the admin edits it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Seeded {
    pub field: TextField,
    pub edited: bool,
}

impl Seeded {
    pub fn value(&self) -> &str {
        self.field.value()
    }

    fn seed(&mut self, value: String) {
        if !self.edited {
            self.field = TextField::new(&value);
        }
    }
}

/// What the admin has chosen in the encryption flow.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EncDraft {
    pub feature: EncryptionFeature,
    pub region: TextField,
    /// The admin typed the region (it no longer follows the identity's).
    pub region_edited: bool,
    pub app_name: TextField,
    pub key_mode: KeyMode,
    /// The admin chose the mode (it no longer follows whether the region has a usable key).
    pub key_mode_chosen: bool,
    /// The existing key chosen from the list.
    pub chosen: Option<KmsKey>,
    /// The new key's alias, without `alias/`.
    pub alias: Seeded,
    pub description: Seeded,
    pub key_tags: Vec<TagRow>,
    pub account: AccountKind,
    pub user_name: Seeded,
    pub role_name: Seeded,
    pub principal: Principal,
    pub principal_arn: TextField,
    pub account_tags: Vec<TagRow>,
}

impl EncDraft {
    /// Fills the fields that follow the application name (and the feature), except the ones the
    /// admin has edited.
    pub(crate) fn reseed(&mut self) {
        let n = self.app_name.value().to_string();
        let with = |s: String| if n.is_empty() { String::new() } else { s };
        self.alias.seed(with(format!("{n}-mongodb-cmk")));
        self.description.seed(with(format!(
            "MongoDB {} master key for {n}",
            self.feature.short()
        )));
        self.user_name.seed(with(format!("{n}-mongodb-kms")));
        self.role_name.seed(with(format!("{n}-mongodb-kms-role")));
    }

    pub fn trusted(&self) -> TrustedPrincipal {
        match self.principal {
            Principal::Ec2 => TrustedPrincipal::Ec2,
            Principal::EcsTasks => TrustedPrincipal::EcsTasks,
            Principal::Lambda => TrustedPrincipal::Lambda,
            Principal::Arn => TrustedPrincipal::Arn(self.principal_arn.value().to_string()),
        }
    }
}

/// The focusable rows of the encryption steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Feature,
    Region,
    AppName,
    KeyMode,
    KeyList,
    Alias,
    Description,
    KeyTag(usize),
    AccountKind,
    UserName,
    RoleName,
    Principal,
    PrincipalArn,
    AccountTag(usize),
}

/// Where the focus is on each encryption step, kept while moving between them.
#[derive(Clone, Debug)]
pub struct EncFocus {
    pub purpose: usize,
    pub key: usize,
    pub account: usize,
    /// The column on a tag row.
    pub tag_col: TagCol,
    /// The key list's cursor and filter.
    pub keys: ListUi,
    pub review_scroll: u16,
}

impl Default for EncFocus {
    fn default() -> Self {
        EncFocus {
            purpose: 0,
            // The key list (or the new key's alias), past the Existing/New choice.
            key: 1,
            account: 0,
            tag_col: TagCol::Key,
            keys: ListUi::default(),
            review_scroll: 0,
        }
    }
}

/// The role made for production, and the documents for it.
#[derive(Debug)]
pub struct RoleResult {
    pub role: CreatedRole,
    pub docs: Documents,
    pub focus: Row,
    pub copied: Option<Copied>,
}

impl RoleResult {
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = vec![Row::RoleArn];
        if self.role.instance_profile.is_some() {
            rows.push(Row::InstanceProfile);
        }
        rows.extend([
            Row::RoleKmsProviders,
            Row::SessionTemplate,
            Row::MasterKey,
            Row::Snippet,
        ]);
        rows
    }

    /// The full text of a row, as copied.
    pub fn text(&self, row: Row) -> Option<String> {
        match row {
            Row::RoleArn => Some(self.role.arn.clone()),
            Row::InstanceProfile => self.role.instance_profile.clone(),
            Row::RoleKmsProviders => Some(crate::mongo::kms_providers_role()),
            Row::SessionTemplate => Some(crate::mongo::kms_providers_session_template()),
            Row::MasterKey => Some(self.docs.master_key_json()),
            Row::Snippet => Some(self.docs.snippet(crate::mongo::Credentials::Role)),
            _ => None,
        }
    }
}

/// What the last encryption run made, for the Done screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MadeByRun {
    /// "IAM user" or "IAM role".
    pub kind: &'static str,
    pub name: String,
    pub key_arn: String,
    pub key_created: bool,
}

/// The encryption flow's state.
#[derive(Debug, Default)]
pub struct Enc {
    /// The flow was entered from User details (Esc on Purpose goes back there).
    pub from_users: bool,
    pub draft: EncDraft,
    pub focus: EncFocus,
    /// The KMS keys of a region, as last loaded.
    pub keys: Option<(String, Remote<Vec<KmsKey>>)>,
    pub(crate) keys_seq: u64,
    /// Something was entered or chosen in this flow.
    pub dirty: bool,
    pub role: Option<RoleResult>,
    pub made: Option<MadeByRun>,
    /// When to check the service account's names with AWS (a tick).
    pub(crate) name_check_due: Option<u64>,
    /// Enter was pressed on Purpose while the region was still being read: the step goes on
    /// once it arrives.
    pub(crate) enter_when_region: bool,
}
