//! [`Renderer`]: the Portuguese e-mails of each notification kind, from the askama
//! templates in `templates/`.

use askama::Template;
use clientela_domain::notification::{AppMailSettings, Notification, NotificationContent};
use clientela_domain::ports::{MessageRenderer, RenderError, RenderedMessage};
use lettre::Address;
use lettre::message::Mailbox;
use url::Url;

use crate::error::ConfigError;

mod templates;

use templates::{
    AccessGrantedHtml, AccessGrantedText, FirstAccessHtml, FirstAccessText, MessageFields,
    PasswordResetHtml, PasswordResetText, WelcomeHtml, WelcomeText,
};

/// Sender address of apps that configure none.
pub const DEFAULT_FROM_ADDRESS: &str = "nao-responda@clientela.local";

/// Renders notifications into e-mails in Brazilian Portuguese, each with a
/// plain-text and an HTML body.
///
/// Links go to the app's members area when it has a URL: `{members_url}`,
/// `{members_url}/definir-senha?token=…` and
/// `{members_url}/redefinir-senha?token=…`. Otherwise the token links go to
/// Clientela's own pages, `{public_base_url}/p/{app slug}/definir-senha?token=…`
/// and `…/redefinir-senha?token=…`, and messages without a token carry no link.
#[derive(Debug, Clone)]
pub struct Renderer {
    public_base_url: Url,
    default_from: Address,
}

/// The links of one app's e-mails.
struct Links {
    /// Base the token pages hang from, ending in `/`.
    pages: Url,
    /// The members area's home page, when the app has one.
    home: Option<Url>,
}

impl Renderer {
    /// Creates a renderer whose fallback links start with `public_base_url` (the
    /// address where Clientela serves its pages, such as
    /// `https://clientela.example.com`) and whose apps without their own sender
    /// send from `default_from_address`.
    pub fn new(public_base_url: &str, default_from_address: &str) -> Result<Self, ConfigError> {
        let public_base_url = parse_base_url(public_base_url).map_err(|detail| {
            ConfigError::InvalidPublicBaseUrl {
                url: public_base_url.to_owned(),
                detail,
            }
        })?;
        let default_from = default_from_address.parse::<Address>().map_err(|error| {
            ConfigError::InvalidFromAddress {
                address: default_from_address.to_owned(),
                detail: error.to_string(),
            }
        })?;
        Ok(Self {
            public_base_url,
            default_from,
        })
    }

    /// Builds the sender: the app's name with its own address or the default one.
    fn sender(&self, app: &AppMailSettings) -> Result<String, RenderError> {
        let address = match &app.from_address {
            Some(address) => {
                address
                    .parse::<Address>()
                    .map_err(|error| RenderError::InvalidSettings {
                        app: app.app_id,
                        detail: format!("invalid sender address {address:?}: {error}"),
                    })?
            }
            None => self.default_from.clone(),
        };
        let name = single_line(&app.name);
        let mailbox = Mailbox::new((!name.is_empty()).then_some(name), address);
        Ok(mailbox.to_string())
    }

    fn links(&self, app: &AppMailSettings) -> Result<Links, RenderError> {
        match &app.members_url {
            Some(members_url) => {
                let home =
                    parse_base_url(members_url).map_err(|detail| RenderError::InvalidSettings {
                        app: app.app_id,
                        detail: format!("invalid members URL {members_url:?}: {detail}"),
                    })?;
                Ok(Links {
                    pages: home.clone(),
                    home: Some(home),
                })
            }
            None => {
                let pages = join_path(&self.public_base_url, &["p", &app.slug, ""]);
                Ok(Links { pages, home: None })
            }
        }
    }
}

impl Links {
    fn set_password(&self, token: &str) -> String {
        token_url(&self.pages, "definir-senha", token)
    }

    fn reset_password(&self, token: &str) -> String {
        token_url(&self.pages, "redefinir-senha", token)
    }

    fn home(&self) -> Option<String> {
        self.home.as_ref().map(Url::to_string)
    }
}

