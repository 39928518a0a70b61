//! Field checks shared by the client use cases. Each check records a
//! [`FieldError`] and carries on, so one response lists every invalid field.

use std::fmt::Display;

use crate::error::{FieldError, ValidationErrors};
use crate::values::{DocumentError, EmailError, FullNameError, PhoneError};

use super::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};

/// A value type's validation error with a stable code.
pub(super) trait CodedError: Display {
    fn code(&self) -> &'static str;
}

macro_rules! coded_error {
    ($($error:ty),*) => {
        $(impl CodedError for $error {
            fn code(&self) -> &'static str {
                <$error>::code(self)
            }
        })*
    };
}

coded_error!(FullNameError, EmailError, PhoneError, DocumentError);

/// Returns the parsed value, or records the error under `field` and returns `None`.
pub(super) fn check<T, E: CodedError>(
    errors: &mut ValidationErrors,
    field: &str,
    parsed: Result<T, E>,
) -> Option<T> {
    match parsed {
        Ok(value) => Some(value),
        Err(error) => {
            errors.push(FieldError::new(field, error.code(), &error));
            None
        }
    }
}

/// Drops a blank optional string, which counts as absent.
pub(super) fn non_blank(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.trim().is_empty())
}

/// Records an error under `password` when the password's length in characters is
/// outside `PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS`. The password is not trimmed,
/// because spaces may be part of it.
pub(super) fn check_password(errors: &mut ValidationErrors, password: &str) {
    let length = password.chars().count();
    if length < PASSWORD_MIN_CHARS {
        errors.push(FieldError::new(
            "password",
            "too_short",
            format!("password is shorter than {PASSWORD_MIN_CHARS} characters"),
        ));
    } else if length > PASSWORD_MAX_CHARS {
        errors.push(FieldError::new(
            "password",
            "too_long",
            format!("password is longer than {PASSWORD_MAX_CHARS} characters"),
        ));
    }
}
