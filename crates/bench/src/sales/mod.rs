//! Benchmark of webhook ingestion: distinct Hotmart sales sent through
//! `POST /webhooks/{app}/hotmart`, next to pgbench running the statements one
//! sale needs, on the same database in the same run.
//!
//! The statements are not written by hand: two probe sales are sent while
//! PostgreSQL logs every statement, and [`script::Replay`] turns what
//! `clientela serve` ran into a pgbench script. The rows each side writes per
//! sale are compared table by table, so a replay that does less work than the
//! endpoint fails the run.

mod capture;
mod load;
mod payload;
mod pgbench;
mod report;
mod script;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use tokio::runtime::Runtime;
use uuid::Uuid;

use self::capture::StatementLog;
use self::payload::{HOTTOK, SaleTokens, hotmart_body};
use self::pgbench::PgbenchRun;
use self::script::{Replay, VALUES_TABLE};
use crate::copy::{Field, copy_into, psql_query, write_record};
use crate::logins::cpu::{CpuTicks, CpuUsage};
use crate::server::Server;

pub use self::report::{SalesResult, TableWrites, Throughput};

/// Sale number of the sale that creates the product before the probes.
const WARMUP_SALE: u64 = 90_000_000;
/// Sale numbers of the two probes whose statements are captured.
const PROBE_SALES: [u64; 2] = [90_000_001, 90_000_002];
/// First sale number of the untimed warm-up through the endpoint.
const WARMUP_FIRST_SALE: u64 = 5_000_000;
/// First sale number of the pgbench replay; the endpoint gets 1, 2, 3…
const REPLAY_FIRST_SALE: u64 = 10_000_000;
/// Time PostgreSQL needs to count the rows of sessions that just closed.
const STATS_SETTLE: Duration = Duration::from_secs(1);

/// Settings of the webhook benchmark.
pub struct SalesConfig<'a> {
    pub clientela_bin: &'a Path,
    pub database_url: &'a str,
    pub psql: &'a Path,
    pub pgbench: &'a Path,
    /// The cluster's log file, where the probes' statements are read from.
    pub postgres_log: &'a Path,
    pub app_slug: &'a str,
    pub app_id: Uuid,
    /// Sales through the endpoint, and again through pgbench.
    pub sales: u64,
    pub connections: usize,
}

/// Runs the whole webhook benchmark; `runtime` drives the HTTP requests.
pub fn run(config: &SalesConfig<'_>, runtime: &Runtime) -> Result<SalesResult> {
    ensure!(
        config.connections >= 1,
        "--sale-connections must be at least 1"
    );
    ensure!(
        (1..REPLAY_FIRST_SALE / 2).contains(&config.sales),
        "--webhook-sales must be between 1 and {}",
        REPLAY_FIRST_SALE / 2 - 1
    );
    crate::run_clientela(
        config.clientela_bin,
        config.database_url,
        &[
            "apps",
            "set-credential",
            config.app_slug,
            "hotmart",
            "--hottok",
            HOTTOK,
        ],
    )?;

    // After seeding, autovacuum and checkpoints would run during whichever side
    // comes first, so both sides start from a vacuumed, checkpointed database.
    eprintln!("bench: vacuuming and checkpointing before the sales");
    psql_query(config.psql, config.database_url, "VACUUM (ANALYZE)")?;
    psql_query(config.psql, config.database_url, "CHECKPOINT")?;

    eprintln!("bench: capturing the statements of one sale");
    let replay = capture_replay(config, runtime)?;
    eprintln!(
        "bench: one sale runs {} statements with {} ids made by the server",
        replay.statements, replay.server_ids
    );

    // Right after seeding, the first minute of load ran slower (about 600 falling
    // to 400 sales per second) than the same load a minute later (a steady 690),
    // whichever side it was. An untimed run with as many sales settles that.
    eprintln!("bench: sending {} untimed sales to warm up", config.sales);
    let warmup: Vec<Vec<u8>> = (WARMUP_FIRST_SALE..WARMUP_FIRST_SALE + config.sales)
        .map(hotmart_body)
        .collect();
    let server = Server::start(config.clientela_bin, config.database_url)?;
    let url = format!("{}/webhooks/{}/hotmart", server.base_url, config.app_slug);
    runtime.block_on(load::send_all(&url, HOTTOK, warmup, config.connections))?;
    drop(server);
    thread::sleep(STATS_SETTLE);

    let before_http = table_writes(config)?;
    let bodies: Vec<Vec<u8>> = (1..=config.sales).map(hotmart_body).collect();
    let server = Server::start(config.clientela_bin, config.database_url)?;
    let url = format!("{}/webhooks/{}/hotmart", server.base_url, config.app_slug);
    eprintln!(
        "bench: sending {} sales from {} connections",
        config.sales, config.connections
    );
    let cpu_before = CpuTicks::read();
    let sent = runtime.block_on(load::send_all(&url, HOTTOK, bodies, config.connections));
    let http_cpu = cpu_before
        .zip(CpuTicks::read())
        .and_then(|(a, b)| a.usage_until(&b));
    let sent = match sent {
        Ok(sent) => sent,
        Err(error) => {
            return Err(error.context(format!(
                "last lines of clientela serve:\n{}",
                server.log_tail()
            )));
        }
    };
    drop(server);
    thread::sleep(STATS_SETTLE);
    let after_http = table_writes(config)?;
    let before_replay = 2 * config.sales + 1 + PROBE_SALES.len() as u64;
    check_buyers(config, before_replay)?;

    let replayed = replay_with_pgbench(config, &replay)?;
    check_buyers(config, before_replay + replayed.transactions)?;

    let http_rows = difference(&before_http, &after_http);
    let pgbench_rows = difference(&replayed.before, &replayed.after);
    let writes = compare_writes(
        &http_rows,
        config.sales,
        &pgbench_rows,
        replayed.transactions,
    )?;

    Ok(SalesResult {
        connections: config.connections,
        pgbench_threads: replayed.threads,
        statements: replay.statements,
        server_ids: replay.server_ids,
        http: Throughput::of(config.sales, sent.elapsed, &sent.latencies),
        pgbench: Throughput::from_rate(replayed.transactions, replayed.tps, &replayed.latencies),
        writes,
        script: replay.script,
        http_rate_by_fifth: sent.rate_by_fifth,
        http_cpu,
        pgbench_cpu: replayed.cpu,
    })
}

