//! Loads a generated data set into the migrated schema of one app.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use uuid::Uuid;

use crate::copy::{Field, copy_into, psql_query, write_record};
use crate::generate::{ClientRow, Dataset, ProductRow, SaleRow, products};

/// The audit actor of seeded grants, `clientela_domain::tenant::Actor::System` as
/// the grants table stores it.
const SYSTEM_ACTOR: &str = r#"{"type":"system"}"#;

/// Tables whose secondary indexes are dropped during the load and built again
/// after it, because building an index once is much faster than updating it for
/// every row. Primary keys and unique constraints stay, so the load still checks
/// them.
const BULK_LOADED_TABLES: &[&str] = &["clients", "transactions", "grants"];

/// Durations of the seeding steps.
#[derive(Debug, Clone, Default)]
pub struct SeedTimings {
    pub clients: Duration,
    pub sales: Duration,
    pub indexes: Duration,
    pub analyze: Duration,
}

impl SeedTimings {
    pub fn total(&self) -> Duration {
        self.clients + self.sales + self.indexes + self.analyze
    }
}

/// The connection to the benchmark database and the app the data belongs to.
pub struct Target<'a> {
    pub psql: &'a Path,
    pub database_url: &'a str,
    pub app_id: Uuid,
}

/// Seeds the clients, products, transactions and grants of `dataset` and runs
/// ANALYZE. Returns the products, whose ids the queries need.
pub fn seed(
    target: &Target<'_>,
    dataset: &Dataset,
    sales: u64,
) -> Result<(Vec<ProductRow>, SeedTimings)> {
    let mut timings = SeedTimings::default();
    let indexes = secondary_indexes(target)?;
    drop_indexes(target, &indexes)?;

    let started = Instant::now();
    let copied = copy_clients(target, dataset)?;
    ensure!(
        copied == dataset.clients,
        "copied {copied} clients, expected {}",
        dataset.clients
    );
    timings.clients = started.elapsed();
    eprintln!(
        "bench: {copied} clients copied in {:.1} s",
        timings.clients.as_secs_f64()
    );

    let started = Instant::now();
    let products = products(dataset);
    copy_products(target, &products)?;
    let sale_rows: Vec<SaleRow> = (0..sales)
        .map(|index| dataset.sale(index, products.len()))
        .collect();
    copy_transactions(target, &products, &sale_rows)?;
    copy_grants(target, &products, &sale_rows)?;
    timings.sales = started.elapsed();
    eprintln!(
        "bench: {} products, {sales} transactions and {sales} grants copied in {:.1} s",
        products.len(),
        timings.sales.as_secs_f64()
    );

    let started = Instant::now();
    create_indexes(target, &indexes)?;
    timings.indexes = started.elapsed();
    eprintln!(
        "bench: {} indexes built in {:.1} s",
        indexes.len(),
        timings.indexes.as_secs_f64()
    );

    let started = Instant::now();
    psql_query(target.psql, target.database_url, "ANALYZE")?;
    timings.analyze = started.elapsed();

    Ok((products, timings))
}

/// A secondary index: its name and the statement that creates it.
struct IndexDefinition {
    name: String,
    create: String,
}

fn secondary_indexes(target: &Target<'_>) -> Result<Vec<IndexDefinition>> {
    let tables = BULK_LOADED_TABLES
        .iter()
        .map(|table| format!("'{table}'"))
        .collect::<Vec<_>>()
        .join(", ");
    // Indexes that back a constraint (primary keys, unique constraints) are kept.
    let sql = format!(
        "SELECT c.relname || E'\\t' || pg_get_indexdef(i.indexrelid)
           FROM pg_index i
           JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_class t ON t.oid = i.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
          WHERE n.nspname = current_schema()
            AND t.relname IN ({tables})
            AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
          ORDER BY c.relname"
    );
    let output = psql_query(target.psql, target.database_url, &sql)?;
    output
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, create) = line
                .split_once('\t')
                .with_context(|| format!("unexpected index line {line:?}"))?;
            Ok(IndexDefinition {
                name: name.to_owned(),
                create: create.to_owned(),
            })
        })
        .collect()
}

fn drop_indexes(target: &Target<'_>, indexes: &[IndexDefinition]) -> Result<()> {
    if indexes.is_empty() {
        return Ok(());
    }
    let names = indexes
        .iter()
        .map(|index| format!("\"{}\"", index.name))
        .collect::<Vec<_>>()
        .join(", ");
    psql_query(
        target.psql,
        target.database_url,
        &format!("DROP INDEX {names}"),
    )?;
    Ok(())
}

