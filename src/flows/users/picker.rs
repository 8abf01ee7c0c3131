//! The policy picker behind the Permissions pane's policy list and the Boundary step: fuzzy
//! search over the managed-policy catalogue, a filter by type, and a preview of the highlighted
//! policy's default version, fetched on demand.
//!
//! Searching must keep up with typing over the whole catalogue (about 1,500 policies in a real
//! account), so the names are prepared once when the catalogue arrives, one [`Matcher`] is reused,
//! and each picker's filtered list is cached here and recomputed in `update` only when its filter,
//! its type or the catalogue changes. The views read the cache.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::HashMap;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

use crate::app::{App, Command, ListUi, PermPane, Screen};
use crate::protocol::{AwsError, PolicyDocument, PolicyInfo, PolicyScope, Request};

/// How many ticks (250 ms each) the highlight rests on a policy before its document is fetched:
/// holding an arrow key fetches nothing.
pub const REST_TICKS: u32 = 1;

/// Which managed policies a picker lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PolicyType {
    #[default]
    All,
    AwsManaged,
    CustomerManaged,
    /// AWS managed policies for job functions (path `/job-function/`).
    JobFunction,
}

impl PolicyType {
    pub fn label(self) -> &'static str {
        match self {
            PolicyType::All => "All",
            PolicyType::AwsManaged => "AWS managed",
            PolicyType::CustomerManaged => "Customer managed",
            PolicyType::JobFunction => "Job function",
        }
    }

    /// The next type, as Ctrl-T cycles them.
    pub fn next(self) -> PolicyType {
        match self {
            PolicyType::All => PolicyType::AwsManaged,
            PolicyType::AwsManaged => PolicyType::CustomerManaged,
            PolicyType::CustomerManaged => PolicyType::JobFunction,
            PolicyType::JobFunction => PolicyType::All,
        }
    }

    pub fn admits(self, p: &PolicyInfo) -> bool {
        match self {
            PolicyType::All => true,
            PolicyType::AwsManaged => p.scope == PolicyScope::Aws,
            PolicyType::CustomerManaged => p.scope == PolicyScope::Customer,
            PolicyType::JobFunction => p.is_job_function(),
        }
    }
}

/// How a policy's type reads in a list row and in the preview.
pub fn type_label(p: &PolicyInfo) -> &'static str {
    if p.is_job_function() {
        "Job function"
    } else {
        p.scope.label()
    }
}

/// A catalogue name prepared for searching, once, when the catalogue arrives.
#[derive(Debug)]
struct SearchName {
    lower: Box<str>,
    chars: Utf32String,
}

impl SearchName {
    fn new(name: &str) -> SearchName {
        SearchName {
            lower: name.to_lowercase().into_boxed_str(),
            chars: Utf32String::from(name),
        }
    }
}

/// One picker's filtered list (indices into the catalogue, best match first), and what it was
/// computed for.
#[derive(Debug, Default)]
struct Filtered {
    filter: String,
    kind: PolicyType,
    /// `None`: never computed.
    generation: Option<u64>,
    indices: Vec<u32>,
}

impl Filtered {
    fn is_for(&self, list: &ListUi, generation: u64) -> bool {
        self.generation == Some(generation)
            && self.kind == list.policy_type
            && self.filter == list.filter.value()
    }
}

/// The matcher settings: case-insensitive, with nucleo's bonuses for word and camel-case
/// boundaries (`s3full` finds `AmazonS3FullAccess`).
fn config() -> Config {
    let mut config = Config::DEFAULT;
    config.ignore_case = true;
    config.prefer_prefix = true;
    config
}

/// A matcher for views that highlight matched characters (a view cannot borrow the app's).
pub fn new_matcher() -> Matcher {
    Matcher::new(config())
}

fn pattern(filter: &str) -> Pattern {
    Pattern::new(
        filter,
        CaseMatching::Ignore,
        Normalization::Smart,
        AtomKind::Fuzzy,
    )
}

