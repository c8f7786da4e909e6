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

fn main() -> ExitCode {
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
                // Database work runs here; beyond the pool size extra threads would only wait.
                .max_blocking_threads(64)
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