/// Sends a warm-up sale and two probes with statement logging on, and builds the
/// replay from the probes.
fn capture_replay(config: &SalesConfig<'_>, runtime: &Runtime) -> Result<Replay> {
    let server = Server::start(config.clientela_bin, config.database_url)?;
    let url = format!("{}/webhooks/{}/hotmart", server.base_url, config.app_slug);
    let http = reqwest::Client::new();
    let send = |n: u64| runtime.block_on(load::post_sale(&http, &url, HOTTOK, hotmart_body(n)));
    send(WARMUP_SALE)?;
    let log = StatementLog {
        psql: config.psql,
        database_url: config.database_url,
        file: config.postgres_log,
    };
    let [first, second] = PROBE_SALES;
    let first_statements = log.capture(|| send(first))?;
    let second_statements = log.capture(|| send(second))?;
    drop(server);
    Replay::build(
        &first_statements,
        &SaleTokens::of(first),
        &second_statements,
        &SaleTokens::of(second),
    )
}

/// Measurements of the pgbench side, with the row counters around it.
struct Replayed {
    transactions: u64,
    tps: f64,
    latencies: Vec<Duration>,
    threads: usize,
    /// CPU use while pgbench ran; its sessions have ended by the second reading,
    /// so only the whole machine's share is meaningful.
    cpu: Option<CpuUsage>,
    before: Writes,
    after: Writes,
}

/// Loads one row of values per sale, runs the replay script with pgbench as
/// many times as the endpoint got sales (rounded up to a multiple of the
/// connections), and drops the values again.
fn replay_with_pgbench(config: &SalesConfig<'_>, replay: &Replay) -> Result<Replayed> {
    let connections = config.connections as u64;
    let per_client = config.sales.div_ceil(connections);
    let total = per_client * connections;
    let columns = replay.columns();

    let definitions: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} text NOT NULL"))
        .collect();
    psql_query(
        config.psql,
        config.database_url,
        &format!(
            "DROP TABLE IF EXISTS {VALUES_TABLE}; \
             CREATE TABLE {VALUES_TABLE} (n integer PRIMARY KEY, {})",
            definitions.join(", ")
        ),
    )?;
    let mut copy_columns = vec!["n"];
    copy_columns.extend(columns.iter().map(String::as_str));
    eprintln!("bench: preparing the values of {total} sales for pgbench");
    copy_into(
        config.psql,
        config.database_url,
        VALUES_TABLE,
        &copy_columns,
        |out| {
            for n in REPLAY_FIRST_SALE..REPLAY_FIRST_SALE + total {
                let values = replay.values(&SaleTokens::of(n));
                let mut fields = vec![Field::Int(n as i64)];
                fields.extend(values.iter().map(|value| Field::Text(value)));
                write_record(out, &fields)?;
            }
            Ok(())
        },
    )?;
    psql_query(
        config.psql,
        config.database_url,
        &format!("ANALYZE {VALUES_TABLE}"),
    )?;

    let work_dir = tempfile::Builder::new()
        .prefix("clientela-bench-")
        .tempdir()
        .context("failed to create a folder for the pgbench script")?;
    let script_path = work_dir.path().join("sale.sql");
    fs::write(&script_path, &replay.script)?;
    let log_dir = work_dir.path().join("logs");
    fs::create_dir(&log_dir)?;
    let threads = config
        .connections
        .min(std::thread::available_parallelism().map_or(1, usize::from));

    // A checkpoint first, so that pgbench does not write out the pages the
    // endpoint side left dirty.
    psql_query(config.psql, config.database_url, "CHECKPOINT")?;
    let before = table_writes(config)?;
    eprintln!(
        "bench: pgbench replays {total} sales from {} connections",
        config.connections
    );
    let run = PgbenchRun {
        pgbench: config.pgbench,
        database_url: config.database_url,
        script: &script_path,
        log_dir: &log_dir,
        clients: config.connections,
        threads,
        transactions_per_client: per_client,
        variables: &[
            ("first", REPLAY_FIRST_SALE.to_string()),
            ("clients", config.connections.to_string()),
            ("i", "0".to_owned()),
        ],
    };
    let cpu_before = CpuTicks::read();
    let result = run.run().with_context(move || {
        format!("the replay script is kept in {}", work_dir.keep().display())
    })?;
    let cpu = cpu_before
        .zip(CpuTicks::read())
        .and_then(|(a, b)| a.usage_until(&b));
    thread::sleep(STATS_SETTLE);
    let after = table_writes(config)?;
    psql_query(
        config.psql,
        config.database_url,
        &format!("DROP TABLE {VALUES_TABLE}"),
    )?;
    Ok(Replayed {
        transactions: result.transactions,
        tps: result.tps,
        latencies: result.latencies,
        threads,
        cpu,
        before,
        after,
    })
}