fn create_indexes(target: &Target<'_>, indexes: &[IndexDefinition]) -> Result<()> {
    for index in indexes {
        let started = Instant::now();
        let sql = format!("SET maintenance_work_mem = '1GB'; {}", index.create);
        psql_query(target.psql, target.database_url, &sql)?;
        eprintln!(
            "bench: built {} in {:.1} s",
            index.name,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn copy_clients(target: &Target<'_>, dataset: &Dataset) -> Result<u64> {
    const COLUMNS: &[&str] = &[
        "id",
        "app_id",
        "name",
        "email",
        "phone",
        "phone_verified",
        "document",
        "document_verified",
        "document_kind",
        "has_chargeback",
        "status",
        "origin_platform",
        "created_at",
        "updated_at",
        "last_access_at",
        "first_access_at",
    ];
    copy_into(
        target.psql,
        target.database_url,
        "clients",
        COLUMNS,
        |out| {
            for index in 0..dataset.clients {
                let client = dataset.client(index);
                write_client(out, target.app_id, &client)?;
            }
            Ok(())
        },
    )
}

fn write_client(out: &mut dyn Write, app_id: Uuid, client: &ClientRow) -> Result<()> {
    // A client who accessed the app did a first access, here on the signup day.
    let first_access_at = client.last_access_at.map(|_| client.created_at);
    write_record(
        out,
        &[
            Field::Uuid(client.id),
            Field::Uuid(app_id),
            Field::Text(&client.name),
            Field::Text(&client.email),
            client.phone.as_deref().into(),
            Field::Bool(client.phone.is_some()),
            client.document.as_deref().into(),
            Field::Bool(client.document.is_some()),
            client.document.as_ref().map(|_| "cpf").into(),
            Field::Bool(client.has_chargeback),
            Field::Text(if client.active { "active" } else { "inactive" }),
            Field::Text(client.origin_platform),
            Field::Time(client.created_at),
            Field::Time(client.last_access_at.unwrap_or(client.created_at)),
            client.last_access_at.into(),
            first_access_at.into(),
        ],
    )
}

fn copy_products(target: &Target<'_>, products: &[ProductRow]) -> Result<u64> {
    copy_into(
        target.psql,
        target.database_url,
        "products",
        &["id", "app_id", "name", "created_at"],
        |out| {
            for product in products {
                write_record(
                    out,
                    &[
                        Field::Uuid(product.id),
                        Field::Uuid(target.app_id),
                        Field::Text(product.name),
                        Field::Time(product.created_at),
                    ],
                )?;
            }
            Ok(())
        },
    )
}

fn copy_transactions(
    target: &Target<'_>,
    products: &[ProductRow],
    sales: &[SaleRow],
) -> Result<u64> {
    const COLUMNS: &[&str] = &[
        "id",
        "app_id",
        "client_id",
        "platform",
        "external_id",
        "product_id",
        "amount_cents",
        "payment_method",
        "status",
        "occurred_at",
        "created_at",
        "updated_at",
    ];
    copy_into(
        target.psql,
        target.database_url,
        "transactions",
        COLUMNS,
        |out| {
            for sale in sales {
                let updated_at = sale.revoked_at.unwrap_or(sale.occurred_at);
                write_record(
                    out,
                    &[
                        Field::Uuid(sale.transaction_id),
                        Field::Uuid(target.app_id),
                        Field::Uuid(sale.client_id),
                        Field::Text(sale.platform),
                        Field::Text(&sale.external_id),
                        Field::Uuid(products[sale.product_index].id),
                        Field::Int(sale.amount_cents),
                        Field::Text(sale.payment_method),
                        Field::Text(sale.status),
                        Field::Time(sale.occurred_at),
                        Field::Time(sale.occurred_at),
                        Field::Time(updated_at),
                    ],
                )?;
            }
            Ok(())
        },
    )
}

fn copy_grants(target: &Target<'_>, products: &[ProductRow], sales: &[SaleRow]) -> Result<u64> {
    const COLUMNS: &[&str] = &[
        "id",
        "app_id",
        "client_id",
        "product_id",
        "source",
        "transaction_id",
        "granted_by",
        "granted_at",
        "revoked_at",
        "revoke_reason",
        "revoked_by",
    ];
    copy_into(target.psql, target.database_url, "grants", COLUMNS, |out| {
        for sale in sales {
            let revoked_by = sale.revoked_at.map(|_| SYSTEM_ACTOR);
            write_record(
                out,
                &[
                    Field::Uuid(sale.grant_id),
                    Field::Uuid(target.app_id),
                    Field::Uuid(sale.client_id),
                    Field::Uuid(products[sale.product_index].id),
                    Field::Text("purchase"),
                    Field::Uuid(sale.transaction_id),
                    Field::Text(SYSTEM_ACTOR),
                    Field::Time(sale.occurred_at),
                    sale.revoked_at.into(),
                    sale.revoke_reason().into(),
                    revoked_by.into(),
                ],
            )?;
        }
        Ok(())
    })
}
