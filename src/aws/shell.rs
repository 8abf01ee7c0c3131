//! The AWS CLI commands iamwiz prints (the dry run of a plan, and what a rollback or a discard
//! left with the command that removes it) are meant to be pasted into a shell: every value in
//! them is one shell word, whatever it holds. IAM paths allow any printable ASCII character
//! (`\x21`–`\x7E`), so a policy ARN may carry `$`, `` ` ``, `;` or a quote.

/// `s` as one shell word: as it is when it holds only characters no shell treats specially,
/// else in single quotes (a `'` inside written `'\''`).
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@%+=,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// ` --flag value`, or ` --flag=value` when the value starts with `-` (so the AWS CLI does not
/// take it for a flag), the value quoted as [`quote`] does.
pub fn arg(flag: &str, value: &str) -> String {
    if value.starts_with('-') {
        format!(" {flag}={}", quote(value))
    } else {
        format!(" {flag} {}", quote(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_with_shell_characters_become_one_quoted_word() {
        assert_eq!(quote("alice"), "alice");
        assert_eq!(
            quote("arn:aws:iam::aws:policy/ReadOnlyAccess"),
            "arn:aws:iam::aws:policy/ReadOnlyAccess"
        );
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$HOME"), "'$HOME'");
        assert_eq!(arg("--user-name", "-x"), " --user-name=-x");
    }
}
