//! The e-mails that a producer's changes to a client queue. The repository
//! stores them in the transaction of the change, so an e-mail is queued exactly
//! when its cause is stored.

use time::OffsetDateTime;

use crate::client::Client;
use crate::grant::Grant;
use crate::notification::{Notification, NotificationContent};
use crate::rules::sale_notifications::{access_granted_dedupe_key, welcome_dedupe_key};

/// Builds the welcome (boas-vindas) of a new client. `set_password_token` is the
/// plain token of the set-password link, for a client created without a
/// password.
pub(super) fn welcome(
    client: &Client,
    set_password_token: Option<String>,
    now: OffsetDateTime,
) -> Notification {
    Notification::new(
        client.app_id,
        client.id,
        client.email.clone(),
        NotificationContent::Welcome {
            client_name: client.name.as_str().to_owned(),
            set_password_token,
        },
        welcome_dedupe_key(client.id),
        now,
    )
}

/// Builds the access-granted (acesso liberado) e-mail of one new grant.
pub(super) fn access_granted(
    client: &Client,
    grant: &Grant,
    product_name: &str,
    now: OffsetDateTime,
) -> Notification {
    Notification::new(
        client.app_id,
        client.id,
        client.email.clone(),
        NotificationContent::AccessGranted {
            client_name: client.name.as_str().to_owned(),
            product_name: product_name.to_owned(),
        },
        access_granted_dedupe_key(grant.id),
        now,
    )
}
