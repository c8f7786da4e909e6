//! Load generation with `wrk` (Debian package `wrk`), run as a separate process over loopback,
//! bounded by duration. Its latency distribution and request rate are parsed from its report.

use serde::Serialize;
use std::net::SocketAddr;
use std::process::Command;

#[derive(Debug, Clone, Serialize)]
pub struct LoadResult {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: u64,
    /// Non-2xx/3xx answers plus socket errors: must be 0 for a valid run.
    pub errors: u64,
    pub cpu: Option<CpuPerRequest>,
}

pub fn check_wrk() -> Result<(), String> {
    match Command::new("wrk").arg("--version").output() {
        Ok(_) => Ok(()),
        Err(_) => Err("`wrk` is not installed: run bench/run (it installs it), or `apt-get install -y wrk`".to_owned()),
    }
}

/// `wrk` against `path` with the headers a Talk client sends; `server_pid` is the process whose
/// CPU time is counted as the server's.
pub fn wrk(
    addr: SocketAddr,
    server_pid: u32,
    path: &str,
    basic_auth: Option<&str>,
    connections: u32,
    seconds: u64,
) -> Result<LoadResult, String> {
    let threads = connections.clamp(1, 2).to_string();
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t",
        &threads,
        "-c",
        &connections.to_string(),
        "-d",
        &format!("{seconds}s"),
        "--latency",
    ])
    .args(["-H", "OCS-APIRequest: true", "-H", "Accept: application/json"]);
    if let Some(auth) = basic_auth {
        cmd.args(["-H", &format!("Authorization: {auth}")]);
    }
    cmd.arg(format!("http://{addr}{path}"));
    let before = CpuSnapshot::take(server_pid);
    let out = cmd.output().map_err(|e| format!("wrk failed to run: {e}"))?;
    let after = CpuSnapshot::take(server_pid);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!("wrk failed: {}{}", text, String::from_utf8_lossy(&out.stderr)));
    }
    let mut result = parse(&text).ok_or_else(|| format!("cannot read wrk's report:\n{text}"))?;
    result.cpu = Some(before.per_request(&after, result.requests));
    Ok(result)
}

fn parse(text: &str) -> Option<LoadResult> {
    let mut p50 = None;
    let mut p99 = None;
    let mut rps = None;
    let mut requests = None;
    let mut errors = 0u64;
    for line in text.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("50%") {
            p50 = duration_ms(v.trim());
        } else if let Some(v) = line.strip_prefix("99%") {
            p99 = duration_ms(v.trim());
        } else if let Some(v) = line.strip_prefix("Requests/sec:") {
            rps = v.trim().parse::<f64>().ok();
        } else if line.contains(" requests in ") {
            requests = line.split_whitespace().next().and_then(|n| n.parse().ok());
        } else if let Some(v) = line.strip_prefix("Non-2xx or 3xx responses:") {
            errors += v.trim().parse::<u64>().unwrap_or(0);
        } else if let Some(v) = line.strip_prefix("Socket errors:") {
            errors += v
                .split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    Some(LoadResult {
        requests_per_second: rps?,
        p50_ms: p50?,
        p99_ms: p99?,
        requests: requests?,
        errors,
        cpu: None,
    })
}

/// Where the CPU went during one load run, per request: the server, PostgreSQL's processes (its
/// backends and helpers), the load generator, and everything else on the machine. Read from
/// `/proc` before and after the run, so it costs the measured processes nothing.
#[derive(Debug, Clone, Serialize)]
pub struct CpuPerRequest {
    pub server_us: f64,
    pub postgres_us: f64,
    pub load_generator_us: f64,
    pub other_us: f64,
    /// Share of the machine's CPU time that was idle during the run.
    pub idle_share: f64,
}

/// `/proc` counts CPU time in clock ticks of `USER_HZ`, which Linux fixes at 100 per second for
/// user space on every architecture this runs on.
const TICKS_PER_SECOND: f64 = 100.0;

#[derive(Debug, Clone, Default)]
struct CpuSnapshot {
    server: u64,
    /// Per PostgreSQL process: a backend that exits during the run takes its time with it, so
    /// only processes alive at the end count, each from zero if it started during the run.
    postgres: std::collections::HashMap<String, u64>,
    /// CPU of this process's waited-for children: `wrk` (the servers are still running).
    children: u64,
    machine_busy: u64,
    machine_idle: u64,
}

/// utime + stime of a process, or cutime + cstime with `children`.
fn process_ticks(pid: &str, children: bool) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: fields count from after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3 of stat(5), so utime (14) is index 11 here.
    let (a, b) = if children { (13, 14) } else { (11, 12) };
    Some(fields.get(a)?.parse::<u64>().ok()? + fields.get(b)?.parse::<u64>().ok()?)
}

