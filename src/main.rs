use std::io::IsTerminal;
use std::path::Path;

use clap::{CommandFactory, FromArgMatches};
use color_eyre::eyre::WrapErr;

use iamwiz::cli::{Cli, ColorWhen};
// Plan problems quote the plan: printed without terminal control characters.
use iamwiz::eprintln_clean as eprintln;
use iamwiz::planfile;

/// Every heap buffer is wiped as it is freed (or moved by a reallocation): a secret that passed
/// through a buffer the program does not own (the SDK's response, the HTTP layer's, a formatted
/// string) is gone once that buffer is.
#[global_allocator]
static ALLOCATOR: zeroizing_alloc::ZeroAlloc<std::alloc::System> =
    zeroizing_alloc::ZeroAlloc(std::alloc::System);

#[tokio::main]
async fn main() -> color_eyre::Result<()> {
    // Before any secret exists: a crash or SIGQUIT must never write the heap to disk.
    if let Err(e) = iamwiz::core_dump::forbid() {
        eprintln!(
            "iamwiz: warning: core dumps could not be turned off ({e}); a crash may write secrets to disk"
        );
    }
    // Colour is decided before anything is printed: help, usage errors and error reports too.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let when = ColorWhen::from_args(&args);
    let colour = when.colour(
        std::env::var_os("NO_COLOR").as_deref(),
        std::io::stdout().is_terminal(),
    );
    // crossterm drops every colour itself when NO_COLOR is set; `always` overrides it.
    if when == ColorWhen::Always {
        crossterm::style::force_color_output(true);
    }
    let mut hooks = color_eyre::config::HookBuilder::default();
    if !colour {
        hooks = hooks.theme(color_eyre::config::Theme::new());
    }
    let (panic_report, eyre_hook) = hooks.try_into_hooks()?;
    eyre_hook.install()?;
    // One panic hook for the whole run; once the wizard has the terminal, it also ends the
    // process with the terminal wiped and restored, on a panic anywhere.
    iamwiz::panic::install(panic_report);
    let command = || {
        Cli::command().color(match when {
            // clap's own `auto` also honours NO_COLOR, for each stream it writes to.
            ColorWhen::Auto => clap::ColorChoice::Auto,
            ColorWhen::Always => clap::ColorChoice::Always,
            ColorWhen::Never => clap::ColorChoice::Never,
        })
    };
    let cli = Cli::from_arg_matches(&command().get_matches_from(&args))
        .unwrap_or_else(|e| e.format(&mut command()).exit());
    if let Some(message) = cli.conflict() {
        command()
            .error(clap::error::ErrorKind::ArgumentConflict, message)
            .exit();
    }
    match &cli.command {
        Some(iamwiz::cli::Mode::Completions(c)) => {
            let ok = iamwiz::manual::print(&iamwiz::manual::completions(c.shell));
            std::process::exit(if ok { 0 } else { 1 });
        }
        Some(iamwiz::cli::Mode::Man(m)) => match iamwiz::manual::man_page(&m.command) {
            Ok(page) => std::process::exit(if iamwiz::manual::print(&page) { 0 } else { 1 }),
            Err(why) => {
                eprintln!("iamwiz man: {why}");
                std::process::exit(2);
            }
        },
        _ => {}
    }
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
    if let Some(iamwiz::cli::Mode::Keys(iamwiz::cli::KeysArgs {
        command: Some(command),
        ..
    })) = &cli.command
    {
        // No terminal UI either: a table or JSON on stdout, progress on stderr, apply's exit codes.
        let code = iamwiz::keys::run(cli.aws_settings(), command).await;
        std::process::exit(code);
    }
    if let Some(iamwiz::cli::Mode::Mfa(iamwiz::cli::MfaArgs {
        command: Some(command),
        ..
    })) = &cli.command
    {
        // No terminal UI: a table or JSON on stdout, errors on stderr, keys' exit codes.
        let code = iamwiz::mfa::run(cli.aws_settings(), command).await;
        std::process::exit(code);
    }
    // A plan is read and checked before the terminal is taken over, so its problems print on the
    // normal screen.
    let plan = cli.plan.as_deref().map(read_plan_or_exit);
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let (csv_dir, avoided) = iamwiz::export::csv_dir_outside_git(cwd, home);
    let mut options = cli.options(csv_dir);
    options.csv_avoided_repo = avoided;
    options.plan = plan;
    options.color = colour;
    match iamwiz::tui::run(cli.aws_settings(), options).await? {
        iamwiz::tui::Exit::Quit => Ok(()),
        iamwiz::tui::Exit::Signal(n) => std::process::exit(128 + n),
    }
}

/// The plan at `path` for the wizard; or every problem with it on stderr
/// (`iamwiz: FILE: users[2]: …`) and exit code 2.
fn read_plan_or_exit(path: &Path) -> planfile::Loaded {
    let shown = path.display();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("iamwiz: {shown}: cannot read the plan: {e}");
            std::process::exit(2);
        }
    };
    match planfile::load_for_wizard(&text) {
        Ok(plan) => {
            tracing::info!(plan = %shown, users = ?plan.users, "plan loaded into the wizard");
            planfile::Loaded {
                path: path.to_path_buf(),
                plan,
            }
        }
        Err(problems) => {
            for p in &problems {
                eprintln!("iamwiz: {shown}: {p}");
            }
            eprintln!(
                "iamwiz: {shown}: the plan has {} problem{}; nothing was opened",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            std::process::exit(2);
        }
    }
}
