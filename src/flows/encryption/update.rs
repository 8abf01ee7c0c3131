//! The keys of the encryption flow's steps and of the role result screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::work::{check_account_names, check_names_soon, load_kms_keys, start};
use super::*;
use crate::app::reveal::{Copied, CopyWhat};
use crate::app::{App, Command, Remote, Screen, TagCol};
use crate::flows::users::draft::{TAGS_MAX, TagRow};
use crate::flows::users::update::{self as screens, Edit, FieldRule};
use crate::kit::tags::{drop_empty, validate_tags};
use crate::kit::text::TextField;
use crate::protocol::EncryptionFeature;

/// The focused text field of an encryption step and its rule.
fn field_of(app: &mut App, item: Item) -> Option<(&mut TextField, FieldRule)> {
    let col = app.enc.focus.tag_col;
    let d = &mut app.enc.draft;
    fn tag(row: &mut TagRow, col: TagCol) -> (&mut TextField, FieldRule) {
        row.field(col)
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

pub(crate) fn focus_item(app: &mut App, item: Item) {
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
        let mut cmds = load_kms_keys(app, true);
        cmds.extend(app.reload());
        return cmds;
    }
    if key.code == KeyCode::Esc {
        match app.screen {
            Screen::EncPurpose if app.enc.from_users => {
                app.flow = crate::flows::Flow::Users;
                app.screen = Screen::Details;
            }
            Screen::EncPurpose => app.info("This is the first step. Ctrl-C quits."),
            s => {
                app.screen = app.flow.prev(s);
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
            let n = app.filtered_kms_keys().len();
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
            choose_kms_key(app);
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
            d.key_mode_chosen = true;
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
fn choose_kms_key(app: &mut App) -> bool {
    let Some(key) = app
        .filtered_kms_keys()
        .get(app.enc.focus.keys.cursor)
        .map(|k| (*k).clone())
    else {
        app.error(match app.region_kms_keys() {
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
pub(crate) fn next_step(app: &mut App) -> Vec<Command> {
    let d = &app.enc.draft;
    if app.screen == Screen::EncPurpose
        && d.region.is_empty()
        && !d.region_edited
        && matches!(app.catalog.identity, Remote::Loading)
    {
        // The region comes with the caller's identity, still on its way.
        app.enc.enter_when_region = true;
        app.info("Reading your AWS region… the next step follows as soon as it is in.");
        return Vec::new();
    }
    let check = match app.screen {
        Screen::EncPurpose => app.check_purpose(),
        Screen::EncKey => {
            drop_empty(&mut app.enc.draft.key_tags);
            move_focus(app, 0);
            if app.enc.draft.key_mode == KeyMode::Existing
                && app.enc.draft.chosen.is_none()
                && app.enc_item() == Some(Item::KeyList)
                && !choose_kms_key(app)
            {
                return Vec::new();
            }
            app.check_kms_key()
        }
        Screen::EncAccount => {
            drop_empty(&mut app.enc.draft.account_tags);
            move_focus(app, 0);
            app.check_account()
        }
        _ => Ok(()),
    };
    if let Err((item, e)) = check {
        focus_item(app, item);
        // The rule that failed names the cell.
        if let Some(Err(p)) = tags_mut(app).map(|tags| validate_tags(tags)) {
            app.enc.focus.tag_col = p.col;
        }
        app.error(e);
        return Vec::new();
    }
    match app.screen {
        Screen::EncPurpose => {
            app.screen = Screen::EncKey;
            load_kms_keys(app, false)
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
        KeyCode::Char(c @ '1'..='3') => {
            if let Some(step) = app.flow.step(c as usize - '1' as usize) {
                app.screen = step;
            }
        }
        KeyCode::Up => *scroll = scroll.saturating_sub(1),
        KeyCode::Down => *scroll = scroll.saturating_add(1),
        KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
        KeyCode::PageDown => *scroll = scroll.saturating_add(10),
        _ => {}
    }
    Vec::new()
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
