//! A multi-line text area: lines of text and a cursor (row, column in characters), edited by
//! `update`. Used by the inline policy editor.

/// The most characters the whole buffer holds (newlines included). Longer pastes are refused whole.
pub const MAX_AREA_CHARS: usize = 10_240;

/// How many rows PgUp/PgDn move.
pub const PAGE: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextArea {
    lines: Vec<String>,
    row: usize,
    /// Column in characters (0..=line length).
    col: usize,
}

impl Default for TextArea {
    fn default() -> Self {
        TextArea {
            lines: vec![String::new()],
            row: 0,
            col: 0,
        }
    }
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

fn byte_index(s: &str, col: usize) -> usize {
    s.char_indices().nth(col).map_or(s.len(), |(i, _)| i)
}

impl TextArea {
    pub fn new(text: &str) -> Self {
        let mut t = TextArea::default();
        // A fresh area holds nothing, so only the size cap can refuse.
        let _ = t.insert_str(text);
        t
    }

    /// The whole text, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// (row, column), both from 0; the column counts characters.
    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    /// Characters in the buffer, counting each line break as one.
    pub fn len(&self) -> usize {
        self.lines.iter().map(|l| char_len(l)).sum::<usize>() + self.lines.len() - 1
    }

    /// Nothing but whitespace.
    pub fn is_blank(&self) -> bool {
        self.lines.iter().all(|l| l.trim().is_empty())
    }

    pub fn is_empty(&self) -> bool {
        self.lines.len() == 1 && self.lines[0].is_empty()
    }

    fn line_len(&self) -> usize {
        char_len(&self.lines[self.row])
    }

    /// Inserts `text` at the cursor: `\r\n` and `\r` become line breaks, a tab becomes two spaces,
    /// other control characters are dropped. Refuses (and changes nothing) past [`MAX_AREA_CHARS`].
    pub fn insert_str(&mut self, text: &str) -> Result<(), String> {
        let clean: String = text
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .replace('\t', "  ")
            .chars()
            .filter(|c| *c == '\n' || !c.is_control())
            .collect();
        let add = char_len(&clean);
        if self.len() + add > MAX_AREA_CHARS {
            return Err(format!(
                "That would make the editor {} characters long; it holds at most \
                 {MAX_AREA_CHARS}.",
                self.len() + add
            ));
        }
        let line = &mut self.lines[self.row];
        let at = byte_index(line, self.col);
        let tail = line.split_off(at);
        let mut parts = clean.split('\n');
        let first = parts.next().unwrap_or("");
        line.push_str(first);
        self.col += char_len(first);
        for part in parts {
            self.row += 1;
            self.lines.insert(self.row, part.to_string());
            self.col = char_len(part);
        }
        self.lines[self.row].push_str(&tail);
        Ok(())
    }

    pub fn insert_char(&mut self, c: char) -> Result<(), String> {
        let mut buf = [0u8; 4];
        self.insert_str(c.encode_utf8(&mut buf))
    }

    pub fn newline(&mut self) -> Result<(), String> {
        self.insert_str("\n")
    }

    /// Deletes the character before the cursor; at the start of a line, joins it to the previous.
    pub fn backspace(&mut self) {
        if self.col > 0 {
            self.col -= 1;
            let line = &mut self.lines[self.row];
            let at = byte_index(line, self.col);
            line.remove(at);
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.line_len();
            self.lines[self.row].push_str(&line);
        }
    }

    /// Deletes the character under the cursor; at the end of a line, joins the next one to it.
    pub fn delete(&mut self) {
        if self.col < self.line_len() {
            let line = &mut self.lines[self.row];
            let at = byte_index(line, self.col);
            line.remove(at);
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    pub fn left(&mut self) {
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = self.line_len();
        }
    }

    pub fn right(&mut self) {
        if self.col < self.line_len() {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    /// Moves `delta` rows (clamped), keeping the column where the line allows.
    pub fn move_rows(&mut self, delta: isize) {
        let last = self.lines.len() - 1;
        self.row = self.row.saturating_add_signed(delta).min(last);
        self.col = self.col.min(self.line_len());
    }

    pub fn up(&mut self) {
        self.move_rows(-1);
    }

    pub fn down(&mut self) {
        self.move_rows(1);
    }

    pub fn page_up(&mut self) {
        self.move_rows(-(PAGE as isize));
    }

    pub fn page_down(&mut self) {
        self.move_rows(PAGE as isize);
    }

    pub fn home(&mut self) {
        self.col = 0;
    }

    pub fn end(&mut self) {
        self.col = self.line_len();
    }

    pub fn clear(&mut self) {
        *self = TextArea::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_newlines_and_joining_lines() {
        let mut t = TextArea::default();
        t.insert_str("ab").unwrap();
        t.newline().unwrap();
        t.insert_char('c').unwrap();
        assert_eq!(t.text(), "ab\nc");
        assert_eq!(t.cursor(), (1, 1));
        t.home();
        t.backspace();
        assert_eq!(t.text(), "abc");
        assert_eq!(t.cursor(), (0, 2));
        t.left();
        t.newline().unwrap();
        assert_eq!(t.text(), "a\nbc");
        t.up();
        t.end();
        t.delete();
        assert_eq!(t.text(), "abc");
    }

    #[test]
    fn pastes_multi_line_text_at_the_cursor() {
        let mut t = TextArea::new("[]");
        t.home();
        t.right();
        t.insert_str("1,\r\n\t2").unwrap();
        assert_eq!(t.text(), "[1,\n  2]");
        assert_eq!(t.cursor(), (1, 3));
        assert_eq!(t.len(), 8);
    }

    #[test]
    fn arrows_clamp_and_wrap_around_line_ends() {
        let mut t = TextArea::new("long line\nx\nanother");
        assert_eq!(t.cursor(), (2, 7));
        t.up();
        assert_eq!(t.cursor(), (1, 1));
        t.right();
        assert_eq!(t.cursor(), (2, 0));
        t.left();
        assert_eq!(t.cursor(), (1, 1));
        t.page_up();
        assert_eq!(t.cursor(), (0, 1));
        t.page_down();
        assert_eq!(t.cursor(), (2, 1));
    }

    #[test]
    fn refuses_a_paste_past_the_cap_whole() {
        let mut t = TextArea::new("keep");
        assert!(t.insert_str(&"x".repeat(MAX_AREA_CHARS)).is_err());
        assert_eq!(t.text(), "keep");
        assert!(t.insert_str(&"y".repeat(MAX_AREA_CHARS - 4)).is_ok());
        assert!(t.insert_char('z').is_err());
    }

    #[test]
    fn multibyte_text_edits_by_character() {
        let mut t = TextArea::new("é\nñ");
        t.backspace();
        t.backspace();
        assert_eq!(t.text(), "é");
        t.backspace();
        assert!(t.is_empty());
    }
}
