//! [`FileMailer`]: writes e-mail to `.eml` files, for development without an SMTP
//! server.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use clientela_domain::ports::{MailError, Mailer, OutgoingEmail};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::message::build_message;

/// Directory the development mailer writes to when none is configured, relative
/// to the working directory.
pub const DEFAULT_MAIL_DIR: &str = ".data/mail";

/// Writes each e-mail as an RFC 5322 message (`.eml`, openable in any mail client)
/// under a directory, which it creates when missing.
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
}

impl FileMailer {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one e-mail and returns the file's path.
    pub async fn write(&self, email: &OutgoingEmail) -> Result<PathBuf, MailError> {
        let message = build_message(email)?;
        let name = file_name(OffsetDateTime::now_utc(), &email.message_id);
        let path = self.dir.join(&name);
        // The message is written to a hidden file first and renamed, so a reader
        // never sees a half-written `.eml`.
        let partial = self.dir.join(format!(".{name}.partial"));

        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|error| io_failure("create mail directory", &self.dir, &error))?;
        tokio::fs::write(&partial, message.formatted())
            .await
            .map_err(|error| io_failure("write e-mail file", &partial, &error))?;
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(|error| io_failure("rename e-mail file to", &path, &error))?;
        Ok(path)
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let path = self.write(email).await?;
        tracing::info!(
            path = %path.display(),
            message_id = %email.message_id,
            "wrote e-mail to file instead of sending it (SMTP_URL is not set)"
        );
        Ok(())
    }
}

/// Maps a disk failure to a transient error, because it may clear up (space
/// freed, permissions fixed).
fn io_failure(action: &str, path: &Path, error: &std::io::Error) -> MailError {
    MailError::Transient(format!("failed to {action} {}: {error}", path.display()))
}

/// Builds `{UTC time}_{Message-ID}.eml`, such as
/// `20260310T153000.123Z_0195f1a2-…_clientela.eml`. Names sort by time, and
/// characters other than ASCII letters, digits, `-` and `.` become `_`.
fn file_name(at: OffsetDateTime, message_id: &str) -> String {
    let format =
        format_description!("[year][month][day]T[hour][minute][second].[subsecond digits:3]Z");
    let time = at
        .to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| at.unix_timestamp().to_string());
    let id: String = message_id
        .trim_start_matches('<')
        .trim_end_matches('>')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{time}_{id}.eml")
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn file_name_has_time_and_message_id() {
        let name = file_name(
            datetime!(2026-03-10 12:30:00.123456 -3),
            "<0195f1a2-0000-7000-8000-000000000001@clientela>",
        );
        assert_eq!(
            name,
            "20260310T153000.123Z_0195f1a2-0000-7000-8000-000000000001_clientela.eml"
        );
    }

    #[test]
    fn file_name_replaces_path_characters() {
        let name = file_name(datetime!(2026-03-10 15:30 UTC), "<../../etc/passwd@x>");
        assert!(!name.contains('/'), "{name}");
        assert!(name.ends_with("_.._.._etc_passwd_x.eml"), "{name}");
    }
}
