//! E-mail adapters of Clientela.
//!
//! - [`SmtpMailer`] implements the domain's `Mailer` port with lettre's async SMTP
//!   transport, configured from an `SMTP_URL`.
//! - [`FileMailer`] implements it by writing `.eml` files, for development when
//!   no `SMTP_URL` is set.
//! - [`Renderer`] implements the `MessageRenderer` port with the askama templates
//!   in `templates/`: one plain-text and one HTML body per notification kind, in
//!   Brazilian Portuguese.

mod error;
mod file;
mod message;
mod render;
mod smtp;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clientela_domain::ports::Mailer;

pub use error::ConfigError;
pub use file::{DEFAULT_MAIL_DIR, FileMailer};
pub use render::{DEFAULT_FROM_ADDRESS, Renderer};
pub use smtp::{DEFAULT_SMTP_TIMEOUT, SmtpMailer};

/// Builds the mailer the service uses: an [`SmtpMailer`] when `smtp_url` is set
/// (and not blank), otherwise a [`FileMailer`] writing to `mail_dir`. Logs which
/// one was chosen, without the SMTP password.
pub fn build_mailer(
    smtp_url: Option<&str>,
    mail_dir: impl Into<PathBuf>,
    timeout: Duration,
) -> Result<Arc<dyn Mailer>, ConfigError> {
    match smtp_url.map(str::trim).filter(|url| !url.is_empty()) {
        Some(url) => {
            let mailer = SmtpMailer::from_url(url, timeout)?;
            tracing::info!(server = %mailer.server(), "sending e-mail through SMTP");
            Ok(Arc::new(mailer))
        }
        None => {
            let mailer = FileMailer::new(mail_dir);
            tracing::info!(
                dir = %mailer.dir().display(),
                "SMTP_URL is not set: writing e-mail to .eml files"
            );
            Ok(Arc::new(mailer))
        }
    }
}
