//! The result table, the targets of the performance issue, and the JSON written per run.

use crate::load::{CpuPerRequest, LoadResult};
use crate::seed::Concurrent;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Serialize)]
pub struct Row {
    pub id: String,
    pub scenario: String,
    pub connections: u32,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Throughput as a fraction of the baseline measured in the same run (same connections).
    pub ratio_to_baseline: Option<f64>,
    pub errors: u64,
    /// For load runs: where the machine's CPU went, per request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<CpuPerRequest>,
}

#[derive(Debug, Serialize)]
pub struct Target {
    pub name: String,
    pub measured: String,
    pub met: bool,
}

#[derive(Debug, Serialize)]
pub struct PhaseMemory {
    pub after: String,
    pub rss_mib: f64,
    pub peak_rss_mib: f64,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub backend: String,
    pub machine: serde_json::Value,
    pub commit: String,
    pub unix_time: u64,
    pub rows: Vec<Row>,
    pub targets: Vec<Target>,
    pub peak_rss_mib: f64,
    /// The server's resident and peak resident size after each phase, to see which one grows.
    pub memory_by_phase: Vec<PhaseMemory>,
    pub total_seconds: f64,
    #[serde(skip)]
    small: std::collections::HashMap<String, LoadResult>,
}

fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let idx = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
    v[idx.min(v.len() - 1)]
}

impl Report {
    pub fn new(backend: &str, machine: serde_json::Value, commit: String) -> Report {
        Report {
            backend: backend.to_owned(),
            machine,
            commit,
            unix_time: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            rows: Vec::new(),
            targets: Vec::new(),
            peak_rss_mib: f64::NAN,
            memory_by_phase: Vec::new(),
            total_seconds: 0.0,
            small: Default::default(),
        }
    }

    /// Records (and prints) the server's memory after a phase.
    pub fn memory_after(&mut self, phase: &str, rss_mib: f64, peak_rss_mib: f64) {
        println!("    server memory after {phase}: {rss_mib:.1} MiB resident, {peak_rss_mib:.1} MiB peak");
        self.memory_by_phase.push(PhaseMemory {
            after: phase.to_owned(),
            rss_mib,
            peak_rss_mib,
        });
    }

    fn push(&mut self, id: &str, scenario: &str, connections: u32, r: &LoadResult, base: Option<&LoadResult>) {
        self.rows.push(Row {
            id: id.to_owned(),
            scenario: scenario.to_owned(),
            connections,
            requests_per_second: r.requests_per_second,
            p50_ms: r.p50_ms,
            p99_ms: r.p99_ms,
            ratio_to_baseline: base.map(|b| r.requests_per_second / b.requests_per_second),
            errors: r.errors,
            cpu: r.cpu.clone(),
        });
    }

    pub fn baseline(&mut self, many: LoadResult, one: LoadResult) {
        self.push("base", "baseline: fixed envelope, minimal axum", 32, &many, None);
        self.push("base1", "baseline, 1 connection", 1, &one, None);
    }

    pub fn load(&mut self, id: &str, scenario: &str, connections: u32, r: LoadResult, base: &LoadResult) {
        self.push(id, scenario, connections, &r, Some(base));
        let ratio = r.requests_per_second / base.requests_per_second;
        match id {
            "a" => {
                let need = if self.backend == "postgres" {
                    1.0 / 5.0
                } else {
                    1.0 / 3.0
                };
                self.target(
                    &format!("(a) ≥ {need:.2} of baseline req/s"),
                    format!("{ratio:.3}"),
                    ratio >= need && r.errors == 0,
                );
                let p99 = if self.backend == "postgres" { 10.0 } else { 5.0 };
                self.target(
                    &format!("(a) p99 < {p99} ms"),
                    format!("{:.2} ms", r.p99_ms),
                    r.p99_ms < p99,
                );
            }
            "a-app" | "a-bearer" => {
                if let Some(account) = self.small.get("a") {
                    let versus = r.requests_per_second / account.requests_per_second;
                    self.target(
                        &format!("({id}) app password at least as fast as the cached account password"),
                        format!("{versus:.3}× of (a)"),
                        versus >= 1.0 && r.errors == 0,
                    );
                }
            }
            "h" => {
                let need = 1.0 / 3.0;
                if self.backend == "sqlite" {
                    self.target(
                        &format!("(h) Horn GET breakout/session ≥ {need:.2} of baseline req/s"),
                        format!("{ratio:.3}"),
                        ratio >= need && r.errors == 0,
                    );
                }
            }
            "b" => {
                let limit = if self.backend == "postgres" { 1.5 } else { 0.5 };
                self.target(
                    &format!("(b) median < {limit} ms (58 conversations)"),
                    format!("{:.3} ms", r.p50_ms),
                    r.p50_ms < limit && r.errors == 0,
                )
            }
            _ => {}
        }
        self.small.insert(id.to_owned(), r);
    }

