//! The login benchmark's section of the Markdown report and its progress line.

use std::fmt::Write as _;

use super::cpu::CpuUsage;
use super::load::{HealthSamples, PROBE_INTERVAL};
use super::{IDLE_PROBE_DURATION, LoginBenchResult};
use crate::stats::{Summary, millis};

/// Accessor of one share of a CPU usage.
type CpuShare = fn(&CpuUsage) -> f64;

/// Maximum characters of the first failure quoted in the report.
const FAILURE_EXCERPT_CHARS: usize = 300;

impl LoginBenchResult {
    /// Appends a "## Members-app login" section to `out`: how the numbers were
    /// measured, then tables of the rates, the `GET /healthz` latencies and the
    /// CPU time.
    pub fn write_markdown(&self, out: &mut String) {
        let raw = &self.raw;
        let seconds = self.duration.as_secs_f64();
        let _ = writeln!(out, "## Members-app login\n");
        let _ = writeln!(
            out,
            "The benchmark gives {accounts} of the app the same password, hashed\n\
             once by `clientela_password::Argon2Hasher` with the production argon2id parameters.\n\
             **Bare argon2** verifies that password against the stored hash with the `argon2`\n\
             crate in a loop on {threads}, one per available core, for {seconds:.0} s\n\
             and with no HTTP load. **Logins over HTTP** uses {connections}\n\
             on loopback. Each sends `POST /app/v1/{slug}/login` with the e-mail\n\
             and password of the next account as soon as its previous response arrives, for\n\
             {seconds:.0} s, and only 200 responses with a session token count. Besides the\n\
             verification, each login reads the client and the login throttle in PostgreSQL,\n\
             clears the e-mail's failed attempts, and in one transaction writes a session and\n\
             an access-log row and updates the client's last access.\n",
            accounts = count_of(self.accounts, "active client"),
            threads = count_of(raw.threads, "OS thread"),
            connections = count_of(self.connections, "keep-alive connection"),
            slug = self.app_slug,
        );
        let _ = writeln!(
            out,
            "A separate thread with its own tokio runtime and connection sends `GET /healthz`\n\
             every {interval} ms, first for {idle:.0} s with no load and then during the logins.\n\
             The benchmark process, `clientela serve` and PostgreSQL share the same cores, so\n\
             the login rate also pays for the load generator and the database.\n\
             \n\
             The CPU table splits the time of all cores during each timed phase. Busy is what\n\
             /proc/stat counts as neither idle nor I/O wait. The process rows add up\n\
             /proc/PID/stat of every process with that name, and other work is the rest of the\n\
             busy time. Much other work means that something else ran on the machine, and the\n\
             rates are then lower than the machine can reach.\n",
            interval = PROBE_INTERVAL.as_millis(),
            idle = IDLE_PROBE_DURATION.as_secs_f64(),
        );

        let _ = writeln!(out, "| measurement | value |\n| --- | ---: |");
        let _ = writeln!(
            out,
            "| argon2id parameters | m = {} KiB, t = {}, p = {} |",
            raw.memory_kib, raw.iterations, raw.lanes
        );
        let _ = writeln!(
            out,
            "| bare argon2 verifications per second ({}) | {:.1} |",
            count_of(raw.threads, "thread"),
            raw.per_second()
        );
        let _ = writeln!(
            out,
            "| logins per second over HTTP ({}) | {:.1} |",
            count_of(self.connections, "connection"),
            self.logins_per_second()
        );
        let _ = writeln!(
            out,
            "| logins per second as a share of bare verifications | {:.0}% |",
            self.logins_percent_of_raw()
        );
        let (login_median, login_p99) = median_and_p99(self.logins.latency);
        let _ = writeln!(
            out,
            "| login latency, median / p99 | {login_median} / {login_p99} ms |"
        );
        let failed = self.logins.failures.total();
        let failure_kinds = if failed == 0 {
            String::new()
        } else {
            format!(" ({})", self.logins.failures.describe())
        };
        let _ = writeln!(
            out,
            "| logins sent / failed | {} / {failed}{failure_kinds} |",
            self.logins.sent()
        );
        out.push('\n');
        if let Some(first) = &self.logins.failures.first {
            let excerpt: String = first
                .chars()
                .take(FAILURE_EXCERPT_CHARS)
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let _ = writeln!(out, "First failed login: {excerpt}\n");
        }

        let _ = writeln!(out, "`GET /healthz` latency in milliseconds:\n");
        let _ = writeln!(
            out,
            "| load | probes | failed | median | p99 | max |\n| --- | ---: | ---: | ---: | ---: | ---: |"
        );
        write_health_row(out, "none", &self.health_idle);
        write_health_row(out, "during the logins", &self.health_under_load);
        out.push('\n');

        let _ = writeln!(out, "CPU time as a share of all cores:\n");
        let _ = writeln!(
            out,
            "| processes | bare argon2 loop | logins |\n| --- | ---: | ---: |"
        );
        let rows: [(&str, CpuShare); 5] = [
            ("whole machine, busy", |usage| usage.machine_busy_percent),
            ("`clientela`", |usage| usage.clientela_percent),
            ("`postgres`", |usage| usage.postgres_percent),
            ("this benchmark", |usage| usage.benchmark_percent),
            ("other work", CpuUsage::other_percent),
        ];
        for (label, share) in rows {
            let _ = writeln!(
                out,
                "| {label} | {} | {} |",
                format_share(self.raw_cpu, share),
                format_share(self.login_cpu, share)
            );
        }
        out.push('\n');
    }

