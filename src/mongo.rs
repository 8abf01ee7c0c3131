//! What a MongoDB driver takes to use the new key: the `kmsProviders` and `masterKey` documents of
//! Client-Side Field Level Encryption and Queryable Encryption, and short snippets per language
//! (templates under `assets/snippets/`) that read the credentials from environment variables.

use serde_json::{Value, json};

use crate::protocol::EncryptionFeature;
use crate::secret::Secret;

/// The environment variables the snippets read the service account's access key from.
pub const ENV_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
pub const ENV_SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";

/// How the driver gets its AWS credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// The service account's access key, read from [`ENV_ACCESS_KEY_ID`] and
    /// [`ENV_SECRET_ACCESS_KEY`].
    AccessKey,
    /// An IAM role: `"aws": {}` lets the driver fetch temporary credentials itself (instance
    /// profile, ECS task role, Lambda's environment, or `AssumeRole` done by the application).
    Role,
}

/// The languages there are snippets for, in the order the reveal screen cycles through them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Mongosh,
    Node,
    Python,
    Java,
    Go,
    CSharp,
}

impl Language {
    pub const ALL: [Language; 6] = [
        Language::Mongosh,
        Language::Node,
        Language::Python,
        Language::Java,
        Language::Go,
        Language::CSharp,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Language::Mongosh => "mongosh",
            Language::Node => "Node.js",
            Language::Python => "Python",
            Language::Java => "Java",
            Language::Go => "Go",
            Language::CSharp => "C#",
        }
    }

    /// The next language, wrapping around.
    pub fn next(self) -> Language {
        let i = Language::ALL.iter().position(|l| *l == self).unwrap_or(0);
        Language::ALL[(i + 1) % Language::ALL.len()]
    }

    /// The previous language, wrapping around.
    pub fn prev(self) -> Language {
        let i = Language::ALL.iter().position(|l| *l == self).unwrap_or(0);
        Language::ALL[(i + Language::ALL.len() - 1) % Language::ALL.len()]
    }
}

/// The host (and port) a driver sends KMS requests to for a custom endpoint URL: the driver
/// always speaks HTTPS, so the scheme and any path are dropped (`http://127.0.0.1:5000/` →
/// `127.0.0.1:5000`).
pub fn endpoint_host(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or(rest)
        .to_string()
}

/// The `masterKey` document, pretty-printed: `{"key":"<key ARN>","region":"<region>"}`, with
/// `"endpoint"` when a custom endpoint is in use; the fields in the order MongoDB's documentation
/// gives them.
pub fn master_key_json(key_arn: &str, region: &str, endpoint: Option<&str>) -> String {
    master_key_text(key_arn, region, endpoint, true)
}

/// [`master_key_json`] on one line: `{"key":"…","region":"…"}`.
pub fn master_key_line(key_arn: &str, region: &str, endpoint: Option<&str>) -> String {
    master_key_text(key_arn, region, endpoint, false)
}

fn master_key_text(key_arn: &str, region: &str, endpoint: Option<&str>, pretty: bool) -> String {
    let (open, sep, colon, close) = if pretty {
        ("{\n  ", ",\n  ", ": ", "\n}")
    } else {
        ("{", ",", ":", "}")
    };
    let mut text = String::from(open);
    let field = |text: &mut String, name: &str, value: &str| {
        push_json_string(text, name);
        text.push_str(colon);
        push_json_string(text, value);
    };
    field(&mut text, "key", key_arn);
    text.push_str(sep);
    field(&mut text, "region", region);
    if let Some(endpoint) = endpoint {
        text.push_str(sep);
        field(&mut text, "endpoint", &endpoint_host(endpoint));
    }
    text.push_str(close);
    text
}

/// The `kmsProviders` document with the service account's access key:
/// `{"aws":{"accessKeyId":"…","secretAccessKey":"…"}}`. It holds the secret, so it is one.
pub fn kms_providers(access_key_id: &str, secret_access_key: &Secret) -> Secret {
    Secret::new(kms_providers_text(access_key_id, secret_access_key))
}

