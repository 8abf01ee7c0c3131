//! Text made safe to print on a terminal outside the wizard's screens: `iamwiz apply`'s stderr,
//! the report printed after the wizard ends, plan problems, and the log file.
//!
//! Much of that text is not ours: AWS error codes and messages, ARNs, names read from a plan file.
//! An endpoint that is hostile (or reached over plain HTTP and altered on the way) could put
//! terminal control sequences in an error message: OSC 52 writes the admin's clipboard, others
//! set the window title, forge hyperlinks or clear the screen, and Unicode bidirectional controls
//! reorder what is shown so that a command reads differently from what it is. [`clean`] removes
//! every such character; every line printed outside the wizard goes through it, by the
//! [`eprint!`](crate::eprint_clean) and [`eprintln!`](crate::eprintln_clean) macros, which a
//! module imports under the standard names so that none of its prints can bypass them, and by
//! [`CleanWriter`] for the log.
//!
//! The wizard's own screens do not need this: ratatui leaves control characters and zero-width
//! graphemes (the bidi controls among them) out of the cells it draws (a test below checks it).

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` must not reach a terminal: a C0 control other than the line feed, DEL, a C1
/// control (U+0080–U+009F, which some terminals read as ESC sequences), or a Unicode
/// bidirectional control (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, the
/// marks U+200E, U+200F and U+061C).
pub fn is_unsafe(c: char) -> bool {
    match c {
        '\n' => false,
        '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        '\u{200e}' | '\u{200f}' | '\u{061c}' => true,
        _ => false,
    }
}

/// `text` without the characters [`is_unsafe`] names; line breaks are kept. Borrows when there
/// is nothing to remove.
pub fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_unsafe) {
        Cow::Owned(text.chars().filter(|&c| !is_unsafe(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes `text`, [`clean`]ed, to stderr in one piece (errors writing to stderr are ignored, as
/// `eprint!` would panic on them instead).
pub fn eprint_str(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(clean(text).as_bytes());
    let _ = err.flush();
}

/// `eprint!`, [`clean`]ed: import it as `eprint` (`use crate::eprint_clean as eprint;`).
#[macro_export]
macro_rules! eprint_clean {
    ($($arg:tt)*) => {
        $crate::term_text::eprint_str(&::std::format!($($arg)*))
    };
}

/// `eprintln!`, [`clean`]ed: import it as `eprintln` (`use crate::eprintln_clean as eprintln;`).
#[macro_export]
macro_rules! eprintln_clean {
    () => {
        $crate::term_text::eprint_str("\n")
    };
    ($($arg:tt)*) => {
        $crate::term_text::eprint_str(&::std::format!("{}\n", ::std::format_args!($($arg)*)))
    };
}

/// A writer that [`clean`]s what passes through it (for the log file). Each `write` is taken as
/// text on its own (the log writes one whole event at a time); bytes that are not UTF-8 are
/// replaced by U+FFFD.
pub struct CleanWriter<W>(pub W);

impl<W: Write> Write for CleanWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(clean(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_lose_their_controls_and_line_breaks_stay() {
        let hostile = "AccessDenied\x1b]52;c;ZWNobyBoaQ==\x07 title\x1b]0;pwned\x1b\\ \
                       link\x1b]8;;http://evil\x1b\\x\x1b]8;;\x1b\\ \x1b[2J\r\u{9b}31m\u{85}\tend\nnext";
        let shown = clean(hostile);
        assert!(
            !shown.contains(['\x1b', '\x07', '\r', '\t', '\u{9b}', '\u{85}']),
            "{shown:?}"
        );
        assert_eq!(
            shown,
            "AccessDenied]52;c;ZWNobyBoaQ== title]0;pwned\\ link]8;;http://evil\\x]8;;\\ [2J31mend\nnext"
        );
    }

    #[test]
    fn bidi_controls_are_removed_and_other_text_kept() {
        let text = "user \u{202e}gnp.exe\u{202c} \u{2066}a\u{2069}\u{200e}\u{200f}\u{61c}\u{202a}\
                    \u{202b}\u{202d}\u{2067}\u{2068} é 用户 👍 \u{7f}";
        assert_eq!(clean(text), "user gnp.exe a é 用户 👍 ");
        assert!(matches!(clean("plain text\n"), Cow::Borrowed(_)));
    }

    /// What the module header says of the wizard's screens: ratatui itself keeps control and bidi
    /// characters out of the cells it draws.
    #[test]
    fn the_wizard_screens_draw_no_control_or_bidi_character() {
        use ratatui::buffer::Buffer;
        use ratatui::layout::Rect;
        use ratatui::widgets::{Paragraph, Widget, Wrap};
        let hostile = "AccessDenied\x1b]52;c;eA==\x07 \u{9b}2J \u{202e}fdp.exe\u{202c} \u{2066}x\u{2069}\
                       \u{200f}\u{61c} end";
        let area = Rect::new(0, 0, 60, 3);
        let mut buf = Buffer::empty(area);
        Paragraph::new(hostile)
            .wrap(Wrap { trim: false })
            .render(area, &mut buf);
        let drawn: String = buf.content().iter().map(|c| c.symbol()).collect();
        assert!(
            !drawn.chars().any(is_unsafe),
            "a cell holds a control or bidi character: {drawn:?}"
        );
        assert!(drawn.contains("AccessDenied]52;c;eA=="), "{drawn:?}");
    }

    #[test]
    fn the_writer_cleans_what_it_passes_on() {
        let mut w = CleanWriter(Vec::new());
        w.write_all(b"code=\x1b]52;c;eA==\x07 \xe2\x80\xae ok\n")
            .unwrap();
        assert_eq!(w.0, "code=]52;c;eA==  ok\n".as_bytes());
    }
}
