use clap::Parser;
use std::process::ExitCode;
use talk_breakout::cli::{Cli, Command};
use talk_breakout::config::Settings;

/// mimalloc instead of glibc's allocator, for two measured reasons. Password hashing allocates
/// ~19 MiB at a time; glibc's dynamic mmap threshold moves such blocks into its heap arenas after
/// the first free, where they fragment and stay resident (hundreds of MiB after a few hundred
/// logins). Capping glibc's arenas to bound that made the request path contend on the arena
/// locks. mimalloc keeps per-thread heaps without shared locks and returns freed pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Blocking threads beyond one per pooled connection: two password hashes and one spare.
const BLOCKING_THREADS_BESIDE_POOL: usize = 3;

/// The C libraries (libpq, SQLite) allocate through glibc's malloc, which gives every thread
/// that allocates its own arena (up to eight per core) and rarely returns their memory. Query
/// results allocated on many threads thus stay resident per arena. Two arenas bound that
/// (measured: resident size after 32 connections listing 58 conversations on PostgreSQL, 110 →
/// 84 MiB); Rust's own allocations go to mimalloc, so only the C side shares the arena locks.
fn limit_c_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes glibc's allocator settings; it is called before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// mimalloc's index of the purge-delay option (`mi_option_purge_delay` in the `mi_option_e` of
/// the mimalloc version libmimalloc-sys builds; Cargo.lock pins it) and that version's default.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
const MI_DEFAULT_PURGE_DELAY_MS: std::ffi::c_long = 1000;

unsafe extern "C" {
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    fn mi_collect(force: bool);
}

/// How long mimalloc keeps a freed page before giving it back to the system.
///
/// Its default is a second. A burst (200 students switching rooms at once) then shows up whole in
/// the resident size: measured peak 108 MiB with the default, 78 MiB with pages returned at once.
/// Returned at once (0 ms), as here until 2026-11-29, every answer larger than a page of the
/// allocator was built in memory the kernel had to map and zero again: a list of 58 conversations
/// (80 KB of JSON, one client) took about 100 page faults per request, 580 µs of server CPU and a
/// median of 0.63 ms. With ten milliseconds one request reuses what the one before it freed:
/// under one fault per request, 335 µs, median 0.38 ms. A burst's pages go back once their 10 ms
/// have passed and their thread next works with its heap; for database threads that go idle, see
/// [`release_blocking_thread_memory`]. The benchmark's peak resident size did not grow (SQLite
/// 75–77 MiB, README "Freed memory kept for 10 ms").
const PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Sets [`PURGE_DELAY_MS`]. Left alone when the option does not hold the default (an
/// operator's `MIMALLOC_PURGE_DELAY`, or another mimalloc whose option table differs).
fn return_freed_memory_promptly() {
    // SAFETY: both functions only read or write mimalloc's option table; the index is checked
    // against the documented default before it is written.
    unsafe {
        if mi_option_get(MI_OPTION_PURGE_DELAY) == MI_DEFAULT_PURGE_DELAY_MS {
            mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
        }
    }
}

/// After database work on a blocking thread, when no other database work waits: the thread
/// frees what other threads handed back to it and gives the system the pages whose
/// [`PURGE_DELAY_MS`] has passed. mimalloc does that only when the thread itself allocates or
/// frees, and a blocking thread may then sit idle for a long time. A forced collection here (every
/// page at once, program-wide) cost 0.4–0.9 ms per large write in the benchmark; this one did not
/// measurably.
fn release_blocking_thread_memory() {
    // SAFETY: mi_collect(false) is thread-safe: it collects the calling thread's heap and purges
    // only memory whose delay has passed (the thread's and the shared arenas'), forcing nothing.
    unsafe { mi_collect(false) }
}

fn main() -> ExitCode {
    limit_c_allocator_arenas();
    return_freed_memory_promptly();
    talk_breakout::db::set_after_blocking_work(release_blocking_thread_memory);
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            talk_breakout::telemetry::init(args.log_format);
            let settings = match Settings::from_args(&args) {
                Ok(s) => s,
                Err(e) => {
                    // Like clap's own refusals: the command line is wrong, exit status 2.
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                // Database work runs here, at most one call per pooled connection, plus two
                // password hashes and a spare. More threads would only wait, and each would
                // keep its own allocator memory: a permit is released just before its thread
                // goes idle, so without this bound a burst of requests starts a new thread for
                // nearly every database call.
                .max_blocking_threads(settings.db_pool_size as usize + BLOCKING_THREADS_BESIDE_POOL)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    tracing::error!("cannot start the runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            // One line saying what went wrong and what to fix; nothing else.
            match runtime.block_on(talk_breakout::server::run(settings)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!("{e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
