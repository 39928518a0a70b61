//! The MIME message built from a domain [`OutgoingEmail`], shared by both mailers.

use clientela_domain::ports::{MailError, OutgoingEmail};
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

/// Builds a multipart/alternative message with a plain-text and an HTML part.
/// lettre encodes non-ASCII subjects and display names as RFC 2047 encoded words
/// and picks a transfer encoding for each body.
///
/// Fails with [`MailError::Rejected`], because resending the same e-mail cannot
/// succeed, when an address or the Message-ID is malformed.
pub(crate) fn build_message(email: &OutgoingEmail) -> Result<Message, MailError> {
    let from = parse_mailbox("sender", &email.from)?;
    let to = parse_mailbox("recipient", &email.to)?;
    if !is_valid_message_id(&email.message_id) {
        return Err(MailError::Rejected(format!(
            "invalid Message-ID {:?}: expected <left@right> without spaces",
            email.message_id
        )));
    }

    let mut message = Message::builder()
        .message_id(Some(email.message_id.clone()))
        .from(from)
        .to(to)
        .subject(email.subject.as_str())
        .multipart(MultiPart::alternative_plain_html(
            email.text_body.clone(),
            email.html_body.clone(),
        ))
        .map_err(|error| MailError::Rejected(format!("message cannot be built: {error}")))?;

    // RFC 3834: marks the message as sent by a program, so auto-responders such
    // as vacation replies do not reply to it.
    message.headers_mut().insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Auto-Submitted"),
        "auto-generated".to_owned(),
    ));
    Ok(message)
}

fn parse_mailbox(role: &str, raw: &str) -> Result<Mailbox, MailError> {
    raw.parse()
        .map_err(|error| MailError::Rejected(format!("invalid {role} address {raw:?}: {error}")))
}

/// Accepts `<left@right>` with printable ASCII and no spaces or further angle
/// brackets, so the value cannot break the header.
fn is_valid_message_id(message_id: &str) -> bool {
    let Some(inner) = message_id
        .strip_prefix('<')
        .and_then(|rest| rest.strip_suffix('>'))
    else {
        return false;
    };
    let Some((left, right)) = inner.split_once('@') else {
        return false;
    };
    !left.is_empty()
        && !right.is_empty()
        && inner
            .bytes()
            .all(|byte| byte.is_ascii_graphic() && byte != b'<' && byte != b'>')
        && !right.contains('@')
}
