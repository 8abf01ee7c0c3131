use clap::Parser;
use color_eyre::eyre::WrapErr;

use iamwiz::cli::Cli;

#[tokio::main]
async fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let cli = Cli::parse();
    if let Some(path) = cli.log_path() {
        let file = iamwiz::log::open(&path)
            .wrap_err_with(|| format!("cannot open the log file {}", path.display()))?;
        iamwiz::log::init(file);
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            profile = ?cli.profile,
            region = ?cli.region,
            endpoint_url = ?cli.endpoint_url,
            "iamwiz started"
        );
    }
    if let Some(iamwiz::cli::Mode::Apply(args)) = &cli.command {
        // No terminal UI: progress on stderr, and an exit code a script can act on.
        let code = iamwiz::apply::run(cli.aws_settings(), args).await;
        std::process::exit(code);
    }
    // The wizard's terminal is restored, and the process ends, on a panic anywhere.
    iamwiz::tui::install_panic_hook();
    let csv_dir = std::env::current_dir().unwrap_or_else(|_| ".".into());
    match iamwiz::tui::run(cli.aws_settings(), cli.options(csv_dir)).await? {
        iamwiz::tui::Exit::Quit => Ok(()),
        iamwiz::tui::Exit::Signal(n) => std::process::exit(128 + n),
    }
}
