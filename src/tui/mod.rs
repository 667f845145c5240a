//! The terminal side: setup and guaranteed restore (panic included), the event loop, and the
//! database workers.

mod clipboard;
mod columns_file;
pub mod console;
mod console_remote;
#[cfg(test)]
mod console_tests;
mod export;
mod signals;
pub mod worker;
#[cfg(test)]
mod worker_tests;

use std::io::stdout;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{Sender, channel};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;

use crate::app::{Action, App, AppEvent, AuditTarget, Effect, MigrationsSource, Source, Worker};
use crate::db::open::{Database, OpenMode, open_another};
use crate::db::value::DisplayContext;
use console::ConsoleHandle;
use export::ExportRunner;
use worker::WorkerHandle;

/// SQLite page cache per TUI connection, in KiB as `PRAGMA cache_size` takes it (negative).
const TUI_CACHE_KIB: i64 = -512;

/// How often the clock ticks while idle (spinner frames, relative ages).
const TICK: Duration = Duration::from_millis(250);

/// How often live refresh asks SQLite whether another process committed (`db::watch`): a
/// change shows within this plus one read of the rows on screen.
const LIVE_POLL: Duration = Duration::from_millis(250);

/// Whether the screen follows other processes' commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveMode {
    /// Poll the local file (the default).
    On,
    /// `--no-live`. A remote database (where each poll is a billed request) will be off too.
    Off,
}

/// Restores the terminal when dropped: on return, on error, and while unwinding from a panic.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn restore_terminal() {
    let _ = execute!(stdout(), DisableMouseCapture);
    if let Err(err) = ratatui::try_restore() {
        signals::say_unless_gone("Failed to restore terminal", &err);
    }
}

/// Shows the cursor again, quietly when the terminal is gone. ratatui's own attempt, when the
/// terminal is dropped with the cursor hidden, prints any failure; after a hang-up that is just
/// noise around the message that matters, so a terminal that could not take it is forgotten.
fn show_cursor(mut terminal: ratatui::DefaultTerminal) {
    if let Err(err) = terminal.show_cursor() {
        signals::say_unless_gone("Failed to show the cursor", &err);
        std::mem::forget(terminal);
    }
}

/// Runs the terminal UI on an open database until the user quits (exit code 0) or a signal
/// ends it (128 + the signal, as a shell reports it). `migrations_dir` is `--migrations DIR`;
/// `live` says whether other processes' commits are followed.
pub fn run(
    db: Database,
    reason: String,
    name: Option<String>,
    d1: Option<String>,
    migrations_dir: Option<PathBuf>,
    live: LiveMode,
) -> Result<ExitCode> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let backup_dir = crate::migrate::backup::default_backup_dir()?;
    let audit_file = crate::audit::audit_log_path()?;
    let migrations = MigrationsSource {
        db_path: db.path.clone(),
        cwd,
        d1,
        backup_dir,
        migrations_dir,
        audit_file: audit_file.clone(),
    };
    let audit = AuditTarget { file: audit_file, database: db.path.clone() };
    let source =
        Source { path: db.path.display().to_string(), name, reason, read_only: db.read_only, migrations, audit };
    // A second, read-only connection counts rows so a slow count never delays a page.
    let counter = open_another(&db, OpenMode::ReadOnly).context("opening a second connection for row counts")?;
    // Pages touch a handful of database pages and scans are served by the OS cache, so a small
    // SQLite cache per connection keeps memory flat whatever the table's size (BENCHMARKS.md).
    for conn in [&db.conn, &counter.conn] {
        conn.pragma_update(None, "cache_size", TUI_CACHE_KIB)?;
    }
    // The console's statements may run long: their own connection keeps table paging free.
    let console_mode = if db.read_only.is_some() { OpenMode::ReadOnly } else { OpenMode::ReadWrite };
    let console_db = open_another(&db, console_mode).context("opening a connection for the SQL console")?;
    console_db.conn.pragma_update(None, "cache_size", TUI_CACHE_KIB)?;
    let (history_file, history) = console_history(&db.path);
    let (events_tx, events) = channel::<AppEvent>();
    crate::db::busy::install_cancellable_wait(&db.conn)?;
    // The worker of the connection that writes is the one that watches (see `worker::serve`).
    let watch = (live == LiveMode::On).then_some(LIVE_POLL);
    let foreground = WorkerHandle::spawn(db.conn, events_tx.clone(), "pages", watch, true)?;
    let background = WorkerHandle::spawn(counter.conn, events_tx.clone(), "counts", None, false)?;
    let exports = ExportRunner::new(db.path.clone(), events_tx.clone());
    let console = ConsoleHandle::spawn(console_db.conn, events_tx.clone(), history_file)?;
    let session = Session {
        source,
        foreground,
        background,
        console,
        exports,
        events_tx,
        events,
        history,
        columns_key: columns_file::database_key(&db.path),
        live,
        remote: None,
    };
    run_session(session)
}

