//! The guided MongoDB encryption service account: Purpose, Key, Account and Review, the request
//! that creates the key and the account, and the role result screen. The secrets of a new user
//! go to the one-time reveal like the users flow's.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::draft::{self, TAGS_MAX, TagRow};
use super::reveal::{Copied, CopyWhat, Documents, Row};
use super::screens::{self, Edit, FieldRule};
use super::{App, Command, Creation, Failure, ListUi, Remote, Reveal, Screen, TagCol};
use crate::kit::text::TextField;
use crate::mongo::Language;
use crate::protocol::{
    AwsError, CreatedRole, DiscardKey, EncryptionAccount, EncryptionFeature, EncryptionResult,
    EncryptionSpec, KMS_POLICY_NAME, KeyChoice, KmsKey, NameKind, Request, ServiceAccount,
    StepStatus, TrustedPrincipal,
};

pub const APP_NAME_MAX: usize = 32;
/// The alias name without `alias/` (AWS allows 256 characters with the prefix).
pub const ALIAS_MAX: usize = 250;
pub const DESCRIPTION_MAX: usize = 8192;
pub const ROLE_NAME_MAX: usize = 64;
pub const ARN_MAX: usize = 2048;

/// The screens of the encryption flow that the admin fills in, in order.
pub const STEPS: [Screen; 4] = [
    Screen::EncPurpose,
    Screen::EncKey,
    Screen::EncAccount,
    Screen::EncReview,
];

