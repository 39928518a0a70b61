//! Client search: one SQL statement built from a `ClientQuery`, with keyset
//! pagination.
//!
//! The statement is written so that PostgreSQL can run it from indexes on an app
//! with millions of clients:
//! - Every branch of the search text has its own index, so the planner can combine
//!   them with a BitmapOr. Name words and the e-mail fragment use trigram GIN
//!   indexes, and document and phone prefixes use `text_pattern_ops` btrees. A
//!   transaction id first collects its clients' ids in an uncorrelated sub-select,
//!   which the primary key then looks up.
//! - Prefixes are matched as ranges (`~>=~`, `~<~`) rather than `LIKE 'prefix%'`,
//!   so the index stays usable when the statement is prepared with parameters.
//! - Each sort order has an index starting with `app_id` that yields rows in that
//!   order, and the cursor is a row comparison on the same columns.
//! - The "ever bought" product filter is split into two sub-queries, one per
//!   EXISTS clause, and a UNION merges their pages. PostgreSQL plans an OR of
//!   EXISTS clauses only as a filter on the scanned rows, which reads the whole app
//!   when few clients match.

use clientela_domain::error::RepositoryError;
use clientela_domain::ids::AppId;
use clientela_domain::search::{
    ClientPage, ClientQuery, ClientSort, Cursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page,
    ProductFilter, ProductFilterMode, SearchText,
};
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types;
use diesel_async::RunQueryDsl;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::PgStore;
use crate::clients::{CLIENT_COLUMNS_SQL, ClientRow};
use crate::error::{PgError, repository_error};

/// A value bound to a `$n` parameter.
enum Bind {
    Uuid(Uuid),
    Text(String),
    Time(OffsetDateTime),
    BigInt(i64),
}

/// The SQL of one search and its parameters.
struct SearchStatement {
    sql: String,
    binds: Vec<Bind>,
    sort: ClientSort,
    /// Page size. The statement fetches one row more to tell whether a next page
    /// exists.
    limit: usize,
}

/// Builds the SQL text and its parameters, numbering parameters as they are added.
#[derive(Default)]
struct Params {
    binds: Vec<Bind>,
}

impl Params {
    /// Adds a parameter and returns its placeholder.
    fn add(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    fn text(&mut self, value: impl Into<String>) -> String {
        self.add(Bind::Text(value.into()))
    }
}

impl SearchStatement {
    fn build(app: AppId, query: &ClientQuery) -> Result<Self, PgError> {
        let limit = match query.limit {
            0 => DEFAULT_PAGE_SIZE,
            requested => requested.min(MAX_PAGE_SIZE),
        } as usize;
        let mut params = Params::default();
        let app_param = params.add(Bind::Uuid(app.as_uuid()));

        let mut conditions = vec![format!("c.app_id = {app_param}")];
        push_filters(&mut conditions, &mut params, query);
        let product_alternatives = query
            .product
            .map(|filter| product_conditions(&mut params, &app_param, filter))
            .unwrap_or_default();
        if let Some(text) = &query.text {
            conditions.push(text_condition(&mut params, &app_param, text));
        }
        if let Some(cursor) = &query.after {
            conditions.push(cursor_condition(&mut params, query.sort, cursor)?);
        }

        let order = match query.sort {
            ClientSort::CreatedDesc => "c.created_at DESC, c.id DESC",
            ClientSort::CreatedAsc => "c.created_at, c.id",
            ClientSort::NameAsc => "c.name_folded, c.id",
        };
        let limit_param = params.add(Bind::BigInt(limit as i64 + 1));
        let select = |product: Option<&String>| {
            let mut all = conditions.clone();
            all.extend(product.cloned());
            format!(
                "SELECT {CLIENT_COLUMNS_SQL} FROM clients c WHERE {} \
                 ORDER BY {order} LIMIT {limit_param}",
                all.join(" AND ")
            )
        };
        let sql = match product_alternatives.as_slice() {
            [] => select(None),
            [single] => select(Some(single)),
            alternatives => {
                // One page from each alternative, merged: each alternative is a
                // single EXISTS that PostgreSQL can plan as a semi-join from either
                // side, which an OR of EXISTS clauses cannot be.
                let pages: Vec<String> = alternatives
                    .iter()
                    .map(|condition| format!("({})", select(Some(condition))))
                    .collect();
                format!(
                    "SELECT * FROM ({}) AS c ORDER BY {order} LIMIT {limit_param}",
                    pages.join(" UNION ")
                )
            }
        };
        Ok(Self {
            sql,
            binds: params.binds,
            sort: query.sort,
            limit,
        })
    }

