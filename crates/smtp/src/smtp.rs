//! [`SmtpMailer`]: sends e-mail through an SMTP server with lettre.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use clientela_domain::ports::{MailError, Mailer, OutgoingEmail};
use lettre::transport::smtp;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use url::Url;

use crate::error::ConfigError;
use crate::message::build_message;

/// Default limit on one send, from connecting to the server's final reply.
pub const DEFAULT_SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Permanent (5xx) replies that point at our credentials or the server's policy
/// about them, not at the message: 530 authentication required, 534 mechanism too
/// weak, 535 credentials invalid, 538 encryption required. A message refused with
/// one of them can be sent once the configuration is fixed, so it is retried.
const AUTHENTICATION_CODES: [u16; 4] = [530, 534, 535, 538];

/// Sends e-mail through the SMTP server named by an `SMTP_URL`, opening one
/// connection per message.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    server: String,
    timeout: Duration,
}

impl SmtpMailer {
    /// Configures the mailer from a connection URL, with lettre 0.11's
    /// `from_url` rules: `smtp://host:port` sends in plain text,
    /// `smtp://host:587?tls=required` (or `tls=opportunistic`) upgrades with
    /// STARTTLS, `smtps://host:465` connects over TLS, and `user:password@` in the
    /// URL (percent-encoded) turns on authentication. `timeout` limits each
    /// send, and each connection check, as a whole.
    // TODO: test smtps:// and a successful STARTTLS, which need a certificate
    // that lettre's built-in public roots accept.
    pub fn from_url(smtp_url: &str, timeout: Duration) -> Result<Self, ConfigError> {
        if timeout.is_zero() {
            return Err(ConfigError::ZeroTimeout);
        }
        let server = redact_url(smtp_url);
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|error| ConfigError::InvalidSmtpUrl {
                url: server.clone(),
                detail: error.to_string(),
            })?
            .timeout(Some(timeout))
            .build();
        Ok(Self {
            transport,
            server,
            timeout,
        })
    }

    /// Returns the server's URL without its password, for logs.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Connects to the server and sends EHLO, so a wrong host, port or TLS setting
    /// shows at start-up instead of at the first e-mail.
    pub async fn check_connection(&self) -> Result<(), MailError> {
        match tokio::time::timeout(self.timeout, self.transport.test_connection()).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err(MailError::Transient(format!(
                "SMTP server {} did not accept a connection",
                self.server
            ))),
            Ok(Err(error)) => Err(classify(&error)),
            Err(_) => Err(self.timed_out()),
        }
    }

    fn timed_out(&self) -> MailError {
        MailError::Transient(format!(
            "timed out after {} ms talking to SMTP server {}",
            self.timeout.as_millis(),
            self.server
        ))
    }
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("server", &self.server)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = build_message(email)?;
        // lettre 0.11 applies its timeout to connecting only, so a server that
        // stops answering mid-conversation would hold the send forever.
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Ok(Ok(_response)) => {}
            Ok(Err(error)) => return Err(classify(&error)),
            Err(_) => return Err(self.timed_out()),
        }
        tracing::debug!(
            message_id = %email.message_id,
            server = %self.server,
            "SMTP server accepted e-mail"
        );
        Ok(())
    }
}

/// Maps a lettre error to the domain's retry decision. Only a permanent (5xx)
/// reply about the message is a rejection. 4xx replies, network and TLS
/// failures, timeouts and authentication failures may pass, so they are
/// transient.
fn classify(error: &smtp::Error) -> MailError {
    let code = error.status().map(u16::from);
    let is_authentication = code.is_some_and(|code| AUTHENTICATION_CODES.contains(&code));
    if error.is_permanent() && !is_authentication {
        MailError::Rejected(error.to_string())
    } else if error.is_timeout() {
        MailError::Transient(format!("timed out: {error}"))
    } else {
        MailError::Transient(error.to_string())
    }
}

/// Replaces the password in a URL with `***`. A URL that does not parse is not
/// shown at all, because the password cannot be located in it.
fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) => {
            if url.password().is_some() {
                // A URL with a password has a host, so `set_password` cannot
                // fail here.
                let _ = url.set_password(Some("***"));
            }
            url.to_string()
        }
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_password() {
        assert_eq!(
            redact_url("smtp://mailer:s3cr%40t@mail.example.com:587?tls=required"),
            "smtp://mailer:***@mail.example.com:587?tls=required"
        );
    }

    #[test]
    fn redact_keeps_url_without_password() {
        assert_eq!(redact_url("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
    }

    #[test]
    fn redact_hides_unparsable_url() {
        assert_eq!(redact_url("//mailer:secret@host"), "(unparsable URL)");
    }
}
