//! SDK errors → [`AwsError`]: the operation, the code, AWS's message, and what to do.

use std::error::Error;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::protocol::AwsError;

/// The error codes that mean AWS was not reached or would not take the credentials at all
/// (`iamwiz apply` and `iamwiz keys` exit with their "unreachable" code on these).
pub const UNREACHABLE_CODES: &[&str] = &[
    "EndpointUnreachable",
    "Timeout",
    "NoCredentials",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
];

/// Maps any SDK error for `operation` (an IAM action such as `iam:CreateUser`).
pub fn map_sdk_error<E>(operation: &str, err: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
{
    let full = DisplayErrorContext(&err).to_string();
    let cause = root_cause(&err);
    let (code, message) = match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match e.code() {
                Some(code) => (
                    code.to_string(),
                    e.message().unwrap_or_default().to_string(),
                ),
                None => unparsed_error(service.raw()),
            }
        }
        SdkError::TimeoutError(_) => ("Timeout".to_string(), "the request timed out".to_string()),
        SdkError::DispatchFailure(d) if d.is_timeout() => {
            ("Timeout".to_string(), "the request timed out".to_string())
        }
        _ if mentions_credentials(&full) => (credential_code(&full).to_string(), cause),
        SdkError::DispatchFailure(_) => ("EndpointUnreachable".to_string(), cause),
        SdkError::ResponseError(_) => ("InvalidResponse".to_string(), cause),
        _ => ("RequestFailed".to_string(), cause),
    };
    AwsError {
        hint: hint_for(operation, &code),
        operation: operation.to_string(),
        code,
        message,
    }
}

/// The code and message of an error response the SDK could not parse: an XML body in an
/// unexpected shape (moto wraps its auth errors' `<Error>` in `<Errors>`; some JSON services deny
/// in XML). Taken from the `X-Amzn-ErrorType` header or the body's `<Code>` and `<Message>`.
fn unparsed_error(raw: &HttpResponse) -> (String, String) {
    let body = raw
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let code = raw
        .headers()
        .get("x-amzn-errortype")
        .and_then(|t| t.split(':').next())
        .map(str::trim)
        .filter(|c| !c.is_empty() && *c != "UnknownError")
        .map(str::to_string)
        .or_else(|| xml_element(&body, "Code"))
        .unwrap_or_else(|| "UnknownError".to_string());
    let message =
        xml_element(&body, "Message").unwrap_or_else(|| format!("HTTP {}", raw.status().as_u16()));
    (code, message)
}

/// The text of the first `<name>` element in `body`, if any.
fn xml_element(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = body.find(&open)? + open.len();
    let end = start + body[start..].find(&format!("</{name}>"))?;
    Some(body[start..end].trim().to_string()).filter(|s| !s.is_empty())
}

fn mentions_credentials(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("credential") || t.contains("sso") || t.contains("token")
}

fn credential_code(text: &str) -> &'static str {
    let t = text.to_ascii_lowercase();
    if t.contains("expired") {
        "ExpiredToken"
    } else {
        "NoCredentials"
    }
}

