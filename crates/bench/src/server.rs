//! The real `clientela serve` process, started on a free loopback port.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// How long the server may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Number of server log lines kept to show when something fails.
const KEPT_LOG_LINES: usize = 40;

/// A running `clientela serve`; dropping it kills the process.
pub struct Server {
    child: Child,
    pub base_url: String,
    log_tail: Arc<Mutex<VecDeque<String>>>,
}

impl Server {
    /// Starts `clientela serve --listen 127.0.0.1:0 --no-worker` (a benchmark
    /// sends no e-mail) and waits for the `listening on http://IP:PORT` line on
    /// its stderr.
    pub fn start(binary: &Path, database_url: &str) -> Result<Self> {
        let mut child = Command::new(binary)
            .args(["serve", "--listen", "127.0.0.1:0", "--no-worker"])
            .env("DATABASE_URL", database_url)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("failed to start {} serve", binary.display()))?;
        let stderr = child
            .stderr
            .take()
            .context("clientela serve has no stderr")?;

        // The reader keeps draining stderr after the address is found, because a
        // full pipe would block the server's logging.
        let log_tail = Arc::new(Mutex::new(VecDeque::with_capacity(KEPT_LOG_LINES)));
        let (address_sender, address_receiver) = mpsc::channel();
        let tail = Arc::clone(&log_tail);
        thread::spawn(move || {
            let mut address_sender = Some(address_sender);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = listening_url(&line)
                    && let Some(sender) = address_sender.take()
                {
                    let _ = sender.send(url);
                }
                if let Ok(mut tail) = tail.lock() {
                    if tail.len() == KEPT_LOG_LINES {
                        tail.pop_front();
                    }
                    tail.push_back(line);
                }
            }
        });

        let mut server = Self {
            child,
            base_url: String::new(),
            log_tail,
        };
        match address_receiver.recv_timeout(START_TIMEOUT) {
            Ok(url) => server.base_url = url,
            Err(_) => bail!(
                "clientela serve printed no 'listening on http://...' line within {} s; its last output:\n{}",
                START_TIMEOUT.as_secs(),
                server.log_tail()
            ),
        }
        Ok(server)
    }

    /// Returns the last lines the server wrote to stderr.
    pub fn log_tail(&self) -> String {
        self.log_tail
            .lock()
            .map(|tail| tail.iter().cloned().collect::<Vec<_>>().join("\n"))
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Extracts `http://IP:PORT` from a log line that announces the listening address,
/// ignoring colour codes and surrounding text.
fn listening_url(line: &str) -> Option<String> {
    let start = line.find("listening on http://")? + "listening on ".len();
    let url: String = line[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.' | '[' | ']'))
        .collect();
    (url.len() > "http://".len()).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_url_from_plain_line() {
        assert_eq!(
            listening_url("listening on http://127.0.0.1:41234").as_deref(),
            Some("http://127.0.0.1:41234")
        );
    }

    #[test]
    fn listening_url_from_log_line() {
        let line = "2026-01-01T00:00:00Z  INFO clientela: listening on http://127.0.0.1:8080\u{1b}[0m addr=x";
        assert_eq!(
            listening_url(line).as_deref(),
            Some("http://127.0.0.1:8080")
        );
    }

    #[test]
    fn listening_url_absent() {
        assert_eq!(listening_url("starting"), None);
        assert_eq!(listening_url("listening on http://"), None);
    }
}
