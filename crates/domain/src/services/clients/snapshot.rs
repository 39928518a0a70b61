//! JSON snapshots written to the audit log as the state before and after a change.
//! They hold contact data, status and grant facts, never a password or its hash.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::client::Client;
use crate::grant::Grant;
use crate::values::Checked;

/// Captures the client's contact data and status.
pub(super) fn client(client: &Client) -> Value {
    json!({
        "name": client.name.as_str(),
        "email": client.email.as_str(),
        "phone": client.phone.as_ref().map(|phone| checked_text(phone, |p| p.as_str())),
        "document": client
            .document
            .as_ref()
            .map(|document| checked_text(document, |d| d.as_str())),
        "status": client.status.as_str(),
    })
}

/// Captures the grant's product, source, dates and revocation.
pub(super) fn grant(grant: &Grant) -> Value {
    json!({
        "grant_id": grant.id.to_string(),
        "product_id": grant.product_id.to_string(),
        "source": grant.source.as_str(),
        "granted_at": rfc3339(grant.granted_at),
        "expires_at": grant.expires_at.and_then(rfc3339),
        "revoked_at": grant.revocation.as_ref().and_then(|r| rfc3339(r.at)),
        "revoke_reason": grant.revocation.as_ref().map(|r| r.reason.as_str()),
    })
}

/// Captures several grants as a JSON array.
pub(super) fn grants(grants: &[Grant]) -> Value {
    Value::Array(grants.iter().map(grant).collect())
}

/// Returns the stored text of a checked value: the normalised form, or the raw
/// text of an unverified one.
fn checked_text<T>(value: &Checked<T>, text: impl Fn(&T) -> &str) -> String {
    match value {
        Checked::Valid(inner) => text(inner).to_owned(),
        Checked::Unverified { raw, .. } => raw.clone(),
    }
}

/// Formats an instant as RFC 3339. Returns `None` only for a year outside
/// 0000-9999, which RFC 3339 cannot write.
fn rfc3339(at: OffsetDateTime) -> Option<String> {
    at.format(&Rfc3339).ok()
}
