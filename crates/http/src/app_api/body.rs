//! Request and response bodies of the members-app API and of the admin's
//! account actions, in snake_case JSON. Times are RFC 3339 in UTC.

use clientela_domain::account::{AccessibleProduct, AccountProfile, LoginSuccess};
use clientela_domain::client::Client as DomainClient;
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::ClientStatus;

/// Converts a time to UTC at the database's microsecond precision.
fn utc(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(UtcOffset::UTC);
    at.replace_nanosecond(at.nanosecond() / 1_000 * 1_000)
        .unwrap_or(at)
}

/// E-mail and password typed by the client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "ana.souza@example.com")]
    pub email: String,
    #[schema(example = "minha senha secreta")]
    pub password: String,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Session token: send it as `Authorization: Bearer <token>`. It is shown
    /// only here.
    #[schema(example = "0hQbq8Y1c3wYx7f2o9yqkz3m1d5J8vQeTnH4a6LrW2s")]
    pub token: String,
    /// When the session ends unless used; each day of use extends it.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub client: AppClient,
}

impl From<&LoginSuccess> for LoginResponse {
    fn from(success: &LoginSuccess) -> Self {
        Self {
            token: success.token.as_str().to_owned(),
            expires_at: utc(success.expires_at),
            client: AppClient::from(&success.client),
        }
    }
}

/// The logged-in client, as the members app shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppClient {
    pub id: Uuid,
    #[schema(example = "Ana Souza")]
    pub name: String,
    #[schema(example = "ana.souza@example.com")]
    pub email: String,
    /// E.164 when verified; otherwise as received.
    #[schema(example = "+5511987654321")]
    pub phone: Option<String>,
    pub status: ClientStatus,
    /// First successful entry to the members app.
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_access_at: Option<OffsetDateTime>,
    /// Latest successful entry to the members app.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_access_at: Option<OffsetDateTime>,
}

impl From<&DomainClient> for AppClient {
    fn from(client: &DomainClient) -> Self {
        let phone = client.phone.as_ref().map(|phone| match phone {
            clientela_domain::values::Checked::Valid(phone) => phone.as_str().to_owned(),
            clientela_domain::values::Checked::Unverified { raw, .. } => raw.clone(),
        });
        Self {
            id: client.id.as_uuid(),
            name: client.name.as_str().to_owned(),
            email: client.email.as_str().to_owned(),
            phone,
            status: client.status.into(),
            first_access_at: client.first_access_at.map(utc),
            last_access_at: client.last_access_at.map(utc),
        }
    }
}

/// A product the client may access now.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppProduct {
    pub id: Uuid,
    #[schema(example = "Curso de Violão")]
    pub name: String,
    /// When access ends unless renewed; null when it does not end.
    #[serde(with = "time::serde::rfc3339::option")]
    pub access_expires_at: Option<OffsetDateTime>,
}

impl From<&AccessibleProduct> for AppProduct {
    fn from(item: &AccessibleProduct) -> Self {
        Self {
            id: item.product.id.as_uuid(),
            name: item.product.name.clone(),
            access_expires_at: item.access_expires_at.map(utc),
        }
    }
}

/// The logged-in client and what they may access now.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub client: AppClient,
    /// Sorted by name.
    pub products: Vec<AppProduct>,
}

impl From<&AccountProfile> for MeResponse {
    fn from(profile: &AccountProfile) -> Self {
        Self {
            client: AppClient::from(&profile.client),
            products: profile.products.iter().map(AppProduct::from).collect(),
        }
    }
}

/// The e-mail address a link is requested for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    #[schema(example = "ana.souza@example.com")]
    pub email: String,
}

/// Response to a link request, the same whether or not the e-mail is
/// registered.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkRequestAccepted {
    /// Always `accepted`.
    #[schema(example = "accepted")]
    pub status: &'static str,
    /// Text for the client, in Brazilian Portuguese.
    #[schema(
        example = "Se este e-mail estiver cadastrado, você receberá um link em alguns minutos."
    )]
    pub message: &'static str,
}

impl LinkRequestAccepted {
    pub const fn new() -> Self {
        Self {
            status: "accepted",
            message: "Se este e-mail estiver cadastrado, você receberá um link em alguns minutos. \
                      Confira também a caixa de spam.",
        }
    }
}

/// A link token and the new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordWithLink {
    /// The `token` parameter of the link in the e-mail.
    pub token: String,
    #[schema(example = "minha nova senha")]
    pub password: String,
}

/// A password set by an admin.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminPassword {
    /// 8 to 128 characters.
    #[schema(example = "senha provisória")]
    pub password: String,
}

/// Response to a request that queued an e-mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct Queued {
    /// Always `queued`: the e-mail is in the outbox and is sent shortly. The
    /// client's notifications show its delivery.
    #[schema(example = "queued")]
    pub status: &'static str,
}

impl Queued {
    pub const fn new() -> Self {
        Self { status: "queued" }
    }
}
