//! Ports: the traits adapters implement. Every method is scoped to one app, so an
//! implementation can never return another app's records.

#[cfg(test)]
mod client_mock;
mod clock;
mod mailer;
mod password;
mod product_links;
mod repository;

pub use crate::account::ports::{AccountRepository, LoginThrottle, SessionRepository};
pub use crate::notification::ports::{
    AppMailSettingsRepository, MessageRenderer, NotificationQueue, RenderError, RenderedMessage,
};
pub use crate::webhook::WebhookRepository;
pub use clock::{Clock, SystemClock};
pub use mailer::{MailError, Mailer, OutgoingEmail};
pub use password::{PasswordError, PasswordHasher};
pub use product_links::ProductLinkRepository;
pub use repository::{
    ApiKeyRecord, AppRepository, ClientRepository, GrantRepository, ProductRepository,
};

#[cfg(test)]
pub use crate::account::ports::{MockAccountRepository, MockLoginThrottle, MockSessionRepository};
#[cfg(test)]
pub use crate::webhook::MockWebhookRepository;
#[cfg(test)]
pub use client_mock::{MockClientRepository, MockClientStore};
#[cfg(test)]
pub use clock::MockClock;
#[cfg(test)]
pub use mailer::MockMailer;
#[cfg(test)]
pub use password::MockPasswordHasher;
#[cfg(test)]
pub use product_links::MockProductLinkRepository;
#[cfg(test)]
pub use repository::{MockAppRepository, MockGrantRepository, MockProductRepository};
