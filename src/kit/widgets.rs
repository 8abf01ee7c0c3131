//! Small drawing helpers shared by the screens.

use std::borrow::Cow;

use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::text::TextField;
use ratatui::style::Color;

/// The colours every view uses.
pub const ACCENT: Color = Color::Cyan;
pub const ERROR: Color = Color::Red;
pub const OK: Color = Color::Green;
pub const DIM: Color = Color::DarkGray;

/// `s` cut to `width` columns, with an ellipsis when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// `parts` side by side in `style`, cut to `width` columns with an ellipsis as [`truncate`] cuts.
/// Borrowed parts stay borrowed: a secret drawn this way is never copied into a `String`.
pub fn truncated_spans<'a>(parts: Vec<Cow<'a, str>>, width: usize, style: Style) -> Vec<Span<'a>> {
    let total: usize = parts.iter().map(|p| p.width()).sum();
    if total <= width {
        return parts.into_iter().map(|p| Span::styled(p, style)).collect();
    }
    let mut room = width.saturating_sub(1);
    let mut spans = Vec::new();
    for part in parts {
        let (cut, used) = prefix_within(&part, room);
        let whole = cut == part.len();
        spans.push(Span::styled(
            match part {
                Cow::Borrowed(s) => Cow::Borrowed(&s[..cut]),
                Cow::Owned(s) => Cow::Owned(s[..cut].to_string()),
            },
            style,
        ));
        room -= used;
        if !whole {
            break;
        }
    }
    spans.push(Span::styled("…", style));
    spans
}

/// The length in bytes, and the width, of the longest start of `s` at most `room` columns wide.
fn prefix_within(s: &str, room: usize) -> (usize, usize) {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let cw = c.width().unwrap_or(0);
        if used + cw > room {
            return (i, used);
        }
        used += cw;
    }
    (s.len(), used)
}

/// A text field `width` columns wide. A focused field shows its cursor; a masked one shows dots.
pub fn field<'a>(f: &TextField, width: usize, focused: bool) -> Vec<Span<'a>> {
    let chars: Vec<char> = if f.is_masked() {
        std::iter::repeat_n('•', f.len()).collect()
    } else {
        f.value().chars().collect()
    };
    // Keep the cursor in view: show the tail when the text is wider than the field.
    let room = width.saturating_sub(1).max(1);
    let start = f
        .cursor()
        .saturating_sub(room.saturating_sub(1))
        .min(chars.len());
    let visible: Vec<char> = chars[start..].iter().take(room).copied().collect();
    let cursor = f.cursor() - start;
    let base = if focused {
        Style::new().add_modifier(Modifier::UNDERLINED)
    } else {
        Style::new().fg(DIM).add_modifier(Modifier::UNDERLINED)
    };
    let before: String = visible.iter().take(cursor).collect();
    let at: String = visible
        .get(cursor)
        .map_or(" ".to_string(), |c| c.to_string());
    let after: String = visible.iter().skip(cursor + 1).collect();
    let used = visible.len().max(cursor + 1);
    let pad = " ".repeat(width.saturating_sub(used));
    let mut spans = vec![Span::styled(before, base)];
    if focused {
        spans.push(Span::styled(at, base.add_modifier(Modifier::REVERSED)));
    } else {
        spans.push(Span::styled(at, base));
    }
    spans.push(Span::styled(after, base));
    spans.push(Span::styled(pad, base));
    spans
}

pub fn checkbox(on: bool) -> &'static str {
    if on { "[x]" } else { "[ ]" }
}

pub fn radio(on: bool) -> &'static str {
    if on { "(•)" } else { "( )" }
}

/// The marker in front of the focused row.
pub fn pointer<'a>(focused: bool) -> Span<'a> {
    if focused {
        Span::styled(" › ", Style::new().fg(ACCENT).bold())
    } else {
        Span::raw("   ")
    }
}

/// A label column of fixed width.
pub fn label<'a>(text: &str, width: usize) -> Span<'a> {
    Span::styled(format!("{text:<width$}"), Style::new().bold())
}

pub fn dim<'a>(text: impl Into<String>) -> Span<'a> {
    Span::styled(text.into(), Style::new().fg(DIM))
}

pub fn line<'a>(spans: Vec<Span<'a>>) -> Line<'a> {
    Line::from(spans)
}

/// A spinner frame for the given tick.
pub fn spinner(tick: u64) -> &'static str {
    const FRAMES: [&str; 4] = ["◐", "◓", "◑", "◒"];
    FRAMES[(tick % 4) as usize]
}

pub fn bold<'a>(text: impl Into<String>) -> Span<'a> {
    Span::raw(text.into()).bold()
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use ratatui::style::Style;

    use super::{truncate, truncated_spans};

    #[test]
    fn parts_are_cut_as_the_whole_text_would_be_and_borrowed_parts_stay_borrowed() {
        let secret = String::from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        for width in [0, 1, 5, 20, 30, 58, 59, 60, 100] {
            let parts: Vec<Cow<str>> =
                vec!["{\"id\":\"".into(), secret.as_str().into(), "\"}".into()];
            let whole: String = parts.concat();
            let spans = truncated_spans(parts, width, Style::new());
            let drawn: String = spans.iter().map(|s| s.content.as_ref()).collect();
            assert_eq!(drawn, truncate(&whole, width), "width {width}");
            for span in &spans {
                assert!(
                    matches!(span.content, Cow::Borrowed(_)),
                    "width {width}: {:?} was copied",
                    span.content
                );
            }
        }
    }
}
