//! Benchmarks of Clientela on one million seeded clients.
//!
//! `clientela-bench run` migrates an empty database, creates an app, seeds it,
//! starts the real `clientela serve`, times a mixed set of searches over HTTP and
//! as plain SQL, and checks their query plans. Then it sends distinct webhook
//! sales next to a pgbench replay of the statements a sale runs (`sales`). Last,
//! it times members-app logins against bare argon2 while probing `/healthz`
//! (`logins`). It writes docs/BENCHMARKS.md. `clientela-bench seed` only seeds an
//! existing app. `make bench` runs everything on a throwaway PostgreSQL cluster.

mod copy;
mod generate;
mod logins;
mod machine;
mod measure;
mod names;
mod queries;
mod report;
mod sales;
mod seed;
mod server;
mod stats;

use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use clap::{Args, Parser, Subcommand};
use clientela_domain::ids::AppId;
use clientela_postgres::PgStore;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::generate::Dataset;
use crate::machine::Machine;
use crate::measure::{Harness, QueryResult};
use crate::queries::{Needles, bench_queries};
use crate::report::Report;
use crate::server::Server;

/// Slug of the app the benchmark creates.
const BENCH_APP_SLUG: &str = "bench";

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Seeds clients and benchmarks Clientela's search, webhook sales and logins"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate an empty database, seed it, time the searches and write the report.
    Run(RunArgs),
    /// Seed clients, products, transactions and grants into an existing app.
    Seed(SeedArgs),
}

/// Settings of a full benchmark run.
#[derive(Debug, Args)]
struct RunArgs {
    /// PostgreSQL URL of an empty database; it is migrated and filled.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,

    /// The clientela binary to migrate with and to serve HTTP; use a release build.
    #[arg(long, default_value = "target/release/clientela")]
    clientela_bin: PathBuf,

    /// The psql program used for COPY.
    #[arg(long, default_value = "psql")]
    psql: PathBuf,

    /// Number of clients to create.
    #[arg(long, default_value_t = 1_000_000)]
    clients: u64,

    /// Number of transactions to create, each with the grant it caused.
    #[arg(long, default_value_t = 200_000)]
    sales: u64,

    /// Seed of the data generator; the same seed gives the same data.
    #[arg(long, default_value_t = 20_260_601)]
    seed: u64,

    /// Untimed runs of each search before the timed ones.
    #[arg(long, default_value_t = 5)]
    warmup: usize,

    /// Timed runs of each search over HTTP, and again through PgStore.
    #[arg(long, default_value_t = 50)]
    samples: usize,

    /// Path of the Markdown report.
    #[arg(long, default_value = "docs/BENCHMARKS.md")]
    output: PathBuf,

    /// The command a developer types to run this benchmark, as the report shows it.
    #[arg(long, default_value = "make bench")]
    command: String,

    /// The pgbench program that replays the statements of a sale.
    #[arg(long, default_value = "pgbench")]
    pgbench: PathBuf,

    /// The cluster's log file (`pg_ctl --log`), read to capture the statements of
    /// a sale; the database user must be a superuser to turn statement logging on.
    #[arg(long)]
    postgres_log: Option<PathBuf>,

    /// Distinct sales sent through the webhook endpoint, and replayed by
    /// pgbench; 0 leaves the webhook benchmark out.
    #[arg(long, default_value_t = 30_000)]
    webhook_sales: u64,

    /// Concurrent connections that send sales, and pgbench clients.
    #[arg(long, default_value_t = 8)]
    sale_connections: usize,

    /// Seconds of each timed login phase (bare argon2, then logins over HTTP);
    /// 0 leaves the login benchmark out.
    #[arg(long, default_value_t = 10)]
    login_seconds: u64,

    /// Seeded clients that get a password and log in.
    #[arg(long, default_value_t = 200)]
    login_accounts: usize,

    /// Concurrent connections that send logins; by default four per core.
    #[arg(long)]
    login_connections: Option<usize>,
}

/// Target app and size of a seed.
#[derive(Debug, Args)]
struct SeedArgs {
    /// PostgreSQL URL of a database migrated by `clientela migrate`.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,

    /// Slug of the app that receives the data.
    #[arg(long)]
    app: String,

    /// Number of clients to create.
    #[arg(long, default_value_t = 1_000_000)]
    clients: u64,

    /// Number of transactions to create, each with the grant it caused.
    #[arg(long, default_value_t = 200_000)]
    sales: u64,

    /// Seed of the data generator; the same seed gives the same data.
    #[arg(long, default_value_t = 20_260_601)]
    seed: u64,

    /// The psql program used for COPY.
    #[arg(long, default_value = "psql")]
    psql: PathBuf,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run_benchmark(&args),
        Command::Seed(args) => run_seed(&args),
    }
}

