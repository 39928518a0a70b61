//! Sends sales to the webhook endpoint from several connections at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clientela_hotmart::HOTTOK_HEADER;
use reqwest::header::CONTENT_TYPE;

/// Latencies of every sale and the time all of them took.
pub struct LoadResult {
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
    /// Sales per second in each fifth of the run, by completion order.
    pub rate_by_fifth: Vec<f64>,
}

/// Posts one body to `url` and fails unless the sale was processed.
pub async fn post_sale(
    http: &reqwest::Client,
    url: &str,
    hottok: &str,
    body: Vec<u8>,
) -> Result<()> {
    let response = http
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .header(HOTTOK_HEADER, hottok)
        .body(body)
        .send()
        .await
        .with_context(|| format!("POST {url} failed"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if status != reqwest::StatusCode::OK || !text.contains("\"processed\"") {
        bail!("POST {url} returned {status}: {text}");
    }
    Ok(())
}

/// Posts every body once, from `connections` concurrent senders, and stops at
/// the first failure.
pub async fn send_all(
    url: &str,
    hottok: &str,
    bodies: Vec<Vec<u8>>,
    connections: usize,
) -> Result<LoadResult> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .context("failed to build the HTTP client")?;
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut senders = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (http, bodies, next) = (http.clone(), Arc::clone(&bodies), Arc::clone(&next));
        let (url, hottok) = (url.to_owned(), hottok.to_owned());
        senders.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut completions = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(index) else { break };
                let sent = Instant::now();
                post_sale(&http, &url, &hottok, body.clone()).await?;
                latencies.push(sent.elapsed());
                completions.push(started.elapsed());
            }
            Ok::<_, anyhow::Error>((latencies, completions))
        }));
    }
    let mut latencies = Vec::with_capacity(bodies.len());
    let mut completions = Vec::with_capacity(bodies.len());
    for sender in senders {
        let (sent, done) = sender.await.context("a sender task panicked")??;
        latencies.extend(sent);
        completions.extend(done);
    }
    Ok(LoadResult {
        latencies,
        elapsed: started.elapsed(),
        rate_by_fifth: rate_by_fifth(completions),
    })
}

/// Returns the sales per second of each fifth of the sales, in completion order,
/// from the times the sales completed after the start.
fn rate_by_fifth(mut completions: Vec<Duration>) -> Vec<f64> {
    completions.sort_unstable();
    let fifth = completions.len() / 5;
    if fifth == 0 {
        return Vec::new();
    }
    let mut rates = Vec::with_capacity(5);
    let mut previous = Duration::ZERO;
    for part in 1..=5 {
        let end = completions[part * fifth - 1];
        let seconds = end.saturating_sub(previous).as_secs_f64();
        rates.push(if seconds > 0.0 {
            fifth as f64 / seconds
        } else {
            0.0
        });
        previous = end;
    }
    rates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_by_fifth_of_steady_sales() {
        let completions: Vec<Duration> = (1..=10).map(Duration::from_secs).collect();
        assert_eq!(rate_by_fifth(completions), vec![1.0; 5]);
    }

    #[test]
    fn rate_by_fifth_of_too_few_sales() {
        assert!(rate_by_fifth(vec![Duration::from_secs(1)]).is_empty());
    }
}
