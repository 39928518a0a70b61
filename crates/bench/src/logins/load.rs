//! HTTP load: concurrent logins through the members-app API, and a probe of
//! `GET /healthz` on its own thread and connection.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::time::MissedTickBehavior;

use crate::stats::Summary;

/// Time limit of one request, so that a stuck server fails the run instead of
/// hanging it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Pause between the starts of two `GET /healthz` probes.
pub const PROBE_INTERVAL: Duration = Duration::from_millis(10);

/// `User-Agent` of the benchmark's requests, as the access log stores it.
const USER_AGENT: &str = "clientela-bench";

/// Responses other than a 200 with a token, by kind, such as "HTTP 429" or
/// "request failed".
#[derive(Debug, Clone, Default)]
pub struct Failures {
    pub counts: BTreeMap<String, usize>,
    /// The first failure in full: its kind and the response body or error.
    pub first: Option<String>,
}

impl Failures {
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }

    fn record(&mut self, kind: String, detail: String) {
        if self.first.is_none() {
            self.first = Some(format!("{kind}: {detail}"));
        }
        *self.counts.entry(kind).or_default() += 1;
    }

    fn merge(&mut self, other: Self) {
        if self.first.is_none() {
            self.first = other.first;
        }
        for (kind, count) in other.counts {
            *self.counts.entry(kind).or_default() += count;
        }
    }

    /// Lists the kinds with their counts, such as "HTTP 429 × 3, request failed × 1".
    pub fn describe(&self) -> String {
        self.counts
            .iter()
            .map(|(kind, count)| format!("{kind} × {count}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The outcome of the login load.
#[derive(Debug, Clone)]
pub struct LoginLoad {
    /// Latencies of the successful logins; `None` when none succeeded.
    pub latency: Option<Summary>,
    pub succeeded: usize,
    pub failures: Failures,
    /// From the start until the last connection received its last response.
    pub elapsed: Duration,
}

impl LoginLoad {
    pub fn sent(&self) -> usize {
        self.succeeded + self.failures.total()
    }
}

/// Endpoint, accounts and password of the login requests.
pub struct LoginTarget {
    /// `{base_url}/app/v1/{slug}/login`.
    pub url: String,
    pub emails: Vec<String>,
    pub password: String,
}

/// HTTP clients that send logins, one connection each.
pub struct LoginConnections {
    clients: Vec<reqwest::Client>,
}

impl LoginConnections {
    /// Creates `count` clients. Each keeps its own connection, which opens with
    /// its first request.
    pub fn new(count: usize) -> Result<Self> {
        let clients = (0..count).map(|_| http_client()).collect::<Result<_>>()?;
        Ok(Self { clients })
    }

    /// Sends one login on each connection at once, connection `i` with account
    /// `i`, and fails on the first response that is not a 200 with a token.
    /// This opens the connections before the timed load and checks that the
    /// accounts can log in.
    pub async fn warm_up(&self, target: &Arc<LoginTarget>) -> Result<()> {
        let mut tasks = Vec::with_capacity(self.clients.len());
        for (index, http) in self.clients.iter().enumerate() {
            let http = http.clone();
            let target = Arc::clone(target);
            let email = target.emails[index % target.emails.len()].clone();
            tasks.push(tokio::spawn(async move {
                login(&http, &target, &email)
                    .await
                    .map_err(|(kind, detail)| {
                        anyhow!(
                            "the login of {email} failed before the timed load: {kind}: {detail}"
                        )
                    })
            }));
        }
        for task in tasks {
            task.await.context("a login task panicked")??;
        }
        Ok(())
    }

    /// Sends logins on every connection, each sending its next request as soon
    /// as the previous response arrives, until `duration` has passed. The
    /// connections take the accounts in turn from one shared counter.
    pub async fn run(&self, target: &Arc<LoginTarget>, duration: Duration) -> Result<LoginLoad> {
        let next_account = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let deadline = started + duration;
        let mut tasks = Vec::with_capacity(self.clients.len());
        for http in &self.clients {
            let http = http.clone();
            let target = Arc::clone(target);
            let next_account = Arc::clone(&next_account);
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failures = Failures::default();
                while Instant::now() < deadline {
                    let account =
                        next_account.fetch_add(1, Ordering::Relaxed) % target.emails.len();
                    let sent = Instant::now();
                    match login(&http, &target, &target.emails[account]).await {
                        Ok(()) => latencies.push(sent.elapsed()),
                        Err((kind, detail)) => failures.record(kind, detail),
                    }
                }
                (latencies, failures)
            }));
        }

        let mut latencies = Vec::new();
        let mut failures = Failures::default();
        for task in tasks {
            let (task_latencies, task_failures) = task.await.context("a login task panicked")?;
            latencies.extend(task_latencies);
            failures.merge(task_failures);
        }
        Ok(LoginLoad {
            latency: Summary::of(&latencies),
            succeeded: latencies.len(),
            failures,
            elapsed: started.elapsed(),
        })
    }
}