/// [`kms_providers`]'s text, built by hand rather than through a `serde_json::Value`, whose
/// buffers would keep copies of the secret, and measured first so that it is written into one
/// buffer of its exact size (which the secret then takes over, whatever the key ID's length).
/// Both values are JSON-safe (key IDs are upper-case letters and digits, secret keys base64
/// characters); they are escaped all the same.
fn kms_providers_text(access_key_id: &str, secret_access_key: &Secret) -> String {
    crate::export::exact_string(|out| {
        out.push("{\n  \"aws\": {\n    \"accessKeyId\": ");
        push_json_out(out, access_key_id);
        out.push(",\n    \"secretAccessKey\": ");
        push_json_out(out, secret_access_key.expose());
        out.push("\n  }\n}");
    })
}

/// Appends `s` as a JSON string, quoted and escaped, to `out` (a builder of secrets, or a
/// buffer).
fn push_json_out(out: &mut crate::export::Out, s: &str) {
    let mut buf = [0u8; 4];
    out.push("\"");
    for c in s.chars() {
        match c {
            '"' => out.push("\\\""),
            '\\' => out.push("\\\\"),
            c if (c as u32) < 0x20 => out.push(&format!("\\u{:04x}", c as u32)),
            c => out.push(c.encode_utf8(&mut buf)),
        }
    }
    out.push("\"");
}

/// The `kmsProviders` document for a role: `{"aws":{}}`, so the driver fetches temporary
/// credentials itself.
pub fn kms_providers_role() -> String {
    pretty(&json!({ "aws": {} }))
}

/// The `kmsProviders` shape for explicit temporary credentials (from `sts:AssumeRole`), with
/// placeholders where the application puts them.
pub fn kms_providers_session_template() -> String {
    pretty(&json!({
        "aws": {
            "accessKeyId": "<AccessKeyId from AssumeRole>",
            "secretAccessKey": "<SecretAccessKey from AssumeRole>",
            "sessionToken": "<SessionToken from AssumeRole>"
        }
    }))
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("a JSON value always serializes")
}

/// Appends `s` as a JSON string literal, escaping as JSON requires.
fn push_json_string(out: &mut String, s: &str) {
    let mut to = crate::export::Out::Fill(std::mem::take(out));
    push_json_out(&mut to, s);
    if let crate::export::Out::Fill(text) = to {
        *out = text;
    }
}

