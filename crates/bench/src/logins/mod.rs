//! Benchmark of the members-app login: logins per second through
//! `POST /app/v1/{slug}/login` next to the rate of bare argon2id verifications
//! with the same parameters on the same cores, and the latency of
//! `GET /healthz` while the logins keep the CPUs busy.

pub(crate) mod cpu;
mod load;
mod markdown;
mod raw;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use clientela_domain::ports::PasswordHasher as _;
use clientela_password::Argon2Hasher;
use uuid::Uuid;

use crate::copy::psql_query;

use self::cpu::{CpuTicks, CpuUsage};
use self::load::{HealthProbe, HealthSamples, LoginConnections, LoginLoad, LoginTarget};
use self::raw::RawRate;

/// The password every benchmark account gets.
const PASSWORD: &str = "senha do benchmark";

/// How long `GET /healthz` is probed with no load, as the baseline.
const IDLE_PROBE_DURATION: Duration = Duration::from_secs(3);

/// The run fails when more than this share of the timed logins, in percent,
/// got anything but a 200 with a token.
const MAX_FAILED_PERCENT: f64 = 2.0;

/// Target server, accounts and load of the login benchmark.
pub struct LoginBenchConfig<'a> {
    /// Base URL of a running `clientela serve`, such as `http://127.0.0.1:8080`.
    pub base_url: &'a str,
    /// Slug of the app whose clients log in.
    pub app_slug: &'a str,
    pub app_id: Uuid,
    pub database_url: &'a str,
    /// The psql program that sets the passwords.
    pub psql: &'a Path,
    /// Number of active clients of the app that get a password and log in.
    pub accounts: usize,
    /// Number of concurrent HTTP connections that send logins.
    pub connections: usize,
    /// Length of each timed phase: the bare argon2 loop and the login load.
    pub duration: Duration,
}

/// Everything the login benchmark measured.
#[derive(Debug, Clone)]
pub struct LoginBenchResult {
    pub app_slug: String,
    pub accounts: usize,
    pub connections: usize,
    pub duration: Duration,
    pub raw: RawRate,
    /// CPU usage during the bare argon2 loop, or `None` where /proc cannot be read.
    pub raw_cpu: Option<CpuUsage>,
    pub logins: LoginLoad,
    /// CPU usage during the login load, or `None` where /proc cannot be read.
    pub login_cpu: Option<CpuUsage>,
    pub health_idle: HealthSamples,
    pub health_under_load: HealthSamples,
}

impl LoginBenchResult {
    /// Successful logins per second over HTTP.
    pub fn logins_per_second(&self) -> f64 {
        raw::per_second(self.logins.succeeded as u64, self.logins.elapsed)
    }

    /// Logins per second as a percentage of bare argon2 verifications per second.
    pub fn logins_percent_of_raw(&self) -> f64 {
        let raw = self.raw.per_second();
        if raw > 0.0 {
            self.logins_per_second() * 100.0 / raw
        } else {
            0.0
        }
    }
}

