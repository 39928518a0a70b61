//! Timing of each search over HTTP, as plain SQL through `PgStore`, and under
//! EXPLAIN ANALYZE, with a check of the plan.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clientela_domain::ids::AppId;
use clientela_domain::ports::ClientRepository;
use clientela_domain::search::{ClientPage, ClientQuery};
use clientela_postgres::PgStore;
use serde_json::Value;

use crate::queries::{BenchQuery, client_query, http_params};
use crate::stats::Summary;

/// How many times each search runs under EXPLAIN ANALYZE.
const EXPLAIN_RUNS: usize = 5;

/// The measurements of one search.
#[derive(Debug, Clone)]
pub struct QueryResult {
    pub label: String,
    /// The query string of the timed HTTP request, cursor left out.
    pub query_string: String,
    /// Clients on the timed page.
    pub rows: usize,
    pub http: Summary,
    pub sql: Summary,
    /// Median execution time that EXPLAIN ANALYZE reported.
    pub explain_execution: Duration,
    /// Median planning time that EXPLAIN ANALYZE reported.
    pub explain_planning: Duration,
    pub plan: PlanSummary,
    /// Differences between what HTTP and SQL returned, which point at a bug in the
    /// benchmark or in the API.
    pub mismatches: Vec<String>,
}

/// The indexes a plan uses and the tables it scans sequentially.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanSummary {
    pub indexes: Vec<String>,
    pub seq_scans: Vec<String>,
}

impl PlanSummary {
    /// Walks every node of an `EXPLAIN (FORMAT JSON)` result.
    pub fn of(explain: &Value) -> Self {
        let mut summary = Self::default();
        visit_plan_nodes(explain, &mut |node| {
            if let Some(index) = node.get("Index Name").and_then(Value::as_str)
                && !summary.indexes.iter().any(|known| known == index)
            {
                summary.indexes.push(index.to_owned());
            }
            if node.get("Node Type").and_then(Value::as_str) == Some("Seq Scan") {
                let relation = node
                    .get("Relation Name")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_owned();
                if !summary.seq_scans.contains(&relation) {
                    summary.seq_scans.push(relation);
                }
            }
        });
        summary
    }

    pub fn scans_clients_sequentially(&self) -> bool {
        self.seq_scans.iter().any(|relation| relation == "clients")
    }
}

/// Calls `visit` on every object that has a "Node Type", depth first.
fn visit_plan_nodes(value: &Value, visit: &mut impl FnMut(&serde_json::Map<String, Value>)) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| visit_plan_nodes(item, visit)),
        Value::Object(object) => {
            if object.contains_key("Node Type") {
                visit(object);
            }
            object
                .values()
                .for_each(|child| visit_plan_nodes(child, visit));
        }
        _ => {}
    }
}

/// Reads a top-level time of an EXPLAIN ANALYZE, such as "Execution Time" or
/// "Planning Time", which PostgreSQL gives in milliseconds.
fn explain_time(explain: &Value, key: &str) -> Option<Duration> {
    let entry = match explain {
        Value::Array(items) => items.first()?,
        other => other,
    };
    let millis = entry.get(key)?.as_f64()?;
    Some(Duration::from_secs_f64(millis / 1_000.0))
}

/// Runs the searches against one app, over HTTP and through `PgStore`.
pub struct Harness {
    pub http: reqwest::Client,
    pub base_url: String,
    pub api_key: String,
    pub store: PgStore,
    pub app_id: AppId,
    pub warmup: usize,
    pub samples: usize,
}

/// One page as the HTTP API returned it.
struct HttpPage {
    rows: usize,
    ids: Vec<String>,
    next_cursor: Option<String>,
}

