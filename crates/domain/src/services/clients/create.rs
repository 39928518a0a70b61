//! Manual creation of a client by a producer.

use std::collections::HashSet;

use time::OffsetDateTime;

use crate::account::{AccountToken, TokenPurpose};
use crate::client::{Client, ClientDetail, ClientStatus};
use crate::error::{DomainError, FieldError, ValidationErrors};
use crate::grant::{Grant, GrantSource};
use crate::ids::{ClientId, GrantId, ProductId};
use crate::tenant::{Actor, App};
use crate::values::{Checked, Document, Email, FullName, Phone, Platform};

use super::validation::{check, check_password, non_blank};
use super::{ClientService, NewClientInput, audit_entry, notifications, snapshot};

/// A [`NewClientInput`] whose every field passed validation.
struct ValidNewClient {
    name: FullName,
    email: Email,
    phone: Option<Phone>,
    document: Option<Document>,
    password: Option<String>,
    product_ids: Vec<ProductId>,
}

impl ClientService {
    /// Creates a client typed in by a producer, with manual grants of the given
    /// products, and records the change in the audit log.
    ///
    /// Queues, in the same transaction, one welcome e-mail and one access-granted
    /// e-mail per granted product. The welcome of a client created without a
    /// password carries a single-use link to set one.
    pub async fn create(
        &self,
        app: &App,
        actor: &Actor,
        input: NewClientInput,
    ) -> Result<ClientDetail, DomainError> {
        let input = validate(input)?;
        let products = self.find_all_products(app, &input.product_ids).await?;

        let possible_duplicate_document = match &input.document {
            Some(document) => {
                self.clients
                    .document_in_use(app.id, document.as_str(), None)
                    .await?
            }
            None => false,
        };
        let password_hash = match &input.password {
            Some(password) => Some(
                self.passwords
                    .hash(password)
                    .await
                    .map_err(|error| DomainError::Unexpected(error.to_string()))?,
            ),
            None => None,
        };

        let now = self.clock.now();
        let client = Client {
            id: ClientId::generate(),
            app_id: app.id,
            name: input.name,
            name_altered: false,
            email: input.email,
            phone: input.phone.map(Checked::Valid),
            document: input.document.map(Checked::Valid),
            possible_duplicate_document,
            has_chargeback: false,
            status: ClientStatus::Active,
            origin_platform: Platform::Manual,
            has_password: password_hash.is_some(),
            created_at: now,
            updated_at: now,
            last_access_at: None,
            first_access_at: None,
            version: 1,
        };
        let grants: Vec<Grant> = products
            .iter()
            .map(|product| manual_grant(app, client.id, product.id, actor, now, None))
            .collect();

        let mut audit = vec![audit_entry(
            app,
            client.id,
            actor,
            "client.create",
            None,
            Some(snapshot::client(&client)),
            now,
        )];
        audit.extend(grants.iter().map(|grant| {
            audit_entry(
                app,
                client.id,
                actor,
                "grant.create",
                None,
                Some(snapshot::grant(grant)),
                now,
            )
        }));

        // A client without a password gets a first-access token, stored with the
        // client, whose plain text goes into the welcome's set-password link.
        let (set_password_token, first_access_token) = if client.has_password {
            (None, None)
        } else {
            let (token, record) =
                AccountToken::issue(app.id, client.id, TokenPurpose::FirstAccess, now);
            (Some(token.as_str().to_owned()), Some(record))
        };
        let mut queued = vec![notifications::welcome(&client, set_password_token, now)];
        queued.extend(grants.iter().zip(&products).map(|(grant, product)| {
            notifications::access_granted(&client, grant, &product.name, now)
        }));

        self.clients
            .create_client(
                &client,
                password_hash.as_deref(),
                &grants,
                &audit,
                &queued,
                first_access_token.as_ref(),
            )
            .await?;
        self.clients
            .client_detail(app.id, client.id)
            .await?
            .ok_or_else(|| {
                DomainError::Unexpected(format!(
                    "client {} not found after it was created",
                    client.id
                ))
            })
    }
}

/// Builds a manual grant of `product`, given by `actor` at `now`.
pub(super) fn manual_grant(
    app: &App,
    client: ClientId,
    product: ProductId,
    actor: &Actor,
    now: OffsetDateTime,
    expires_at: Option<OffsetDateTime>,
) -> Grant {
    Grant {
        id: GrantId::generate(),
        app_id: app.id,
        client_id: client,
        product_id: product,
        source: GrantSource::Manual,
        transaction_id: None,
        granted_by: actor.clone(),
        granted_at: now,
        expires_at,
        revocation: None,
    }
}

/// Validates every field of a new client and reports all invalid fields at once.
fn validate(input: NewClientInput) -> Result<ValidNewClient, ValidationErrors> {
    let mut errors = ValidationErrors::default();

    let name = check(&mut errors, "name", FullName::parse(&input.name));
    let email = check(&mut errors, "email", Email::parse(&input.email));
    let phone =
        non_blank(input.phone).and_then(|raw| check(&mut errors, "phone", Phone::parse(&raw)));
    let document = non_blank(input.document)
        .and_then(|raw| check(&mut errors, "document", Document::parse(&raw)));
    let password = non_blank(input.password);
    if let Some(password) = &password {
        check_password(&mut errors, password);
    }

    let mut seen = HashSet::new();
    if let Some(repeated) = input.product_ids.iter().find(|id| !seen.insert(**id)) {
        errors.push(FieldError::new(
            "product_ids",
            "duplicate",
            format!("product {repeated} is listed more than once"),
        ));
    }

    match (name, email) {
        (Some(name), Some(email)) if errors.is_empty() => Ok(ValidNewClient {
            name,
            email,
            phone,
            document,
            password,
            product_ids: input.product_ids,
        }),
        _ => Err(errors),
    }
}
