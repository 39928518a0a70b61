//! Keeping the prepared statements of fixed SQL on each connection.
//!
//! diesel-async reuses a connection's prepared statement only for queries that
//! diesel marks as safe to cache. Raw `sql_query` text, and some builder queries
//! (inserts that write `DEFAULT`, for example), are never marked, so each run
//! prepares, plans and closes its statement: one more round trip and one more
//! parse per statement. A sale runs about a dozen of those in its transaction.
//!
//! [`Cached`] marks a query as safe to cache and keys the cache by its SQL text
//! and bind types instead of its Rust type. That is correct for any query, but
//! each distinct text takes a cache slot for the connection's lifetime, so wrap
//! only queries whose text comes from a fixed set: constants, or builder queries
//! with a fixed shape.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::RunQueryDslSupport;
use diesel::result::QueryResult;

/// A query whose prepared statement is kept on the connection; see the module
/// documentation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cached<Q>(Q);

/// Adds [`CacheStatement::cached`] to every query.
pub(crate) trait CacheStatement: Sized {
    /// Keeps this query's prepared statement on the connection. Only for SQL
    /// text from a fixed set.
    fn cached(self) -> Cached<Self> {
        Cached(self)
    }
}

impl<Q: QueryFragment<Pg>> CacheStatement for Q {}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Cached<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    // diesel documents this method as hidden, but overriding it is how a query
    // type states that its SQL may be cached.
    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

/// No static id, so the statement cache keys the query by its SQL text.
impl<Q> QueryId for Cached<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Cached<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> RunQueryDslSupport for Cached<Q> {}

#[cfg(test)]
mod tests {
    use diesel::sql_types::Integer;

    use super::*;

    // The cache keys a query with a static id by its Rust type, not its text.
    const _: () = assert!(!<Cached<()> as QueryId>::HAS_STATIC_QUERY_ID);

    #[test]
    fn raw_sql_becomes_cacheable_with_the_same_text() {
        let raw = diesel::sql_query("SELECT $1 AS n").bind::<Integer, _>(1);
        assert!(!raw.is_safe_to_cache_prepared(&Pg).unwrap_or(true));
        let sql_before = diesel::debug_query::<Pg, _>(&raw).to_string();

        let cached = raw.cached();
        assert!(cached.is_safe_to_cache_prepared(&Pg).unwrap_or(false));
        assert_eq!(
            diesel::debug_query::<Pg, _>(&cached).to_string(),
            sql_before
        );
    }
}
