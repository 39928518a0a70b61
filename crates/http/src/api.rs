//! Request and response bodies of the admin API, in snake_case JSON. Times are
//! RFC 3339 in UTC.
//!
//! These types mirror the domain's instead of serialising it directly, so the JSON
//! contract and the OpenAPI schemas change only when this module does.

use clientela_domain as domain;
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::nullable;

/// Defines an API enum with the same variants as a domain enum, and conversions
/// both ways.
macro_rules! api_enum {
    ($(#[$doc:meta])* $name:ident = $domain:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }

        impl From<$domain> for $name {
            fn from(value: $domain) -> Self {
                match value {
                    $($domain::$variant => Self::$variant),+
                }
            }
        }

        impl From<$name> for $domain {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => Self::$variant),+
                }
            }
        }
    };
}

use domain::client::ClientStatus as DomainClientStatus;
use domain::grant::{GrantSource as DomainGrantSource, RevokeReason as DomainRevokeReason};
use domain::values::{
    DocumentKind as DomainDocumentKind, PaymentMethodKind as DomainPaymentMethodKind,
    Platform as DomainPlatform, TransactionStatusKind as DomainTransactionStatusKind,
};

mod links;
mod webhooks;

pub use links::{NewProductLink, ProductLink, ProductLinkList};
pub use webhooks::{
    WebhookAck, WebhookCounts, WebhookDataIssue, WebhookEvent, WebhookEventDetail,
    WebhookEventItem, WebhookEventPage, WebhookHeader, WebhookOutcome,
};

api_enum!(
    /// Whether a client may log in to the app (`active`) or not (`inactive`).
    ClientStatus = DomainClientStatus { Active, Inactive }
);
api_enum!(
    /// Origin of a client or transaction: a sales platform, manual entry, the
    /// members app or an import.
    Platform = DomainPlatform {
        Hotmart, Kiwify, Eduzz, Monetizze, Braip, Ticto, Greenn, Kirvano, Perfectpay,
        Cakto, Hubla, Guru, Manual, App, Import,
    }
);
api_enum!(
    /// An individual's CPF or a company's CNPJ.
    DocumentKind = DomainDocumentKind { Cpf, Cnpj }
);
api_enum!(
    /// Cause of a grant.
    GrantSource = DomainGrantSource { Purchase, Subscription, Manual, Import }
);
api_enum!(
    /// Reason a grant was revoked.
    RevokeReason = DomainRevokeReason { Refund, Chargeback, Cancellation, Manual }
);
api_enum!(
    /// Normalised payment method.
    PaymentMethod = DomainPaymentMethodKind { Card, Boleto, Pix, Other }
);
api_enum!(
    /// Normalised transaction status.
    TransactionStatus = DomainTransactionStatusKind {
        Pending, Overdue, Expired, Cancelled, Paid, Disputed, PartiallyRefunded, Refunded,
        Chargeback,
    }
);

/// Converts a time to UTC at microsecond precision, the precision of the
/// database, so a time looks the same whether it was just made or read back.
fn utc(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(UtcOffset::UTC);
    let micros = at.nanosecond() / 1_000;
    at.replace_nanosecond(micros * 1_000).unwrap_or(at)
}

/// A client of the app.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Client {
    pub id: Uuid,
    #[schema(example = "Ana Souza")]
    pub name: String,
    /// Trimmed and lower-cased.
    #[schema(example = "ana.souza@example.com")]
    pub email: String,
    /// E.164 when verified; otherwise the value exactly as a platform sent it.
    #[schema(example = "+5511987654321")]
    pub phone: Option<String>,
    /// Whether `phone` passed validation. False when there is no phone.
    pub phone_verified: bool,
    /// CPF or CNPJ without mask; the raw value when it failed validation.
    #[schema(example = "03145876244")]
    pub document: Option<String>,
    /// The document with its usual mask; only for a verified document.
    #[schema(example = "031.458.762-44")]
    pub document_formatted: Option<String>,
    /// Kind of a verified document.
    pub document_kind: Option<DocumentKind>,
    /// Whether `document` passed validation. False when there is no document.
    pub document_verified: bool,
    /// Another client of the app has the same document, so both are flagged for review.
    pub possible_duplicate_document: bool,
    /// A chargeback was recorded on one of the client's transactions.
    pub has_chargeback: bool,
    pub status: ClientStatus,
    pub origin_platform: Platform,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Last successful login in the members app; null when never.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_access_at: Option<OffsetDateTime>,
}

