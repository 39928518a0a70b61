//! Client accounts in the members app: sessions, the single-use tokens of
//! set-password links, the login throttle, and the access-log entries they write.
//!
//! Session tokens and link tokens are 32 random bytes from the operating system's
//! CSPRNG in unpadded base64url. Only their SHA-256 hash is stored: a fast hash is
//! enough for a 256-bit secret, and it lets a token be looked up by its hash.

pub(crate) mod ports;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::audit::AuditEntry;
use crate::client::{AccessKind, Client};
use crate::error::{RepositoryError, ValidationErrors};
use crate::grant::Grant;
use crate::ids::{AccountTokenId, AppId, ClientId, ProductId, SessionId};
use crate::notification::{Notification, NotificationKind};
use crate::ports::PasswordError;
use crate::product::Product;

/// How long a session lasts after its creation or its latest refresh.
pub const SESSION_TTL: Duration = Duration::days(30);

/// A session used at least this long after its creation or latest refresh is
/// refreshed: its expiry moves to [`SESSION_TTL`] from then, and a
/// `session_refresh` entry is logged. An active client thus stays logged in, and
/// the log gets at most one refresh entry per session and day.
pub const SESSION_REFRESH_INTERVAL: Duration = Duration::days(1);

/// How long a first-access (set-password) link stays valid.
pub const FIRST_ACCESS_TOKEN_TTL: Duration = Duration::days(7);

/// How long a password-reset link stays valid.
pub const PASSWORD_RESET_TOKEN_TTL: Duration = Duration::hours(1);

/// Minimum time between two account e-mails of one kind to one client. A request
/// within it queues nothing, so a double click sends one e-mail and a script
/// cannot flood a client's mailbox.
pub const ACCOUNT_EMAIL_COOLDOWN: Duration = Duration::minutes(1);

/// Maximum length of a stored User-Agent header, in characters. Longer values
/// are cut.
pub const USER_AGENT_MAX_CHARS: usize = 512;

/// Failed logins allowed per e-mail address: the fifth failure within 15 minutes
/// locks the address out of logging in for 15 minutes.
pub const EMAIL_THROTTLE: ThrottlePolicy = ThrottlePolicy {
    max_failures: 5,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

/// Failed logins allowed per client IP address (per /64 network for IPv6). The
/// limit is higher than per e-mail because many clients can share one address
/// behind a NAT.
pub const IP_THROTTLE: ThrottlePolicy = ThrottlePolicy {
    max_failures: 20,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

/// Number of random bytes in a session or link token.
const TOKEN_RANDOM_BYTES: usize = 32;

/// Length of a token in characters: 32 bytes in unpadded base64url.
const TOKEN_LENGTH: usize = (TOKEN_RANDOM_BYTES * 4).div_ceil(3);

/// A secret handed to a client: a session token or the token of a set-password
/// link. Its `Debug` output hides the value.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// Generates a token from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = [0u8; TOKEN_RANDOM_BYTES];
        OsRng.fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Wraps a token received from a client. Returns `None` when it cannot be a
    /// token this module generated, so it is rejected without a lookup.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let well_formed = raw.len() == TOKEN_LENGTH
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the SHA-256 hash of the token, the only form that is stored.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(..)")
    }
}

/// Purpose of a single-use link token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenPurpose {
    /// Set a first password (primeiro acesso): the client has none.
    FirstAccess,
    /// Replace a forgotten password (redefinir senha).
    PasswordReset,
}

