//! PageDown on a remote D1 whose next page was read ahead, measured in process (the tmux harness
//! of `scripts/d1-server/bench-remote.sh` cannot resolve below its own ~40 ms).
//!
//! The app runs over `service::Remote` on a test backend with D1's rules (`D1Rules`, over the
//! 10,000-user demo database), exactly as the TUI's workers drive it: each timed step is
//! `App::update(Key PageDown)`, the page reads it asks for answered by the worker code
//! (`service::handle`, which answers a page read ahead from memory), their replies applied, and a
//! full frame drawn to ratatui's `TestBackend` at 160x45. What the terminal side does between
//! keys (reading the next page ahead, the statuses of new rows, the count) runs untimed, as it
//! runs on the workers while the user looks at the screen. A timed step that had to send a
//! request is counted and reported: it would not be "prefetched".
//!
//! `cargo bench --bench remote_page` (see BENCHMARKS.md, "Remote D1").

#[allow(dead_code)]
mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;
use squall::app::{Action, App, Effect, RemoteSession, Source};
use squall::db::backend::d1::SessionCost;
use squall::db::backend::rules::D1Rules;
use squall::db::backend::{Backend, Capabilities, Executed, Rows, Statement, Step, StepOutcome};
use squall::db::open::ReadOnlyReason;
use squall::db::schema::TableInfo;
use squall::db::value::DisplayContext;
use squall::service::protocol::{AuditTarget, DbReply, DbRequest, MigrationsSource};
use squall::service::{Db, Remote, RemoteDatabase, handle, read_ahead};

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;
const USERS: u64 = 10_000;

/// D1's rules over the demo file, shareable between threads as a remote is, counting requests.
struct RulesRemote {
    rules: Mutex<D1Rules>,
    requests: AtomicU64,
}

