use async_trait::async_trait;

/// A rendered e-mail ready to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// Globally unique Message-ID, derived from the notification, so a retried
    /// send is recognisable as the same message.
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The server rejected the message for good (for example an invalid recipient).
    #[error("message rejected: {0}")]
    Rejected(String),
    /// The send failed in a way a later retry may fix.
    #[error("sending failed: {0}")]
    Transient(String),
}

/// Sends e-mail.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError>;
}