/// The key policy, in the words Key and Review show.
pub const KEY_POLICY_SENTENCE: &str = "The key policy stays the account default: the service \
                                       account gets no administrative rights on the key.";

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

    fn step(self, by: isize) -> Principal {
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
    fn reseed(&mut self) {
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
pub struct Made {
    /// "IAM user" or "IAM role".
    pub kind: &'static str,
    pub name: String,
    pub key_arn: String,
    pub key_created: bool,
}

/// The encryption flow's state.
#[derive(Debug, Default)]
pub struct Enc {
    /// The admin is in the encryption flow (its screens, or creating and revealing from it).
    pub active: bool,
    /// The flow was entered from User details (Esc on Purpose goes back there).
    pub from_users: bool,
    pub draft: EncDraft,
    pub focus: EncFocus,
    /// The KMS keys of a region, as last loaded.
    pub keys: Option<(String, Remote<Vec<KmsKey>>)>,
    keys_seq: u64,
    /// Something was entered or chosen in this flow.
    pub dirty: bool,
    pub role: Option<RoleResult>,
    pub made: Option<Made>,
    /// When to check the service account's names with AWS (a tick).
    name_check_due: Option<u64>,
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

impl Screen {
    /// Whether this is one of the encryption flow's steps (Purpose to Review).
    pub fn is_encryption_step(self) -> bool {
        STEPS.contains(&self)
    }
}

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
        self.enc.active
    }

    /// The loaded keys, when they are the draft region's.
    pub fn region_keys(&self) -> Option<&Remote<Vec<KmsKey>>> {
        match &self.enc.keys {
            Some((region, keys)) if region == self.enc.draft.region.value() => Some(keys),
            _ => None,
        }
    }

    /// The region's keys that pass the filter, in the order KMS listed them.
    pub fn filtered_keys(&self) -> Vec<&KmsKey> {
        let f = self.enc.focus.keys.filter.value();
        match self.region_keys() {
            Some(Remote::Ready(keys)) => keys
                .iter()
                .filter(|k| {
                    super::matches(f, &k.id)
                        || super::matches(f, &k.description)
                        || k.aliases.iter().any(|a| super::matches(f, a))
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

    fn check_purpose(&self) -> Result<(), (Item, String)> {
        let d = &self.enc.draft;
        validate_region(d.region.value()).map_err(|e| (Item::Region, e))?;
        validate_app_name(d.app_name.value()).map_err(|e| (Item::AppName, e))
    }

    fn check_key(&self) -> Result<(), (Item, String)> {
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
                let keys = match self.region_keys() {
                    Some(Remote::Ready(keys)) => Some(keys.as_slice()),
                    _ => None,
                };
                validate_alias(d.alias.value(), keys).map_err(|e| (Item::Alias, e))?;
                validate_description(d.description.value()).map_err(|e| (Item::Description, e))?;
                draft::validate_tags(&d.key_tags)
                    .map_err(|(row, e)| (Item::KeyTag(row.min(d.key_tags.len() - 1)), e))
            }
        }
    }

    fn check_account(&self) -> Result<(), (Item, String)> {
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
        draft::validate_tags(&d.account_tags)
            .map_err(|(row, e)| (Item::AccountTag(row.min(d.account_tags.len() - 1)), e))
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
        self.check_key().map_err(|(i, e)| (Screen::EncKey, i, e))?;
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

/// Opens the encryption flow on Purpose; `from_users` when entered from User details.
pub(crate) fn enter(app: &mut App, from_users: bool) {
    app.enc.active = true;
    app.enc.from_users = from_users;
    app.screen = Screen::EncPurpose;
    seed_region(app);
}

/// The region follows the admin's (from the identity) until typed.
pub(crate) fn seed_region(app: &mut App) {
    let Some(id) = app.catalog.identity.ready() else {
        return;
    };
    let d = &mut app.enc.draft;
    if !d.region_edited && d.region.is_empty() && !id.region.is_empty() {
        d.region = TextField::new(&id.region);
    }
}

/// A fresh encryption flow after a run, with the same entry.
pub(crate) fn start_over(app: &mut App) {
    // The keys are read again: the run may have made one.
    let from_users = app.enc.from_users;
    app.enc = Enc::default();
    enter(app, from_users);
}

/// Asks for the region's keys when they are not loaded (or `force`).
fn load_keys(app: &mut App, force: bool) -> Vec<Command> {
    let region = app.enc.draft.region.value().to_string();
    if validate_region(&region).is_err() {
        return Vec::new();
    }
    let loaded =
        matches!(&app.enc.keys, Some((r, Remote::Ready(_) | Remote::Loading)) if *r == region);
    if loaded && !force {
        return Vec::new();
    }
    if app
        .enc
        .draft
        .chosen
        .as_ref()
        .is_some_and(|k| arn_region(&k.arn) != region)
    {
        app.enc.draft.chosen = None;
    }
    let seq = app.next_seq();
    app.enc.keys_seq = seq;
    app.enc.keys = Some((region.clone(), Remote::Loading));
    app.enc.focus.keys.cursor = 0;
    vec![Command::Worker(Request::LoadKmsKeys { seq, region })]
}

pub(crate) fn on_keys(
    app: &mut App,
    seq: u64,
    region: String,
    result: Result<Vec<KmsKey>, AwsError>,
) {
    if seq != app.enc.keys_seq {
        return;
    }
    let keys = Remote::from(result);
    if let (Remote::Ready(list), Some(chosen)) = (&keys, app.enc.draft.chosen.as_ref()) {
        // The key as KMS describes it now (its state may have changed), or none if it is gone.
        app.enc.draft.chosen = list.iter().find(|k| k.arn == chosen.arn).cloned();
    }
    app.enc.keys = Some((region, keys));
    let n = app.filtered_keys().len();
    app.enc.focus.keys.cursor = app.enc.focus.keys.cursor.min(n.saturating_sub(1));
}

/// The heartbeat's part: checks the service account's names with AWS once typing rests on
/// Account.
pub(crate) fn tick(app: &mut App) -> Vec<Command> {
    let Some(due) = app.enc.name_check_due else {
        return Vec::new();
    };
    if app.screen != Screen::EncAccount {
        app.enc.name_check_due = None;
        return Vec::new();
    }
    if app.ticks < due {
        return Vec::new();
    }
    check_account_names(app)
}

/// Checks the service account's names that are not checked yet, now.
fn check_account_names(app: &mut App) -> Vec<Command> {
    app.enc.name_check_due = None;
    app.account_names()
        .into_iter()
        .filter_map(|(kind, name)| app.check_name(kind, name))
        .collect()
}

/// Checks the service account's names once the admin has rested on Account for a moment.
fn check_names_soon(app: &mut App) {
    app.enc.name_check_due = Some(app.ticks + super::NAME_CHECK_DELAY);
}

/// The focused text field of an encryption step and its rule.
fn field_of(app: &mut App, item: Item) -> Option<(&mut TextField, FieldRule)> {
    let col = app.enc.focus.tag_col;
    let d = &mut app.enc.draft;
    fn tag(row: &mut TagRow, col: TagCol) -> (&mut TextField, FieldRule) {
        match col {
            TagCol::Key => (&mut row.key, screens::TAG_KEY),
            TagCol::Value => (&mut row.value, screens::TAG_VALUE),
        }
    }
    Some(match item {
        Item::Region => (&mut d.region, REGION),
        Item::AppName => (&mut d.app_name, APP_NAME),
        Item::KeyList => (&mut app.enc.focus.keys.filter, screens::FILTER),
        Item::Alias => (&mut d.alias.field, ALIAS),
        Item::Description => (&mut d.description.field, DESCRIPTION),
        Item::KeyTag(i) => tag(d.key_tags.get_mut(i)?, col),
        Item::UserName => (&mut d.user_name.field, screens::USER_NAME),
        Item::RoleName => (&mut d.role_name.field, ROLE_NAME),
        Item::PrincipalArn => (&mut d.principal_arn, PRINCIPAL_ARN),
        Item::AccountTag(i) => tag(d.account_tags.get_mut(i)?, col),
        Item::Feature | Item::KeyMode | Item::AccountKind | Item::Principal => return None,
    })
}

/// What follows a change of `item`'s text: seeded fields stop following, the application name
/// re-seeds, the key filter starts over, the user or role name is checked once typing rests.
fn changed(app: &mut App, item: Item) {
    app.enc.dirty = true;
    let d = &mut app.enc.draft;
    match item {
        Item::Region => d.region_edited = true,
        Item::AppName => d.reseed(),
        Item::Alias => d.alias.edited = true,
        Item::Description => d.description.edited = true,
        Item::RoleName => {
            d.role_name.edited = true;
            check_names_soon(app);
        }
        Item::UserName => {
            d.user_name.edited = true;
            check_names_soon(app);
        }
        Item::KeyList => app.enc.focus.keys.cursor = 0,
        _ => {}
    }
}

/// Pasting into the focused field of an encryption step, whole or not at all.
pub(crate) fn paste(app: &mut App, text: &str) {
    let Some(item) = app.enc_item() else { return };
    let Some((field, rule)) = field_of(app, item) else {
        return;
    };
    match screens::paste_into(field, rule, text) {
        Ok(()) => changed(app, item),
        Err(e) => app.error(e),
    }
}

fn focus_mut(app: &mut App) -> Option<&mut usize> {
    match app.screen {
        Screen::EncPurpose => Some(&mut app.enc.focus.purpose),
        Screen::EncKey => Some(&mut app.enc.focus.key),
        Screen::EncAccount => Some(&mut app.enc.focus.account),
        _ => None,
    }
}

fn focus_item(app: &mut App, item: Item) {
    let items = app.enc_items(app.screen);
    if let Some(i) = items.iter().position(|x| *x == item)
        && let Some(at) = focus_mut(app)
    {
        *at = i;
    }
}

/// Moves the focus `by` rows, staying within the step.
fn move_focus(app: &mut App, by: isize) {
    let n = app.enc_items(app.screen).len();
    if let Some(at) = focus_mut(app) {
        let i = (*at).min(n.saturating_sub(1)) as isize + by;
        *at = i.clamp(0, n.saturating_sub(1) as isize) as usize;
    }
}

fn is_tag(item: Item) -> bool {
    matches!(item, Item::KeyTag(_) | Item::AccountTag(_))
}

/// The keys of Purpose, Key, Account and Review.
pub(crate) fn key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('r') {
        app.info("Reloading the KMS keys and the account's lists…");
        let mut cmds = load_keys(app, true);
        cmds.extend(app.reload());
        return cmds;
    }
    if key.code == KeyCode::Esc {
        match app.screen {
            Screen::EncPurpose if app.enc.from_users => {
                app.enc.active = false;
                app.screen = Screen::Details;
            }
            Screen::EncPurpose => app.info("This is the first step. Ctrl-C quits."),
            s => {
                let i = STEPS.iter().position(|x| *x == s).unwrap_or(1);
                app.screen = STEPS[i.saturating_sub(1)];
            }
        }
        return Vec::new();
    }
    if app.screen == Screen::EncReview {
        return review_key(app, key);
    }
    let Some(item) = app.enc_item() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Enter => return next_step(app),
        KeyCode::Char('n') if ctrl => add_tag(app),
        KeyCode::Insert => add_tag(app),
        KeyCode::Char('d') if ctrl => remove_tag(app, item),
        KeyCode::Tab if is_tag(item) && app.enc.focus.tag_col == TagCol::Key => {
            app.enc.focus.tag_col = TagCol::Value;
        }
        KeyCode::BackTab if is_tag(item) && app.enc.focus.tag_col == TagCol::Value => {
            app.enc.focus.tag_col = TagCol::Key;
        }
        KeyCode::Tab => {
            app.enc.focus.tag_col = TagCol::Key;
            move_focus(app, 1);
        }
        KeyCode::BackTab => {
            app.enc.focus.tag_col = TagCol::Key;
            move_focus(app, -1);
        }
        // Up from the top of the list goes back to the Existing/New choice.
        KeyCode::Up if item == Item::KeyList && app.enc.focus.keys.cursor == 0 => {
            move_focus(app, -1);
        }
        KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown
            if item == Item::KeyList =>
        {
            let n = app.filtered_keys().len();
            let list = &mut app.enc.focus.keys;
            let last = n.saturating_sub(1);
            list.cursor = match key.code {
                KeyCode::Up => list.cursor.saturating_sub(1),
                KeyCode::Down => (list.cursor + 1).min(last),
                KeyCode::PageUp => list.cursor.saturating_sub(10),
                _ => (list.cursor + 10).min(last),
            };
        }
        KeyCode::Down => move_focus(app, 1),
        KeyCode::Up => move_focus(app, -1),
        KeyCode::Char(' ') if item == Item::KeyList => {
            choose_key(app);
        }
        KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right
            if matches!(
                item,
                Item::Feature | Item::KeyMode | Item::AccountKind | Item::Principal
            ) =>
        {
            let back = key.code == KeyCode::Left;
            toggle(app, item, back);
        }
        _ => {
            let result = match field_of(app, item) {
                Some((field, rule)) => screens::edit(field, rule, &key),
                None => Ok(Edit::Ignored),
            };
            match result {
                Ok(Edit::Changed) => changed(app, item),
                Ok(_) => {}
                Err(e) => app.error(e),
            }
        }
    }
    Vec::new()
}

fn toggle(app: &mut App, item: Item, back: bool) {
    app.enc.dirty = true;
    let d = &mut app.enc.draft;
    match item {
        Item::Feature => {
            d.feature = match d.feature {
                EncryptionFeature::Csfle => EncryptionFeature::QueryableEncryption,
                EncryptionFeature::QueryableEncryption => EncryptionFeature::Csfle,
            };
            d.reseed();
        }
        Item::KeyMode => {
            d.key_mode = match d.key_mode {
                KeyMode::Existing => KeyMode::New,
                KeyMode::New => KeyMode::Existing,
            };
        }
        Item::AccountKind => {
            d.account = match d.account {
                AccountKind::User => AccountKind::Role,
                AccountKind::Role => AccountKind::User,
            };
        }
        Item::Principal => d.principal = d.principal.step(if back { -1 } else { 1 }),
        _ => {}
    }
    // Another kind of account (or trust) takes other names.
    if matches!(item, Item::AccountKind | Item::Principal) {
        check_names_soon(app);
    }
}

/// Chooses the key under the cursor, unless it cannot be used (the message says why). Returns
/// whether a key is chosen.
fn choose_key(app: &mut App) -> bool {
    let Some(key) = app
        .filtered_keys()
        .get(app.enc.focus.keys.cursor)
        .map(|k| (*k).clone())
    else {
        app.error(match app.region_keys() {
            Some(Remote::Ready(_)) => "No key to choose here: switch to New to create one.",
            Some(Remote::Failed(_)) => "The keys could not be read: Ctrl-R tries again.",
            _ => "The keys are still loading.",
        });
        return false;
    };
    if let Some(why) = key.refusal() {
        app.error(format!("{} cannot be used: {why}.", key.display_name()));
        return false;
    }
    app.info(format!("Chosen: {}.", key.display_name()));
    app.enc.draft.chosen = Some(key);
    app.enc.dirty = true;
    true
}

fn tags_mut(app: &mut App) -> Option<&mut Vec<TagRow>> {
    match app.screen {
        Screen::EncKey if app.enc.draft.key_mode == KeyMode::New => {
            Some(&mut app.enc.draft.key_tags)
        }
        Screen::EncAccount => Some(&mut app.enc.draft.account_tags),
        _ => None,
    }
}

fn add_tag(app: &mut App) {
    let screen = app.screen;
    let Some(tags) = tags_mut(app) else {
        app.info("Tags go on a new key: switch to New first.");
        return;
    };
    if tags.len() >= TAGS_MAX {
        let what = if screen == Screen::EncKey {
            "A key"
        } else {
            "An account"
        };
        app.error(format!("{what} can have at most {TAGS_MAX} tags."));
        return;
    }
    tags.push(TagRow {
        key: TextField::default(),
        value: TextField::default(),
    });
    let row = tags.len() - 1;
    app.enc.dirty = true;
    app.enc.focus.tag_col = TagCol::Key;
    focus_item(
        app,
        if screen == Screen::EncKey {
            Item::KeyTag(row)
        } else {
            Item::AccountTag(row)
        },
    );
}

fn remove_tag(app: &mut App, item: Item) {
    let (Item::KeyTag(row) | Item::AccountTag(row)) = item else {
        app.info("Move to a tag row to remove it.");
        return;
    };
    if let Some(tags) = tags_mut(app)
        && row < tags.len()
    {
        tags.remove(row);
        app.enc.focus.tag_col = TagCol::Key;
        move_focus(app, 0);
    }
}

/// Enter on a step: checks it, then moves on (or says what is wrong and stays).
fn next_step(app: &mut App) -> Vec<Command> {
    let check = match app.screen {
        Screen::EncPurpose => app.check_purpose(),
        Screen::EncKey => {
            // Rows left entirely empty are dropped rather than refused.
            app.enc
                .draft
                .key_tags
                .retain(|t| !(t.key.is_empty() && t.value.is_empty()));
            move_focus(app, 0);
            if app.enc.draft.key_mode == KeyMode::Existing
                && app.enc.draft.chosen.is_none()
                && app.enc_item() == Some(Item::KeyList)
                && !choose_key(app)
            {
                return Vec::new();
            }
            app.check_key()
        }
        Screen::EncAccount => {
            // Rows left entirely empty are dropped rather than refused.
            app.enc
                .draft
                .account_tags
                .retain(|t| !(t.key.is_empty() && t.value.is_empty()));
            move_focus(app, 0);
            app.check_account()
        }
        _ => Ok(()),
    };
    if let Err((item, e)) = check {
        focus_item(app, item);
        if is_tag(item) {
            app.enc.focus.tag_col = if e.contains("tag value") {
                TagCol::Value
            } else {
                TagCol::Key
            };
        }
        app.error(e);
        return Vec::new();
    }
    match app.screen {
        Screen::EncPurpose => {
            app.screen = Screen::EncKey;
            load_keys(app, false)
        }
        Screen::EncKey => {
            app.screen = Screen::EncAccount;
            // The names seeded from the application name are checked too.
            check_names_soon(app);
            Vec::new()
        }
        Screen::EncAccount => {
            app.screen = Screen::EncReview;
            check_account_names(app)
        }
        _ => Vec::new(),
    }
}

fn review_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let scroll = &mut app.enc.focus.review_scroll;
    match key.code {
        KeyCode::Enter => return start(app),
        KeyCode::Char(c @ '1'..='3') => app.screen = STEPS[c as usize - '1' as usize],
        KeyCode::Up => *scroll = scroll.saturating_sub(1),
        KeyCode::Down => *scroll = scroll.saturating_add(1),
        KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
        KeyCode::PageDown => *scroll = scroll.saturating_add(10),
        _ => {}
    }
    Vec::new()
}

/// Starts the creation from Review, after checking everything again.
fn start(app: &mut App) -> Vec<Command> {
    if let Err((screen, item, e)) = app.check_encryption() {
        app.screen = screen;
        focus_item(app, item);
        app.error(e);
        return Vec::new();
    }
    let spec = app.encryption_spec();
    let plan = spec.plan();
    let run = app.next_seq();
    app.creation = Some(Creation {
        run,
        started: app.ticks,
        users: plan.iter().map(|(name, _)| name.clone()).collect(),
        steps: plan
            .into_iter()
            .map(|(_, steps)| {
                steps
                    .into_iter()
                    .map(|k| (k, StepStatus::Pending))
                    .collect()
            })
            .collect(),
        failure: None,
        grouped: true,
        verify: None,
    });
    app.screen = Screen::Creating;
    vec![Command::Worker(Request::CreateEncryption { run, spec })]
}

/// The worker's answer to the creation.
pub(crate) fn finish(app: &mut App, result: EncryptionResult) {
    let Some(creation) = app.creation.as_mut() else {
        return;
    };
    match result {
        EncryptionResult::Created(c) => {
            // A new key carries the alias the admin typed for it (see `encryption_spec`).
            let new_key = c.key_created.then(|| {
                let alias = app.enc.draft.alias.value();
                DiscardKey {
                    region: c.region.clone(),
                    key_arn: c.key_arn.clone(),
                    alias: (!alias.is_empty()).then(|| alias.to_string()),
                }
            });
            let docs = Documents {
                feature: c.feature,
                key_arn: c.key_arn.clone(),
                key_created: c.key_created,
                region: c.region,
                endpoint: c.endpoint,
                verification: c.verification,
                language: Language::Mongosh,
                scroll: 0,
            };
            match c.account {
                EncryptionAccount::User(user) => {
                    app.enc.made = Some(Made {
                        kind: "IAM user",
                        name: user.name.clone(),
                        key_arn: c.key_arn,
                        key_created: c.key_created,
                    });
                    app.created = vec![user.name.clone()];
                    let mut reveal = Reveal::new(vec![user], app.options.csv_dir.clone());
                    reveal.docs = Some(docs);
                    reveal.new_key = new_key;
                    app.reveal = Some(reveal);
                    app.screen = Screen::Reveal;
                }
                EncryptionAccount::Role(role) => {
                    app.enc.made = Some(Made {
                        kind: "IAM role",
                        name: role.name.clone(),
                        key_arn: c.key_arn,
                        key_created: c.key_created,
                    });
                    app.created = vec![role.name.clone()];
                    app.enc.role = Some(RoleResult {
                        role,
                        docs,
                        focus: Row::RoleArn,
                        copied: None,
                    });
                    app.screen = Screen::EncRole;
                }
            }
        }
        EncryptionResult::Failed {
            group,
            step,
            error,
            leftovers,
            key_deletion,
        } => {
            creation.failure = Some(Failure {
                user: group,
                step,
                error,
                leftovers,
                key_deletion,
            });
        }
    }
}

/// The keys of the role result screen: rows, copy, languages, and Enter (or q) to finish.
pub(crate) fn role_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let Some(r) = app.enc.role.as_mut() else {
        return Vec::new();
    };
    let rows = r.rows();
    let at = rows.iter().position(|x| *x == r.focus).unwrap_or(0);
    match key.code {
        KeyCode::Down | KeyCode::Tab => r.focus = rows[(at + 1) % rows.len()],
        KeyCode::Up | KeyCode::BackTab => r.focus = rows[(at + rows.len() - 1) % rows.len()],
        KeyCode::Char('l') => r.docs.next_language(),
        KeyCode::Char('L') => r.docs.prev_language(),
        KeyCode::PageDown => r.docs.scroll = r.docs.scroll.saturating_add(5),
        KeyCode::PageUp => r.docs.scroll = r.docs.scroll.saturating_sub(5),
        KeyCode::Char('c') => {
            let what = CopyWhat::Row(r.focus);
            r.copied = Some(Copied {
                what,
                to: None,
                clear_at: None,
            });
            return vec![Command::Copy(what)];
        }
        KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q') => {
            app.screen = Screen::Done;
        }
        _ => {}
    }
    Vec::new()
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
