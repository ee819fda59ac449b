//! What a person types to sign up or in, parsed into values that are valid
//! by construction. What is wrong is a [`CredentialError`]: a readable
//! message here, Better-Auth's code where it meets HTTP.

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;
const EMAIL_MAX_CHARS: usize = 254;
const NAME_MAX_CHARS: usize = 100;

/// Why an email, password or name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("Enter a valid email address.")]
    InvalidEmail,
    #[error("Password too short: use at least {PASSWORD_MIN_CHARS} characters.")]
    PasswordTooShort,
    #[error("Password too long: use at most {PASSWORD_MAX_CHARS} characters.")]
    PasswordTooLong,
    /// Signing in: no more than the longest password could be.
    #[error("Password too long.")]
    AttemptTooLong,
    #[error("Enter your password.")]
    PasswordMissing,
    #[error("Name too long: use at most {NAME_MAX_CHARS} characters.")]
    NameTooLong,
    #[error("Name contains invalid characters.")]
    NameInvalid,
}

impl CredentialError {
    /// Better-Auth's code for it.
    pub fn code(self) -> &'static str {
        match self {
            CredentialError::InvalidEmail => "INVALID_EMAIL",
            CredentialError::PasswordTooShort => "PASSWORD_TOO_SHORT",
            CredentialError::PasswordTooLong | CredentialError::AttemptTooLong => {
                "PASSWORD_TOO_LONG"
            }
            CredentialError::PasswordMissing
            | CredentialError::NameTooLong
            | CredentialError::NameInvalid => "VALIDATION_ERROR",
        }
    }
}

/// A trimmed, lower-cased email address of a plausible shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, CredentialError> {
        let email = raw.trim().to_lowercase();
        let invalid = CredentialError::InvalidEmail;
        if email.is_empty() || email.chars().count() > EMAIL_MAX_CHARS {
            return Err(invalid);
        }
        let (local, domain) = email.rsplit_once('@').ok_or(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        let clean = |s: &str| {
            !s.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@')
        };
        if local.is_empty() || !domain_ok || !clean(local) || !clean(domain) {
            return Err(invalid);
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`, a friendly default name.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or(&self.0)
    }
}

/// A password of 8 to 128 characters. Never printed.
pub struct Password(String);

impl Password {
    pub fn parse(raw: String) -> Result<Password, CredentialError> {
        let chars = raw.chars().count();
        if chars < PASSWORD_MIN_CHARS {
            return Err(CredentialError::PasswordTooShort);
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err(CredentialError::PasswordTooLong);
        }
        Ok(Password(raw))
    }

    /// For sign-in: any password up to the maximum length may be tried; longer
    /// ones are refused before any hashing work.
    pub fn parse_attempt(raw: String) -> Result<Password, CredentialError> {
        if raw.is_empty() {
            return Err(CredentialError::PasswordMissing);
        }
        if raw.chars().count() > PASSWORD_MAX_CHARS {
            return Err(CredentialError::AttemptTooLong);
        }
        Ok(Password(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A display name: trimmed, at most 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// An empty or missing name falls back to the email's local part.
    pub fn parse(raw: Option<&str>, email: &Email) -> Result<DisplayName, CredentialError> {
        let name = raw.map(str::trim).unwrap_or_default();
        if name.chars().count() > NAME_MAX_CHARS {
            return Err(CredentialError::NameTooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(CredentialError::NameInvalid);
        }
        Ok(DisplayName(if name.is_empty() {
            email.local_part().to_owned()
        } else {
            name.to_owned()
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Alice@Example.COM ").unwrap().as_str(),
            "alice@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "a b@example.com",
            "alice@.com",
            "alice@example..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn passwords_must_be_8_to_128_characters() {
        assert_eq!(
            Password::parse("short".into()).unwrap_err().code(),
            "PASSWORD_TOO_SHORT"
        );
        assert_eq!(
            Password::parse("x".repeat(129)).unwrap_err().code(),
            "PASSWORD_TOO_LONG"
        );
        assert!(Password::parse("x".repeat(128)).is_ok());
        // Characters, not bytes: eight accented letters are enough.
        assert!(Password::parse("éééééééé".into()).is_ok());
    }

    #[test]
    fn passwords_do_not_print() {
        let p = Password::parse("hunter2hunter2".into()).unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn a_missing_name_defaults_to_the_email_local_part() {
        let email = Email::parse("bob@example.com").unwrap();
        assert_eq!(DisplayName::parse(None, &email).unwrap().as_str(), "bob");
        assert_eq!(
            DisplayName::parse(Some("  Bob B "), &email)
                .unwrap()
                .as_str(),
            "Bob B"
        );
        assert!(DisplayName::parse(Some(&"n".repeat(101)), &email).is_err());
    }
}