    pub fn steps(&mut self, id: &str, step: &str, latencies: Vec<f64>) {
        let p50 = percentile(&latencies, 50.0);
        let p99 = percentile(&latencies, 99.0);
        self.rows.push(Row {
            id: id.to_owned(),
            scenario: format!("{step} (×{})", latencies.len()),
            connections: 1,
            requests_per_second: 1000.0 / p50,
            p50_ms: p50,
            p99_ms: p99,
            ratio_to_baseline: None,
            errors: 0,
            cpu: None,
        });
        if id == "c" {
            let postgres = self.backend == "postgres";
            let limit = if step.starts_with("configure") {
                if postgres {
                    40.0
                } else {
                    12.0
                }
            } else if step == "start" || step == "stop" {
                if postgres {
                    8.0
                } else {
                    4.0
                }
            } else {
                return;
            };
            self.target(&format!("(c) {step} < {limit} ms"), format!("{p50:.2} ms"), p50 < limit);
        }
        if id == "g" && step.starts_with("start") {
            let limit = if self.backend == "postgres" { 60.0 } else { 30.0 };
            self.target(
                &format!("(g) Horn start, 20 rooms, every student assigned < {limit} ms"),
                format!("{p50:.2} ms"),
                p50 < limit,
            );
        }
    }

    pub fn concurrent(&mut self, id: &str, scenario: &str, c: Concurrent) {
        self.rows.push(Row {
            id: id.to_owned(),
            scenario: scenario.to_owned(),
            connections: 200,
            requests_per_second: c.requests as f64 / c.wall_seconds,
            p50_ms: percentile(&c.latencies_ms, 50.0),
            p99_ms: percentile(&c.latencies_ms, 99.0),
            ratio_to_baseline: None,
            errors: c.errors as u64,
            cpu: None,
        });
        self.target(
            "(e) every switch answered 200",
            format!("{} errors", c.errors),
            c.errors == 0,
        );
    }

    pub fn large(
        &mut self,
        id: &str,
        scenario: &str,
        connections: u32,
        r: LoadResult,
        small: &LoadResult,
        base: &LoadResult,
    ) {
        self.push(id, scenario, connections, &r, Some(base));
        let slowdown = small.requests_per_second / r.requests_per_second;
        let p50_growth = r.p50_ms / small.p50_ms;
        self.target(
            &format!("{scenario}: within 1.2× of the small database"),
            format!("throughput ÷{slowdown:.2}, p50 ×{p50_growth:.2}"),
            slowdown <= 1.2 && p50_growth <= 1.2 && r.errors == 0,
        );
    }

    /// Scenario (i): Horn sessions due in the same second on two instances.
    pub fn deadlines(&mut self, run: crate::seed::DeadlineRun) {
        println!(
            "    set up and started {} sessions in {:.1} s; all completed {:.2} s after the deadline",
            run.sessions, run.setup_s, run.all_done_after_s
        );
        self.target(
            &format!(
                "(i) {} Horn sessions due in the same second, two instances: all completed within 2 s",
                run.sessions
            ),
            format!(
                "{:.2} s after the deadline ({} of {} completed)",
                run.all_done_after_s, run.completed, run.sessions
            ),
            run.completed == run.sessions as i64 && run.all_done_after_s <= 2.0,
        );
        let (once, other) = run.stopped_once;
        self.target(
            "(i) each session ended exactly once",
            format!(
                "{once} breakout rooms stopped once, {other} not exactly once, {} deadline jobs left",
                run.jobs_left
            ),
            other == 0 && once == 2 * run.sessions as i64 && run.jobs_left == 0,
        );
    }

    fn target(&mut self, name: &str, measured: String, met: bool) {
        self.targets.push(Target {
            name: name.to_owned(),
            measured,
            met,
        });
    }

    pub fn print(&mut self) {
        let rss = self.peak_rss_mib;
        let limit = if self.backend == "postgres" { 100.0 } else { 80.0 };
        self.target(&format!("peak RSS < {limit} MiB"), format!("{rss:.1} MiB"), rss < limit);
        println!(
            "\n## talk-breakout benchmark ({}, commit {}, {} cores)\n",
            self.backend, self.commit, self.machine["cores"]
        );
        println!("| id | scenario | conns | req/s | p50 ms | p99 ms | ÷ baseline | errors |");
        println!("|---|---|---:|---:|---:|---:|---:|---:|");
        for r in &self.rows {
            let ratio = r
                .ratio_to_baseline
                .map(|x| format!("{x:.3}"))
                .unwrap_or_else(|| "–".into());
            println!(
                "| {} | {} | {} | {:.0} | {:.3} | {:.3} | {} | {} |",
                r.id, r.scenario, r.connections, r.requests_per_second, r.p50_ms, r.p99_ms, ratio, r.errors
            );
        }
        println!("\nCPU per request (µs, all processes of the machine, read from /proc):\n");
        println!("| id | server | PostgreSQL | load generator | other | idle |");
        println!("|---|---:|---:|---:|---:|---:|");
        for r in &self.rows {
            if let Some(c) = &r.cpu {
                println!(
                    "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} % |",
                    r.id,
                    c.server_us,
                    c.postgres_us,
                    c.load_generator_us,
                    c.other_us,
                    c.idle_share * 100.0
                );
            }
        }
        println!("\n| target | measured | met |\n|---|---|---|");
        for t in &self.targets {
            println!(
                "| {} | {} | {} |",
                t.name,
                t.measured,
                if t.met { "yes" } else { "**no**" }
            );
        }
        println!(
            "\npeak RSS of the server: {:.1} MiB; whole run {:.0} s",
            self.peak_rss_mib, self.total_seconds
        );
    }

    pub fn write(&self, dir: &Path) -> Result<PathBuf, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let path = dir.join(format!("{}-{}-{}.json", self.unix_time, self.backend, self.commit));
        let json = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(&path, json).map_err(|e| e.to_string())?;
        Ok(path)
    }
}