impl TokenPurpose {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::FirstAccess => "first_access",
            Self::PasswordReset => "password_reset",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "first_access" => Some(Self::FirstAccess),
            "password_reset" => Some(Self::PasswordReset),
            _ => None,
        }
    }

    /// Returns how long a token of this purpose stays valid.
    pub fn ttl(&self) -> Duration {
        match self {
            Self::FirstAccess => FIRST_ACCESS_TOKEN_TTL,
            Self::PasswordReset => PASSWORD_RESET_TOKEN_TTL,
        }
    }

    /// Returns the access-log kind written when a token of this purpose is used.
    pub fn access_kind(&self) -> AccessKind {
        match self {
            Self::FirstAccess => AccessKind::FirstAccess,
            Self::PasswordReset => AccessKind::PasswordReset,
        }
    }

    /// Returns the purpose of the link that a client in this state needs: a
    /// client without a password sets a first one, any other resets theirs.
    pub fn for_client(client: &Client) -> Self {
        if client.has_password {
            Self::PasswordReset
        } else {
            Self::FirstAccess
        }
    }
}

/// A client's session in the members app, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub app_id: AppId,
    pub client_id: ClientId,
    /// SHA-256 of the session token.
    pub token_hash: [u8; 32],
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// Creation time or latest refresh. Reading the session does not move it, so
    /// a request does not cost a write.
    pub last_used_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

impl Session {
    /// Starts a session of `client` at `now`, returning the plain token for the
    /// client and the record to store.
    pub fn start(app: AppId, client: ClientId, now: OffsetDateTime) -> (SecretToken, Self) {
        let token = SecretToken::generate();
        let session = Self {
            id: SessionId::generate(),
            app_id: app,
            client_id: client,
            token_hash: token.hash(),
            created_at: now,
            expires_at: now + SESSION_TTL,
            last_used_at: now,
            revoked_at: None,
        };
        (token, session)
    }

    /// Returns whether the session lets its holder in at `now`: not revoked and
    /// not expired.
    pub fn is_active_at(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }

    /// Returns whether a use at `now` refreshes the session, per
    /// [`SESSION_REFRESH_INTERVAL`].
    pub fn needs_refresh_at(&self, now: OffsetDateTime) -> bool {
        now - self.last_used_at >= SESSION_REFRESH_INTERVAL
    }
}

/// A single-use token of a first-access or password-reset link, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountToken {
    pub id: AccountTokenId,
    pub app_id: AppId,
    pub client_id: ClientId,
    pub purpose: TokenPurpose,
    /// SHA-256 of the plain token.
    pub token_hash: [u8; 32],
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// When the token set a password.
    pub used_at: Option<OffsetDateTime>,
    /// When a newer link or a password change made the token void.
    pub invalidated_at: Option<OffsetDateTime>,
}

impl AccountToken {
    /// Issues a token of `purpose` for `client` at `now`, returning the plain
    /// token for the link and the record to store.
    pub fn issue(
        app: AppId,
        client: ClientId,
        purpose: TokenPurpose,
        now: OffsetDateTime,
    ) -> (SecretToken, Self) {
        let token = SecretToken::generate();
        let record = Self {
            id: AccountTokenId::generate(),
            app_id: app,
            client_id: client,
            purpose,
            token_hash: token.hash(),
            created_at: now,
            expires_at: now + purpose.ttl(),
            used_at: None,
            invalidated_at: None,
        };
        (token, record)
    }

    /// Returns whether the token can still set a password at `now`: unused, not
    /// invalidated and not expired.
    pub fn is_usable_at(&self, now: OffsetDateTime) -> bool {
        self.used_at.is_none() && self.invalidated_at.is_none() && self.expires_at > now
    }
}

/// Origin of a members-app request, as written to the access log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessOrigin {
    /// The address of the connection's peer.
    pub ip: Option<IpAddr>,
    /// The `User-Agent` header, cut to [`USER_AGENT_MAX_CHARS`].
    pub user_agent: Option<String>,
}

impl AccessOrigin {
    /// Builds an origin, cutting the user agent to [`USER_AGENT_MAX_CHARS`]
    /// characters and dropping a blank one.
    pub fn new(ip: Option<IpAddr>, user_agent: Option<&str>) -> Self {
        let user_agent = user_agent
            .map(str::trim)
            .filter(|agent| !agent.is_empty())
            .map(|agent| agent.chars().take(USER_AGENT_MAX_CHARS).collect());
        Self { ip, user_agent }
    }
}

