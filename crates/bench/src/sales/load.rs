//! Sends sales to the webhook endpoint from several connections at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use reqwest::header::CONTENT_TYPE;

/// Header that carries Hotmart's hottok.
const HOTTOK_HEADER: &str = "X-HOTMART-HOTTOK";

/// Latencies of every sale and the time all of them took.
pub struct LoadResult {
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
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
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(index) else { break };
                let sent = Instant::now();
                post_sale(&http, &url, &hottok, body.clone()).await?;
                latencies.push(sent.elapsed());
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(bodies.len());
    for sender in senders {
        latencies.extend(sender.await.context("a sender task panicked")??);
    }
    Ok(LoadResult {
        latencies,
        elapsed: started.elapsed(),
    })
}
