//! CPU usage over an interval, from the kernel's tick counters: /proc/stat for
//! the whole machine and /proc/PID/stat for the processes of the server, of
//! PostgreSQL and of this benchmark. All count in the same USER_HZ ticks, so
//! their ratios need no clock rate.

use std::collections::HashMap;
use std::fs;

/// The processes whose CPU time is reported apart, by command name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    /// Every process named `clientela`, such as `clientela serve`.
    Clientela,
    /// Every process named `postgres`, of any cluster on the machine.
    Postgres,
    /// This process.
    Benchmark,
}

/// Tick counters at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuTicks {
    /// Ticks all CPUs spent on anything but idle and I/O wait.
    machine_busy: u64,
    /// Ticks of all CPUs in every state.
    machine_total: u64,
    /// Group and user + system ticks of each process in a group, by process id.
    processes: HashMap<u32, (Group, u64)>,
}

/// CPU usage between two readings, as percentages of the time of all CPUs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuUsage {
    pub machine_busy_percent: f64,
    pub clientela_percent: f64,
    pub postgres_percent: f64,
    pub benchmark_percent: f64,
}

impl CpuUsage {
    /// Returns the busy share that none of the three groups used: other programs, the
    /// kernel's own threads, and processes that ended between the readings.
    pub fn other_percent(&self) -> f64 {
        let grouped = self.clientela_percent + self.postgres_percent + self.benchmark_percent;
        (self.machine_busy_percent - grouped).max(0.0)
    }
}

impl CpuTicks {
    /// Reads the counters, or returns `None` where /proc is missing or unreadable.
    /// Processes that end while /proc is read are skipped.
    pub fn read() -> Option<Self> {
        let (machine_busy, machine_total) = machine_ticks(&fs::read_to_string("/proc/stat").ok()?)?;
        let own_pid = std::process::id();
        let mut processes = HashMap::new();
        for entry in fs::read_dir("/proc").ok()?.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|name| name.parse().ok())
            else {
                continue;
            };
            let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            let Some((command, ticks)) = process_ticks(&stat) else {
                continue;
            };
            let group = match command {
                _ if pid == own_pid => Group::Benchmark,
                "clientela" => Group::Clientela,
                "postgres" => Group::Postgres,
                _ => continue,
            };
            processes.insert(pid, (group, ticks));
        }
        Some(Self {
            machine_busy,
            machine_total,
            processes,
        })
    }

    /// Returns the usage from `self` to `later`, or `None` when no tick passed.
    /// A process that started in between counts with all its ticks.
    pub fn usage_until(&self, later: &Self) -> Option<CpuUsage> {
        let total = later.machine_total.checked_sub(self.machine_total)?;
        if total == 0 {
            return None;
        }
        let busy = later.machine_busy.saturating_sub(self.machine_busy);
        let group_ticks = |group: Group| -> u64 {
            later
                .processes
                .iter()
                .filter(|(_, (later_group, _))| *later_group == group)
                .map(|(pid, (_, ticks))| {
                    let before = self.processes.get(pid).map_or(0, |(_, ticks)| *ticks);
                    ticks.saturating_sub(before)
                })
                .sum()
        };
        Some(CpuUsage {
            machine_busy_percent: percent(busy, total),
            clientela_percent: percent(group_ticks(Group::Clientela), total),
            postgres_percent: percent(group_ticks(Group::Postgres), total),
            benchmark_percent: percent(group_ticks(Group::Benchmark), total),
        })
    }
}

fn percent(part: u64, total: u64) -> f64 {
    part as f64 * 100.0 / total as f64
}

/// Returns the busy and total ticks of the `cpu` line of /proc/stat, whose first
/// eight numbers are user, nice, system, idle, iowait, irq, softirq and steal.
/// The guest columns after them are already counted in user and nice.
fn machine_ticks(stat: &str) -> Option<(u64, u64)> {
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    if ticks.len() < 8 {
        return None;
    }
    let total: u64 = ticks.iter().sum();
    let idle = ticks[3] + ticks[4];
    Some((total - idle, total))
}

/// Returns the command name (field 2) and utime + stime (fields 14 and 15) of a
/// /proc/PID/stat line. The name is in brackets and may itself contain spaces
/// and brackets, so the fields after it are counted from its last `)`.
fn process_ticks(stat: &str) -> Option<(&str, u64)> {
    let (before_name_end, after_name) = stat.rsplit_once(')')?;
    let (_, command) = before_name_end.split_once('(')?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // `after_name` starts at field 3, so field 14 is at index 11.
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some((command, user + system))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_ticks_from_proc_stat() {
        let stat = "cpu  100 5 50 800 40 3 2 0 7 0\ncpu0 50 2 25 400 20 1 1 0 0 0\nintr 1\n";
        assert_eq!(machine_ticks(stat), Some((160, 1000)));
    }

    #[test]
    fn machine_ticks_of_short_line() {
        assert_eq!(machine_ticks("cpu  1 2 3\n"), None);
        assert_eq!(machine_ticks("intr 1\n"), None);
    }

    #[test]
    fn process_ticks_with_spaces_in_name() {
        let stat = "4242 (bench (x) y) R 1 2 3 4 5 6 7 8 9 10 120 30 0 0 20 0 1 0";
        assert_eq!(process_ticks(stat), Some(("bench (x) y", 150)));
    }

    #[test]
    fn process_ticks_of_cut_line() {
        assert_eq!(process_ticks("4242 (postgres) S 1 2 3"), None);
        assert_eq!(process_ticks("4242 postgres"), None);
    }

    #[test]
    fn usage_between_readings() {
        let before = CpuTicks {
            machine_busy: 100,
            machine_total: 1_000,
            processes: HashMap::from([
                (1, (Group::Clientela, 50)),
                (2, (Group::Postgres, 10)),
                (3, (Group::Benchmark, 10)),
                (4, (Group::Postgres, 500)),
            ]),
        };
        // Process 4 ended, and process 5 started after the first reading.
        let after = CpuTicks {
            machine_busy: 290,
            machine_total: 1_200,
            processes: HashMap::from([
                (1, (Group::Clientela, 150)),
                (2, (Group::Postgres, 20)),
                (3, (Group::Benchmark, 20)),
                (5, (Group::Postgres, 30)),
            ]),
        };
        let usage = before.usage_until(&after).expect("ticks passed");
        assert_eq!(usage.machine_busy_percent, 95.0);
        assert_eq!(usage.clientela_percent, 50.0);
        assert_eq!(usage.postgres_percent, 20.0);
        assert_eq!(usage.benchmark_percent, 5.0);
        assert_eq!(usage.other_percent(), 20.0);
        assert_eq!(before.usage_until(&before), None);
    }

    #[test]
    fn other_share_is_never_negative() {
        let usage = CpuUsage {
            machine_busy_percent: 50.0,
            clientela_percent: 40.0,
            postgres_percent: 10.0,
            benchmark_percent: 1.0,
        };
        assert_eq!(usage.other_percent(), 0.0);
    }
}
