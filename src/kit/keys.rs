//! A screen's keys and what they do, declared once: the help bar at the foot of the screen and
//! the help screen (`?` or F1) are both drawn from a [`Help`].

/// One key of a screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The key as the admin reads it (`Enter`, `^N`, `↑↓`).
    pub key: &'static str,
    /// What it does, in a few words.
    pub action: &'static str,
    /// Shown in the help bar too (else only on the help screen).
    pub bar: bool,
}

/// What a screen is for, and its keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Help {
    /// A few lines on the screen, for the help screen.
    pub about: &'static [&'static str],
    pub keys: Vec<Binding>,
}

impl Help {
    pub fn new(about: &'static [&'static str]) -> Help {
        Help {
            about,
            keys: Vec::new(),
        }
    }

    /// Adds a key shown in the help bar and on the help screen.
    pub fn key(&mut self, key: &'static str, action: &'static str) -> &mut Help {
        self.keys.push(Binding {
            key,
            action,
            bar: true,
        });
        self
    }

    /// Adds keys shown in the help bar and on the help screen.
    pub fn keys(&mut self, keys: &[(&'static str, &'static str)]) -> &mut Help {
        for (key, action) in keys {
            self.key(key, action);
        }
        self
    }

    /// Adds a key described only on the help screen (the bar has no room for it).
    pub fn more(&mut self, key: &'static str, action: &'static str) -> &mut Help {
        self.keys.push(Binding {
            key,
            action,
            bar: false,
        });
        self
    }

    /// The help bar's keys, in order.
    pub fn bar(&self) -> Vec<(&'static str, &'static str)> {
        self.keys
            .iter()
            .filter(|b| b.bar)
            .map(|b| (b.key, b.action))
            .collect()
    }

    /// The help screen's keys: the bar's first, then the others, each in the order declared.
    pub fn all(&self) -> Vec<(&'static str, &'static str)> {
        let more = self
            .keys
            .iter()
            .filter(|b| !b.bar)
            .map(|b| (b.key, b.action));
        self.bar().into_iter().chain(more).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_holds_its_keys_and_the_help_screen_adds_the_others_after_them() {
        let mut h = Help::new(&["About."]);
        h.key("Enter", "next").more("^R", "reload").key("?", "help");
        assert_eq!(h.bar(), vec![("Enter", "next"), ("?", "help")]);
        assert_eq!(
            h.all(),
            vec![("Enter", "next"), ("?", "help"), ("^R", "reload")]
        );
    }
}
