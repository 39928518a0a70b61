//! Changes to an app's settings: the members area's URL, the sender of its
//! e-mails and its time zone.

use time_tz::{TimeZone, timezones};
use url::Url;

use crate::error::{DomainError, FieldError, RepositoryError, ValidationErrors};
use crate::tenant::{AppSettings, AppSettingsChanges};
use crate::values::Email;

use super::AppService;

#[cfg(test)]
mod tests;

/// Maximum length of an app's members URL, in characters.
pub const MEMBERS_URL_MAX_CHARS: usize = 2048;

impl AppService {
    /// Validates and applies changes to the settings of the app with this slug,
    /// and returns the settings as stored.
    ///
    /// A blank members URL or sender clears it. The members URL must be an
    /// absolute http or https URL without a fragment or a user name, and is
    /// stored as parsed (`https://membros.example.com` becomes
    /// `https://membros.example.com/`). The sender is stored lower-cased, and the
    /// time zone by its IANA name. An unknown slug is a validation error on the
    /// field `slug` with the code `not_found`.
    pub async fn configure(
        &self,
        slug: &str,
        changes: AppSettingsChanges,
    ) -> Result<AppSettings, DomainError> {
        let changes = validate(changes)?;
        let Some(app) = self.apps.find_app_by_slug(slug).await? else {
            return Err(ValidationErrors(vec![FieldError::new(
                "slug",
                "not_found",
                format!("no app has the slug {slug:?}"),
            )])
            .into());
        };
        self.apps
            .update_app_settings(app.id, &changes)
            .await
            .map_err(|error| match error {
                // The app was deleted between the two calls.
                RepositoryError::NotFound => ValidationErrors(vec![FieldError::new(
                    "slug",
                    "not_found",
                    format!("no app has the slug {slug:?}"),
                )])
                .into(),
                other => DomainError::from(other),
            })
    }
}

/// Checks every given setting, reports all invalid ones at once, and returns the
/// changes in their stored form.
fn validate(changes: AppSettingsChanges) -> Result<AppSettingsChanges, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if changes.is_empty() {
        errors.push(FieldError::new(
            "settings",
            "required",
            "no setting to change was given",
        ));
        return Err(errors);
    }

    let members_url = changes
        .members_url
        .map(|url| non_blank(url).and_then(|url| members_url(&mut errors, &url)));
    let mail_from = changes
        .mail_from
        .map(|address| non_blank(address).and_then(|address| mail_from(&mut errors, &address)));
    let time_zone = changes
        .time_zone
        .and_then(|name| time_zone(&mut errors, &name));

    errors.into_result()?;
    Ok(AppSettingsChanges {
        members_url,
        mail_from,
        time_zone,
    })
}

fn non_blank(value: Option<String>) -> Option<String> {
    value
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

fn members_url(errors: &mut ValidationErrors, raw: &str) -> Option<String> {
    if raw.chars().count() > MEMBERS_URL_MAX_CHARS {
        errors.push(FieldError::new(
            "members_url",
            "too_long",
            format!("members URL is longer than {MEMBERS_URL_MAX_CHARS} characters"),
        ));
        return None;
    }
    match parse_members_url(raw) {
        Ok(url) => Some(url.to_string()),
        Err(detail) => {
            errors.push(FieldError::new(
                "members_url",
                "invalid_url",
                format!("invalid members URL {raw:?}: {detail}"),
            ));
            None
        }
    }
}

/// Parses an absolute http or https URL that e-mail links can be appended to.
fn parse_members_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|error| error.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("scheme {:?} is not http or https", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".to_owned());
    }
    if url.fragment().is_some() {
        return Err("the URL has a fragment (#…)".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL has a user name or password".to_owned());
    }
    Ok(url)
}

fn mail_from(errors: &mut ValidationErrors, raw: &str) -> Option<String> {
    match Email::parse(raw) {
        Ok(address) => Some(address.as_str().to_owned()),
        Err(error) => {
            errors.push(FieldError::new("mail_from", error.code(), &error));
            None
        }
    }
}

fn time_zone(errors: &mut ValidationErrors, raw: &str) -> Option<String> {
    let raw = raw.trim();
    match timezones::get_by_name(raw) {
        Some(zone) if !raw.is_empty() => Some(zone.name().to_owned()),
        _ => {
            errors.push(FieldError::new(
                "time_zone",
                "invalid_time_zone",
                format!("{raw:?} is not an IANA time zone name"),
            ));
            None
        }
    }
}