/// The innermost error of the chain, which names what actually went wrong ("Connection refused",
/// "no providers in chain provided credentials").
fn root_cause(err: &dyn Error) -> String {
    let mut last = err;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// An error raised before any request for `operation` was sent (bad input, no answer to use).
pub fn local_error(operation: &str, message: &str) -> AwsError {
    AwsError {
        operation: operation.to_string(),
        code: "InvalidInput".to_string(),
        message: message.to_string(),
        hint: hint_for(operation, "InvalidInput"),
    }
}

/// What the admin can do about `code` returned by `operation`.
pub fn hint_for(operation: &str, code: &str) -> String {
    if let Some(hint) = kms_hint(operation, code) {
        return hint;
    }
    match code {
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "NotAuthorized" => {
            // What iamwiz creates carries a tag (its mark of the run): creating it with tags
            // needs the tagging permission too.
            let tagging = match operation {
                "iam:CreateUser" => Some("iam:TagUser"),
                "iam:CreateRole" => Some("iam:TagRole"),
                "iam:CreateInstanceProfile" => Some("iam:TagInstanceProfile"),
                _ => None,
            };
            match tagging {
                Some(tag) => format!(
                    "Your identity is not allowed to call {operation} with tags. Add \"{operation}\" \
                     and \"{tag}\" to its IAM policy (or ask an administrator to), or run iamwiz \
                     with --profile for an identity that has them."
                ),
                None => format!(
                    "Your identity is not allowed to call {operation}. Add \"{operation}\" to its IAM \
                     policy (or ask an administrator to), or run iamwiz with --profile for an \
                     identity that has it."
                ),
            }
        }
        "EntityAlreadyExists" => {
            "That name is already taken in this account. Go back to the step that named it and choose \
             another."
                .to_string()
        }
        "NoSuchEntity" => "Something this step names does not exist (any more) in the account. Go back, \
             reload the lists with Ctrl-R, and choose again."
            .to_string(),
        "LimitExceeded" => "An IAM quota was reached (users, groups per user, policies per user…). \
             Remove something, or ask AWS Support to raise the quota."
            .to_string(),
        "PasswordPolicyViolation" => "The password does not meet the account's password policy. \
             Choose an autogenerated password or a longer one with more kinds of characters."
            .to_string(),
        "MalformedPolicyDocument" | "InvalidInput" | "ValidationError" => {
            "AWS refused a value as invalid. Go back and correct it.".to_string()
        }
        "ExpiredToken" | "ExpiredTokenException" | "TokenRefreshRequired" => {
            "Your session has expired. Refresh it (for SSO: aws sso login --profile NAME) and retry."
                .to_string()
        }
        "InvalidClientTokenId" | "UnrecognizedClientException" => "AWS does not recognise the access \
             key in use. Check the profile (--profile) or AWS_ACCESS_KEY_ID."
            .to_string(),
        "SignatureDoesNotMatch" | "RequestExpired" | "InvalidSignatureException" => {
            "The request signature was refused: check the secret key in use, and that this machine's \
             clock is right (a skewed clock makes every request expire)."
                .to_string()
        }
        "NoCredentials" => "No AWS credentials were found. Pass --profile NAME, set AWS_PROFILE, or run \
             aws configure (or aws sso login)."
            .to_string(),
        "EndpointUnreachable" | "Timeout" => "AWS could not be reached. Check the network, the region \
             (--region) and any --endpoint-url or AWS_ENDPOINT_URL, then retry."
            .to_string(),
        "Throttling" | "ThrottlingException" | "ServiceFailure" | "ServiceUnavailable"
        | "InternalFailure" => "AWS is busy or failed internally; iamwiz already retried. Wait a \
             moment and retry."
            .to_string(),
        "ConcurrentModification" => {
            "Someone else changed the same IAM entity at the same time. Retry.".to_string()
        }
        _ => "Check the message above; fix what it names and retry.".to_string(),
    }
}

/// The permissions the admin's identity needs for a KMS operation iamwiz makes, as a list for a
/// sentence.
fn kms_permissions(operation: &str) -> Option<&'static str> {
    Some(match operation {
        "kms:ListKeys" | "kms:DescribeKey" | "kms:ListAliases" => {
            "kms:ListKeys, kms:DescribeKey and kms:ListAliases"
        }
        "kms:CreateKey" => "kms:CreateKey and kms:TagResource",
        "kms:CreateAlias" => "kms:CreateAlias (on the alias and on the key)",
        "kms:DeleteAlias" => "kms:DeleteAlias",
        "kms:ScheduleKeyDeletion" => "kms:ScheduleKeyDeletion",
        _ => return None,
    })
}