/// Filters `policies` (whose prepared names are `names`) by `filter` and `kind`: exact name
/// matches first, then names that start with the filter, then names that contain it, then the
/// other fuzzy matches; within each, the best score first, ties by name. An empty filter keeps the
/// catalogue order.
///
/// The words of `filter` (split at spaces) each match as a subsequence of the name, ignoring case,
/// with nucleo's bonuses for matches at word and camel-case boundaries and near the start.
fn filter_into(
    names: &[SearchName],
    policies: &[PolicyInfo],
    filter: &str,
    kind: PolicyType,
    matcher: &mut Matcher,
    scratch: &mut Vec<(u8, u32, u32)>,
    out: &mut Vec<u32>,
) {
    out.clear();
    let lower = filter.trim().to_lowercase();
    let admitted = policies
        .iter()
        .zip(names)
        .enumerate()
        .filter(|(_, (p, _))| kind.admits(p));
    if lower.is_empty() {
        out.extend(admitted.map(|(i, _)| i as u32));
        return;
    }
    let pattern = pattern(filter);
    // Names have no spaces: `s3 full` is found whole in `amazons3fullaccess`.
    let run: String = lower.split_whitespace().collect();
    scratch.clear();
    for (i, (_, name)) in admitted {
        let Some(score) = pattern.score(name.chars.slice(..), matcher) else {
            continue;
        };
        let tier = if *name.lower == *run {
            0
        } else if name.lower.starts_with(run.as_str()) {
            1
        } else if name.lower.contains(run.as_str()) {
            2
        } else {
            3
        };
        scratch.push((tier, score, i as u32));
    }
    scratch.sort_unstable_by(|a, b| {
        (a.0, Reverse(a.1))
            .cmp(&(b.0, Reverse(b.1)))
            .then_with(|| names[a.2 as usize].lower.cmp(&names[b.2 as usize].lower))
            .then(a.2.cmp(&b.2))
    });
    out.extend(scratch.iter().map(|s| s.2));
}

/// The character positions of `name` that `filter` matches, for highlighting.
pub fn match_positions(filter: &str, name: &str, matcher: &mut Matcher) -> Vec<u32> {
    let mut positions = Vec::new();
    if filter.trim().is_empty() {
        return positions;
    }
    let chars = Utf32String::from(name);
    pattern(filter).indices(chars.slice(..), matcher, &mut positions);
    positions.sort_unstable();
    positions.dedup();
    positions
}

/// The picker's state: the prepared catalogue, the cached filtered lists, the preview.
#[derive(Debug)]
pub struct Picker {
    names: Vec<SearchName>,
    /// Bumped whenever the catalogue changes: a filtered list of another generation is stale.
    generation: u64,
    matcher: Matcher,
    scratch: Vec<(u8, u32, u32)>,
    /// The Permissions pane's list and the Boundary step's list.
    lists: [Filtered; 2],
    pub preview: Preview,
}

impl Default for Picker {
    fn default() -> Picker {
        Picker {
            names: Vec::new(),
            generation: 0,
            matcher: Matcher::new(config()),
            scratch: Vec::new(),
            lists: Default::default(),
            preview: Preview::default(),
        }
    }
}

impl Picker {
    /// The catalogue indices `list` shows, best match first: the cached list when it is current,
    /// else computed here (for callers that changed a filter outside `update`).
    pub fn indices<'a>(&'a self, policies: &[PolicyInfo], list: &ListUi) -> Cow<'a, [u32]> {
        if self.names.len() == policies.len()
            && let Some(f) = self.lists.iter().find(|f| f.is_for(list, self.generation))
        {
            return Cow::Borrowed(&f.indices);
        }
        let fresh;
        let names = if self.names.len() == policies.len() {
            &self.names
        } else {
            fresh = policies
                .iter()
                .map(|p| SearchName::new(&p.name))
                .collect::<Vec<_>>();
            &fresh
        };
        let mut out = Vec::new();
        filter_into(
            names,
            policies,
            list.filter.value(),
            list.policy_type,
            &mut Matcher::new(config()),
            &mut Vec::new(),
            &mut out,
        );
        Cow::Owned(out)
    }

    /// Forgets the catalogue and every fetched document (the lists are being read again).
    pub fn forget(&mut self) {
        self.names.clear();
        self.generation += 1;
        self.preview.docs.clear();
        self.preview.pending = None;
        self.preview.rest = None;
    }
}

/// The catalogue arrived or changed: prepare its names and refilter.
pub fn catalogue_changed(app: &mut App) {
    let picker = &mut app.picker;
    picker.generation += 1;
    picker.names = app
        .catalog
        .policies
        .ready()
        .map(|ps| ps.iter().map(|p| SearchName::new(&p.name)).collect())
        .unwrap_or_default();
    refresh(app);
}

/// Brings both pickers' cached lists up to date with their filters and types.
pub fn refresh(app: &mut App) {
    let Some(policies) = app.catalog.policies.ready() else {
        return;
    };
    let picker = &mut app.picker;
    if picker.names.len() != policies.len() {
        return;
    }
    for (slot, list) in [&app.focus.policies, &app.focus.boundary]
        .into_iter()
        .enumerate()
    {
        if picker.lists[slot].is_for(list, picker.generation) {
            continue;
        }
        let cache = &mut picker.lists[slot];
        filter_into(
            &picker.names,
            policies,
            list.filter.value(),
            list.policy_type,
            &mut picker.matcher,
            &mut picker.scratch,
            &mut cache.indices,
        );
        cache.filter.clear();
        cache.filter.push_str(list.filter.value());
        cache.kind = list.policy_type;
        cache.generation = Some(picker.generation);
    }
}

