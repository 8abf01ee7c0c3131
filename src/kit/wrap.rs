//! Text cut into lines for the screens, measured in terminal columns: a CJK character takes two,
//! a combining mark none, so a wrapped line never runs past its box.
//!
//! [`wrap`] breaks prose at spaces and cuts a word longer than a line; [`wrap_json`] breaks a JSON
//! document after commas and opening brackets first, so a string is split only when it must be;
//! [`chunks`] cuts a line anywhere and returns slices of it, so a document that holds a secret is
//! never copied.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// [`wrap`] and [`wrap_json`] never make lines narrower than this many columns (the wizard needs
/// 80; a smaller width is a caller's subtraction gone too far, and the text then runs over).
pub const NARROWEST: usize = 10;

/// `text` in lines of at most `width` columns, broken at spaces; a word wider than a line is cut
/// into pieces that fit. Runs of spaces inside a line are kept; empty text gives no lines.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(NARROWEST);
    let mut out = Vec::new();
    let mut current = String::new();
    for mut word in text.split(' ') {
        while word.width() > width {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            let (head, rest) = split_at_width(word, width);
            out.push(head.to_string());
            word = rest;
        }
        if !current.is_empty() && current.width() + 1 + word.width() > width {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// JSON in lines of at most `width` columns, broken after a comma or an opening bracket so no
/// string is split; a piece still too wide is [`wrap`]ped.
pub fn wrap_json(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut piece = String::new();
    for c in text.chars() {
        piece.push(c);
        if matches!(c, ',' | '[' | '{') {
            if !current.is_empty() && current.width() + piece.width() > width {
                out.push(std::mem::take(&mut current));
            }
            current.push_str(&std::mem::take(&mut piece));
        }
    }
    if !current.is_empty() && current.width() + piece.width() > width {
        out.push(std::mem::take(&mut current));
    }
    current.push_str(&piece);
    out.push(current);
    out.into_iter().flat_map(|l| wrap(&l, width)).collect()
}

/// `line` in slices of at most `width` columns (one empty slice for an empty line). A character
/// wider than `width` gets a slice of its own.
pub fn chunks(line: &str, width: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        let (head, tail) = split_at_width(rest, width);
        out.push(head);
        if tail.is_empty() {
            return out;
        }
        rest = tail;
    }
}

/// `s` split after its longest prefix of at most `width` columns, which holds at least one
/// character (so cutting always gets on).
fn split_at_width(s: &str, width: usize) -> (&str, &str) {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if i > 0 && used + w > width {
            return s.split_at(i);
        }
        used += w;
    }
    (s, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(lines: &[impl AsRef<str>]) -> Vec<usize> {
        lines.iter().map(|l| l.as_ref().width()).collect()
    }

    #[test]
    fn prose_breaks_at_the_last_space_that_fits() {
        assert_eq!(
            wrap("Choose at least one access type for the user.", 20),
            ["Choose at least one", "access type for the", "user."]
        );
        assert!(wrap("", 20).is_empty());
        assert_eq!(wrap("two  spaces kept", 40), ["two  spaces kept"]);
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut_into_pieces_that_fit() {
        let arn = "arn:aws:iam::123456789012:policy/a-very-long-policy-name";
        let lines = wrap(&format!("Attach {arn} now"), 20);
        assert_eq!(
            lines,
            [
                "Attach",
                "arn:aws:iam::1234567",
                "89012:policy/a-very-",
                "long-policy-name now"
            ]
        );
        assert_eq!(lines.concat().replace(' ', ""), format!("Attach{arn}now"));
    }

    /// Counting characters put "東京 大阪 名古屋" (9 characters, 16 columns) on one line of a
    /// 10-column box.
    #[test]
    fn wide_characters_count_two_columns() {
        let lines = wrap("東京 大阪 名古屋", 10);
        assert_eq!(lines, ["東京 大阪", "名古屋"]);
        assert!(widths(&lines).iter().all(|&w| w <= 10), "{lines:?}");
        let long = wrap("説明説明説明説明説明説明", 10);
        assert_eq!(long, ["説明説明説", "明説明説明", "説明"]);
    }

    #[test]
    fn json_breaks_after_commas_and_brackets_and_keeps_every_character() {
        let doc =
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt"}]}"#;
        let lines = wrap_json(doc, 30);
        assert_eq!(
            lines,
            [
                r#"{"Version":"2012-10-17","#,
                r#""Statement":[{"#,
                r#""Effect":"Allow","#,
                r#""Action":"kms:Encrypt"}]}"#
            ]
        );
        assert_eq!(lines.concat(), doc);
        let wide = wrap_json(r#"{"Description":"鍵の説明","Alias":"鍵"}"#, 24);
        assert!(widths(&wide).iter().all(|&w| w <= 24), "{wide:?}");
    }

    /// Counting characters cut "漢字漢字漢字" at 4 into "漢字漢字" (8 columns) and "漢字".
    #[test]
    fn chunks_are_slices_of_at_most_the_width_in_columns() {
        let line = "漢字漢字漢字";
        let pieces = chunks(line, 4);
        assert_eq!(pieces, ["漢字", "漢字", "漢字"]);
        assert_eq!(chunks("abcdefg", 3), ["abc", "def", "g"]);
        assert_eq!(chunks("", 3), [""]);
        assert_eq!(
            chunks("漢", 1),
            ["漢"],
            "a character wider than the box still shows"
        );
        let first = pieces[0].as_ptr();
        assert_eq!(first, line.as_ptr(), "borrowed from the line, not copied");
    }
}