    /// Builds the diesel query, with `prefix` (such as `EXPLAIN`) before the SQL.
    fn to_query(&self, prefix: &str) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
        let mut query = diesel::sql_query(format!("{prefix}{}", self.sql)).into_boxed::<Pg>();
        for bind in &self.binds {
            query = match bind {
                Bind::Uuid(value) => query.bind::<sql_types::Uuid, _>(*value),
                Bind::Text(value) => query.bind::<sql_types::Text, _>(value.clone()),
                Bind::Time(value) => query.bind::<sql_types::Timestamptz, _>(*value),
                Bind::BigInt(value) => query.bind::<sql_types::BigInt, _>(*value),
            };
        }
        query
    }
}

fn push_filters(conditions: &mut Vec<String>, params: &mut Params, query: &ClientQuery) {
    if let Some(platform) = query.platform {
        conditions.push(format!(
            "c.origin_platform = {}",
            params.text(platform.as_str())
        ));
    }
    if let Some(status) = query.status {
        conditions.push(format!("c.status = {}", params.text(status.as_str())));
    }
    if let Some(from) = query.created_from {
        conditions.push(format!("c.created_at >= {}", params.add(Bind::Time(from))));
    }
    if let Some(before) = query.created_before {
        conditions.push(format!("c.created_at < {}", params.add(Bind::Time(before))));
    }
    if let Some(before) = query.last_access_before {
        let before = params.add(Bind::Time(before));
        conditions.push(format!(
            "(c.last_access_at < {before} OR c.last_access_at IS NULL)"
        ));
    }
    match query.never_accessed {
        Some(true) => conditions.push("c.last_access_at IS NULL".to_owned()),
        Some(false) => conditions.push("c.last_access_at IS NOT NULL".to_owned()),
        None => {}
    }
    // Literal booleans, so that the partial index on chargebacks applies.
    match query.has_chargeback {
        Some(true) => conditions.push("c.has_chargeback".to_owned()),
        Some(false) => conditions.push("NOT c.has_chargeback".to_owned()),
        None => {}
    }
}

/// The product filter as alternative conditions, of which a client must meet one:
/// an active grant for `HasAccess`; any grant, or any transaction, for
/// `EverBought`.
fn product_conditions(params: &mut Params, app_param: &str, filter: ProductFilter) -> Vec<String> {
    let product = params.add(Bind::Uuid(filter.product_id.as_uuid()));
    let any_grant = format!(
        "EXISTS (SELECT 1 FROM grants g WHERE g.app_id = {app_param} \
         AND g.client_id = c.id AND g.product_id = {product}"
    );
    match filter.mode {
        ProductFilterMode::HasAccess => vec![format!(
            "{any_grant} AND g.revoked_at IS NULL \
             AND (g.expires_at IS NULL OR g.expires_at > now()))"
        )],
        ProductFilterMode::EverBought => vec![
            format!("{any_grant})"),
            format!(
                "EXISTS (SELECT 1 FROM transactions t WHERE t.app_id = {app_param} \
                 AND t.client_id = c.id AND t.product_id = {product})"
            ),
        ],
    }
}

/// Builds the condition of the search text. A client matches when every name word
/// occurs in the folded name, or the e-mail contains the fragment. A number also
/// matches a document or phone that starts with its digits. Finally, the text
/// matches the clients of a platform transaction of the app with this id.
fn text_condition(params: &mut Params, app_param: &str, text: &SearchText) -> String {
    let mut branches = Vec::new();

    if !text.name_words.is_empty() {
        let words: Vec<String> = text
            .name_words
            .iter()
            .map(|word| format!("c.name_folded LIKE {}", params.text(contains_pattern(word))))
            .collect();
        branches.push(format!("({})", words.join(" AND ")));
    }

    if !text.email_fragment.is_empty() {
        let pattern = params.text(contains_pattern(&text.email_fragment));
        branches.push(format!("c.email LIKE {pattern}"));
    }

    if let Some(digits) = text.digits.as_deref().filter(|digits| !digits.is_empty()) {
        let low = params.text(digits);
        let high = params.text(prefix_upper_bound(digits));
        for column in ["c.document", "c.phone_digits", "c.phone_national_digits"] {
            branches.push(format!("({column} ~>=~ {low} AND {column} ~<~ {high})"));
        }
    }

    let raw = params.text(text.raw.as_str());
    branches.push(format!(
        "c.id = ANY (ARRAY(SELECT t.client_id FROM transactions t \
         WHERE t.app_id = {app_param} AND t.external_id = {raw}))"
    ));

    format!("({})", branches.join(" OR "))
}