/// Runs the terminal UI on a remote D1 (`--remote`): two workers share the connection (pages;
/// counts and statuses), the schema is read once, and the badge and costs stay on the status
/// line. Without `--write` it is read-only. The console pages its reads (`console_remote`), and
/// exports read through the remote a page per request. Live refresh needs a local file.
pub fn run_remote(
    database: std::sync::Arc<dyn crate::service::RemoteDatabase>,
    write: bool,
    d1: Option<String>,
) -> Result<ExitCode> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let backup_dir = crate::migrate::backup::default_backup_dir()?;
    let audit_file = crate::audit::audit_log_path()?;
    let target = database.describe_target();
    let label = PathBuf::from(&target);
    let migrations = MigrationsSource {
        db_path: label.clone(),
        cwd,
        d1,
        backup_dir,
        migrations_dir: None,
        audit_file: audit_file.clone(),
    };
    let audit = AuditTarget { file: audit_file, database: label.clone() };
    let name = database.display_name();
    let read_only = (!write).then_some(crate::db::open::ReadOnlyReason::Remote);
    let reason = if write {
        format!("opened {target} over the REST API: writes on (each takes a time-travel bookmark first)")
    } else {
        format!("opened {target} over the REST API, read-only (start with --write to change it)")
    };
    let source = Source { path: target.clone(), name: Some(name.clone()), reason, read_only, migrations, audit };
    let remote = crate::service::Remote::new(database);
    let (events_tx, events) = channel::<AppEvent>();
    let foreground = WorkerHandle::spawn_db(
        crate::service::Db::from_remote(remote.clone()),
        events_tx.clone(),
        "pages",
        None,
        false,
    )?;
    let background = WorkerHandle::spawn_db(
        crate::service::Db::from_remote(remote.clone()),
        events_tx.clone(),
        "counts",
        None,
        false,
    )?;
    // The console pages every read with LIMIT/OFFSET over the same shared remote; its history is
    // kept per remote database, keyed by the target (`D1 name (id)`).
    let (history_file, history) = console_history(&label);
    let console = ConsoleHandle::spawn_remote(remote.clone(), events_tx.clone(), history_file)?;
    let exports = ExportRunner::remote(remote.clone(), events_tx.clone());
    let session = Session {
        source,
        foreground,
        background,
        console,
        exports,
        events_tx,
        events,
        history,
        columns_key: target,
        live: LiveMode::Off,
        remote: Some((remote, write)),
    };
    run_session(session)
}

/// The console's history file for the database named `key`, and what it holds so far (none when
/// the data directory cannot be found or read: a history must not stop the session).
fn console_history(key: &std::path::Path) -> (Option<PathBuf>, Vec<String>) {
    let file = crate::paths::data_dir().map(|dir| crate::history::history_path(&dir, key)).ok();
    let history = file.as_deref().map(crate::history::read_history).transpose().ok().flatten().unwrap_or_default();
    (file, history)
}

