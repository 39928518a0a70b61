//! Edits of a client's contact data and status.

use crate::client::{Client, ClientStatus};
use crate::error::{DomainError, ValidationErrors};
use crate::ids::ClientId;
use crate::tenant::{Actor, App};
use crate::values::{Checked, Document, Email, FullName, Phone};

use super::validation::{check, non_blank};
use super::{ClientChanges, ClientService, audit_entry, snapshot};

/// A [`ClientChanges`] whose every given field passed validation. For the optional
/// fields, `Some(None)` clears the stored value.
struct ValidChanges {
    name: Option<FullName>,
    email: Option<Email>,
    phone: Option<Option<Phone>>,
    document: Option<Option<Document>>,
    status: Option<ClientStatus>,
}

impl ClientService {
    /// Applies changes to contact data and status, recording before and after.
    /// When no value actually changes, returns the client as stored and writes
    /// nothing.
    pub async fn update(
        &self,
        app: &App,
        actor: &Actor,
        id: ClientId,
        changes: ClientChanges,
    ) -> Result<Client, DomainError> {
        let current = self
            .clients
            .find_client(app.id, id)
            .await?
            .ok_or(DomainError::ClientNotFound)?;
        let changes = validate(changes)?;

        let mut updated = apply(&current, changes);
        if updated.document != current.document {
            updated.possible_duplicate_document = match &updated.document {
                Some(Checked::Valid(document)) => {
                    self.clients
                        .document_in_use(app.id, document.as_str(), Some(id))
                        .await?
                }
                _ => false,
            };
        }
        if updated == current {
            return Ok(current);
        }

        let now = self.clock.now();
        updated.version = current.version + 1;
        updated.updated_at = now;
        let audit = audit_entry(
            app,
            id,
            actor,
            "client.update",
            Some(snapshot::client(&current)),
            Some(snapshot::client(&updated)),
            now,
        );
        self.clients
            .update_client(&updated, current.version, &audit)
            .await?;
        Ok(updated)
    }
}

/// Returns `current` with the changes applied. A new name clears the flag that
/// marked a platform's name as cut or cleaned.
fn apply(current: &Client, changes: ValidChanges) -> Client {
    let mut updated = current.clone();
    if let Some(name) = changes.name
        && name != current.name
    {
        updated.name = name;
        updated.name_altered = false;
    }
    if let Some(email) = changes.email {
        updated.email = email;
    }
    if let Some(phone) = changes.phone {
        updated.phone = phone.map(Checked::Valid);
    }
    if let Some(document) = changes.document {
        updated.document = document.map(Checked::Valid);
    }
    if let Some(status) = changes.status {
        updated.status = status;
    }
    updated
}

/// Validates every given field and reports all invalid fields at once. The name
/// and e-mail cannot be cleared: a blank value is rejected with the code
/// `required`. A blank phone or document clears it.
fn validate(changes: ClientChanges) -> Result<ValidChanges, ValidationErrors> {
    let mut errors = ValidationErrors::default();

    let name = changes
        .name
        .map(|raw| check(&mut errors, "name", FullName::parse(&raw)));
    let email = changes
        .email
        .map(|raw| check(&mut errors, "email", Email::parse(&raw)));
    let phone = changes
        .phone
        .map(|raw| non_blank(raw).map(|raw| check(&mut errors, "phone", Phone::parse(&raw))));
    let document = changes
        .document
        .map(|raw| non_blank(raw).map(|raw| check(&mut errors, "document", Document::parse(&raw))));
    errors.into_result()?;

    // Every check passed, so each inner `Option` from `check` is `Some`.
    Ok(ValidChanges {
        name: name.flatten(),
        email: email.flatten(),
        phone: phone.map(Option::flatten),
        document: document.map(Option::flatten),
        status: changes.status,
    })
}