fn run_benchmark(args: &RunArgs) -> Result<()> {
    ensure!(args.clients >= 2, "--clients must be at least 2");
    ensure!(args.samples >= 1, "--samples must be at least 1");
    let started_at = OffsetDateTime::now_utc();

    eprintln!("bench: migrating");
    run_clientela(&args.clientela_bin, &args.database_url, &["migrate"])?;
    let api_key = run_clientela(
        &args.clientela_bin,
        &args.database_url,
        &["apps", "create", BENCH_APP_SLUG, "--name", "Benchmark"],
    )?;
    let app_id = find_app_id(&args.psql, &args.database_url, BENCH_APP_SLUG)?;

    let dataset = Dataset {
        seed: args.seed,
        clients: args.clients,
        now: started_at,
    };
    let target = seed::Target {
        psql: &args.psql,
        database_url: &args.database_url,
        app_id,
    };
    eprintln!(
        "bench: seeding {} clients and {} sales",
        args.clients, args.sales
    );
    let (products, seed_timings) = seed::seed(&target, &dataset, args.sales)?;
    eprintln!(
        "bench: seeded in {:.1} s",
        seed_timings.total().as_secs_f64()
    );

    let needles = Needles::pick(&dataset, &products, args.sales);
    let queries = bench_queries(&needles);
    let server = Server::start(&args.clientela_bin, &args.database_url)?;
    eprintln!("bench: clientela serve is listening on {}", server.base_url);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the tokio runtime")?;
    let load_before = machine::load_average();
    let results = runtime.block_on(async {
        let harness = Harness {
            http: reqwest::Client::new(),
            base_url: server.base_url.clone(),
            api_key,
            store: PgStore::connect(&args.database_url, 2)
                .await
                .context("failed to connect PgStore")?,
            app_id: AppId::from_uuid(app_id),
            warmup: args.warmup,
            samples: args.samples,
        };
        measure_all(&harness, &queries).await
    });
    let results = match results {
        Ok(results) => results,
        Err(error) => bail!(
            "{error:#}\nlast lines of clientela serve:\n{}",
            server.log_tail()
        ),
    };
    let load_after = machine::load_average();
    drop(server);

    let postgres_version = copy::psql_query(&args.psql, &args.database_url, "SHOW server_version")?;
    let sizes = copy::psql_query(
        &args.psql,
        &args.database_url,
        "SELECT pg_size_pretty(pg_total_relation_size('clients')) || '|' \
             || pg_size_pretty(pg_database_size(current_database()))",
    )?;
    let (clients_size, database_size) = sizes.split_once('|').unwrap_or((&sizes, "?"));
    let sales = run_sales(args, app_id, &runtime)?;
    let logins = run_logins(args, app_id, &runtime)?;
    let machine = Machine::describe(Path::new("."), postgres_version);
    let invocation = invocation_without_secrets();
    let server_binary = args.clientela_bin.display().to_string();
    let report = Report {
        started_at,
        machine: &machine,
        command: &args.command,
        invocation: &invocation,
        server_binary: &server_binary,
        clients: args.clients,
        sales: args.sales,
        products: products.len(),
        seed_timings: &seed_timings,
        clients_size,
        database_size,
        warmup: args.warmup,
        samples: args.samples,
        load_before: &load_before,
        load_after: &load_after,
        results: &results,
    };
    let mut markdown = report.to_markdown();
    if let Some(sales) = &sales {
        sales.write_markdown(&mut markdown);
    }
    if let Some(logins) = &logins {
        logins.write_markdown(&mut markdown);
    }
    std::fs::write(&args.output, markdown)
        .with_context(|| format!("failed to write {}", args.output.display()))?;
    eprintln!("bench: wrote {}", args.output.display());

    check_results(&results)
}

/// Runs the webhook benchmark unless `--webhook-sales 0` leaves it out.
fn run_sales(
    args: &RunArgs,
    app_id: Uuid,
    runtime: &tokio::runtime::Runtime,
) -> Result<Option<sales::SalesResult>> {
    if args.webhook_sales == 0 {
        return Ok(None);
    }
    let postgres_log = args.postgres_log.as_deref().context(
        "the webhook benchmark needs --postgres-log, the cluster's log file; \
         pass --webhook-sales 0 to leave it out",
    )?;
    let config = sales::SalesConfig {
        clientela_bin: &args.clientela_bin,
        database_url: &args.database_url,
        psql: &args.psql,
        pgbench: &args.pgbench,
        postgres_log,
        app_slug: BENCH_APP_SLUG,
        app_id,
        sales: args.webhook_sales,
        connections: args.sale_connections,
    };
    let result = sales::run(&config, runtime)?;
    eprintln!("bench: {}", result.summary_line());
    Ok(Some(result))
}