/// What a terminal session runs on, local or remote.
struct Session {
    source: Source,
    foreground: WorkerHandle,
    background: WorkerHandle,
    /// The console's worker (over the file, or over the remote).
    console: ConsoleHandle,
    exports: ExportRunner,
    events_tx: Sender<AppEvent>,
    events: std::sync::mpsc::Receiver<AppEvent>,
    history: Vec<String>,
    columns_key: String,
    live: LiveMode,
    /// The remote database and whether `--write` was given.
    remote: Option<(crate::service::Remote, bool)>,
}

fn run_session(session: Session) -> Result<ExitCode> {
    let Session {
        source,
        foreground,
        background,
        console,
        mut exports,
        events_tx,
        events,
        history,
        columns_key,
        live,
        remote,
    } = session;
    // Before the terminal changes mode, so no signal can leave it changed.
    let received = signals::spawn_watcher(events_tx.clone(), restore_terminal)?;
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous_hook(info);
    }));
    let mut terminal = ratatui::try_init().context("setting up the terminal")?;
    let _guard = TerminalGuard;
    execute!(stdout(), EnableMouseCapture).context("enabling the mouse")?;
    spawn_input_thread(events_tx.clone())?;

    let size = terminal.size()?;
    let (mut app, mut effects) = App::new(source.clone(), size.width, size.height, DisplayContext::local());
    app.say(crate::app::Level::Info, source.reason);
    if let Some((remote, write)) = &remote {
        app.remote = Some(crate::app::RemoteSession {
            name: remote.database().display_name(),
            write: *write,
            stats: remote.stats(),
            ..Default::default()
        });
        app.set_live_off("--remote");
        app.defer_migrations(&mut effects);
    } else if live == LiveMode::Off {
        app.set_live_off("--no-live");
    }
    app.export.clipboard = clipboard::clipboard_support();
    app.console.history = history;
    let columns = Columns { file: columns_file::columns_path()?, database: columns_key };
    match columns_file::load(&columns.file, &columns.database) {
        Ok(prefs) => app.column_prefs = prefs,
        Err(e) => app.say(crate::app::Level::Warning, format!("column choices not loaded: {e:#}")),
    }
    let mut workers = Workers {
        foreground: &foreground,
        background: &background,
        console: &console,
        exports: &mut exports,
        columns,
        remote: remote.map(|(remote, _)| remote),
    };
    run_effects(effects, &mut workers, &mut app);
    let ended = run_loop(&mut terminal, &mut app, &events, &mut workers);
    workers.exports.shutdown();
    // A signal discards what is staged; the workers may be cut short too.
    let signal = match ended {
        Ok(Some(signal)) => Some(signal),
        _ => signals::received(&received),
    };
    if signal.is_some() {
        crate::db::busy::cancel_lock_wait();
    }
    let remote = workers.remote.take();
    foreground.close(signal.is_some());
    background.close(true);
    console.close();
    drop(_guard);
    show_cursor(terminal);
    // What the session cost on a remote, as every remote CLI command says it: D1 bills rows read.
    if let Some(remote) = &remote {
        let database = remote.database();
        eprintln!("{}", crate::db::backend::d1::cost_line(&database.describe_target(), &database.session_cost()));
    }
    if let Some(signal) = signal {
        let said =
            signals::report_discarded(signal, &app.edits.staged, &app.source.audit.file, &app.source.audit.database);
        signals::say(&said);
        return Ok(ExitCode::from(signals::exit_code(signal)));
    }
    ended.map(|_| ExitCode::SUCCESS)
}