/// Inserted, updated and deleted rows per table, as PostgreSQL counts them.
type Writes = BTreeMap<String, [i64; 3]>;

fn table_writes(config: &SalesConfig<'_>) -> Result<Writes> {
    let text = psql_query(
        config.psql,
        config.database_url,
        "SELECT relname || '|' || n_tup_ins || '|' || n_tup_upd || '|' || n_tup_del \
         FROM pg_stat_user_tables",
    )?;
    let mut writes = BTreeMap::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split('|').collect();
        let [table, inserted, updated, deleted] = fields[..] else {
            anyhow::bail!("unexpected line from pg_stat_user_tables: {line:?}");
        };
        if table == VALUES_TABLE {
            continue;
        }
        writes.insert(
            table.to_owned(),
            [inserted.parse()?, updated.parse()?, deleted.parse()?],
        );
    }
    Ok(writes)
}

/// Returns the rows written between two readings, leaving out unchanged tables.
fn difference(before: &Writes, after: &Writes) -> Writes {
    after
        .iter()
        .map(|(table, counts)| {
            let old = before.get(table).copied().unwrap_or_default();
            let delta = [counts[0] - old[0], counts[1] - old[1], counts[2] - old[2]];
            (table.clone(), delta)
        })
        .filter(|(_, delta)| delta.iter().any(|count| *count != 0))
        .collect()
}

/// Returns the rows written per sale by each side, and fails when they differ.
fn compare_writes(
    http: &Writes,
    http_sales: u64,
    pgbench: &Writes,
    pgbench_sales: u64,
) -> Result<Vec<TableWrites>> {
    let mut tables: Vec<&String> = http.keys().chain(pgbench.keys()).collect();
    tables.sort();
    tables.dedup();
    let per_sale = |counts: Option<&[i64; 3]>, sales: u64| {
        let counts = counts.copied().unwrap_or_default();
        counts.map(|count| count as f64 / sales as f64)
    };
    let writes: Vec<TableWrites> = tables
        .into_iter()
        .map(|table| TableWrites {
            table: table.clone(),
            http: per_sale(http.get(table), http_sales),
            pgbench: per_sale(pgbench.get(table), pgbench_sales),
        })
        .collect();
    let differing: Vec<&str> = writes
        .iter()
        .filter(|row| {
            row.http
                .iter()
                .zip(&row.pgbench)
                .any(|(a, b)| (a - b).abs() > 0.01)
        })
        .map(|row| row.table.as_str())
        .collect();
    ensure!(
        differing.is_empty(),
        "the pgbench replay writes other rows per sale than the endpoint in: {}",
        differing.join(", ")
    );
    Ok(writes)
}

/// Fails unless the app has exactly `expected` benchmark buyers.
fn check_buyers(config: &SalesConfig<'_>, expected: u64) -> Result<()> {
    let count: u64 = psql_query(
        config.psql,
        config.database_url,
        &format!(
            "SELECT count(*) FROM clients WHERE app_id = '{}' \
             AND email LIKE 'comprador.%@example.com'",
            config.app_id
        ),
    )?
    .parse()?;
    ensure!(
        count == expected,
        "expected {expected} buyers of the benchmark sales, the database has {count}"
    );
    Ok(())
}