fn postgres_ticks() -> std::collections::HashMap<String, u64> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Default::default();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postgres"))
        .filter_map(|pid| Some((pid.clone(), process_ticks(&pid, false)?)))
        .collect()
}

fn machine_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(cpu) = stat.lines().find(|l| l.starts_with("cpu ")) else {
        return (0, 0);
    };
    let v: Vec<u64> = cpu.split_whitespace().skip(1).filter_map(|n| n.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal …
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    let busy = v.iter().take(8).sum::<u64>() - idle;
    (busy, idle)
}

impl CpuSnapshot {
    fn take(server_pid: u32) -> Self {
        let (machine_busy, machine_idle) = machine_ticks();
        CpuSnapshot {
            server: process_ticks(&server_pid.to_string(), false).unwrap_or(0),
            postgres: postgres_ticks(),
            children: process_ticks("self", true).unwrap_or(0),
            machine_busy,
            machine_idle,
        }
    }

    fn per_request(&self, after: &CpuSnapshot, requests: u64) -> CpuPerRequest {
        let us = |ticks: u64| ticks as f64 / TICKS_PER_SECOND * 1e6 / requests.max(1) as f64;
        let server = after.server.saturating_sub(self.server);
        let postgres: u64 = after
            .postgres
            .iter()
            .map(|(pid, &ticks)| ticks.saturating_sub(self.postgres.get(pid).copied().unwrap_or(0)))
            .sum();
        let load = after.children.saturating_sub(self.children);
        let busy = after.machine_busy.saturating_sub(self.machine_busy);
        let idle = after.machine_idle.saturating_sub(self.machine_idle);
        CpuPerRequest {
            server_us: us(server),
            postgres_us: us(postgres),
            load_generator_us: us(load),
            other_us: us(busy.saturating_sub(server + postgres + load)),
            idle_share: idle as f64 / (busy + idle).max(1) as f64,
        }
    }
}

fn duration_ms(v: &str) -> Option<f64> {
    let (num, unit): (String, String) = v.chars().partition(|c| c.is_ascii_digit() || *c == '.');
    let n: f64 = num.parse().ok()?;
    Some(match unit.as_str() {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_report() {
        let text = "Running 8s test @ http://127.0.0.1:1/x\n  2 threads and 32 connections\n  Latency Distribution\n     50%  480.00us\n     75%  600.00us\n     90%  800.00us\n     99%    1.50ms\n  480000 requests in 8.00s, 100.00MB read\n  Non-2xx or 3xx responses: 5\n  Socket errors: connect 0, read 1, write 0, timeout 2\nRequests/sec:  60000.00\n";
        let r = parse(text).unwrap();
        assert_eq!(r.requests, 480000);
        assert!((r.p50_ms - 0.48).abs() < 1e-9);
        assert!((r.p99_ms - 1.5).abs() < 1e-9);
        assert_eq!(r.errors, 8);
        assert!((r.requests_per_second - 60000.0).abs() < 1e-9);
    }
}