/// The picker on screen, if any: the Permissions pane's list or the Boundary step's.
fn active_list(app: &App) -> Option<&ListUi> {
    match app.screen {
        Screen::Permissions if app.focus.pane == PermPane::Policies => Some(&app.focus.policies),
        Screen::Boundary => Some(&app.focus.boundary),
        _ => None,
    }
}

/// The policy under the cursor of the picker on screen (none on "No permissions boundary").
pub fn highlighted(app: &App) -> Option<&PolicyInfo> {
    let list = active_list(app)?;
    let row = match app.screen {
        Screen::Boundary => list.cursor.checked_sub(1)?,
        _ => list.cursor,
    };
    let policies = app.catalog.policies.ready()?;
    let i = *app.picker.indices(policies, list).get(row)?;
    policies.get(i as usize)
}

/// Ctrl-T on a picker: the next policy type; the cursor goes back to the first match.
pub fn cycle_type(app: &mut App) {
    let list = match app.screen {
        Screen::Boundary => &mut app.focus.boundary,
        _ => &mut app.focus.policies,
    };
    list.policy_type = list.policy_type.next();
    list.cursor = 0;
    refresh(app);
}

/// The preview of the highlighted policy's default version.
#[derive(Debug)]
pub struct Preview {
    /// Whether the pickers show it (Ctrl-P hides it, and nothing is fetched then).
    pub shown: bool,
    /// Documents fetched so far (and failures), by ARN, kept until the lists are reloaded.
    pub docs: HashMap<String, Result<PolicyDocument, AwsError>>,
    /// The request in flight: its sequence number and the policy's ARN.
    pub pending: Option<(u64, String)>,
    /// The policy the highlight rests on, and for how many ticks.
    rest: Option<(String, u32)>,
    /// How far the document of the policy with this ARN is scrolled.
    pub scroll: Option<(String, u16)>,
}

impl Default for Preview {
    fn default() -> Preview {
        Preview {
            shown: true,
            docs: HashMap::new(),
            pending: None,
            rest: None,
            scroll: None,
        }
    }
}

impl Preview {
    /// How far the document of `arn` is scrolled.
    pub fn scroll_of(&self, arn: &str) -> u16 {
        match &self.scroll {
            Some((a, n)) if a == arn => *n,
            _ => 0,
        }
    }
}

/// On every tick: fetch the highlighted policy's document once the highlight has rested on it
/// for [`REST_TICKS`] ticks, unless it is cached or already on its way.
pub fn tick(app: &mut App) -> Vec<Command> {
    let arn = match highlighted(app) {
        Some(p) if app.picker.preview.shown => p.arn.clone(),
        _ => {
            app.picker.preview.rest = None;
            return Vec::new();
        }
    };
    let preview = &mut app.picker.preview;
    let rested = match &mut preview.rest {
        Some((a, n)) if *a == arn => {
            *n = n.saturating_add(1);
            *n
        }
        _ => {
            preview.rest = Some((arn, 0));
            return Vec::new();
        }
    };
    let in_flight = preview.pending.as_ref().is_some_and(|(_, a)| *a == arn);
    if rested < REST_TICKS || in_flight || preview.docs.contains_key(&arn) {
        return Vec::new();
    }
    let seq = app.next_seq();
    app.picker.preview.pending = Some((seq, arn.clone()));
    vec![Command::Worker(Request::LoadPolicyDocument { seq, arn })]
}

/// A document arrived: kept if it answers the latest request, dropped otherwise.
pub fn on_document(app: &mut App, seq: u64, arn: String, result: Result<PolicyDocument, AwsError>) {
    let preview = &mut app.picker.preview;
    if preview.pending.as_ref().is_some_and(|(s, _)| *s == seq) {
        preview.pending = None;
        preview.docs.insert(arn, result);
    }
}

/// Ctrl-P: shows or hides the preview.
pub fn toggle_preview(app: &mut App) {
    let preview = &mut app.picker.preview;
    preview.shown = !preview.shown;
    preview.rest = None;
}

/// Scrolls the preview of the highlighted policy by `delta` lines.
pub fn scroll_preview(app: &mut App, delta: i32) {
    let Some(p) = highlighted(app) else {
        return;
    };
    let arn = p.arn.clone();
    let lines = match app.picker.preview.docs.get(&arn) {
        Some(Ok(doc)) => doc.document.lines().count(),
        _ => 0,
    };
    let max = lines.saturating_sub(1).min(u16::MAX as usize) as i32;
    let now = app.picker.preview.scroll_of(&arn) as i32;
    let next = (now + delta).clamp(0, max) as u16;
    app.picker.preview.scroll = Some((arn, next));
}
