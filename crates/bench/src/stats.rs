//! Latency statistics.

use std::time::Duration;

/// Median, 95th and 99th percentiles and maximum of a set of samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub median: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub samples: usize,
}

impl Summary {
    /// Summarises the samples with the nearest-rank method; returns `None` when
    /// there are none.
    pub fn of(samples: &[Duration]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        Some(Self {
            median: nearest_rank(&sorted, 50),
            p95: nearest_rank(&sorted, 95),
            p99: nearest_rank(&sorted, 99),
            max: sorted[sorted.len() - 1],
            samples: sorted.len(),
        })
    }
}

/// Returns the smallest sample that is at least `percent`% of the sorted samples.
fn nearest_rank(sorted: &[Duration], percent: usize) -> Duration {
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Formats a duration in milliseconds with two decimals.
pub fn millis(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|v| Duration::from_millis(*v)).collect()
    }

    #[test]
    fn summary_of_no_samples() {
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn summary_of_one_sample() {
        let summary = Summary::of(&ms(&[7])).expect("one sample");
        assert_eq!(summary.median, Duration::from_millis(7));
        assert_eq!(summary.p95, Duration::from_millis(7));
        assert_eq!(summary.p99, Duration::from_millis(7));
        assert_eq!(summary.max, Duration::from_millis(7));
    }

    #[test]
    fn summary_uses_nearest_rank() {
        let samples: Vec<u64> = (1..=100).rev().collect();
        let summary = Summary::of(&ms(&samples)).expect("100 samples");
        assert_eq!(summary.median, Duration::from_millis(50));
        assert_eq!(summary.p95, Duration::from_millis(95));
        assert_eq!(summary.p99, Duration::from_millis(99));
        assert_eq!(summary.samples, 100);
    }

    #[test]
    fn summary_tail_of_200_samples() {
        let samples: Vec<u64> = (1..=200).collect();
        let summary = Summary::of(&ms(&samples)).expect("200 samples");
        assert_eq!(summary.p99, Duration::from_millis(198));
        assert_eq!(summary.max, Duration::from_millis(200));
    }

    #[test]
    fn millis_has_two_decimals() {
        assert_eq!(millis(Duration::from_micros(1_234)), "1.23");
    }
}
