//! The terminal side: setup and guaranteed restore (panic included), the event loop, and the
//! database workers.

pub mod console;
mod users;
pub mod worker;

use std::io::stdout;
use std::sync::mpsc::{Sender, channel};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;

use crate::app::{Action, App, AppEvent, AuditTarget, Effect, MigrationsSource, Source, Worker};
use crate::db::open::{Database, OpenInput, OpenMode, open_database};
use crate::db::value::DisplayContext;
use console::ConsoleHandle;
use worker::WorkerHandle;

/// SQLite page cache per TUI connection, in KiB as `PRAGMA cache_size` takes it (negative).
const TUI_CACHE_KIB: i64 = -512;

/// How often the clock ticks while idle (spinner frames, relative ages).
const TICK: Duration = Duration::from_millis(250);

/// Restores the terminal when dropped: on return, on error, and while unwinding from a panic.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn restore_terminal() {
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
}

/// Runs the terminal UI on an open database until the user quits.
pub fn run(db: Database, reason: String, d1: Option<String>) -> Result<()> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let backup_dir = crate::migrate::backup::default_backup_dir()?;
    let migrations = MigrationsSource { db_path: db.path.clone(), cwd, d1, backup_dir };
    let audit = AuditTarget { file: crate::audit::audit_log_path()?, database: db.path.clone() };
    let source = Source { path: db.path.display().to_string(), reason, read_only: db.read_only, migrations, audit };
    // A second, read-only connection counts rows so a slow count never delays a page.
    let counter = open_database(&OpenInput { path: &db.path, mode: OpenMode::ReadOnly })
        .context("opening a second connection for row counts")?;
    // Pages touch a handful of database pages and scans are served by the OS cache, so a small
    // SQLite cache per connection keeps memory flat whatever the table's size (BENCHMARKS.md).
    for conn in [&db.conn, &counter.conn] {
        conn.pragma_update(None, "cache_size", TUI_CACHE_KIB)?;
    }
    // The console's statements may run long: their own connection keeps table paging free.
    let console_mode = if db.read_only.is_some() { OpenMode::ReadOnly } else { OpenMode::ReadWrite };
    let console_db = open_database(&OpenInput { path: &db.path, mode: console_mode })
        .context("opening a connection for the SQL console")?;
    console_db.conn.pragma_update(None, "cache_size", TUI_CACHE_KIB)?;
    let history_file = crate::paths::data_dir().map(|dir| crate::history::history_path(&dir, &db.path)).ok();
    let history = history_file.as_deref().map(crate::history::read_history).transpose().unwrap_or_default();
    let (events_tx, events) = channel::<AppEvent>();
    let foreground = WorkerHandle::spawn(db.conn, events_tx.clone(), "pages")?;
    let background = WorkerHandle::spawn(counter.conn, events_tx.clone(), "counts")?;
    let console = ConsoleHandle::spawn(console_db.conn, events_tx.clone(), history_file)?;
    let workers = Workers { foreground, background, console };

    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous_hook(info);
    }));
    let mut terminal = ratatui::try_init().context("setting up the terminal")?;
    let _guard = TerminalGuard;
    execute!(stdout(), EnableMouseCapture).context("enabling the mouse")?;
    spawn_input_thread(events_tx)?;

    let size = terminal.size()?;
    let (mut app, effects) = App::new(source.clone(), size.width, size.height, DisplayContext::local());
    app.say(crate::app::Level::Info, source.reason);
    app.console.history = history.unwrap_or_default();
    run_effects(effects, &workers);
    terminal.draw(|frame| crate::ui::draw(frame, &app))?;
    while let Ok(event) = events.recv() {
        let action = match event {
            AppEvent::Input(Event::Key(key)) => Action::Key { key },
            AppEvent::Input(Event::Mouse(mouse)) => Action::Mouse { mouse },
            AppEvent::Input(Event::Resize(width, height)) => Action::Resize { width, height },
            AppEvent::Input(_) => continue,
            AppEvent::Db(reply) => Action::Reply { reply },
            AppEvent::Tick => {
                if !app.is_busy() {
                    continue;
                }
                Action::Tick
            }
        };
        let effects = app.update(action);
        run_effects(effects, &workers);
        if app.should_quit {
            break;
        }
        terminal.draw(|frame| crate::ui::draw(frame, &app))?;
    }
    Ok(())
}

struct Workers {
    foreground: WorkerHandle,
    background: WorkerHandle,
    console: ConsoleHandle,
}

fn run_effects(effects: Vec<Effect>, workers: &Workers) {
    for effect in effects {
        match effect {
            Effect::Request { worker: Worker::Console, id, request } => workers.console.send(id, *request),
            Effect::Interrupt { worker: Worker::Console } => workers.console.interrupt(),
            Effect::Request { worker: Worker::Foreground, id, request } => workers.foreground.send(id, *request),
            Effect::Interrupt { worker: Worker::Foreground } => workers.foreground.interrupt(),
            Effect::Request { worker: Worker::Background, id, request } => workers.background.send(id, *request),
            Effect::Interrupt { worker: Worker::Background } => workers.background.interrupt(),
        }
    }
}

/// Reads terminal events on their own thread so the loop only ever waits on one channel.
fn spawn_input_thread(events: Sender<AppEvent>) -> Result<()> {
    thread::Builder::new().name("squall-input".into()).spawn(move || {
        loop {
            let next = match event::poll(TICK) {
                Ok(true) => match event::read() {
                    Ok(event) => AppEvent::Input(event),
                    Err(_) => break,
                },
                Ok(false) => AppEvent::Tick,
                Err(_) => break,
            };
            if events.send(next).is_err() {
                break;
            }
        }
    })?;
    Ok(())
}