impl Harness {
    /// Times one search: walks to its page, warms up, then runs it `samples` times
    /// over HTTP, `samples` times through `PgStore`, and [`EXPLAIN_RUNS`] times
    /// under EXPLAIN ANALYZE.
    pub async fn measure(&self, query: &BenchQuery) -> Result<QueryResult> {
        let mut mismatches = Vec::new();
        let mut input = query.input.clone();
        let mut sql_query = client_query(&input);

        // Follow the cursors of both sides; they must agree page after page.
        for page in 1..=query.pages_to_skip {
            let http_page = self.http_page(&http_params(&input)).await?;
            let sql_page = self.sql_page(&sql_query).await?;
            let sql_cursor = sql_page.next.as_ref().map(|cursor| cursor.encode());
            if http_page.next_cursor != sql_cursor {
                mismatches.push(format!("page {page}: HTTP and SQL cursors differ"));
            }
            let Some(cursor) = http_page.next_cursor else {
                bail!("{}: page {page} has no next cursor", query.label);
            };
            input.cursor = Some(cursor);
            sql_query.after = sql_page.next;
        }
        let params = http_params(&input);

        for _ in 0..self.warmup {
            self.http_page(&params).await?;
            self.sql_page(&sql_query).await?;
        }

        let mut http_samples = Vec::with_capacity(self.samples);
        let mut last_http = None;
        for _ in 0..self.samples {
            let started = Instant::now();
            let page = self.http_page(&params).await?;
            http_samples.push(started.elapsed());
            last_http = Some(page);
        }

        let mut sql_samples = Vec::with_capacity(self.samples);
        let mut last_sql = None;
        for _ in 0..self.samples {
            let started = Instant::now();
            let page = self.sql_page(&sql_query).await?;
            sql_samples.push(started.elapsed());
            last_sql = Some(page);
        }

        let mut explain_samples = Vec::with_capacity(EXPLAIN_RUNS);
        let mut planning_samples = Vec::with_capacity(EXPLAIN_RUNS);
        let mut plan = PlanSummary::default();
        for _ in 0..EXPLAIN_RUNS {
            let explain = self
                .store
                .explain_search(self.app_id, &sql_query)
                .await
                .with_context(|| format!("EXPLAIN of {} failed", query.label))?;
            explain_samples.push(
                explain_time(&explain, "Execution Time")
                    .context("EXPLAIN ANALYZE returned no Execution Time")?,
            );
            planning_samples.push(
                explain_time(&explain, "Planning Time")
                    .context("EXPLAIN ANALYZE returned no Planning Time")?,
            );
            plan = PlanSummary::of(&explain);
        }

        let http_page = last_http.context("no HTTP sample was taken")?;
        let sql_page = last_sql.context("no SQL sample was taken")?;
        let sql_ids: Vec<String> = sql_page.items.iter().map(|c| c.id.to_string()).collect();
        if http_page.ids != sql_ids {
            mismatches.push(format!(
                "HTTP returned {} clients, SQL {}, or in another order",
                http_page.rows,
                sql_ids.len()
            ));
        }

        let summary = |samples: &[Duration]| Summary::of(samples).context("no samples were taken");
        Ok(QueryResult {
            label: query.label.clone(),
            query_string: query_string(&http_params(&query.input)),
            rows: http_page.rows,
            http: summary(&http_samples)?,
            sql: summary(&sql_samples)?,
            explain_execution: summary(&explain_samples)?.median,
            explain_planning: summary(&planning_samples)?.median,
            plan,
            mismatches,
        })
    }

    async fn http_page(&self, params: &[(&'static str, String)]) -> Result<HttpPage> {
        let response = self
            .http
            .get(format!("{}/api/v1/clients", self.base_url))
            .query(params)
            .bearer_auth(&self.api_key)
            .send()
            .await
            .context("GET /api/v1/clients failed")?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .context("failed to read the response body")?;
        if !status.is_success() {
            bail!(
                "GET /api/v1/clients?{} returned {status}: {}",
                query_string(params),
                String::from_utf8_lossy(&body)
            );
        }
        let page: Value = serde_json::from_slice(&body).context("response is not JSON")?;
        let items = page
            .get("items")
            .and_then(Value::as_array)
            .context("response has no items array")?;
        Ok(HttpPage {
            rows: items.len(),
            ids: items
                .iter()
                .filter_map(|item| item.get("id").and_then(Value::as_str).map(str::to_owned))
                .collect(),
            next_cursor: page
                .get("next_cursor")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }

    async fn sql_page(&self, query: &ClientQuery) -> Result<ClientPage> {
        self.store
            .search_clients(self.app_id, query)
            .await
            .context("PgStore::search_clients failed")
    }
}

/// Formats parameters as a readable query string (not percent-encoded).
fn query_string(params: &[(&'static str, String)]) -> String {
    params
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn explain(plan: Value) -> Value {
        json!([{ "Plan": plan, "Planning Time": 0.2, "Execution Time": 1.5 }])
    }

    #[test]
    fn plan_with_seq_scan_on_clients_is_flagged() {
        let value = explain(json!({
            "Node Type": "Limit",
            "Plans": [{ "Node Type": "Seq Scan", "Relation Name": "clients" }]
        }));
        let plan = PlanSummary::of(&value);
        assert!(plan.scans_clients_sequentially());
        assert_eq!(plan.seq_scans, vec!["clients".to_owned()]);
    }

    #[test]
    fn plan_with_index_scans_is_not_flagged() {
        let value = explain(json!({
            "Node Type": "Limit",
            "Plans": [{
                "Node Type": "Bitmap Heap Scan",
                "Relation Name": "clients",
                "Plans": [
                    { "Node Type": "Bitmap Index Scan", "Index Name": "clients_name_trgm_idx" },
                    { "Node Type": "Seq Scan", "Relation Name": "products" }
                ]
            }]
        }));
        let plan = PlanSummary::of(&value);
        assert!(!plan.scans_clients_sequentially());
        assert_eq!(plan.indexes, vec!["clients_name_trgm_idx".to_owned()]);
        assert_eq!(plan.seq_scans, vec!["products".to_owned()]);
    }

    #[test]
    fn explain_times_are_read_in_milliseconds() {
        let value = explain(json!({ "Node Type": "Result" }));
        assert_eq!(
            explain_time(&value, "Execution Time"),
            Some(Duration::from_micros(1_500))
        );
        assert_eq!(
            explain_time(&value, "Planning Time"),
            Some(Duration::from_micros(200))
        );
        assert_eq!(explain_time(&json!([{}]), "Execution Time"), None);
    }

    #[test]
    fn query_string_joins_params() {
        let params = [("q", "ana".to_owned()), ("status", "active".to_owned())];
        assert_eq!(query_string(&params), "q=ana&status=active");
    }
}
