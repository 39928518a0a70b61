//! The askama template types. Every template of a message reads the same
//! [`MessageFields`], as `m`. Files ending in `.html` are HTML-escaped; `.txt`
//! files are not.

use askama::Template;

/// The values a message shows.
pub(super) struct MessageFields<'a> {
    pub(super) client_name: &'a str,
    pub(super) app_name: &'a str,
    /// Product of an access-granted message; empty for the other kinds.
    pub(super) product_name: &'a str,
    /// The message's main link (set or reset a password), when it has one.
    pub(super) action_url: Option<String>,
    /// Home page of the app's members area, when the app has one.
    pub(super) members_url: Option<String>,
}

#[derive(Template)]
#[template(path = "welcome.html")]
pub(super) struct WelcomeHtml<'a> {
    pub(super) m: &'a MessageFields<'a>,
}

#[derive(Template)]
#[template(path = "welcome.txt")]
pub(super) struct WelcomeText<'a> {
    pub(super) m: &'a MessageFields<'a>,
}

#[derive(Template)]
#[template(path = "first_access.html")]
pub(super) struct FirstAccessHtml<'a> {
    pub(super) m: &'a MessageFields<'a>,
}

#[derive(Template)]
#[template(path = "first_access.txt")]
pub(super) struct FirstAccessText<'a> {
    pub(super) m: &'a MessageFields<'a>,
}

#[derive(Template)]
#[template(path = "password_reset.html")]
pub(super) struct PasswordResetHtml<'a> {
    pub(super) m: &'a MessageFields<'a>,
}

#[derive(Template)]
#[template(path = "password_reset.txt")]
pub(super) struct PasswordResetText<'a> {
    pub(super) m: &'a MessageFields<'a>,
}

#[derive(Template)]
#[template(path = "access_granted.html")]
pub(super) struct AccessGrantedHtml<'a> {
    pub(super) m: &'a MessageFields<'a>,
}

#[derive(Template)]
#[template(path = "access_granted.txt")]
pub(super) struct AccessGrantedText<'a> {
    pub(super) m: &'a MessageFields<'a>,
}
