//! The shared credentials file as INI text: finding a profile's sections the way the AWS SDKs
//! read them, and merging a profile's new keys into the file while keeping every other byte.

use super::content::{Out, build_secret};
use crate::secret::Secret;

const INI_BLANKS: &[char] = &[' ', '\t'];

/// The section name if `line` (without its line end) is an INI section header: `[name]`, with
/// spaces or tabs allowed around it and inside the brackets (trimmed, as the AWS SDKs do) and a
/// `#` or `;` comment after it.
fn section_header(line: &str) -> Option<&str> {
    let line = line.trim_matches(INI_BLANKS);
    let inner = line.strip_prefix('[')?;
    let inner = match inner.find(['#', ';']) {
        Some(i) => &inner[..i],
        None => inner,
    };
    let inner = inner.trim_end_matches(INI_BLANKS).strip_suffix(']')?;
    Some(inner.trim_matches(INI_BLANKS))
}

/// A line's content without its `\n` or `\r\n`.
fn line_body(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// Whether `file_content` (an INI credentials file) has a section `[profile]`. Spaces inside the
/// brackets are ignored (`[ dev ]` is `dev`); commented-out headers do not count.
pub fn profile_exists(file_content: &str, profile: &str) -> bool {
    file_content
        .lines()
        .any(|line| section_header(line) == Some(profile))
}

/// The first profile of `file_content` (an INI credentials file) whose `aws_access_key_id` is
/// `key_id`: where the admin keeps a key that a rotation replaces.
pub fn profile_with_key(file_content: &str, key_id: &str) -> Option<String> {
    let mut section = None;
    for line in file_content.lines() {
        if let Some(name) = section_header(line) {
            section = Some(name);
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        if name.trim_matches(INI_BLANKS) == "aws_access_key_id"
            && value.trim_matches(INI_BLANKS) == key_id
            && let Some(section) = section
        {
            return Some(section.to_string());
        }
    }
    None
}

/// Whether a line inside a section carries content (a property or a continuation) rather than
/// being blank or a comment.
fn is_content_line(body: &str) -> bool {
    let t = body.trim_matches(INI_BLANKS);
    !(t.is_empty() || t.starts_with(['#', ';']))
}

/// Byte ranges of each section named `profile`: from its header line to its last property line,
/// so blank lines and comments just before the next section (which usually describe that one)
/// are kept.
fn profile_sections(existing: &str, profile: &str) -> Vec<(usize, usize)> {
    let mut sections = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    let mut offset = 0;
    for line in existing.split_inclusive('\n') {
        let body = line_body(line);
        let end = offset + line.len();
        if let Some(name) = section_header(body) {
            if let Some(range) = current.take() {
                sections.push(range);
            }
            if name == profile {
                current = Some((offset, end));
            }
        } else if let Some((_, section_end)) = current.as_mut()
            && is_content_line(body)
        {
            *section_end = end;
        }
        offset = end;
    }
    sections.extend(current);
    sections
}

fn push_profile_section(
    out: &mut Out,
    profile: &str,
    access_key_id: &str,
    secret: &Secret,
    eol: &str,
) {
    out.push("[");
    out.push(profile);
    out.push("]");
    out.push(eol);
    out.push("aws_access_key_id = ");
    out.push(access_key_id);
    out.push(eol);
    out.push("aws_secret_access_key = ");
    out.push(secret.expose());
    out.push(eol);
}

/// The credentials file `existing` with `[profile]` holding these keys. Every byte of `existing`
/// is kept except, when the profile exists, that section's lines (header through its last
/// property), which are replaced by the new keys; if the profile appears in several sections the
/// first is replaced and the others removed, so no stale key can win. Otherwise the section is
/// appended, after a line end if `existing` does not end with one. New lines use the file's line
/// end (CRLF if its first line has one, else LF).
pub fn merge_profile(
    existing: &str,
    profile: &str,
    access_key_id: &str,
    secret: &Secret,
) -> Secret {
    let eol = match existing.find('\n') {
        Some(i) if existing[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    };
    let sections = profile_sections(existing, profile);
    build_secret(|out| {
        if sections.is_empty() {
            out.push(existing);
            if !existing.is_empty() && !existing.ends_with('\n') {
                out.push(eol);
            }
            push_profile_section(out, profile, access_key_id, secret, eol);
            return;
        }
        let mut kept_from = 0;
        for (i, &(start, end)) in sections.iter().enumerate() {
            out.push(&existing[kept_from..start]);
            if i == 0 {
                push_profile_section(out, profile, access_key_id, secret, eol);
            }
            kept_from = end;
        }
        out.push(&existing[kept_from..]);
    })
}

/// The credentials file `existing` without `[profile]`, when every section of that name holds
/// `access_key_id` (a key that was deleted again): every other byte kept. `None` when there is no
/// such section, or one holds another key (someone changed it since: it is left alone).
pub fn without_profile(existing: &str, profile: &str, access_key_id: &str) -> Option<Secret> {
    let sections = profile_sections(existing, profile);
    let holds = |&(start, end): &(usize, usize)| {
        profile_with_key(&existing[start..end], access_key_id).as_deref() == Some(profile)
    };
    if sections.is_empty() || !sections.iter().all(holds) {
        return None;
    }
    Some(build_secret(|out| {
        let mut kept_from = 0;
        for &(start, end) in &sections {
            out.push(&existing[kept_from..start]);
            kept_from = end;
        }
        out.push(&existing[kept_from..]);
    }))
}

/// The file a credentials path leads to: the path itself, or for a symbolic link the file it
/// points to (which must exist).
#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> Secret {
        Secret::new(s.to_string())
    }

    #[test]
    fn profile_exists_edge_cases() {
        let file = "\
# [commented]\n\
; [also-commented]\n\
[default]\n\
aws_access_key_id = A\n\
[ spaced ]\n\
\t[tabbed]\t\n\
[with-comment] # note\n\
[profile prefixed]\n\
[crlf]\r\n\
[unterminated\n\
x = [not-a-header]\n\
[last]";
        for yes in [
            "default",
            "spaced",
            "tabbed",
            "with-comment",
            "profile prefixed",
            "crlf",
            "last",
        ] {
            assert!(profile_exists(file, yes), "{yes}");
        }
        for no in [
            "commented",
            "also-commented",
            "prefixed",
            "unterminated",
            "not-a-header",
            "defaul",
            "Default",
            "",
        ] {
            assert!(!profile_exists(file, no), "{no}");
        }
        assert!(!profile_exists("", "default"));
    }

    const NEW: &str = "[dev]\naws_access_key_id = AKIANEW\naws_secret_access_key = new/secret\n";

    fn merge(existing: &str, profile: &str) -> String {
        merge_profile(existing, profile, "AKIANEW", &secret("new/secret"))
            .expose()
            .to_string()
    }

    #[test]
    fn merge_into_empty_file() {
        assert_eq!(merge("", "dev"), NEW);
    }

    #[test]
    fn merge_appends_keeping_every_byte() {
        let existing = "# my creds\n; old style comment\n\n[default]\naws_access_key_id = A\n\
                        aws_secret_access_key = B # not a comment for botocore\n\n[prod]\nx=1\n";
        assert_eq!(merge(existing, "dev"), format!("{existing}{NEW}"));
    }

    #[test]
    fn merge_appends_after_a_missing_final_newline() {
        let existing = "[default]\naws_access_key_id = A";
        assert_eq!(merge(existing, "dev"), format!("{existing}\n{NEW}"));
    }

    #[test]
    fn merge_keeps_crlf_and_writes_crlf() {
        let existing = "[default]\r\naws_access_key_id = A\r\n";
        assert_eq!(
            merge(existing, "dev"),
            format!("{existing}{}", NEW.replace('\n', "\r\n"))
        );
        let existing = "[default]\r\naws_access_key_id = A";
        assert_eq!(
            merge(existing, "dev"),
            format!("{existing}\r\n{}", NEW.replace('\n', "\r\n"))
        );
    }

    #[test]
    fn merge_replaces_only_the_profile_in_the_middle() {
        let before = "# header comment\r\n[default]\r\naws_access_key_id = A\r\n\r\n";
        let section = "[ dev ]\r\naws_access_key_id = OLD\r\n# a comment inside\r\n\
                       aws_session_token = stale\r\n";
        let after = "\r\n; about prod\r\n[prod]\r\naws_access_key_id = P\r\nno newline";
        let merged = merge(&format!("{before}{section}{after}"), "dev");
        assert_eq!(
            merged,
            format!("{before}{}{after}", NEW.replace('\n', "\r\n"))
        );
    }

    #[test]
    fn merge_replaces_a_last_section_without_final_newline() {
        let before = "[default]\nk = v\n\n";
        let merged = merge(&format!("{before}[dev]\naws_access_key_id = OLD"), "dev");
        assert_eq!(merged, format!("{before}{NEW}"));
    }

    #[test]
    fn merge_removes_duplicate_sections_of_the_profile() {
        let existing = "[dev]\nk = 1\n[a]\nx = 1\n[dev]\nk = 2\n\n# tail\n";
        assert_eq!(
            merge(existing, "dev"),
            format!("{NEW}[a]\nx = 1\n\n# tail\n")
        );
    }

    #[test]
    fn merge_ignores_commented_headers_and_lookalikes() {
        let existing = "# [dev]\n[profile dev]\nk = v\n[dev2]\nk = v\n";
        assert_eq!(merge(existing, "dev"), format!("{existing}{NEW}"));
    }

    #[test]
    fn the_profile_holding_a_key_is_found_by_its_id_and_comments_do_not_count() {
        let file = "[default]\naws_access_key_id = AKIAOTHER\n\n[ app ] # prod\n\
                    aws_access_key_id=AKIAOLD\naws_secret_access_key = x\n\
                    [later]\n# aws_access_key_id = AKIALATER\n";
        assert_eq!(profile_with_key(file, "AKIAOLD").as_deref(), Some("app"));
        assert_eq!(
            profile_with_key(file, "AKIAOTHER").as_deref(),
            Some("default")
        );
        assert_eq!(profile_with_key(file, "AKIALATER"), None);
        assert_eq!(profile_with_key(file, "AKIAOL"), None);
    }

    #[test]
    fn a_profile_added_then_removed_leaves_the_file_as_it_was_and_a_changed_one_stays() {
        let before = "# mine\r\n[other]\r\naws_access_key_id = AKIAKEEP\r\n";
        let added = merge_profile(before, "rotated", "AKIANEW", &secret("s3cr3t"));
        let removed = without_profile(added.expose(), "rotated", "AKIANEW").unwrap();
        assert_eq!(removed.expose(), before);
        assert!(without_profile(added.expose(), "rotated", "AKIAOTHER").is_none());
        assert!(without_profile(before, "rotated", "AKIANEW").is_none());
    }
}
