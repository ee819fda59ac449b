//! `tasktalk`: serve the app, or run an operator command.

use clap::Parser;

// jemalloc: freed memory goes back to the system within seconds from a
// background thread (the configuration is in `.cargo/config.toml`), whichever
// thread freed it, so RSS falls back after a crowd leaves. mimalloc kept up
// to 200 MB after a burst, held by threads that had gone idle.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use tasktalk::cli::{Cli, Command};
use tasktalk::config::Settings;
use tasktalk::{Application, cli, telemetry};

fn main() -> std::process::ExitCode {
    // A missing .env is normal; a broken one is worth saying.
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("warning: could not read .env: {e}");
    }
    let args = Cli::parse();
    match run(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Cli) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    match args.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            telemetry::init_subscriber(settings.log_json);
            telemetry::log_panics_without_payload();
            let runtime = tasktalk::startup::main_runtime()?;
            actix_web::rt::System::with_tokio_rt(move || runtime).block_on(serve(settings))
        }
        command => cli::run(command, &settings, &mut std::io::stdout().lock()),
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    tracing::info!(url = app.public_url(), "Tasktalk is listening");
    println!("Tasktalk is running at {}", app.public_url());
    app.run_until_signalled().await?;
    Ok(())
}
