use clap::Parser;
use std::process::ExitCode;
use talk_breakout::cli::{Cli, Command};
use talk_breakout::config::Settings;

/// glibc gives every thread that allocates its own arena and keeps freed memory there. Password
/// hashing allocates ~19 MiB at a time on whichever blocking thread runs it, so over time every
/// blocking thread would keep its own 19 MiB. Two arenas bound the resident size instead.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only adjusts allocator tuning; called once before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    talk_breakout::telemetry::init();
    match cli.command {
        Command::Serve(args) => {
            let settings = match Settings::from_args(&args) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("talk-breakout: {e}");
                    return ExitCode::from(2);
                }
            };
            tracing::info!(?settings, "starting");
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                // Database work runs here; beyond the pool size extra threads would only wait.
                .max_blocking_threads(64)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("talk-breakout: cannot start the runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(talk_breakout::server::run(settings)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!(error = %e, "talk-breakout stopped");
                    eprintln!("talk-breakout: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