/// A short program for `language` that connects with `feature` using the key: the credentials
/// come from the environment (or the role), never from the code, so a snippet holds no secret.
pub fn snippet(
    language: Language,
    feature: EncryptionFeature,
    credentials: Credentials,
    key_arn: &str,
    region: &str,
    endpoint: Option<&str>,
) -> String {
    let on = |block: &str| match block {
        "key" => credentials == Credentials::AccessKey,
        "role" => credentials == Credentials::Role,
        "csfle" => feature == EncryptionFeature::Csfle,
        "qe" => feature == EncryptionFeature::QueryableEncryption,
        other => unreachable!("unknown block {other} in a snippet template"),
    };
    let master_key = master_key_json(key_arn, region, endpoint);
    let mut out = String::new();
    let mut blocks: Vec<&str> = Vec::new();
    for line in template(language).lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed
            .strip_prefix("{{#")
            .and_then(|r| r.strip_suffix("}}"))
        {
            blocks.push(name);
            continue;
        }
        if let Some(name) = trimmed
            .strip_prefix("{{/")
            .and_then(|r| r.strip_suffix("}}"))
        {
            debug_assert_eq!(blocks.last(), Some(&name), "unbalanced block in a template");
            blocks.pop();
            continue;
        }
        if !blocks.iter().all(|b| on(b)) {
            continue;
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        let line = line.replace("{{FEATURE}}", feature.label()).replace(
            "{{MASTER_KEY}}",
            &master_key.replace('\n', &format!("\n{indent}")),
        );
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The template of `language`'s snippet: `{{#key}}`, `{{#role}}`, `{{#csfle}}` and `{{#qe}}`
/// lines open blocks kept only for that choice (closed by `{{/…}}`); `{{FEATURE}}`,
/// and `{{MASTER_KEY}}` are filled in.
fn template(language: Language) -> &'static str {
    match language {
        Language::Mongosh => include_str!("../assets/snippets/mongosh.js"),
        Language::Node => include_str!("../assets/snippets/node.js"),
        Language::Python => include_str!("../assets/snippets/python.py"),
        Language::Java => include_str!("../assets/snippets/java.java"),
        Language::Go => include_str!("../assets/snippets/go.go"),
        Language::CSharp => include_str!("../assets/snippets/csharp.cs"),
    }
}

impl Language {
    /// The file extension of the language's source files.
    pub fn extension(self) -> &'static str {
        match self {
            Language::Mongosh | Language::Node => "js",
            Language::Python => "py",
            Language::Java => "java",
            Language::Go => "go",
            Language::CSharp => "cs",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn keys(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        k.sort();
        k
    }

    #[test]
    fn kms_providers_has_exactly_the_access_key() {
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string());
        let doc = kms_providers("AKIAIOSFODNN7EXAMPLE", &secret);
        let v: Value = serde_json::from_str(doc.expose()).unwrap();
        assert_eq!(keys(&v), ["aws"]);
        assert_eq!(
            v["aws"],
            json!({
                "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
                "secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
            })
        );
        assert_eq!(format!("{doc:?}"), crate::secret::REDACTED);
    }

    #[test]
    fn kms_providers_is_built_in_a_buffer_of_its_exact_size_for_any_key_id() {
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string());
        for id in ["AKIAIOSFODNN7EXAMPLE".to_string(), "A".repeat(128)] {
            let text = kms_providers_text(&id, &secret);
            assert!(text.contains(&id));
            assert_eq!(
                text.capacity(),
                text.len(),
                "spare room (or a reallocation) leaves a copy of the secret behind"
            );
        }
    }

    #[test]
    fn kms_providers_escapes_what_json_needs() {
        let doc = kms_providers("A\"B", &Secret::new("x\\y\u{1}".to_string()));
        let v: Value = serde_json::from_str(doc.expose()).unwrap();
        assert_eq!(v["aws"]["accessKeyId"], "A\"B");
        assert_eq!(v["aws"]["secretAccessKey"], "x\\y\u{1}");
    }

    #[test]
    fn master_key_has_key_and_region_and_endpoint_only_when_custom() {
        let v: Value = serde_json::from_str(&master_key_json(ARN, "eu-west-1", None)).unwrap();
        assert_eq!(v, json!({ "key": ARN, "region": "eu-west-1" }));
        let v: Value = serde_json::from_str(&master_key_json(
            ARN,
            "eu-west-1",
            Some("https://kms-fips.eu-west-1.amazonaws.com/"),
        ))
        .unwrap();
        assert_eq!(
            v,
            json!({ "key": ARN, "region": "eu-west-1", "endpoint": "kms-fips.eu-west-1.amazonaws.com" })
        );
    }

    #[test]
    fn master_key_line_is_the_same_document_on_one_line() {
        for endpoint in [None, Some("http://127.0.0.1:5000")] {
            let line = master_key_line(ARN, "eu-west-1", endpoint);
            assert!(!line.contains('\n') && !line.contains(' '), "{line}");
            assert!(line.starts_with(&format!(r#"{{"key":"{ARN}","region":"eu-west-1""#)));
            let a: Value = serde_json::from_str(&line).unwrap();
            let b: Value =
                serde_json::from_str(&master_key_json(ARN, "eu-west-1", endpoint)).unwrap();
            assert_eq!(a, b);
        }
    }

    #[test]
    fn endpoint_host_drops_scheme_and_path_and_keeps_the_port() {
        assert_eq!(endpoint_host("http://127.0.0.1:5000"), "127.0.0.1:5000");
        assert_eq!(endpoint_host("http://127.0.0.1:5000/"), "127.0.0.1:5000");
        assert_eq!(
            endpoint_host("https://vpce-1.kms.us-east-1.vpce.amazonaws.com/x?y"),
            "vpce-1.kms.us-east-1.vpce.amazonaws.com"
        );
        assert_eq!(endpoint_host("kms.local:443"), "kms.local:443");
    }

    #[test]
    fn role_documents() {
        let v: Value = serde_json::from_str(&kms_providers_role()).unwrap();
        assert_eq!(v, json!({ "aws": {} }));
        let v: Value = serde_json::from_str(&kms_providers_session_template()).unwrap();
        assert_eq!(keys(&v), ["aws"]);
        assert_eq!(
            keys(&v["aws"]),
            ["accessKeyId", "secretAccessKey", "sessionToken"]
        );
    }

    fn every_snippet() -> Vec<(Language, EncryptionFeature, Credentials, String)> {
        let mut all = Vec::new();
        for language in Language::ALL {
            for feature in [
                EncryptionFeature::Csfle,
                EncryptionFeature::QueryableEncryption,
            ] {
                for credentials in [Credentials::AccessKey, Credentials::Role] {
                    let text = snippet(
                        language,
                        feature,
                        credentials,
                        ARN,
                        "eu-west-1",
                        Some("http://127.0.0.1:5000"),
                    );
                    all.push((language, feature, credentials, text));
                }
            }
        }
        all
    }

    #[test]
    fn snippets_are_filled_in_and_follow_the_choices() {
        for (language, feature, credentials, text) in every_snippet() {
            let case = format!("{language:?} {feature:?} {credentials:?}");
            let placeholder = text.match_indices("{{").any(|(i, _)| {
                text[i + 2..]
                    .chars()
                    .next()
                    .is_some_and(|c| c == '#' || c == '/' || c.is_ascii_uppercase())
            });
            assert!(!placeholder, "{case}: a placeholder is left:\n{text}");
            assert!(text.contains(ARN), "{case}: no key ARN");
            assert!(
                text.contains("\"region\": \"eu-west-1\""),
                "{case}: no region"
            );
            assert!(text.contains("\"endpoint\": \"127.0.0.1:5000\""), "{case}");
            assert!(text.contains(feature.label()), "{case}: no feature name");
            let reads_env = text.contains(ENV_SECRET_ACCESS_KEY);
            assert_eq!(reads_env, credentials == Credentials::AccessKey, "{case}");
            let lower = text.to_lowercase().replace('_', "");
            let (wanted, unwanted) = match feature {
                EncryptionFeature::Csfle => ("createdatakey", "createencryptedcollection"),
                EncryptionFeature::QueryableEncryption => {
                    ("createencryptedcollection", "createdatakey")
                }
            };
            let wanted_hit = lower.contains(wanted)
                || (language == Language::Mongosh && lower.contains("createkey("));
            assert!(wanted_hit, "{case}: does not call {wanted}");
            assert!(!lower.contains(unwanted), "{case}: calls {unwanted}");
        }
    }

    /// Brackets balance outside string literals and comments: a template edit that breaks a block
    /// is caught for every language, including those without a parser on the test machine.
    #[test]
    fn snippet_brackets_balance() {
        for (language, feature, credentials, text) in every_snippet() {
            let case = format!("{language:?} {feature:?} {credentials:?}");
            assert_eq!(unbalanced(&text, language), None, "{case}:\n{text}");
        }
    }

    /// The first bracket that does not pair up, outside strings and comments.
    fn unbalanced(text: &str, language: Language) -> Option<String> {
        let comment = if language == Language::Python {
            "#"
        } else {
            "//"
        };
        let mut stack = Vec::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            let skip_to = |rest: &str, start: usize, end: &str| -> usize {
                rest[start..]
                    .find(end)
                    .map(|i| start + i + end.len())
                    .unwrap_or(rest.len())
            };
            let step = if rest.starts_with(comment) {
                skip_to(rest, comment.len(), "\n")
            } else if rest.starts_with("\"\"\"") {
                skip_to(rest, 3, "\"\"\"")
            } else if c == '`' || c == '"' || c == '\'' {
                skip_to(rest, 1, &c.to_string())
            } else {
                match c {
                    '(' | '[' | '{' => stack.push(c),
                    ')' | ']' | '}' => {
                        let want = match c {
                            ')' => '(',
                            ']' => '[',
                            _ => '{',
                        };
                        if stack.pop() != Some(want) {
                            let at = text.len() - rest.len();
                            return Some(format!("{c} at byte {at}"));
                        }
                    }
                    _ => {}
                }
                c.len_utf8()
            };
            rest = &rest[step..];
        }
        (!stack.is_empty()).then(|| format!("unclosed {stack:?}"))
    }

    #[test]
    fn languages_cycle_both_ways() {
        let mut l = Language::Mongosh;
        for _ in 0..Language::ALL.len() {
            assert_eq!(l.next().prev(), l);
            l = l.next();
        }
        assert_eq!(l, Language::Mongosh);
        assert_eq!(Language::Mongosh.prev(), Language::CSharp);
    }
}