/// Feeds events to the app until it quits (`None`) or a signal arrives (`Some(signal)`).
fn run_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    events: &std::sync::mpsc::Receiver<AppEvent>,
    workers: &mut Workers,
) -> Result<Option<i32>> {
    terminal.draw(|frame| crate::ui::draw(frame, app))?;
    while let Ok(event) = events.recv() {
        let action = match event {
            AppEvent::Signal { signal } => return Ok(Some(signal)),
            AppEvent::Input(Event::Key(key)) => Action::Key { key },
            AppEvent::Input(Event::Mouse(mouse)) => Action::Mouse { mouse },
            AppEvent::Input(Event::Resize(width, height)) => Action::Resize { width, height },
            AppEvent::Input(_) => continue,
            AppEvent::Db(reply) => {
                // What the request cost on a remote, for the status line.
                if let (Some(remote), Some(shown)) = (&workers.remote, app.remote.as_mut()) {
                    shown.stats = remote.stats();
                }
                Action::Reply { reply }
            }
            AppEvent::Changed { schema } => Action::ExternalChange { schema },
            AppEvent::Tick => Action::Tick { now: chrono::Utc::now() },
        };
        let before = app.ctx.now;
        let tick = matches!(action, Action::Tick { .. });
        // The session's totals, current before every action: a key's cost counts from here, and
        // a page read ahead after its reply shows on the next tick.
        let mut costs_moved = false;
        if let (Some(remote), Some(shown)) = (&workers.remote, app.remote.as_mut()) {
            let stats = remote.stats();
            costs_moved = stats != shown.stats;
            shown.stats = stats;
        }
        let effects = app.update(action);
        run_effects(effects, workers, app);
        if app.should_quit {
            break;
        }
        // An idle tick only moves the clock: draw when a shown time can have changed.
        if tick && !costs_moved && !app.tick_shows(before) {
            continue;
        }
        terminal.draw(|frame| crate::ui::draw(frame, app))?;
    }
    Ok(None)
}

/// Where the grid's column choices are kept, and for which database.
struct Columns {
    file: std::path::PathBuf,
    database: String,
}

/// What carries out the app's effects.
struct Workers<'a> {
    foreground: &'a WorkerHandle,
    background: &'a WorkerHandle,
    console: &'a ConsoleHandle,
    exports: &'a mut ExportRunner,
    columns: Columns,
    remote: Option<crate::service::Remote>,
}

fn run_effects(effects: Vec<Effect>, workers: &mut Workers, app: &mut App) {
    for effect in effects {
        let pick = |worker: Worker| if worker == Worker::Foreground { workers.foreground } else { workers.background };
        match effect {
            Effect::Request { worker: Worker::Console, id, request } => workers.console.send(id, *request),
            // An interrupt lands only if the request it names is the one running (see
            // `worker::Running`); one that finished already is answered, and dropped as stale.
            Effect::Interrupt { worker: Worker::Console, id } => {
                workers.console.interrupt(id);
            }
            Effect::Request { worker, id, request } => pick(worker).send(id, *request),
            Effect::Interrupt { worker, id } => {
                pick(worker).interrupt(id);
            }
            Effect::Export { id, job } => workers.exports.start(id, *job),
            Effect::CancelExport { id } => workers.exports.cancel(id),
            // A terminal that cannot take the sequence drops it; the app already said what it sent.
            Effect::Clipboard { text } => {
                // tmux's set-clipboard is asked now, not at start: it may have been turned on since.
                let refused = match &app.export.clipboard {
                    crate::app::ClipboardSupport::AskTmux => match clipboard::tmux_support() {
                        crate::app::ClipboardSupport::Unsupported { reason } => Some(reason),
                        _ => None,
                    },
                    _ => None,
                };
                match refused {
                    Some(reason) => app.say(crate::app::Level::Warning, format!("cannot copy: {reason}")),
                    None => {
                        let _ = clipboard::copy_to_clipboard(&text);
                    }
                }
            }
            Effect::SaveColumns { table, prefs } => {
                if let Err(e) = columns_file::save(&workers.columns.file, &workers.columns.database, &table, &prefs) {
                    app.say(crate::app::Level::Warning, format!("column choices not saved: {e:#}"));
                }
            }
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
