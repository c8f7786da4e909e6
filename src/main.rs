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
}

/// mimalloc keeps freed pages for a second before giving them back to the system. A burst (200
/// students switching rooms at once) then shows up whole in the resident size: measured peak
/// 108 MiB with the default, 78 MiB when freed pages are returned at once, at no measurable
/// cost in requests per second. Left alone when the option does not hold the default (an
/// operator's `MIMALLOC_PURGE_DELAY`, or another mimalloc whose option table differs).
fn return_freed_memory_promptly() {
    // SAFETY: both functions only read or write mimalloc's option table; the index is checked
    // against the documented default before it is written.
    unsafe {
        if mi_option_get(MI_OPTION_PURGE_DELAY) == MI_DEFAULT_PURGE_DELAY_MS {
            mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        }
    }
}

fn main() -> ExitCode {
    limit_c_allocator_arenas();
    return_freed_memory_promptly();
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