/// One entry of a client's access log, to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEvent {
    pub app_id: AppId,
    pub client_id: ClientId,
    pub kind: AccessKind,
    pub at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl AccessEvent {
    pub fn new(
        client: &Client,
        kind: AccessKind,
        at: OffsetDateTime,
        origin: &AccessOrigin,
    ) -> Self {
        Self {
            app_id: client.app_id,
            client_id: client.id,
            kind,
            at,
            ip: origin.ip.map(|ip| ip.to_string()),
            user_agent: origin.user_agent.clone(),
        }
    }

    /// Returns whether the entry records a successful entry to the app, which
    /// moves the client's last access and sets an unset first access. Every kind
    /// but `login_failed` does.
    pub fn is_successful(&self) -> bool {
        is_successful_entry(self.kind)
    }
}

/// Returns whether an access-log kind records a successful entry to the app.
pub fn is_successful_entry(kind: AccessKind) -> bool {
    !matches!(kind, AccessKind::LoginFailed)
}

/// A client found by e-mail for a login, with their password hash.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginRecord {
    pub client: Client,
    /// argon2id PHC string; `None` until the client sets a password.
    pub password_hash: Option<String>,
}

impl fmt::Debug for LoginRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginRecord")
            .field("client", &self.client.id)
            .field("has_password_hash", &self.password_hash.is_some())
            .finish()
    }
}

/// Kind of key a login throttle counts failures against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThrottleKeyKind {
    Email,
    Ip,
}

impl ThrottleKeyKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Ip => "ip",
        }
    }

    /// Returns the limits that apply to keys of this kind.
    pub fn policy(&self) -> ThrottlePolicy {
        match self {
            Self::Email => EMAIL_THROTTLE,
            Self::Ip => IP_THROTTLE,
        }
    }
}

/// One counter of failed logins: an e-mail address or a client network, kept as
/// a SHA-256 digest so the throttle stores no typed address in clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ThrottleKey {
    pub kind: ThrottleKeyKind,
    pub digest: [u8; 32],
}

impl ThrottleKey {
    /// Builds the key of a typed e-mail address, trimmed and lower-cased so that
    /// spellings of one address share a counter. The address need not be valid or
    /// belong to a client.
    pub fn email(raw: &str) -> Self {
        Self::new(ThrottleKeyKind::Email, &raw.trim().to_lowercase())
    }

    /// Builds the key of a client address. An IPv6 address counts as its /64
    /// network, which is usually assigned whole to one subscriber, and an IPv4-mapped
    /// IPv6 address as the IPv4 address.
    pub fn ip(ip: IpAddr) -> Self {
        let network = match ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let segments = v6.segments();
                    format!(
                        "{:x}:{:x}:{:x}:{:x}::/64",
                        segments[0], segments[1], segments[2], segments[3]
                    )
                }
            },
        };
        Self::new(ThrottleKeyKind::Ip, &network)
    }

    fn new(kind: ThrottleKeyKind, value: &str) -> Self {
        let digest = Sha256::digest(format!("{}:{value}", kind.as_str()).as_bytes()).into();
        Self { kind, digest }
    }
}

/// Limits of one kind of throttle key: the `max_failures`-th failure within
/// `window` locks the key for `lockout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub max_failures: u32,
    pub window: Duration,
    pub lockout: Duration,
}

/// An account e-mail to queue, with the link token it carries.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountEmail {
    pub notification: Notification,
    /// The token of the e-mail's link; it replaces every unused token of the
    /// client.
    pub token: Option<AccountToken>,
    /// Nothing is queued when a notification of the same kind to the client was
    /// created after this instant (see [`ACCOUNT_EMAIL_COOLDOWN`]).
    pub cooldown_start: OffsetDateTime,
    /// The admin action that requested the e-mail, if an admin did.
    pub audit: Option<AuditEntry>,
}

