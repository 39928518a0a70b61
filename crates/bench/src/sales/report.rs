//! The results of the webhook benchmark and their section of the report.

use std::fmt::Write as _;
use std::time::Duration;

use crate::logins::cpu::CpuUsage;
use crate::stats::{Summary, millis};

/// Sales per second and latency of one side.
#[derive(Debug, Clone, PartialEq)]
pub struct Throughput {
    pub sales: u64,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
}

impl Throughput {
    /// Computes the rate from the wall time all sales took.
    pub fn of(sales: u64, elapsed: Duration, latencies: &[Duration]) -> Self {
        Self::from_rate(sales, sales as f64 / elapsed.as_secs_f64(), latencies)
    }

    /// Takes the rate as measured elsewhere.
    pub fn from_rate(sales: u64, per_second: f64, latencies: &[Duration]) -> Self {
        let summary = Summary::of(latencies);
        Self {
            sales,
            per_second,
            p50: summary.map_or(Duration::ZERO, |summary| summary.median),
            p99: summary.map_or(Duration::ZERO, |summary| summary.p99),
        }
    }
}

/// Rows one sale inserts, updates and deletes in a table, on each side.
#[derive(Debug, Clone, PartialEq)]
pub struct TableWrites {
    pub table: String,
    pub http: [f64; 3],
    pub pgbench: [f64; 3],
}

/// Everything the webhook benchmark measured.
#[derive(Debug, Clone)]
pub struct SalesResult {
    pub connections: usize,
    pub pgbench_threads: usize,
    /// Statements one sale runs, from the app lookup to the commit.
    pub statements: usize,
    pub server_ids: usize,
    pub http: Throughput,
    pub pgbench: Throughput,
    pub writes: Vec<TableWrites>,
    /// The pgbench script built from the captured statements.
    pub script: String,
    /// The endpoint's sales per second in each fifth of its run.
    pub http_rate_by_fifth: Vec<f64>,
    /// CPU use while the endpoint received the sales, and while pgbench ran.
    pub http_cpu: Option<CpuUsage>,
    pub pgbench_cpu: Option<CpuUsage>,
}

impl SalesResult {
    /// Returns the endpoint's sales per second as a share of pgbench's.
    pub fn ratio(&self) -> f64 {
        self.http.per_second / self.pgbench.per_second
    }

    /// Returns one line for the progress output.
    pub fn summary_line(&self) -> String {
        format!(
            "endpoint {:.0} sales/s (p50 {} ms, p99 {} ms), pgbench {:.0} sales/s (p50 {} ms, p99 {} ms), ratio {:.0}%",
            self.http.per_second,
            millis(self.http.p50),
            millis(self.http.p99),
            self.pgbench.per_second,
            millis(self.pgbench.p50),
            millis(self.pgbench.p99),
            self.ratio() * 100.0
        )
    }

    /// Appends the "Webhook sales" section.
    pub fn write_markdown(&self, out: &mut String) {
        let _ = writeln!(out, "## Webhook sales\n");
        self.write_method(out);
        self.write_comparison(out);
        self.write_observations(out);
        self.write_rows_and_script(out);
    }

