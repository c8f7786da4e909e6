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
}

pub fn check_wrk() -> Result<(), String> {
    match Command::new("wrk").arg("--version").output() {
        Ok(_) => Ok(()),
        Err(_) => Err("`wrk` is not installed: run bench/run (it installs it), or `apt-get install -y wrk`".to_owned()),
    }
}

/// `wrk` against `path` with the headers a Talk client sends.
pub fn wrk(
    addr: SocketAddr,
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
    let out = cmd.output().map_err(|e| format!("wrk failed to run: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!("wrk failed: {}{}", text, String::from_utf8_lossy(&out.stderr)));
    }
    parse(&text).ok_or_else(|| format!("cannot read wrk's report:\n{text}"))
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
    })
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