/// Sends one login and reads the whole response. Returns the kind of failure
/// and its detail unless the response is a 200 with a session token.
async fn login(
    http: &reqwest::Client,
    target: &LoginTarget,
    email: &str,
) -> Result<(), (String, String)> {
    let request = json!({ "email": email, "password": target.password });
    let response = http
        .post(&target.url)
        .json(&request)
        .send()
        .await
        .map_err(|error| ("request failed".to_owned(), format!("{error:#}")))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|error| ("reading the body failed".to_owned(), format!("{error:#}")))?;
    if status != reqwest::StatusCode::OK {
        let body = String::from_utf8_lossy(&body).into_owned();
        return Err((format!("HTTP {}", status.as_u16()), body));
    }
    let token = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|value| value.get("token")?.as_str().map(str::len));
    match token {
        Some(length) if length > 0 => Ok(()),
        _ => Err((
            "HTTP 200 without a token".to_owned(),
            String::from_utf8_lossy(&body).into_owned(),
        )),
    }
}

fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .context("failed to build the HTTP client")
}

/// Latencies of `GET /healthz` probes.
#[derive(Debug, Clone)]
pub struct HealthSamples {
    /// `None` when no probe got a 200.
    pub latency: Option<Summary>,
    pub failures: Failures,
}

impl HealthSamples {
    pub fn sent(&self) -> usize {
        self.latency.map_or(0, |summary| summary.samples) + self.failures.total()
    }
}

/// A `GET /healthz` probe running on its own OS thread, with its own tokio
/// runtime and connection, so that the benchmark's login tasks cannot delay it.
pub struct HealthProbe {
    stop: oneshot::Sender<()>,
    samples: oneshot::Receiver<HealthSamples>,
}

impl HealthProbe {
    /// Starts probing `{base_url}/healthz` every [`PROBE_INTERVAL`]. A probe that
    /// takes longer than the interval delays the next one rather than
    /// overlapping it.
    pub fn start(base_url: &str) -> Result<Self> {
        let url = format!("{base_url}/healthz");
        let http = http_client()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("failed to start the health probe's tokio runtime")?;
        let (stop_sender, stop_receiver) = oneshot::channel();
        let (samples_sender, samples_receiver) = oneshot::channel();
        thread::Builder::new()
            .name("healthz-probe".to_owned())
            .spawn(move || {
                let samples = runtime.block_on(probe_until_stopped(&http, &url, stop_receiver));
                let _ = samples_sender.send(samples);
            })
            .context("failed to start the health probe thread")?;
        Ok(Self {
            stop: stop_sender,
            samples: samples_receiver,
        })
    }

    /// Stops probing once the probe in flight, if any, has finished, and returns
    /// the samples.
    pub async fn stop(self) -> Result<HealthSamples> {
        let _ = self.stop.send(());
        self.samples
            .await
            .context("the health probe thread ended without a result")
    }
}

async fn probe_until_stopped(
    http: &reqwest::Client,
    url: &str,
    mut stop: oneshot::Receiver<()>,
) -> HealthSamples {
    let mut interval = tokio::time::interval(PROBE_INTERVAL);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut latencies = Vec::new();
    let mut failures = Failures::default();
    // An untimed first probe opens the connection, so that no sample includes
    // the TCP handshake.
    if let Err((kind, detail)) = probe(http, url).await {
        failures.record(kind, detail);
    }
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            _ = interval.tick() => {
                let sent = Instant::now();
                match probe(http, url).await {
                    Ok(()) => latencies.push(sent.elapsed()),
                    Err((kind, detail)) => failures.record(kind, detail),
                }
            }
        }
    }
    HealthSamples {
        latency: Summary::of(&latencies),
        failures,
    }
}

async fn probe(http: &reqwest::Client, url: &str) -> Result<(), (String, String)> {
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|error| ("request failed".to_owned(), format!("{error:#}")))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|error| ("reading the body failed".to_owned(), format!("{error:#}")))?;
    if status == reqwest::StatusCode::OK {
        Ok(())
    } else {
        let body = String::from_utf8_lossy(&body).into_owned();
        Err((format!("HTTP {}", status.as_u16()), body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_count_and_keep_first() {
        let mut failures = Failures::default();
        failures.record("HTTP 429".to_owned(), "slow down".to_owned());
        failures.record("HTTP 429".to_owned(), "again".to_owned());
        let mut other = Failures::default();
        other.record("request failed".to_owned(), "reset".to_owned());
        failures.merge(other);
        assert_eq!(failures.total(), 3);
        assert_eq!(failures.first.as_deref(), Some("HTTP 429: slow down"));
        assert_eq!(failures.describe(), "HTTP 429 × 2, request failed × 1");
    }
}