    fn write_method(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "Distinct Hotmart `PURCHASE_APPROVED` sales are posted to\n\
             `POST /webhooks/bench/hotmart` on the same `clientela serve` (release build,\n\
             e-mail sending off) from {connections} keep-alive connections. Each sale has a new\n\
             buyer with a valid CPF and phone. They run after the search benchmark, so the app\n\
             already contains its seeded clients. The database is vacuumed and checkpointed\n\
             first, so that neither side runs next to autovacuum's pass over the seeded\n\
             tables. Then as many sales as are timed go through the endpoint untimed, because\n\
             the first minute of load after seeding runs slower than the same load later.\n\
             Every answer must be `200` with `processed`. The time of a sale runs from\n\
             sending the request to receiving the whole answer.\n\n\
             The **pgbench** column runs the same SQL statements against the same database,\n\
             with the same durability settings, from {connections} connections ({threads} pgbench\n\
             threads) with prepared statements. The statements are not written by hand: two\n\
             probe sales are sent while PostgreSQL logs every statement, and their log becomes\n\
             the pgbench script, {statements} statements from the app lookup to the commit. Values\n\
             that differ between sales (e-mail, CPF, phone, transaction, event id, the body,\n\
             and the {ids} ids the server makes) are rebuilt for each replayed sale and read by one\n\
             extra indexed `SELECT` per sale. The rows each side wrote per sale, as\n\
             PostgreSQL counts them, must match table by table, or the run fails.\n",
            connections = self.connections,
            threads = self.pgbench_threads,
            statements = self.statements,
            ids = self.server_ids,
        );
    }

    fn write_comparison(&self, out: &mut String) {
        let busy = |usage: Option<CpuUsage>| {
            usage.map_or("?".to_owned(), |usage| {
                format!("{:.0}%", usage.machine_busy_percent)
            })
        };
        let rows = [
            (
                "sales".to_owned(),
                self.http.sales.to_string(),
                self.pgbench.sales.to_string(),
            ),
            (
                "sales per second".to_owned(),
                format!("{:.0}", self.http.per_second),
                format!("{:.0}", self.pgbench.per_second),
            ),
            (
                "latency p50 (ms)".to_owned(),
                millis(self.http.p50),
                millis(self.pgbench.p50),
            ),
            (
                "latency p99 (ms)".to_owned(),
                millis(self.http.p99),
                millis(self.pgbench.p99),
            ),
            (
                "CPU busy, whole machine".to_owned(),
                busy(self.http_cpu),
                busy(self.pgbench_cpu),
            ),
        ];
        let _ = writeln!(
            out,
            "| | endpoint (HTTP) | pgbench (same SQL) |\n| --- | ---: | ---: |"
        );
        for (label, endpoint, pgbench) in rows {
            let _ = writeln!(out, "| {label} | {endpoint} | {pgbench} |");
        }
    }

    fn write_observations(&self, out: &mut String) {
        if !self.http_rate_by_fifth.is_empty() {
            let rates: Vec<String> = self
                .http_rate_by_fifth
                .iter()
                .map(|rate| format!("{rate:.0}"))
                .collect();
            let _ = writeln!(
                out,
                "\nThe endpoint's sales per second in each fifth of its run, in order: {}.",
                rates.join(", ")
            );
        }
        if let Some(usage) = self.http_cpu {
            let _ = writeln!(
                out,
                "\nWhile the endpoint received the sales, `clientela serve` used {:.0}% of all\n\
                 cores, PostgreSQL {:.0}%, the load generator {:.0}% and other work {:.0}%.",
                usage.clientela_percent,
                usage.postgres_percent,
                usage.benchmark_percent,
                usage.other_percent()
            );
        }
        let _ = writeln!(
            out,
            "\n**The endpoint reaches {:.0}% of pgbench's sales per second.** On top of the same\n\
             statements, the endpoint's side runs HTTP, JSON parsing, authentication, the\n\
             domain's rules, the connection pool and the load generator on the same cores.\n\
             The CPU shares above show how its time splits between the server, PostgreSQL\n\
             and the load generator.\n",
            self.ratio() * 100.0
        );
    }

    fn write_rows_and_script(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "Rows written per sale (inserted / updated / deleted):\n\n\
             | table | endpoint | pgbench |\n| --- | ---: | ---: |"
        );
        for row in &self.writes {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                row.table,
                counts(&row.http),
                counts(&row.pgbench)
            );
        }
        let _ = writeln!(
            out,
            "\n<details><summary>The pgbench script of this run</summary>\n\n```sql\n{}```\n\n</details>\n",
            self.script
        );
    }
}

fn counts(values: &[f64; 3]) -> String {
    values
        .iter()
        .map(|value| format!("{value:.2}"))
        .collect::<Vec<_>>()
        .join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throughput_uses_nearest_rank_percentiles() {
        let latencies: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let throughput = Throughput::of(100, Duration::from_secs(2), &latencies);
        assert_eq!(throughput.per_second, 50.0);
        assert_eq!(throughput.p50, Duration::from_millis(50));
        assert_eq!(throughput.p99, Duration::from_millis(99));
    }

    #[test]
    fn throughput_without_latencies_is_zero() {
        let throughput = Throughput::from_rate(0, 0.0, &[]);
        assert_eq!(throughput.p99, Duration::ZERO);
    }

    #[test]
    fn section_states_the_ratio() {
        let side = |per_second| Throughput {
            sales: 10,
            per_second,
            p50: Duration::from_millis(5),
            p99: Duration::from_millis(9),
        };
        let result = SalesResult {
            connections: 8,
            pgbench_threads: 2,
            statements: 17,
            server_ids: 6,
            http: side(500.0),
            pgbench: side(1000.0),
            writes: vec![TableWrites {
                table: "clients".to_owned(),
                http: [1.0, 0.0, 0.0],
                pgbench: [1.0, 0.0, 0.0],
            }],
            script: "BEGIN;\nCOMMIT;\n".to_owned(),
            http_rate_by_fifth: vec![500.0; 5],
            http_cpu: None,
            pgbench_cpu: None,
        };
        let mut out = String::new();
        result.write_markdown(&mut out);
        assert!(out.contains("reaches 50% of pgbench"), "{out}");
        assert!(out.contains("| clients | 1.00 / 0.00 / 0.00 | 1.00 / 0.00 / 0.00 |"));
        assert!(out.contains("```sql\nBEGIN;\nCOMMIT;\n```"), "{out}");
    }
}