/// Gives `accounts` active clients of the app one password, measures bare
/// argon2 verifications, probes `GET /healthz` with no load, then sends logins
/// on `connections` connections while probing it again.
///
/// The server must already run. The chosen clients keep the new password and
/// get a session and access-log rows for each login, so run this after the
/// benchmarks that read those rows.
pub async fn run(config: &LoginBenchConfig<'_>) -> Result<LoginBenchResult> {
    ensure!(
        config.accounts >= 1,
        "the login benchmark needs at least 1 account"
    );
    ensure!(
        config.connections >= 1,
        "the login benchmark needs at least 1 connection"
    );
    ensure!(
        !config.duration.is_zero(),
        "the login benchmark's duration must be longer than zero"
    );

    let phc = Argon2Hasher::new()
        .hash(PASSWORD)
        .await
        .context("failed to hash the benchmark password")?;
    let emails = {
        let psql = config.psql.to_path_buf();
        let database_url = config.database_url.to_owned();
        let (app_id, accounts, phc) = (config.app_id, config.accounts, phc.clone());
        tokio::task::spawn_blocking(move || {
            set_passwords(&psql, &database_url, app_id, accounts, &phc)
        })
        .await
        .context("the task that sets the passwords panicked")??
    };

    let threads = raw::available_threads()?;
    let raw_ticks = CpuTicks::read();
    let raw = {
        let (phc, duration) = (phc.clone(), config.duration);
        tokio::task::spawn_blocking(move || raw::measure(&phc, PASSWORD, threads, duration))
            .await
            .context("the argon2 measurement panicked")??
    };
    let raw_cpu = cpu_usage(raw_ticks, CpuTicks::read());

    let probe = HealthProbe::start(config.base_url)?;
    tokio::time::sleep(IDLE_PROBE_DURATION).await;
    let health_idle = probe.stop().await?;

    let target = Arc::new(LoginTarget {
        url: format!("{}/app/v1/{}/login", config.base_url, config.app_slug),
        emails,
        password: PASSWORD.to_owned(),
    });
    let connections = LoginConnections::new(config.connections)?;
    connections.warm_up(&target).await?;

    let login_ticks = CpuTicks::read();
    let probe = HealthProbe::start(config.base_url)?;
    let logins = connections.run(&target, config.duration).await?;
    let health_under_load = probe.stop().await?;
    let login_cpu = cpu_usage(login_ticks, CpuTicks::read());

    check_failures(&logins)?;
    Ok(LoginBenchResult {
        app_slug: config.app_slug.to_owned(),
        accounts: config.accounts,
        connections: config.connections,
        duration: config.duration,
        raw,
        raw_cpu,
        logins,
        login_cpu,
        health_idle,
        health_under_load,
    })
}

fn cpu_usage(before: Option<CpuTicks>, after: Option<CpuTicks>) -> Option<CpuUsage> {
    before
        .zip(after)
        .and_then(|(before, after)| before.usage_until(&after))
}

/// Stores `phc` as the password hash of the first `accounts` active clients of
/// the app, by id, and returns their e-mails.
fn set_passwords(
    psql: &Path,
    database_url: &str,
    app_id: Uuid,
    accounts: usize,
    phc: &str,
) -> Result<Vec<String>> {
    // The hash goes into a single-quoted SQL literal, so it must not contain a
    // quote, a backslash or psql's variable marker `:`. An argon2 PHC string
    // contains only ASCII letters, digits and `$=,+/`.
    ensure!(
        phc.chars()
            .all(|c| c.is_ascii_alphanumeric() || "$=,+/".contains(c)),
        "the argon2 PHC string has unexpected characters: {phc}"
    );
    let sql = format!(
        "UPDATE clients SET password_hash = '{phc}' \
         WHERE app_id = '{app_id}' AND id IN (\
             SELECT id FROM clients WHERE app_id = '{app_id}' AND status = 'active' \
             ORDER BY id LIMIT {accounts}) \
         RETURNING email"
    );
    let output = psql_query(psql, database_url, &sql)?;
    let emails: Vec<String> = output
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    if emails.len() < accounts {
        bail!(
            "the app {app_id} has {} active clients, but the login benchmark needs {accounts}. \
             Seed more clients or ask for fewer accounts",
            emails.len()
        );
    }
    Ok(emails)
}

/// Fails when no login succeeded or more than [`MAX_FAILED_PERCENT`] failed,
/// naming the kinds of failure and showing the first one.
fn check_failures(logins: &LoginLoad) -> Result<()> {
    let failed = logins.failures.total();
    let sent = logins.sent();
    ensure!(
        sent > 0,
        "no login finished within the benchmark's duration"
    );
    let failed_percent = failed as f64 * 100.0 / sent as f64;
    if logins.succeeded > 0 && failed_percent <= MAX_FAILED_PERCENT {
        return Ok(());
    }
    bail!(
        "{failed} of {sent} logins failed ({failed_percent:.1}%, at most {MAX_FAILED_PERCENT}% \
         allowed): {}. First failure: {}",
        logins.failures.describe(),
        logins.failures.first.as_deref().unwrap_or("none")
    )
}
