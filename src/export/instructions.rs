//! Sign-in instructions for a new user, like the console's "Email sign-in instructions": what
//! the admin can send in the clear, because it never holds the password.

/// Sign-in instructions to send to the new user, like the console's "Email sign-in
/// instructions": the console URL and user name, and a line saying the password comes
/// separately. Never contains the password.
pub fn sign_in_instructions(user: &str, console_url: &str) -> String {
    format!(
        "Hello,\n\
         \n\
         You now have access to the AWS Management Console.\n\
         \n\
         Console sign-in URL: {console_url}\n\
         User name: {user}\n\
         Password: sent to you separately. If the console asks, choose a new password when you \
         first sign in.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://123456789012.signin.aws.amazon.com/console";

    #[test]
    fn sign_in_instructions_never_hold_a_password() {
        let text = sign_in_instructions("deploy-bot", URL);
        assert!(text.contains("User name: deploy-bot"));
        assert!(text.contains(&format!("Console sign-in URL: {URL}")));
        assert!(text.contains("sent to you separately"));
    }
}