impl From<&domain::client::Client> for Client {
    fn from(client: &domain::client::Client) -> Self {
        use domain::values::Checked;

        let (phone, phone_verified) = match &client.phone {
            Some(Checked::Valid(phone)) => (Some(phone.as_str().to_owned()), true),
            Some(Checked::Unverified { raw, .. }) => (Some(raw.clone()), false),
            None => (None, false),
        };
        let (document, document_formatted, document_kind, document_verified) =
            match &client.document {
                Some(Checked::Valid(document)) => (
                    Some(document.as_str().to_owned()),
                    Some(document.masked()),
                    Some(document.kind().into()),
                    true,
                ),
                Some(Checked::Unverified { raw, .. }) => (Some(raw.clone()), None, None, false),
                None => (None, None, None, false),
            };
        Self {
            id: client.id.as_uuid(),
            name: client.name.as_str().to_owned(),
            email: client.email.as_str().to_owned(),
            phone,
            phone_verified,
            document,
            document_formatted,
            document_kind,
            document_verified,
            possible_duplicate_document: client.possible_duplicate_document,
            has_chargeback: client.has_chargeback,
            status: client.status.into(),
            origin_platform: client.origin_platform.into(),
            created_at: utc(client.created_at),
            updated_at: utc(client.updated_at),
            last_access_at: client.last_access_at.map(utc),
        }
    }
}

/// A client with everything shown on their page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClientDetail {
    #[serde(flatten)]
    pub client: Client,
    /// Current and past grants, each with its product's name.
    pub grants: Vec<Grant>,
    pub transactions: Vec<Transaction>,
    /// Logins, failed logins, first accesses and password resets in the app.
    pub access_log: Vec<AccessLogEntry>,
    /// E-mails sent or queued for the client.
    pub notifications: Vec<Notification>,
    /// Admin changes to the client.
    pub audit: Vec<AuditEntry>,
}

impl ClientDetail {
    /// Converts a domain detail; `now` decides which grants are active.
    pub fn new(detail: &domain::client::ClientDetail, now: OffsetDateTime) -> Self {
        Self {
            client: Client::from(&detail.client),
            grants: detail
                .grants
                .iter()
                .map(|view| Grant::new(&view.grant, view.product_name.clone(), now))
                .collect(),
            transactions: detail.transactions.iter().map(Transaction::from).collect(),
            access_log: detail.access_log.iter().map(AccessLogEntry::from).collect(),
            notifications: detail
                .notifications
                .iter()
                .map(Notification::from)
                .collect(),
            audit: detail.audit.iter().map(AuditEntry::from).collect(),
        }
    }
}

/// One product granted to one client.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Grant {
    pub id: Uuid,
    pub product_id: Uuid,
    pub product_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub granted_at: OffsetDateTime,
    pub source: GrantSource,
    /// The transaction that caused a purchase or subscription grant.
    pub transaction_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    pub revoke_reason: Option<RevokeReason>,
    /// Not revoked and not expired when the response was built.
    pub active: bool,
}

impl Grant {
    pub fn new(grant: &domain::grant::Grant, product_name: String, now: OffsetDateTime) -> Self {
        Self {
            id: grant.id.as_uuid(),
            product_id: grant.product_id.as_uuid(),
            product_name,
            granted_at: utc(grant.granted_at),
            source: grant.source.into(),
            transaction_id: grant.transaction_id.map(|id| id.as_uuid()),
            expires_at: grant.expires_at.map(utc),
            revoked_at: grant
                .revocation
                .as_ref()
                .map(|revocation| utc(revocation.at)),
            revoke_reason: grant
                .revocation
                .as_ref()
                .map(|revocation| revocation.reason.into()),
            active: grant.is_active_at(now),
        }
    }
}

/// One charge recorded from a platform, with its status history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Transaction {
    pub id: Uuid,
    pub platform: Platform,
    /// The platform's transaction id.
    pub external_id: String,
    pub product_id: Option<Uuid>,
    /// Amount in integer minor units (cents).
    #[schema(example = 19700)]
    pub amount_cents: i64,
    /// ISO 4217 code.
    #[schema(example = "BRL")]
    pub currency: String,
    pub payment_method: PaymentMethod,
    /// The method exactly as the platform sent it.
    pub payment_method_raw: Option<String>,
    pub status: TransactionStatus,
    /// The status exactly as the platform sent it.
    pub status_raw: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    pub history: Vec<TransactionStatusChange>,
}

impl From<&domain::transaction::Transaction> for Transaction {
    fn from(transaction: &domain::transaction::Transaction) -> Self {
        Self {
            id: transaction.id.as_uuid(),
            platform: transaction.platform.into(),
            external_id: transaction.external_id.clone(),
            product_id: transaction.product_id.map(|id| id.as_uuid()),
            amount_cents: transaction.amount.cents,
            currency: transaction.amount.currency.as_str().to_owned(),
            payment_method: transaction.payment_method.kind.into(),
            payment_method_raw: transaction.payment_method.raw.clone(),
            status: transaction.status.kind.into(),
            status_raw: transaction.status.raw.clone(),
            occurred_at: utc(transaction.occurred_at),
            history: transaction
                .history
                .iter()
                .map(TransactionStatusChange::from)
                .collect(),
        }
    }
}

/// One change of a transaction's status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransactionStatusChange {
    pub status: TransactionStatus,
    pub status_raw: Option<String>,
    /// When the change happened, as the platform reports it.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// When Clientela recorded it.
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

impl From<&domain::transaction::StatusChange> for TransactionStatusChange {
    fn from(change: &domain::transaction::StatusChange) -> Self {
        Self {
            status: change.status.kind.into(),
            status_raw: change.status.raw.clone(),
            occurred_at: utc(change.occurred_at),
            recorded_at: utc(change.recorded_at),
        }
    }
}

