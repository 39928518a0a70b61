//! Runs a pgbench script and reads its throughput and per-transaction latencies.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// Settings of one pgbench run.
pub struct PgbenchRun<'a> {
    pub pgbench: &'a Path,
    pub database_url: &'a str,
    pub script: &'a Path,
    /// Folder for pgbench's per-transaction logs; must be empty.
    pub log_dir: &'a Path,
    pub clients: usize,
    pub threads: usize,
    pub transactions_per_client: u64,
    /// Variables passed with `-D name=value`.
    pub variables: &'a [(&'a str, String)],
}

/// Results pgbench reported.
#[derive(Debug, Clone)]
pub struct PgbenchResult {
    pub transactions: u64,
    /// Transactions per second, without the time to open connections.
    pub tps: f64,
    pub latencies: Vec<Duration>,
}

impl PgbenchRun<'_> {
    /// Runs pgbench with prepared statements and fails when a transaction failed.
    pub fn run(&self) -> Result<PgbenchResult> {
        let mut command = Command::new(self.pgbench);
        command
            .args(["--no-vacuum", "--protocol=prepared", "--log"])
            .arg(format!("--client={}", self.clients))
            .arg(format!("--jobs={}", self.threads))
            .arg(format!("--transactions={}", self.transactions_per_client))
            .arg(format!("--log-prefix={}", self.log_prefix().display()))
            .arg(format!("--file={}", self.script.display()));
        for (name, value) in self.variables {
            command.arg(format!("--define={name}={value}"));
        }
        command.arg(self.database_url);

        let output = command
            .output()
            .with_context(|| format!("failed to start {}", self.pgbench.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            bail!(
                "pgbench failed ({}):\n{}\n{}",
                output.status,
                tail(&stderr, 20),
                tail(&stdout, 20)
            );
        }

        let expected = self.transactions_per_client * self.clients as u64;
        let transactions = processed(&stdout)
            .with_context(|| format!("pgbench printed no transaction count:\n{stdout}"))?;
        if transactions != expected {
            bail!(
                "pgbench processed {transactions} of {expected} transactions:\n{stdout}\n{stderr}"
            );
        }

        let tps = tps(&stdout).with_context(|| format!("pgbench printed no tps:\n{stdout}"))?;
        let latencies = self.read_latencies()?;
        if latencies.len() as u64 != expected {
            bail!(
                "pgbench logged {} transactions, expected {expected}",
                latencies.len()
            );
        }
        Ok(PgbenchResult {
            transactions,
            tps,
            latencies,
        })
    }

    fn log_prefix(&self) -> PathBuf {
        self.log_dir.join("pgbench")
    }

    /// Reads the third field, the latency in microseconds, of every line of
    /// every log file pgbench wrote.
    fn read_latencies(&self) -> Result<Vec<Duration>> {
        let mut latencies = Vec::new();
        for entry in fs::read_dir(self.log_dir)? {
            let path = entry?.path();
            let text = fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            for line in text.lines() {
                let micros: u64 = line
                    .split_whitespace()
                    .nth(2)
                    .and_then(|field| field.parse().ok())
                    .with_context(|| format!("unexpected line in {}: {line:?}", path.display()))?;
                latencies.push(Duration::from_micros(micros));
            }
        }
        Ok(latencies)
    }
}

/// Reads `number of transactions actually processed: 800/800`.
fn processed(stdout: &str) -> Option<u64> {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("number of transactions actually processed: "))
        .and_then(|rest| rest.split('/').next())
        .and_then(|count| count.trim().parse().ok())
}

/// Reads `tps = 1234.5 (without initial connection time)`.
fn tps(stdout: &str) -> Option<f64> {
    stdout
        .lines()
        .filter(|line| line.contains("without initial connection time"))
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
transaction type: /tmp/sale.sql
scaling factor: 1
query mode: prepared
number of clients: 8
number of threads: 2
maximum number of tries: 1
number of transactions per client: 100
number of transactions actually processed: 800/800
number of failed transactions: 0 (0.000%)
latency average = 6.123 ms
initial connection time = 12.345 ms
tps = 1306.5 (without initial connection time)
";

    #[test]
    fn reads_count_and_tps() {
        assert_eq!(processed(OUTPUT), Some(800));
        assert_eq!(tps(OUTPUT), Some(1306.5));
        assert_eq!(processed("nothing"), None);
        assert_eq!(tps("tps = 5 (including connections establishing)"), None);
    }
}
