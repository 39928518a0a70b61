//! The Markdown page with the results, written to docs/BENCHMARKS.md.

use std::fmt::Write as _;
use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::generate::{
    ACCESSED_PERCENT, CHARGEBACK_EVERY, DOCUMENT_PERCENT, PHONE_PERCENT, REFUNDED_PERCENT,
};
use crate::machine::Machine;
use crate::measure::QueryResult;
use crate::seed::SeedTimings;
use crate::stats::millis;

/// Everything the report states.
pub struct Report<'a> {
    pub started_at: OffsetDateTime,
    pub machine: &'a Machine,
    /// The command a developer types, such as `make bench`.
    pub command: &'a str,
    /// The benchmark binary's own command line, with the database URL left out.
    pub invocation: &'a str,
    /// The `clientela` binary that served HTTP.
    pub server_binary: &'a str,
    pub clients: u64,
    pub sales: u64,
    pub products: usize,
    pub seed_timings: &'a SeedTimings,
    /// Sizes of the clients table and the whole database, as PostgreSQL prints them.
    pub clients_size: &'a str,
    pub database_size: &'a str,
    pub warmup: usize,
    pub samples: usize,
    /// The 1-, 5- and 15-minute load averages before and after the timed searches.
    pub load_before: &'a str,
    pub load_after: &'a str,
    pub results: &'a [QueryResult],
}