impl RulesRemote {
    fn with<T>(&self, run: impl FnOnce(&D1Rules) -> T) -> T {
        self.requests.fetch_add(1, Ordering::SeqCst);
        run(&self.rules.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

impl Backend for RulesRemote {
    fn query(&self, statement: &Statement) -> anyhow::Result<Rows> {
        self.with(|rules| rules.query(statement))
    }
    fn execute(&self, statement: &Statement) -> anyhow::Result<Executed> {
        self.with(|rules| rules.execute(statement))
    }
    fn atomic(&self, steps: &[Step]) -> anyhow::Result<Vec<StepOutcome>> {
        self.with(|rules| rules.atomic(steps))
    }
    fn describe(&self) -> anyhow::Result<Vec<TableInfo>> {
        self.with(|rules| rules.describe())
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities { remote: true, ..self.with(|rules| rules.capabilities()) }
    }
    fn describe_target(&self) -> String {
        "D1 bench".into()
    }
}

impl RemoteDatabase for RulesRemote {
    fn session_cost(&self) -> SessionCost {
        SessionCost::default()
    }
    fn last_bookmark(&self) -> Option<String> {
        None
    }
    fn restore_command(&self) -> Option<String> {
        None
    }
    fn display_name(&self) -> String {
        "bench".into()
    }
}

fn source(dir: &std::path::Path) -> Source {
    let label = std::path::PathBuf::from("D1 bench");
    Source {
        path: "D1 bench".into(),
        name: Some("bench".into()),
        reason: "bench".into(),
        read_only: Some(ReadOnlyReason::Remote),
        migrations: MigrationsSource {
            db_path: label.clone(),
            cwd: dir.to_path_buf(),
            d1: None,
            backup_dir: dir.join("backups"),
            migrations_dir: None,
            audit_file: dir.join("audit.jsonl"),
        },
        audit: AuditTarget { file: dir.join("audit.jsonl"), database: label },
    }
}

/// Answers every request `effects` hold, and what the replies ask for next, reading ahead after
/// each reply as the worker does (all untimed: the workers' time between keys).
fn settle(app: &mut App, db: &mut Db, mut effects: Vec<Effect>) {
    while !effects.is_empty() {
        let mut next = Vec::new();
        for effect in effects {
            if let Effect::Request { id, request, .. } = effect {
                let result = handle(db, *request, &mut |_| {});
                next.extend(app.update(Action::Reply { reply: DbReply { id, result } }));
                read_ahead(db);
            }
        }
        effects = next;
    }
}

struct Bench {
    app: App,
    db: Db,
    remote: Arc<RulesRemote>,
    terminal: Terminal<TestBackend>,
    _dir: tempfile::TempDir,
}

impl Bench {
    fn open() -> Bench {
        let path = common::demo_database(USERS);
        let dir = tempfile::tempdir().expect("a temp dir");
        let conn = Connection::open(&path).expect("the demo database");
        let remote =
            Arc::new(RulesRemote { rules: Mutex::new(D1Rules::new(conn).read_only()), requests: AtomicU64::new(0) });
        let mut db = Db::from_remote(Remote::new(remote.clone()));
        let (mut app, effects) = App::new(source(dir.path()), WIDTH, HEIGHT, DisplayContext::local());
        app.remote = Some(RemoteSession { name: "bench".into(), ..Default::default() });
        settle(&mut app, &mut db, effects);
        let terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test terminal");
        Bench { app, db, remote, terminal, _dir: dir }
    }

    /// One PageDown as the user feels it: the key, the page reads answered (from the page read
    /// ahead), the frame drawn. Returns its time and whether it sent a request; what the
    /// replies ask for in the background is left for [`Bench::between_keys`].
    fn page_down(&mut self) -> (Duration, bool, Vec<Effect>) {
        let before = self.remote.requests.load(Ordering::SeqCst);
        let started = Instant::now();
        let key = KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE);
        let mut later = Vec::new();
        for effect in self.app.update(Action::Key { key }) {
            match effect {
                Effect::Request { id, request, .. } if matches!(*request, DbRequest::FetchPage { .. }) => {
                    let result = handle(&mut self.db, *request, &mut |_| {});
                    later.extend(self.app.update(Action::Reply { reply: DbReply { id, result } }));
                }
                other => later.push(other),
            }
        }
        self.terminal.draw(|frame| squall::ui::draw(frame, &self.app)).expect("a frame");
        let elapsed = started.elapsed();
        let sent = self.remote.requests.load(Ordering::SeqCst) != before;
        (elapsed, sent, later)
    }

    /// The workers between keys: the rest of the replies, and the next page read ahead. Back
    /// to the top at the end of the table.
    fn between_keys(&mut self, later: Vec<Effect>) {
        settle(&mut self.app, &mut self.db, later);
        read_ahead(&mut self.db);
        if self.app.active_tab().is_some_and(|tab| tab.window.at_end) {
            let effects = self.app.update(Action::FirstRow);
            settle(&mut self.app, &mut self.db, effects);
            read_ahead(&mut self.db);
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut bench = Bench::open();
    // One pass down the table first: the slowest step, and any that had to wait on a request.
    let (mut worst, mut waited, mut total) = (Duration::ZERO, 0, Duration::ZERO);
    let steps = 300;
    for _ in 0..steps {
        let (elapsed, sent, later) = bench.page_down();
        worst = worst.max(elapsed);
        total += elapsed;
        waited += usize::from(sent);
        bench.between_keys(later);
    }
    eprintln!(
        "remote PageDown, {steps} steps over {USERS} users: mean {:.2} ms, worst {:.2} ms, {waited} sent a request",
        total.as_secs_f64() * 1e3 / steps as f64,
        worst.as_secs_f64() * 1e3
    );
    c.bench_function("remote PageDown, next page read ahead (update + answer + draw 160x45)", |b| {
        b.iter_custom(|iterations| {
            let mut timed = Duration::ZERO;
            for _ in 0..iterations {
                let (elapsed, _, later) = bench.page_down();
                timed += elapsed;
                bench.between_keys(later);
            }
            timed
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(8));
    targets = bench
}
criterion_main!(benches);
