//! Which e-mails applying a platform sale queues.
//!
//! A client who came from a sales platform gets one welcome (boas-vindas), when a
//! sale first gives them access. A pending boleto that creates the client queues
//! none, nor does a refund that arrives before its approval. A renewal queues none
//! either, because the client already had a grant. Each grant that gives access to a product the client could
//! not access just before gets one access-granted e-mail; a renewal that continues
//! access gets none. Dedupe keys make queueing idempotent, so a repeated or
//! concurrent application queues each e-mail once.

use time::OffsetDateTime;

use crate::ids::{AppId, ClientId, GrantId};
use crate::notification::{Notification, NotificationContent};
use crate::values::{Email, FullName, Platform};

/// Dedupe key of a client's welcome: at most one per client, ever.
pub fn welcome_dedupe_key(client: ClientId) -> String {
    format!("welcome:{client}")
}

/// Dedupe key of the access-granted e-mail of one grant.
pub fn access_granted_dedupe_key(grant: GrantId) -> String {
    format!("access_granted:{grant}")
}

/// The client a sale's e-mails go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRecipient {
    pub client_id: ClientId,
    pub email: Email,
    pub name: FullName,
    pub origin_platform: Platform,
    /// Whether the client had any grant, of any source, before this application.
    pub had_grants: bool,
}

/// A grant the application created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedGrant {
    pub grant_id: GrantId,
    pub product_name: String,
    /// Whether another active grant already covered the product when this one was
    /// created, as for a renewal.
    pub product_was_accessible: bool,
}

/// Returns whether clients of this origin came from a sale, rather than from the
/// producer (manual, import) or the members app, whose own flows welcome them.
fn is_sales_platform(platform: Platform) -> bool {
    !matches!(
        platform,
        Platform::Manual | Platform::App | Platform::Import
    )
}

/// Builds the notifications to queue after an application created `grants` for
/// the recipient, as the module documentation describes, all due at `now`.
pub fn sale_notifications(
    app: AppId,
    recipient: &SaleRecipient,
    grants: &[CreatedGrant],
    now: OffsetDateTime,
) -> Vec<Notification> {
    let mut notifications = Vec::new();
    if grants.is_empty() {
        return notifications;
    }

    if !recipient.had_grants && is_sales_platform(recipient.origin_platform) {
        notifications.push(Notification::new(
            app,
            recipient.client_id,
            recipient.email.clone(),
            // TODO: add a set-password token once first-access tokens are stored.
            NotificationContent::Welcome {
                client_name: recipient.name.as_str().to_owned(),
                set_password_token: None,
            },
            welcome_dedupe_key(recipient.client_id),
            now,
        ));
    }

    for grant in grants.iter().filter(|grant| !grant.product_was_accessible) {
        notifications.push(Notification::new(
            app,
            recipient.client_id,
            recipient.email.clone(),
            NotificationContent::AccessGranted {
                client_name: recipient.name.as_str().to_owned(),
                product_name: grant.product_name.clone(),
            },
            access_granted_dedupe_key(grant.grant_id),
            now,
        ));
    }
    notifications
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::notification::NotificationKind;

    const NOW: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

    fn recipient(origin: Platform, had_grants: bool) -> SaleRecipient {
        SaleRecipient {
            client_id: ClientId::generate(),
            email: Email::parse("ana@example.com").expect("valid e-mail"),
            name: FullName::parse("Ana Souza").expect("valid name"),
            origin_platform: origin,
            had_grants,
        }
    }

    fn grant(accessible: bool) -> CreatedGrant {
        CreatedGrant {
            grant_id: GrantId::generate(),
            product_name: "Curso de Horta".to_owned(),
            product_was_accessible: accessible,
        }
    }

    fn kinds(notifications: &[Notification]) -> Vec<NotificationKind> {
        notifications.iter().map(Notification::kind).collect()
    }

    #[test]
    fn first_sale_queues_welcome_and_access() {
        let recipient = recipient(Platform::Hotmart, false);
        let created = grant(false);
        let queued = sale_notifications(
            AppId::generate(),
            &recipient,
            std::slice::from_ref(&created),
            NOW,
        );
        assert_eq!(
            kinds(&queued),
            vec![NotificationKind::Welcome, NotificationKind::AccessGranted]
        );
        assert_eq!(
            queued[0].dedupe_key,
            format!("welcome:{}", recipient.client_id)
        );
        assert_eq!(
            queued[1].dedupe_key,
            format!("access_granted:{}", created.grant_id)
        );
        assert_eq!(queued[1].recipient.as_str(), "ana@example.com");
        assert_eq!(queued[1].next_attempt_at, NOW);
        assert_eq!(
            queued[1].content,
            NotificationContent::AccessGranted {
                client_name: "Ana Souza".to_owned(),
                product_name: "Curso de Horta".to_owned(),
            }
        );
    }

    #[test]
    fn no_grant_queues_nothing() {
        let queued = sale_notifications(
            AppId::generate(),
            &recipient(Platform::Kiwify, false),
            &[],
            NOW,
        );
        assert!(queued.is_empty());
    }

    #[test]
    fn renewal_queues_nothing() {
        let queued = sale_notifications(
            AppId::generate(),
            &recipient(Platform::Kiwify, true),
            &[grant(true)],
            NOW,
        );
        assert!(queued.is_empty());
    }

    #[test]
    fn new_product_for_known_client_queues_access_only() {
        let queued = sale_notifications(
            AppId::generate(),
            &recipient(Platform::Kiwify, true),
            &[grant(false), grant(true)],
            NOW,
        );
        assert_eq!(kinds(&queued), vec![NotificationKind::AccessGranted]);
    }

    #[test]
    fn manual_client_gets_no_welcome() {
        for origin in [Platform::Manual, Platform::App, Platform::Import] {
            let queued = sale_notifications(
                AppId::generate(),
                &recipient(origin, false),
                &[grant(false)],
                NOW,
            );
            assert_eq!(
                kinds(&queued),
                vec![NotificationKind::AccessGranted],
                "origin {origin}"
            );
        }
    }

    #[test]
    fn dedupe_keys_differ_per_grant() {
        let (first, second) = (grant(false), grant(false));
        let queued = sale_notifications(
            AppId::generate(),
            &recipient(Platform::Hotmart, true),
            &[first, second],
            NOW,
        );
        assert_eq!(queued.len(), 2);
        assert_ne!(queued[0].dedupe_key, queued[1].dedupe_key);
    }
}
