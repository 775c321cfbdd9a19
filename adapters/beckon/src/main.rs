//! `beckon`: remote assistance from the command line.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use beckon::cli::Cli;
use beckon::error::code;
use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("BECKON_LOG").unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = match beckon::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("beckon: cannot start: {e}");
            return ExitCode::from(code::OTHER);
        }
    };
    // On a worker, whose stack is as large as `runtime()` makes it: the
    // main thread's is not, and a session's futures are large in debug builds.
    let result = runtime.block_on(async {
        match tokio::spawn(beckon::commands::run(cli)).await {
            Ok(r) => r,
            Err(e) => Err(beckon::error::Error::Other(format!(
                "the command failed: {e}"
            ))),
        }
    });
    // A read of standard input may still be waiting; do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("beckon: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