/// One entry of the client's access log in the members app.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessLogEntry {
    /// `login`, `login_failed`, `first_access`, `password_reset` or `session_refresh`.
    #[schema(example = "login")]
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl From<&domain::client::AccessLogEntry> for AccessLogEntry {
    fn from(entry: &domain::client::AccessLogEntry) -> Self {
        Self {
            kind: entry.kind.clone(),
            at: utc(entry.at),
            ip: entry.ip.clone(),
            user_agent: entry.user_agent.clone(),
        }
    }
}

/// One e-mail sent or queued for the client.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notification {
    /// `welcome`, `access_granted`, `first_access` or `password_reset`.
    #[schema(example = "welcome")]
    pub kind: String,
    pub recipient: String,
    /// `queued`, `sent` or `failed`.
    #[schema(example = "sent")]
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
}

impl From<&domain::client::NotificationView> for Notification {
    fn from(notification: &domain::client::NotificationView) -> Self {
        Self {
            kind: notification.kind.clone(),
            recipient: notification.recipient.clone(),
            status: notification.status.clone(),
            attempts: notification.attempts,
            last_error: notification.last_error.clone(),
            created_at: utc(notification.created_at),
            sent_at: notification.sent_at.map(utc),
        }
    }
}

/// Kind of the actor of an admin change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorType {
    ApiKey,
    Cli,
    System,
}

/// Author of an admin change: an API key (by id, never the key), the command-line
/// tool or an automatic process.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Actor {
    #[serde(rename = "type")]
    pub kind: ActorType,
    /// The API key's id, for `api_key` actors.
    pub id: Option<Uuid>,
}

impl From<&domain::tenant::Actor> for Actor {
    fn from(actor: &domain::tenant::Actor) -> Self {
        use domain::tenant::Actor as DomainActor;

        match actor {
            DomainActor::ApiKey(id) => Self {
                kind: ActorType::ApiKey,
                id: Some(id.as_uuid()),
            },
            DomainActor::Cli => Self {
                kind: ActorType::Cli,
                id: None,
            },
            DomainActor::System => Self {
                kind: ActorType::System,
                id: None,
            },
        }
    }
}

/// One admin change to a client.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub actor: Actor,
    /// Such as `client.create`, `client.update`, `grant.create` or `grant.revoke`.
    #[schema(example = "client.update")]
    pub action: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl From<&domain::audit::AuditEntry> for AuditEntry {
    fn from(entry: &domain::audit::AuditEntry) -> Self {
        Self {
            actor: Actor::from(&entry.actor),
            action: entry.action.clone(),
            before: entry.before.clone(),
            after: entry.after.clone(),
            at: utc(entry.at),
        }
    }
}

/// Grants, such as those one request revoked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantList {
    pub items: Vec<Grant>,
}

/// One page of a client search.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClientPage {
    pub items: Vec<Client>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// A product of the app's catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Product {
    pub id: Uuid,
    #[schema(example = "Curso de Fotografia")]
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<&domain::product::Product> for Product {
    fn from(product: &domain::product::Product) -> Self {
        Self {
            id: product.id.as_uuid(),
            name: product.name.clone(),
            created_at: utc(product.created_at),
        }
    }
}

/// The app's product catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductList {
    pub items: Vec<Product>,
}

/// A client typed in by a producer. Invalid values are rejected with the field's
/// name; saving sends the welcome e-mail.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    #[serde(default)]
    #[schema(required = true, example = "Ana Souza")]
    pub name: String,
    #[serde(default)]
    #[schema(required = true, example = "ana.souza@example.com")]
    pub email: String,
    /// Any common format; Brazil is assumed without a country code.
    #[serde(default)]
    #[schema(example = "(11) 98765-4321")]
    pub phone: Option<String>,
    /// CPF or CNPJ, with or without mask.
    #[serde(default)]
    #[schema(example = "031.458.762-44")]
    pub document: Option<String>,
    /// Without a password, the welcome e-mail carries a link to set one.
    #[serde(default)]
    pub password: Option<String>,
    /// Products to grant by hand.
    #[serde(default)]
    pub product_ids: Option<Vec<Uuid>>,
}

/// Changes to a client. An absent field is left as it is; `null` clears `phone`
/// and `document`, and is rejected for the other fields.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientChanges {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = String)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub document: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = ClientStatus)]
    pub status: Option<Option<ClientStatus>>,
}

/// A manual grant of one product.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGrant {
    #[serde(default)]
    #[schema(required = true, value_type = Uuid)]
    pub product_id: Option<Uuid>,
    /// When access ends; null or absent for no end.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
}

/// A new product of the catalogue.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    /// 1 to 200 characters after trimming.
    #[serde(default)]
    #[schema(required = true, example = "Curso de Fotografia")]
    pub name: String,
}

/// Body of the health and readiness endpoints.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HealthStatus {
    #[schema(example = "ok")]
    pub status: String,
}
