use clap::Parser;

use iamwiz::cli::Cli;

#[tokio::main]
async fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let cli = Cli::parse();
    iamwiz::tui::run(cli.aws_settings()).await
}