impl AccountEmail {
    pub fn kind(&self) -> NotificationKind {
        self.notification.kind()
    }
}

/// A new password for a client, set by an admin or with a link token.
#[derive(Clone, PartialEq)]
pub struct PasswordChange {
    pub app_id: AppId,
    pub client_id: ClientId,
    /// argon2id PHC string of the new password.
    pub password_hash: String,
    pub at: OffsetDateTime,
    /// The link token being redeemed. The change applies only while the token is
    /// still usable, so a token sets at most one password.
    pub token: Option<AccountTokenId>,
    /// The access-log entry of a client who set the password with a link.
    pub access: Option<AccessEvent>,
    /// The audit entry of an admin who set the password.
    pub audit: Option<AuditEntry>,
}

impl fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordChange")
            .field("app_id", &self.app_id)
            .field("client_id", &self.client_id)
            .field("at", &self.at)
            .field("token", &self.token)
            .field("access", &self.access)
            .field("audit", &self.audit)
            .finish_non_exhaustive()
    }
}

/// A successful login.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginSuccess {
    /// The session token, which the members app sends as a bearer token.
    pub token: SecretToken,
    pub expires_at: OffsetDateTime,
    /// The client, with the access times this login set.
    pub client: Client,
}

/// A product the client may access now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessibleProduct {
    pub product: Product,
    /// When access ends unless renewed; `None` when a grant without expiry
    /// covers the product.
    pub access_expires_at: Option<OffsetDateTime>,
}

/// The logged-in client's profile, as the members app shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountProfile {
    pub client: Client,
    /// Sorted by product name.
    pub products: Vec<AccessibleProduct>,
}

/// Returns, for each product that an active grant covers at `now`, when that
/// access ends: the latest expiry among the active grants of the product, or
/// `None` when one of them never expires.
pub fn access_expiries(
    grants: &[Grant],
    now: OffsetDateTime,
) -> BTreeMap<ProductId, Option<OffsetDateTime>> {
    crate::rules::access::accessible_products(grants, now)
        .into_iter()
        .map(|product| {
            let expiry = grants
                .iter()
                .filter(|grant| grant.product_id == product && grant.is_active_at(now))
                .map(|grant| grant.expires_at)
                .reduce(|latest, next| match (latest, next) {
                    (Some(latest), Some(next)) => Some(latest.max(next)),
                    _ => None,
                })
                .flatten();
            (product, expiry)
        })
        .collect()
}

/// Failures of the account use cases.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// Unknown e-mail, client without a password, or wrong password. All three
    /// get this one error, so a login does not reveal whether an e-mail is
    /// registered.
    #[error("invalid e-mail or password")]
    InvalidCredentials,
    /// Too many failed logins for the e-mail or the client's network.
    #[error("too many failed logins; retry in {retry_after}")]
    Throttled { retry_after: Duration },
    /// The client's own request was rejected because the client is inactive.
    /// Returned only after the request proved access to the account (right
    /// password, valid session or link).
    #[error("the client is inactive")]
    AccountDisabled,
    /// The session token is unknown, expired or revoked.
    #[error("invalid or expired session")]
    InvalidSession,
    /// The link token is unknown, expired, already used, replaced by a newer
    /// link, or made for the other purpose.
    #[error("invalid, expired or already used link token")]
    InvalidToken,
    /// An admin action that needs an active client was requested for an
    /// inactive one.
    #[error("the client is inactive; activate the client first")]
    ClientInactive,
    #[error("client not found")]
    ClientNotFound,
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("unexpected failure: {0}")]
    Unexpected(String),
}

impl From<RepositoryError> for AccountError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::NotFound => Self::ClientNotFound,
            RepositoryError::Unavailable(detail) => Self::Unavailable(detail),
            other => Self::Unexpected(other.to_string()),
        }
    }
}

impl From<PasswordError> for AccountError {
    fn from(error: PasswordError) -> Self {
        Self::Unexpected(error.to_string())
    }
}
