//! The terminal loop: key events, worker events and a heartbeat go into `update`; what it returns
//! goes to the worker; the screen is redrawn after every message.

use std::io::stdout;
use std::time::Duration;

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event as TermEvent, EventStream,
};
use crossterm::execute;
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::app::{App, Command, Msg, update};
use crate::aws::AwsSettings;
use crate::protocol::Request;
use crate::{ui, worker};

/// How long quitting waits for the worker to wind down (a creation in flight finishes or rolls
/// back first; quitting is refused while one runs, so this is only a safety net).
const WORKER_GRACE: Duration = Duration::from_secs(30);

/// Runs the wizard on the alternate screen, and always restores the terminal afterwards.
pub async fn run(settings: AwsSettings) -> color_eyre::Result<()> {
    let mut terminal = ratatui::init();
    let _ = execute!(stdout(), EnableBracketedPaste);
    let result = event_loop(&mut terminal, settings).await;
    let _ = execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
    result
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    settings: AwsSettings,
) -> color_eyre::Result<()> {
    let (events_tx, mut events_rx) = unbounded_channel();
    let worker = worker::spawn(settings, events_tx);
    let size = terminal.size()?;
    let (mut app, commands) = App::new((size.width, size.height));
    let mut quit = dispatch(commands, &worker.requests);
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    while !quit {
        // A resize that happened before the event stream started listening is caught here.
        let size = terminal.size()?;
        if (size.width, size.height) != app.size {
            update(&mut app, Msg::Resize(size.width, size.height));
        }
        terminal.draw(|f| ui::view(&app, f))?;
        let msg = tokio::select! {
            ev = keys.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => Msg::Key(k),
                Some(Ok(TermEvent::Paste(text))) => Msg::Paste(text),
                Some(Ok(TermEvent::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                // The terminal is gone.
                None => break,
            },
            Some(ev) = events_rx.recv() => Msg::Worker(ev),
            _ = tick.tick() => Msg::Tick,
        };
        quit = dispatch(update(&mut app, msg), &worker.requests);
    }
    // Dropping the state zeroes any secret still held.
    drop(app);
    drop(worker.requests);
    let _ = tokio::time::timeout(WORKER_GRACE, worker.task).await;
    Ok(())
}

/// Sends worker requests on; returns whether to quit.
fn dispatch(commands: Vec<Command>, worker: &UnboundedSender<Request>) -> bool {
    let mut quit = false;
    for c in commands {
        match c {
            Command::Worker(r) => {
                let _ = worker.send(r);
            }
            Command::Quit => quit = true,
        }
    }
    quit
}