/// Runs the login benchmark on a fresh server unless `--login-seconds 0` leaves
/// it out. It gives seeded clients passwords and moves their last access, so it
/// runs after the searches.
fn run_logins(
    args: &RunArgs,
    app_id: Uuid,
    runtime: &tokio::runtime::Runtime,
) -> Result<Option<logins::LoginBenchResult>> {
    if args.login_seconds == 0 {
        return Ok(None);
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let server = Server::start(&args.clientela_bin, &args.database_url)?;
    let config = logins::LoginBenchConfig {
        base_url: &server.base_url,
        app_slug: BENCH_APP_SLUG,
        app_id,
        database_url: &args.database_url,
        psql: &args.psql,
        accounts: args.login_accounts,
        connections: args.login_connections.unwrap_or(4 * cores),
        duration: Duration::from_secs(args.login_seconds),
    };
    eprintln!("bench: timing logins for {} s", args.login_seconds);
    match runtime.block_on(logins::run(&config)) {
        Ok(result) => {
            eprintln!("bench: {}", result.summary_line());
            Ok(Some(result))
        }
        Err(error) => bail!(
            "{error:#}\nlast lines of clientela serve:\n{}",
            server.log_tail()
        ),
    }
}

async fn measure_all(
    harness: &Harness,
    queries: &[queries::BenchQuery],
) -> Result<Vec<QueryResult>> {
    let mut results = Vec::with_capacity(queries.len());
    for query in queries {
        let result = harness.measure(query).await?;
        eprintln!(
            "bench: {:<55} {:>3} rows  HTTP {:>8} ms  SQL {:>8} ms  EXPLAIN {:>8} ms",
            query.label,
            result.rows,
            stats::millis(result.http.median),
            stats::millis(result.sql.median),
            stats::millis(result.explain_execution)
        );
        results.push(result);
    }
    Ok(results)
}

/// Fails, naming every offender, when a plan read the clients table with a Seq
/// Scan or HTTP and SQL disagreed.
fn check_results(results: &[QueryResult]) -> Result<()> {
    let offenders: Vec<&str> = results
        .iter()
        .filter(|result| result.plan.scans_clients_sequentially())
        .map(|result| result.label.as_str())
        .collect();
    let disagreements: Vec<&str> = results
        .iter()
        .filter(|result| !result.mismatches.is_empty())
        .map(|result| result.label.as_str())
        .collect();
    if offenders.is_empty() && disagreements.is_empty() {
        return Ok(());
    }
    for label in &offenders {
        eprintln!("bench: SEQ SCAN ON clients in the plan of: {label}");
    }
    for label in &disagreements {
        eprintln!("bench: HTTP AND SQL DISAGREE for: {label}");
    }
    bail!(
        "{} search(es) scan the clients table sequentially and {} disagree between HTTP and SQL; see the report",
        offenders.len(),
        disagreements.len()
    )
}

/// Runs a clientela subcommand against the database and returns its trimmed stdout.
fn run_clientela(binary: &Path, database_url: &str, args: &[&str]) -> Result<String> {
    let output = Process::new(binary)
        .args(args)
        .env("DATABASE_URL", database_url)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("failed to start {}", binary.display()))?;
    if !output.status.success() {
        bail!(
            "{} {} failed ({}): {}",
            binary.display(),
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Returns this program's command line with the value of --database-url left out,
/// because the URL may carry a password.
fn invocation_without_secrets() -> String {
    let mut words = Vec::new();
    let mut hide_next = false;
    for argument in std::env::args() {
        if hide_next {
            words.push("URL".to_owned());
            hide_next = false;
        } else if argument == "--database-url" {
            words.push(argument);
            hide_next = true;
        } else if argument.starts_with("--database-url=") {
            words.push("--database-url=URL".to_owned());
        } else {
            words.push(argument);
        }
    }
    words.join(" ")
}

fn run_seed(args: &SeedArgs) -> Result<()> {
    let app_id = find_app_id(&args.psql, &args.database_url, &args.app)?;
    let dataset = Dataset {
        seed: args.seed,
        clients: args.clients,
        now: OffsetDateTime::now_utc(),
    };
    let target = seed::Target {
        psql: &args.psql,
        database_url: &args.database_url,
        app_id,
    };
    let (_, timings) = seed::seed(&target, &dataset, args.sales)?;
    eprintln!("bench: seeded in {:.1} s", timings.total().as_secs_f64());
    Ok(())
}

/// Looks up the id of the app with this slug.
fn find_app_id(psql: &Path, database_url: &str, slug: &str) -> Result<Uuid> {
    ensure!(
        clientela_domain::tenant::is_valid_slug(slug),
        "invalid app slug {slug:?}: use 2 to 63 lower-case letters, digits and hyphens"
    );
    let sql = format!("SELECT id FROM apps WHERE slug = '{slug}'");
    let output = copy::psql_query(psql, database_url, &sql)?;
    output.parse().with_context(|| {
        format!("no app with slug {slug:?} in the database (psql printed {output:?})")
    })
}
