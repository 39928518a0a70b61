//! Platform products: the products of the app they link to, created and linked
//! the first time a platform product arrives.

use std::collections::BTreeMap;

use clientela_domain::ids::{AppId, ProductId};
use clientela_domain::product::PRODUCT_NAME_MAX_CHARS;
use clientela_domain::sale::PlatformProduct;
use clientela_domain::values::Platform;
use diesel::QueryableByName;
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::lock;
use crate::cached::CacheStatement;
use crate::error::TxError;

/// A product of the app that an event's platform product links to.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub(super) struct LinkedProduct {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    pub(super) name: String,
}

impl LinkedProduct {
    pub(super) fn id(&self) -> ProductId {
        ProductId::from_uuid(self.id)
    }
}

/// The products that the event's platform products link to, in the event's order
/// and without repeats, and the number of products created.
///
/// A platform product seen for the first time gets a new product named after it.
/// Concurrent first sights of one platform product end with one product. The
/// creator holds a transaction-scoped advisory lock on the platform product, and
/// a transaction that waited for the lock reads the links again. Locks are taken in the order of
/// the external ids, so two deliveries of the same products cannot deadlock.
pub(super) async fn resolve(
    conn: &mut AsyncPgConnection,
    app: AppId,
    platform: Platform,
    products: &[PlatformProduct],
    now: OffsetDateTime,
) -> Result<(Vec<LinkedProduct>, u32), TxError> {
    let mut by_external_id: BTreeMap<&str, &PlatformProduct> = BTreeMap::new();
    for product in products {
        // The database rejects an empty id, so it cannot be linked.
        if !product.external_id.is_empty() {
            by_external_id
                .entry(&product.external_id)
                .or_insert(product);
        }
    }

    let mut created = 0;
    let mut linked: BTreeMap<&str, Vec<LinkedProduct>> = BTreeMap::new();
    for (external_id, product) in &by_external_id {
        let mut links = find_links(conn, app, platform, external_id).await?;
        if links.is_empty() {
            lock(
                conn,
                &[
                    "platform_product",
                    &app.to_string(),
                    platform.as_str(),
                    external_id,
                ],
            )
            .await?;
            links = find_links(conn, app, platform, external_id).await?;
        }
        if links.is_empty() {
            links.push(create_linked(conn, app, platform, product, now).await?);
            created += 1;
        }
        linked.insert(external_id, links);
    }

    let mut resolved: Vec<LinkedProduct> = Vec::new();
    for product in products {
        for link in linked
            .get(product.external_id.as_str())
            .into_iter()
            .flatten()
        {
            if !resolved.iter().any(|known| known.id == link.id) {
                resolved.push(link.clone());
            }
        }
    }
    Ok((resolved, created))
}

async fn find_links(
    conn: &mut AsyncPgConnection,
    app: AppId,
    platform: Platform,
    external_id: &str,
) -> Result<Vec<LinkedProduct>, TxError> {
    let links = diesel::sql_query(
        "SELECT p.id, p.name FROM platform_products pp \
         JOIN products p ON p.app_id = pp.app_id AND p.id = pp.product_id \
         WHERE pp.app_id = $1 AND pp.platform = $2 AND pp.external_id = $3 \
         ORDER BY p.created_at, p.id",
    )
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<Text, _>(platform.as_str())
    .bind::<Text, _>(external_id)
    .cached()
    .load(conn)
    .await?;
    Ok(links)
}

async fn create_linked(
    conn: &mut AsyncPgConnection,
    app: AppId,
    platform: Platform,
    product: &PlatformProduct,
    now: OffsetDateTime,
) -> Result<LinkedProduct, TxError> {
    let id = ProductId::generate().as_uuid();
    let name = product_name(platform, product);
    diesel::sql_query(
        "INSERT INTO products (id, app_id, name, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<Text, _>(&name)
    .bind::<Timestamptz, _>(now)
    .cached()
    .execute(conn)
    .await?;
    diesel::sql_query(
        "INSERT INTO platform_products (app_id, platform, external_id, product_id, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<Text, _>(platform.as_str())
    .bind::<Text, _>(&product.external_id)
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(now)
    .cached()
    .execute(conn)
    .await?;
    Ok(LinkedProduct { id, name })
}

/// Returns the platform's product name, trimmed and cut to the maximum length,
/// or "<platform> <external id>" when the event has no usable name.
fn product_name(platform: Platform, product: &PlatformProduct) -> String {
    let name = product
        .name
        .as_deref()
        .map(|name| name.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| format!("{} {}", platform_label(platform), product.external_id));
    let cut: String = name.chars().take(PRODUCT_NAME_MAX_CHARS).collect();
    cut.trim_end().to_owned()
}

fn platform_label(platform: Platform) -> String {
    let code = platform.as_str();
    let mut chars = code.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform_product(external_id: &str, name: Option<&str>) -> PlatformProduct {
        PlatformProduct {
            external_id: external_id.to_owned(),
            name: name.map(str::to_owned),
        }
    }

    #[test]
    fn product_name_collapses_spaces() {
        let product = platform_product("4120377", Some("  Curso   de Horta "));
        assert_eq!(product_name(Platform::Hotmart, &product), "Curso de Horta");
    }

    #[test]
    fn product_name_falls_back_to_id() {
        for name in [None, Some("   ")] {
            let product = platform_product("4120377", name);
            assert_eq!(product_name(Platform::Hotmart, &product), "Hotmart 4120377");
        }
    }

    #[test]
    fn product_name_is_cut() {
        let long = "Á".repeat(PRODUCT_NAME_MAX_CHARS + 10);
        let product = platform_product("1", Some(&long));
        let name = product_name(Platform::Kiwify, &product);
        assert_eq!(name.chars().count(), PRODUCT_NAME_MAX_CHARS);
    }
}
