//! Rules that turn customer data received from a platform into a client's
//! contact data.
//!
//! Received data fills missing fields and replaces changed ones, but a field the
//! event leaves empty never erases the stored value. A verified phone or document
//! replaces anything stored. An unverified one (kept as received because it failed
//! validation) replaces only a missing or another unverified value, never a
//! verified one: a typo at the platform must not destroy a number that is known
//! to be valid. The e-mail identifies the client and the password belongs to the
//! client, so neither is touched here.

use crate::sale::{CustomerData, DataIssue};
use crate::values::{Checked, Document, Email, FullName, Phone};

/// The contact fields of a client that platform events may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientContact {
    pub name: FullName,
    /// Whether the stored name was cut or cleaned from what a platform sent.
    pub name_altered: bool,
    pub phone: Option<Checked<Phone>>,
    pub document: Option<Checked<Document>>,
}

/// Contact fields of a client, as named in [`ContactMerge::changed`] and in
/// data issues.
pub const NAME: &str = "name";
pub const PHONE: &str = "phone";
pub const DOCUMENT: &str = "document";

/// Reason code of an unverified value that was not applied over a verified one.
pub const UNVERIFIED_NOT_APPLIED: &str = "unverified_not_applied";

/// Reason code of a missing name, replaced by the e-mail's local part.
pub const NAME_MISSING: &str = "missing";

/// Builds the contact of a new client from received data, with the issues of the
/// received values. A client needs a name, so when the event has none, the
/// e-mail's local part is used and a `missing` name issue is reported.
pub fn new_client_contact(received: &CustomerData) -> (ClientContact, Vec<DataIssue>) {
    let mut issues = received.issues();
    let name = match &received.name {
        Some(name) => name.clone(),
        None => {
            issues.push(DataIssue {
                field: NAME,
                reason: NAME_MISSING.to_owned(),
            });
            name_from_email(&received.email)
        }
    };
    let contact = ClientContact {
        name,
        name_altered: received.name.is_some() && received.name_altered,
        phone: received.phone.clone(),
        document: received.document.clone(),
    };
    (contact, issues)
}

/// The local part of an e-mail as a name, or the whole address should the local
/// part have nothing printable.
fn name_from_email(email: &Email) -> FullName {
    let address = email.as_str();
    let local = address.split('@').next().unwrap_or(address);
    FullName::parse_lenient(local)
        .or_else(|| FullName::parse_lenient(address))
        .map(|(name, _)| name)
        // A valid e-mail address is never blank, so this fallback is never used.
        .unwrap_or_else(|| FullName::parse("Cliente").expect("a valid constant name"))
}

/// The result of merging received data into a stored contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactMerge {
    pub contact: ClientContact,
    /// The fields whose value changed ([`NAME`], [`PHONE`], [`DOCUMENT`]).
    pub changed: Vec<&'static str>,
    /// The received values kept although odd, and those not applied.
    pub issues: Vec<DataIssue>,
}

impl ContactMerge {
    pub fn is_changed(&self) -> bool {
        !self.changed.is_empty()
    }

    pub fn document_changed(&self) -> bool {
        self.changed.contains(&DOCUMENT)
    }
}

/// Merges received data into the stored contact, as the module documentation
/// describes.
pub fn merge_contact(stored: &ClientContact, received: &CustomerData) -> ContactMerge {
    let mut issues = received.issues();
    let mut changed = Vec::new();
    let mut contact = stored.clone();

    if let Some(name) = &received.name
        && *name != stored.name
    {
        changed.push(NAME);
        contact.name = name.clone();
        contact.name_altered = received.name_altered;
    }

    match merge_checked(stored.phone.as_ref(), received.phone.as_ref()) {
        Merged::Keep => {}
        Merged::Replace(phone) => {
            changed.push(PHONE);
            contact.phone = Some(phone);
        }
        Merged::NotApplied => issues.push(not_applied(PHONE)),
    }
    match merge_checked(stored.document.as_ref(), received.document.as_ref()) {
        Merged::Keep => {}
        Merged::Replace(document) => {
            changed.push(DOCUMENT);
            contact.document = Some(document);
        }
        Merged::NotApplied => issues.push(not_applied(DOCUMENT)),
    }

    ContactMerge {
        contact,
        changed,
        issues,
    }
}

fn not_applied(field: &'static str) -> DataIssue {
    DataIssue {
        field,
        reason: UNVERIFIED_NOT_APPLIED.to_owned(),
    }
}

enum Merged<T> {
    Keep,
    Replace(T),
    NotApplied,
}

fn merge_checked<T: Clone + PartialEq>(
    stored: Option<&Checked<T>>,
    received: Option<&Checked<T>>,
) -> Merged<Checked<T>> {
    let Some(received) = received else {
        return Merged::Keep;
    };
    if stored == Some(received) {
        return Merged::Keep;
    }
    match (stored, received) {
        (Some(Checked::Valid(_)), Checked::Unverified { .. }) => Merged::NotApplied,
        _ => Merged::Replace(received.clone()),
    }
}

#[cfg(test)]
mod tests;