/// Clients strictly after the cursor in the query's order.
fn cursor_condition(
    params: &mut Params,
    sort: ClientSort,
    cursor: &Cursor,
) -> Result<String, PgError> {
    if cursor.sort != sort {
        return Err(PgError::InvalidCursor(format!(
            "the cursor was made for the {:?} order, but the query sorts by {sort:?}",
            cursor.sort
        )));
    }
    let id = params.add(Bind::Uuid(cursor.id.as_uuid()));
    let condition = match sort {
        ClientSort::CreatedDesc | ClientSort::CreatedAsc => {
            let created_at = OffsetDateTime::parse(&cursor.key, &Rfc3339).map_err(|error| {
                PgError::InvalidCursor(format!("the cursor key is not an RFC 3339 time: {error}"))
            })?;
            let key = params.add(Bind::Time(created_at));
            let operator = if sort == ClientSort::CreatedDesc {
                "<"
            } else {
                ">"
            };
            format!("(c.created_at, c.id) {operator} ({key}, {id})")
        }
        ClientSort::NameAsc => {
            let key = params.text(cursor.key.as_str());
            format!("(c.name_folded, c.id) > ({key} COLLATE \"C\", {id})")
        }
    };
    Ok(condition)
}

/// Builds a LIKE pattern that matches any text containing `fragment` literally.
fn contains_pattern(fragment: &str) -> String {
    let mut pattern = String::with_capacity(fragment.len() + 2);
    pattern.push('%');
    for c in fragment.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Returns the smallest string greater, in byte order, than every string that
/// starts with `prefix`, which is the prefix with its last character incremented. Only used with ASCII
/// digits, where `9` becomes `:`.
fn prefix_upper_bound(prefix: &str) -> String {
    let mut bound = prefix.to_owned();
    if let Some(last) = bound.pop() {
        bound.push(char::from_u32(u32::from(last) + 1).unwrap_or(char::MAX));
    }
    bound
}

fn cursor_after(row: &ClientRow, sort: ClientSort) -> Result<Cursor, RepositoryError> {
    let key = match sort {
        ClientSort::CreatedDesc | ClientSort::CreatedAsc => {
            row.created_at.format(&Rfc3339).map_err(|error| {
                RepositoryError::Other(format!("could not format a cursor time: {error}"))
            })?
        }
        ClientSort::NameAsc => row.name_folded.clone(),
    };
    Ok(Cursor {
        sort,
        key,
        id: clientela_domain::ids::ClientId::from_uuid(row.id),
    })
}

/// Runs a search; see the module documentation. A limit of 0 means the default page
/// size, and larger limits are cut to `MAX_PAGE_SIZE`. A cursor made for another
/// sort order or with an unreadable key is rejected with `Other`.
pub(crate) async fn search_clients(
    store: &PgStore,
    app: AppId,
    query: &ClientQuery,
) -> Result<ClientPage, RepositoryError> {
    let statement = SearchStatement::build(app, query)?;
    let mut conn = store.conn().await?;
    let mut rows: Vec<ClientRow> = statement
        .to_query("")
        .load(&mut conn)
        .await
        .map_err(repository_error)?;

    let next = if rows.len() > statement.limit {
        rows.truncate(statement.limit);
        rows.last()
            .map(|row| cursor_after(row, statement.sort))
            .transpose()?
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(ClientRow::into_client)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, next })
}

#[derive(diesel::QueryableByName)]
struct ExplainRow {
    #[diesel(sql_type = sql_types::Json, column_name = "QUERY PLAN")]
    plan: serde_json::Value,
}

impl PgStore {
    /// Runs the exact statement `search_clients` would run for this query under
    /// `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` and returns PostgreSQL's plan, for
    /// benchmarks that check which indexes a search uses. The search really runs.
    pub async fn explain_search(
        &self,
        app: AppId,
        query: &ClientQuery,
    ) -> Result<serde_json::Value, PgError> {
        let statement = SearchStatement::build(app, query)?;
        let mut conn = self.conn().await?;
        let rows: Vec<ExplainRow> = statement
            .to_query("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ")
            .load(&mut conn)
            .await?;
        rows.into_iter()
            .next()
            .map(|row| row.plan)
            .ok_or_else(|| PgError::Query(diesel::result::Error::NotFound))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_pattern_escapes_wildcards() {
        assert_eq!(contains_pattern("a%b_c\\d"), "%a\\%b\\_c\\\\d%");
    }

    #[test]
    fn prefix_upper_bound_increments_last_digit() {
        assert_eq!(prefix_upper_bound("031458"), "031459");
        assert_eq!(prefix_upper_bound("0319"), "031:");
    }
}