/// Hints for KMS errors, which differ from IAM's in code and in meaning: `kms:Encrypt` and
/// `kms:Decrypt` are only called with the new service account's access key, to check it works.
fn kms_hint(operation: &str, code: &str) -> Option<String> {
    let as_new_user = matches!(operation, "kms:Encrypt" | "kms:Decrypt");
    if !operation.starts_with("kms:") {
        return None;
    }
    Some(match code {
        "AccessDeniedException" | "AccessDenied" if as_new_user => {
            "The new access key is not allowed to use the key yet. IAM takes a few seconds to apply \
                a new policy; if it persists, check that the key's policy lets IAM policies grant \
                access (the account default does) and that no SCP or permissions boundary denies it."
                .to_string()
        }
        "AccessDeniedException" | "AccessDenied" => {
            let needed = kms_permissions(operation).unwrap_or(operation);
            format!(
                "Your identity needs {needed}. Add them to its IAM policy (or ask an administrator \
                    to), or run iamwiz with --profile for an identity that has them."
            )
        }
        "UnrecognizedClientException" | "InvalidSignatureException" if as_new_user => {
            "KMS does not accept the new access key yet: new IAM keys take a few seconds (rarely a \
                minute) to be valid everywhere. Retry the check in a moment."
                .to_string()
        }
        "UnrecognizedClientException" => "KMS does not recognise the access key in use: it is not \
            valid (yet). Check the profile (--profile) or AWS_ACCESS_KEY_ID."
            .to_string(),
        "NotFoundException" => "The key or alias does not exist in this region (any more). Go back, \
            reload the keys, and choose again."
            .to_string(),
        "KMSInvalidStateException" | "DisabledException" => "The key is disabled or pending \
            deletion. Enable it (or cancel its deletion) in KMS, or choose another key."
            .to_string(),
        "AlreadyExistsException" => "That alias is already in use in this region. Go back and \
            choose another alias."
            .to_string(),
        "LimitExceededException" => "A KMS quota was reached (keys or aliases per region, or \
            requests per second). Wait a moment and retry, or ask AWS Support to raise it."
            .to_string(),
        "TagException" => "KMS refused a tag. Check the tags' keys and values (no aws: prefix) \
            and retry."
            .to_string(),
        "InvalidKeyUsageException" | "IncorrectKeyException" | "InvalidCiphertextException" => {
            "The key cannot be used to encrypt and decrypt: MongoDB needs a symmetric \
                ENCRYPT_DECRYPT key. Choose another key."
                .to_string()
        }
        "KMSInternalException" | "DependencyTimeoutException" => "KMS failed internally; iamwiz \
            already retried. Wait a moment and retry."
            .to_string(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_denied_names_the_missing_permission() {
        let h = hint_for("iam:CreateUser", "AccessDenied");
        assert!(h.contains("\"iam:CreateUser\""), "{h}");
        assert!(h.contains("--profile"), "{h}");
    }

    #[test]
    fn kms_denials_name_every_permission_the_step_needs() {
        let h = hint_for("kms:ListKeys", "AccessDeniedException");
        assert!(
            h.contains("kms:ListKeys, kms:DescribeKey and kms:ListAliases"),
            "{h}"
        );
        let h = hint_for("kms:CreateKey", "AccessDeniedException");
        assert!(h.contains("kms:CreateKey and kms:TagResource"), "{h}");
        let h = hint_for("kms:Encrypt", "UnrecognizedClientException");
        assert!(h.contains("new IAM keys take a few seconds"), "{h}");
        let h = hint_for("kms:Encrypt", "KMSInvalidStateException");
        assert!(h.contains("disabled or pending deletion"), "{h}");
        // IAM's hints are unchanged.
        assert_eq!(
            hint_for("iam:CreateUser", "AccessDenied"),
            hint_for("iam:CreateUser", "AccessDeniedException")
        );
    }

    #[test]
    fn error_bodies_the_sdk_cannot_parse_still_give_code_and_message() {
        use aws_sdk_iam::operation::create_user::CreateUserError;
        use aws_smithy_types::body::SdkBody;
        use aws_smithy_types::error::ErrorMetadata;
        // moto's auth errors: `<Errors>` around `<Error>`, which the awsQuery parser misses.
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error>\
                    <Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/lim is \
                    not authorized to perform: iam:CreateUser</Message><Type>Sender</Type></Error>\
                    </Errors></ErrorResponse>";
        let raw = HttpResponse::new(403.try_into().unwrap(), SdkBody::from(body));
        let err = SdkError::service_error(
            CreateUserError::generic(ErrorMetadata::builder().build()),
            raw,
        );
        let e = map_sdk_error("iam:CreateUser", err);
        assert_eq!(e.code, "AccessDenied");
        assert!(
            e.message
                .ends_with("not authorized to perform: iam:CreateUser"),
            "{e}"
        );
        assert!(e.hint.contains("\"iam:CreateUser\""), "{}", e.hint);
    }

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);
    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|l| l as &(dyn Error + 'static))
        }
    }

    #[test]
    fn root_cause_takes_the_innermost_error() {
        let e = Layer(
            "dispatch failure",
            Some(Box::new(Layer(
                "tcp connect error",
                Some(Box::new(Layer("Connection refused (os error 111)", None))),
            ))),
        );
        assert_eq!(root_cause(&e), "Connection refused (os error 111)");
    }
}