impl Report<'_> {
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        self.write_header(&mut out);
        self.write_data(&mut out);
        self.write_results(&mut out);
        self.write_plan_check(&mut out);
        out
    }

    fn write_header(&self, out: &mut String) {
        let machine = self.machine;
        let date = self
            .started_at
            .replace_nanosecond(0)
            .unwrap_or(self.started_at)
            .format(&Rfc3339)
            .unwrap_or_default();
        let _ = writeln!(out, "# Benchmarks\n");
        let _ = writeln!(
            out,
            "This page is written by `{}`; rerun it to refresh the numbers. They come from one\n\
             run on one machine, so compare them with runs on the same machine only.\n",
            self.command
        );
        let _ = writeln!(
            out,
            "## Client search on {} clients\n",
            thousands(self.clients)
        );
        let _ = writeln!(out, "| | |\n| --- | --- |");
        let _ = writeln!(out, "| date (UTC) | {date} |");
        let _ = writeln!(out, "| git commit | {} |", machine.git_commit);
        let _ = writeln!(out, "| CPU | {} |", machine.cpu_model);
        let _ = writeln!(out, "| cores available | {} |", machine.cores);
        let _ = writeln!(out, "| memory | {:.1} GiB |", machine.memory_gib);
        let _ = writeln!(out, "| Linux kernel | {} |", machine.kernel);
        let _ = writeln!(out, "| PostgreSQL | {} |", machine.postgres_version);
        let _ = writeln!(out, "| command | `{}` |", self.command);
        let _ = writeln!(out, "| benchmark invocation | `{}` |\n", self.invocation);
    }

    fn write_data(&self, out: &mut String) {
        let timings = self.seed_timings;
        let _ = writeln!(out, "### Data\n");
        let _ = writeln!(
            out,
            "A throwaway PostgreSQL cluster with the default durability settings (fsync on)\n\
             is migrated, and one app receives {} clients. They have Brazilian names\n\
             (accents, apostrophes, compound names) and e-mails derived from the names.\n\
             {DOCUMENT_PERCENT}% have a valid CPF, {PHONE_PERCENT}% a Brazilian mobile or landline number in\n\
             E.164, and {ACCESSED_PERCENT}% a last access. Signups are spread over three years and\n\
             fifteen origin platforms, and one client in {CHARGEBACK_EVERY} has a chargeback. The app\n\
             also gets {} products and {} transactions, each with the grant it caused.\n\
             Apart from the chargebacks, about {REFUNDED_PERCENT}% of them are refunded, with their\n\
             grants revoked.\n",
            thousands(self.clients),
            self.products,
            thousands(self.sales)
        );
        let _ = writeln!(
            out,
            "Rows are streamed as CSV into `psql`'s `\\copy`. The secondary indexes of the\n\
             clients, transactions and grants tables are dropped before the load and\n\
             created again, with the migrations' own definitions, after it.\n"
        );
        let _ = writeln!(out, "| seeding step | time |\n| --- | ---: |");
        let _ = writeln!(out, "| copy clients | {} |", seconds(timings.clients));
        let _ = writeln!(
            out,
            "| copy products, transactions, grants | {} |",
            seconds(timings.sales)
        );
        let _ = writeln!(
            out,
            "| create secondary indexes | {} |",
            seconds(timings.indexes)
        );
        let _ = writeln!(out, "| ANALYZE | {} |", seconds(timings.analyze));
        let _ = writeln!(out, "| **total** | **{}** |\n", seconds(timings.total()));
        let _ = writeln!(
            out,
            "Size after seeding: clients table with its indexes {}, whole database {}.\n",
            self.clients_size, self.database_size
        );
    }

    fn write_results(&self, out: &mut String) {
        let _ = writeln!(out, "### Search latency\n");
        let _ = writeln!(
            out,
            "Each search is run {} times to warm up, then {} times in a row for each column.\n\
             **HTTP** is `GET /api/v1/clients` on the real `{} serve` (one keep-alive\n\
             connection on loopback), timed from sending the request to receiving the\n\
             whole body. **SQL** is `PgStore::search_clients` called directly,\n\
             which runs the same statement, including the pool checkout and row decoding.\n\
             **EXPLAIN exec** and **EXPLAIN plan** are the median execution and planning\n\
             times that `EXPLAIN ANALYZE` reports for that statement on the server. Times\n\
             are in milliseconds, and a page holds at most 50 clients.\n",
            self.warmup, self.samples, self.server_binary
        );
        let _ = writeln!(
            out,
            "Load average (1, 5, 15 min) before the searches: {}, after: {}. Other work on\n\
             the machine during the run shows up here and in the p95 columns.\n",
            self.load_before, self.load_after
        );
        let _ = writeln!(
            out,
            "| search | rows | HTTP median | HTTP p95 | SQL median | SQL p95 | EXPLAIN exec | EXPLAIN plan | indexes used |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
        );
        for result in self.results {
            let mut indexes = result.plan.indexes.join(", ");
            for relation in &result.plan.seq_scans {
                if !indexes.is_empty() {
                    indexes.push_str(", ");
                }
                let _ = write!(indexes, "**Seq Scan on {relation}**");
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                escape_cell(&result.label),
                result.rows,
                millis(result.http.median),
                millis(result.http.p95),
                millis(result.sql.median),
                millis(result.sql.p95),
                millis(result.explain_execution),
                millis(result.explain_planning),
                indexes
            );
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "Query strings of the searches:\n");
        for result in self.results {
            let query_cell = if result.query_string.is_empty() {
                "(none)".to_owned()
            } else {
                format!("`{}`", result.query_string)
            };
            let _ = writeln!(out, "- {}: {query_cell}", escape_cell(&result.label));
        }
        let _ = writeln!(out);
    }

    fn write_plan_check(&self, out: &mut String) {
        let _ = writeln!(out, "### Plan check\n");
        let offenders: Vec<&QueryResult> = self
            .results
            .iter()
            .filter(|result| result.plan.scans_clients_sequentially())
            .collect();
        if offenders.is_empty() {
            let _ = writeln!(
                out,
                "No search plan reads the clients table with a Seq Scan.\n"
            );
        } else {
            let _ = writeln!(
                out,
                "**These searches read the clients table with a Seq Scan:**\n"
            );
            for result in offenders {
                let _ = writeln!(out, "- {}", escape_cell(&result.label));
            }
            let _ = writeln!(out);
        }
        let mismatches: Vec<String> = self
            .results
            .iter()
            .flat_map(|result| {
                result
                    .mismatches
                    .iter()
                    .map(move |mismatch| format!("{}: {mismatch}", escape_cell(&result.label)))
            })
            .collect();
        if mismatches.is_empty() {
            let _ = writeln!(
                out,
                "HTTP and SQL returned the same clients for every search."
            );
        } else {
            let _ = writeln!(out, "**HTTP and SQL disagreed:**\n");
            for mismatch in mismatches {
                let _ = writeln!(out, "- {mismatch}");
            }
        }
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

/// Formats a count with thin groups of three digits, `1 000 000`.
fn thousands(value: impl Into<u64>) -> String {
    let digits = value.into().to_string();
    let mut out = String::new();
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position) % 3 == 0 {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

/// Escapes the characters that end a Markdown table cell.
fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(1_000_000u64), "1 000 000");
        assert_eq!(thousands(200_000u64), "200 000");
        assert_eq!(thousands(42u64), "42");
    }

    #[test]
    fn escape_cell_escapes_pipes() {
        assert_eq!(escape_cell("a|b"), "a\\|b");
    }
}