impl MessageRenderer for Renderer {
    fn render(
        &self,
        notification: &Notification,
        app: &AppMailSettings,
    ) -> Result<RenderedMessage, RenderError> {
        let from = self.sender(app)?;
        let links = self.links(app)?;
        let app_name = single_line(&app.name);
        let client_name = notification.content.client_name();

        let (subject, fields) = match &notification.content {
            NotificationContent::Welcome {
                set_password_token, ..
            } => (
                format!("Bem-vindo(a) ao {app_name}"),
                MessageFields {
                    client_name,
                    app_name: &app_name,
                    product_name: "",
                    action_url: set_password_token
                        .as_deref()
                        .map(|token| links.set_password(token)),
                    members_url: links.home(),
                },
            ),
            NotificationContent::FirstAccess { token, .. } => (
                format!("Primeiro acesso – {app_name}"),
                MessageFields {
                    client_name,
                    app_name: &app_name,
                    product_name: "",
                    action_url: Some(links.set_password(token)),
                    members_url: links.home(),
                },
            ),
            NotificationContent::PasswordReset { token, .. } => (
                format!("Redefinição de senha – {app_name}"),
                MessageFields {
                    client_name,
                    app_name: &app_name,
                    product_name: "",
                    action_url: Some(links.reset_password(token)),
                    members_url: links.home(),
                },
            ),
            NotificationContent::AccessGranted { product_name, .. } => (
                format!("Seu acesso a {} foi liberado", single_line(product_name)),
                MessageFields {
                    client_name,
                    app_name: &app_name,
                    product_name,
                    action_url: None,
                    members_url: links.home(),
                },
            ),
        };

        let (text_body, html_body) = render_bodies(&notification.content, &fields)?;
        Ok(RenderedMessage {
            from,
            subject: single_line(&subject),
            text_body,
            html_body,
        })
    }
}

/// Renders the plain-text and HTML templates of the notification's kind.
fn render_bodies(
    content: &NotificationContent,
    fields: &MessageFields<'_>,
) -> Result<(String, String), RenderError> {
    let m = fields;
    let bodies = match content {
        NotificationContent::Welcome { .. } => (
            render("welcome.txt", WelcomeText { m }),
            render("welcome.html", WelcomeHtml { m }),
        ),
        NotificationContent::FirstAccess { .. } => (
            render("first_access.txt", FirstAccessText { m }),
            render("first_access.html", FirstAccessHtml { m }),
        ),
        NotificationContent::PasswordReset { .. } => (
            render("password_reset.txt", PasswordResetText { m }),
            render("password_reset.html", PasswordResetHtml { m }),
        ),
        NotificationContent::AccessGranted { .. } => (
            render("access_granted.txt", AccessGrantedText { m }),
            render("access_granted.html", AccessGrantedHtml { m }),
        ),
    };
    Ok((bodies.0?, bodies.1?))
}

fn render(name: &'static str, template: impl Template) -> Result<String, RenderError> {
    template.render().map_err(|error| RenderError::Template {
        template: name,
        detail: error.to_string(),
    })
}

/// Parses an absolute http or https URL that links can be appended to.
fn parse_base_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|error| error.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("scheme {:?} is not http or https", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".to_owned());
    }
    if url.fragment().is_some() {
        return Err("the URL has a fragment (#…)".to_owned());
    }
    Ok(url)
}

/// Appends path segments (percent-encoded) to `base`, after its existing path.
/// An empty last segment leaves a trailing `/`.
fn join_path(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    // http and https URLs can always be a base, so the segments are always
    // available; a URL that cannot is returned unchanged.
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

/// Builds `{base}/{page}?token=…`, keeping any query the base already has.
fn token_url(base: &Url, page: &str, token: &str) -> String {
    let mut url = join_path(base, &[page]);
    url.query_pairs_mut().append_pair("token", token);
    url.to_string()
}

/// Replaces line breaks and other control characters with spaces and collapses
/// runs of white space, because headers (subject, sender name) are one line.
fn single_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_collapses_breaks() {
        assert_eq!(
            single_line(" Curso\r\nde\tViolão \u{7} "),
            "Curso de Violão"
        );
    }

    #[test]
    fn token_url_encodes_token() {
        let base = parse_base_url("https://membros.example.com/area").expect("valid URL");
        assert_eq!(
            token_url(&base, "definir-senha", "a+b/c=&d"),
            "https://membros.example.com/area/definir-senha?token=a%2Bb%2Fc%3D%26d"
        );
    }

    #[test]
    fn token_url_keeps_base_query() {
        let base = parse_base_url("https://membros.example.com/?utm=email").expect("valid URL");
        assert_eq!(
            token_url(&base, "redefinir-senha", "t"),
            "https://membros.example.com/redefinir-senha?utm=email&token=t"
        );
    }

    #[test]
    fn base_url_rules() {
        assert!(parse_base_url("https://clientela.example.com").is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080/").is_ok());
        assert!(parse_base_url("ftp://clientela.example.com").is_err());
        assert!(parse_base_url("clientela.example.com").is_err());
        assert!(parse_base_url("https://clientela.example.com/#x").is_err());
        assert!(parse_base_url("javascript:alert(1)").is_err());
    }
}