    /// Returns one line with the main numbers, for progress output on stderr.
    pub fn summary_line(&self) -> String {
        let (_, login_p99) = median_and_p99(self.logins.latency);
        let (_, idle_p99) = median_and_p99(self.health_idle.latency);
        let (_, loaded_p99) = median_and_p99(self.health_under_load.latency);
        let busy = self.login_cpu.map_or_else(
            || "unknown".to_owned(),
            |cpu| format!("{:.0}%", cpu.machine_busy_percent),
        );
        format!(
            "logins {:.1}/s over HTTP on {}, bare argon2 {:.1}/s on {} ({:.0}%), \
             login p99 {login_p99} ms, {} failed; healthz p99 {idle_p99} ms idle, {loaded_p99} ms \
             under load; CPU {busy} busy",
            self.logins_per_second(),
            count_of(self.connections, "connection"),
            self.raw.per_second(),
            count_of(self.raw.threads, "thread"),
            self.logins_percent_of_raw(),
            self.logins.failures.total(),
        )
    }
}

fn write_health_row(out: &mut String, load: &str, samples: &HealthSamples) {
    let (median, p99) = median_and_p99(samples.latency);
    let max = samples
        .latency
        .map_or_else(|| "-".to_owned(), |summary| millis(summary.max));
    let _ = writeln!(
        out,
        "| {load} | {} | {} | {median} | {p99} | {max} |",
        samples.sent(),
        samples.failures.total()
    );
}

/// Formats a count with a noun, such as "1 thread" or "8 threads".
fn count_of(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Formats one share of a CPU usage as "98%", or "unknown" without a reading.
fn format_share(usage: Option<CpuUsage>, share: CpuShare) -> String {
    usage.map_or_else(
        || "unknown".to_owned(),
        |usage| format!("{:.0}%", share(&usage)),
    )
}

/// Formats the median and p99 in milliseconds, or "-" when there are no samples.
fn median_and_p99(summary: Option<Summary>) -> (String, String) {
    summary.map_or_else(
        || ("-".to_owned(), "-".to_owned()),
        |summary| (millis(summary.median), millis(summary.p99)),
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::load::{Failures, LoginLoad};
    use super::super::raw::RawRate;
    use super::*;

    fn ms(values: &[u64]) -> Option<Summary> {
        let samples: Vec<Duration> = values.iter().map(|v| Duration::from_millis(*v)).collect();
        Summary::of(&samples)
    }

    fn result(failures: Failures) -> LoginBenchResult {
        LoginBenchResult {
            app_slug: "bench".to_owned(),
            accounts: 200,
            connections: 8,
            duration: Duration::from_secs(10),
            raw: RawRate {
                threads: 2,
                verifications: 900,
                elapsed: Duration::from_secs(10),
                memory_kib: 19_456,
                iterations: 2,
                lanes: 1,
            },
            raw_cpu: Some(CpuUsage {
                machine_busy_percent: 99.6,
                clientela_percent: 0.2,
                postgres_percent: 0.1,
                benchmark_percent: 97.0,
            }),
            logins: LoginLoad {
                latency: ms(&[100, 200, 300]),
                succeeded: 600,
                failures,
                elapsed: Duration::from_secs(10),
            },
            login_cpu: None,
            health_idle: HealthSamples {
                latency: ms(&[1, 2]),
                failures: Failures::default(),
            },
            health_under_load: HealthSamples {
                latency: None,
                failures: Failures::default(),
            },
        }
    }

    #[test]
    fn markdown_has_rates_and_health_rows() {
        let mut out = String::new();
        result(Failures::default()).write_markdown(&mut out);
        assert!(out.starts_with("## Members-app login\n"), "{out}");
        assert!(out.contains("| m = 19456 KiB, t = 2, p = 1 |"), "{out}");
        assert!(out.contains("(2 threads) | 90.0 |"), "{out}");
        assert!(out.contains("(8 connections) | 60.0 |"), "{out}");
        assert!(out.contains("bare verifications | 67% |"), "{out}");
        assert!(out.contains("| 200.00 / 300.00 ms |"), "{out}");
        assert!(out.contains("| 600 / 0 |"), "{out}");
        assert!(
            out.contains("| whole machine, busy | 100% | unknown |"),
            "{out}"
        );
        assert!(out.contains("| `clientela` | 0% | unknown |"), "{out}");
        assert!(out.contains("| this benchmark | 97% | unknown |"), "{out}");
        assert!(out.contains("| other work | 2% | unknown |"), "{out}");
        assert!(
            out.contains("| none | 2 | 0 | 1.00 | 2.00 | 2.00 |"),
            "{out}"
        );
        assert!(
            out.contains("| during the logins | 0 | 0 | - | - | - |"),
            "{out}"
        );
        assert!(!out.contains("First failed login"), "{out}");
    }

    #[test]
    fn markdown_names_failures() {
        let mut failures = Failures::default();
        failures.counts.insert("HTTP 429".to_owned(), 3);
        failures.first = Some("HTTP 429: {\"code\":\"too_many_attempts\"}\n".to_owned());
        let mut out = String::new();
        result(failures).write_markdown(&mut out);
        assert!(out.contains("| 603 / 3 (HTTP 429 × 3) |"), "{out}");
        assert!(
            out.contains("First failed login: HTTP 429: {\"code\":\"too_many_attempts\"} \n"),
            "{out}"
        );
    }

    #[test]
    fn summary_line_has_main_numbers() {
        let line = result(Failures::default()).summary_line();
        assert!(line.contains("logins 60.0/s"), "{line}");
        assert!(
            line.contains("bare argon2 90.0/s on 2 threads (67%)"),
            "{line}"
        );
        assert!(
            line.contains("healthz p99 2.00 ms idle, - ms under load"),
            "{line}"
        );
    }

    #[test]
    fn count_of_singular_and_plural() {
        assert_eq!(count_of(1, "thread"), "1 thread");
        assert_eq!(count_of(8, "connection"), "8 connections");
    }
}
