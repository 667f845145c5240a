//! The real binary (release profile) in a pseudo-terminal, timed as a person would feel it:
//! process start to the first frame with user rows, key to answer for PageDown / PageUp / G / gg,
//! keys answered while a full-scan search runs, the first page sorted by an unindexed column,
//! and peak memory (VmHWM). Every time is from the moment the key is written to the moment the
//! emulated screen (vt100) shows the expected status line.
//!
//! `cargo bench --bench tui` (see BENCHMARKS.md). `SQUALL_BENCH_SIZES` picks the demo sizes
//! (default 10000,1000000), `SQUALL_BENCH_RUNS` the fresh processes per size (default 5).

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 160;
const PAGE_DOWN: &str = "\u{1b}[6~";
const PAGE_UP: &str = "\u{1b}[5~";
/// Text no demo row contains: a search that scans the whole table and finds nothing.
const NOTHING: &str = "zq-no-such-text-qz";
/// The status line's spinner while the screen waits on a page (src/ui/grid.rs).
const SPINNER: [char; 8] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧'];
/// How long to wait for an answer before calling it missing.
const PATIENCE: Duration = Duration::from_secs(10);
/// Paging keys are sent this far apart: a held key repeats at about 25 per second.
const KEY_REPEAT: Duration = Duration::from_millis(40);
/// A paging key not answered with the expected row by then moved short (the rows it needed
/// had not arrived) or not at all.
const SHORT_MOVE: Duration = Duration::from_secs(2);
/// A pause long enough for every read a previous key started to finish.
const IDLE: Duration = Duration::from_millis(300);

type Predicate = Box<dyn Fn(&str) -> bool + Send>;

/// A condition on the screen and when it first held.
struct Watch {
    predicate: Predicate,
    seen: Option<Instant>,
}

/// The emulated screen, and the conditions being waited for. The reader thread checks every
/// watch after each chunk it feeds the emulator, so a time is taken when the bytes arrive, not
/// when the waiting thread gets round to looking.
struct Screen {
    parser: vt100::Parser,
    watches: Vec<Watch>,
}

struct Shared {
    screen: Mutex<Screen>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Screen> {
        self.screen.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

struct Session {
    shared: Arc<Shared>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    pid: u32,
}

type WatchId = usize;

impl Session {
    /// Starts squall on `db` with `first` already armed, so its time counts from the spawn.
    fn start(db: &Path, first: Predicate) -> (Session, WatchId, Instant) {
        let pty = native_pty_system()
            .openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_squall"));
        cmd.arg(db);
        cmd.cwd(common::bench_dir());
        cmd.env("SQUALL_DATA_DIR", common::bench_dir().join("squall-data"));
        cmd.env("TERM", "xterm-256color");
        let shared = Arc::new(Shared {
            screen: Mutex::new(Screen {
                parser: vt100::Parser::new(ROWS, COLS, 0),
                watches: vec![Watch { predicate: first, seen: None }],
            }),
            changed: Condvar::new(),
        });
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let feed = Arc::clone(&shared);
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let now = Instant::now();
                let mut screen = feed.lock();
                screen.parser.process(&buf[..n]);
                if screen.watches.iter().any(|w| w.seen.is_none()) {
                    let contents = screen.parser.screen().contents();
                    for watch in screen.watches.iter_mut().filter(|w| w.seen.is_none()) {
                        if (watch.predicate)(&contents) {
                            watch.seen = Some(now);
                        }
                    }
                }
                drop(screen);
                feed.changed.notify_all();
            }
        });
        let started = Instant::now();
        let child = pty.slave.spawn_command(cmd).expect("spawn squall");
        drop(pty.slave);
        // The master must outlive the session; the reader thread ends when the child exits.
        std::mem::forget(pty.master);
        let pid = child.process_id().expect("squall's pid");
        (Session { shared, writer, child, pid }, 0, started)
    }

    fn contents(&self) -> String {
        self.shared.lock().parser.screen().contents()
    }

    /// Arms a watch; fails when the condition already holds (the time would mean nothing).
    fn arm(&self, predicate: Predicate) -> WatchId {
        let mut screen = self.shared.lock();
        let contents = screen.parser.screen().contents();
        assert!(!predicate(&contents), "the awaited screen is already showing:\n{contents}");
        screen.watches.push(Watch { predicate, seen: None });
        screen.watches.len() - 1
    }

    fn send(&mut self, keys: &str) -> Instant {
        let sent = Instant::now();
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
        sent
    }

    /// When watch `id` first held, waiting up to `timeout`; `None` if it never did.
    fn wait(&self, id: WatchId, timeout: Duration) -> Option<Instant> {
        let deadline = Instant::now() + timeout;
        let mut screen = self.shared.lock();
        loop {
            if let Some(seen) = screen.watches[id].seen {
                return Some(seen);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            screen = self.shared.changed.wait_timeout(screen, left).unwrap_or_else(|p| p.into_inner()).0;
        }
    }

    /// Sends `keys` and returns how long until `predicate` held on screen (`None` if it did
    /// not within `timeout`).
    fn timed(&mut self, keys: &str, predicate: Predicate, timeout: Duration) -> Option<Duration> {
        let id = self.arm(predicate);
        let sent = self.send(keys);
        self.wait(id, timeout).map(|seen| seen.saturating_duration_since(sent))
    }

    /// A paging key, sent at key-repeat pace (as when the key is held down).
    fn page_key(&mut self, key: &str, predicate: Predicate) -> Option<Duration> {
        std::thread::sleep(KEY_REPEAT);
        self.timed(key, predicate, SHORT_MOVE)
    }

    /// Waits until `predicate` holds (untimed), panicking with the screen if it never does.
    fn settle(&self, what: &str, predicate: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + PATIENCE * 3;
        while Instant::now() < deadline {
            if predicate(&self.contents()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("timed out waiting for {what}; the screen was:\n{}", self.contents());
    }

    /// Peak and current resident memory of squall, in KiB.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    fn quit(mut self) {
        self.send("q");
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        panic!("squall did not quit on q");
    }
}

fn status_line(contents: &str) -> &str {
    // The last line is the key hints (ending in `? help`); the status line is above it.
    contents.lines().rev().filter(|l| !l.trim().is_empty()).find(|l| !l.trim_end().ends_with("? help")).unwrap_or("")
}

/// The selected row's number in the status line (`row 1,234 of …`).
fn row_number(contents: &str) -> Option<u64> {
    let status = status_line(contents);
    let start = status.find("row ")? + 4;
    let digits: String = status[start..].chars().take_while(|c| c.is_ascii_digit() || *c == ',').collect();
    digits.replace(',', "").parse().ok()
}

fn shows_row(row: u64) -> Predicate {
    let needle = format!("row {} of", thousands(row));
    Box::new(move |contents| status_line(contents).contains(&needle))
}

fn shows(needle: String) -> Predicate {
    Box::new(move |contents| status_line(contents).contains(&needle))
}

/// `1,000,000`, as the status line writes numbers.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Samples of every measure, in the order they were first taken.
#[derive(Default)]
struct Results {
    measures: Vec<(String, u64, Vec<f64>)>,
    /// Keys whose answer never came (or came short, as a row the selection could not reach).
    missing: Vec<(String, u64, usize)>,
}

impl Results {
    fn add(&mut self, measure: &str, users: u64, value: f64) {
        match self.measures.iter_mut().find(|(m, u, _)| m == measure && *u == users) {
            Some((_, _, values)) => values.push(value),
            None => self.measures.push((measure.to_string(), users, vec![value])),
        }
    }

    fn time(&mut self, measure: &str, users: u64, taken: Option<Duration>) {
        match taken {
            Some(d) => self.add(measure, users, d.as_secs_f64() * 1000.0),
            None => match self.missing.iter_mut().find(|(m, u, _)| m == measure && *u == users) {
                Some((_, _, n)) => *n += 1,
                None => self.missing.push((measure.to_string(), users, 1)),
            },
        }
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("the TUI benchmark runs with `cargo bench --bench tui`");
        return;
    }
    print_machine();
    let runs: usize = std::env::var("SQUALL_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut results = Results::default();
    for users in common::sizes() {
        let db = common::demo_database(users);
        for run in 1..=runs {
            eprintln!("{} users, run {run} of {runs}", common::size_label(users));
            one_session(&db, users, &mut results);
        }
    }
    print_results(&results);
}

/// One fresh squall process through the whole scenario.
fn one_session(db: &Path, users: u64, results: &mut Results) {
    let first_frame: Predicate = Box::new(|c| c.contains('@') && status_line(c).contains("row 1 of"));
    let (mut session, first, started) = Session::start(db, first_frame);
    let seen = session.wait(first, PATIENCE * 3);
    results.time("first frame with user rows", users, seen.map(|s| s - started));
    let total = format!("row 1 of {}", thousands(users));
    session.settle("the row count", |c| status_line(c).contains(&total));
    results.time("row count shown", users, Some(started.elapsed()));
    let (hwm, rss) = session.memory();
    results.add("VmHWM, table open (MiB)", users, hwm as f64 / 1024.0);
    results.add("VmRSS, table open (MiB)", users, rss as f64 / 1024.0);

    // One untimed PageDown tells the page height (the grid's visible rows).
    session.send(PAGE_DOWN);
    session.settle("the first PageDown", |c| row_number(c).is_some_and(|r| r > 1));
    std::thread::sleep(Duration::from_millis(100));
    let mut row = row_number(&session.contents()).expect("a row number");
    let page = row - 1;
    for _ in 0..30 {
        let taken = session.page_key(PAGE_DOWN, shows_row(row + page));
        results.time("PageDown (top of table)", users, taken);
        row = resync(&session, row + page, taken);
    }

    let last = users;
    let taken = session.timed("G", shows(format!("row {} of {}", thousands(last), thousands(users))), PATIENCE);
    results.time("G right after paging", users, taken);
    row = resync(&session, last, taken);
    for _ in 0..30 {
        let taken = session.page_key(PAGE_UP, shows_row(row - page));
        results.time("PageUp (bottom of table)", users, taken);
        row = resync(&session, row - page, taken);
    }
    let taken = session.timed("gg", shows(total.clone()), PATIENCE);
    results.time("gg right after paging", users, taken);
    resync(&session, 1, taken);
    // The same jumps with nothing else queued: the read and the frame alone.
    std::thread::sleep(IDLE);
    let taken = session.timed("G", shows(format!("row {} of {}", thousands(last), thousands(users))), PATIENCE);
    results.time("G after 300 ms idle", users, taken);
    std::thread::sleep(IDLE);
    let taken = session.timed("gg", shows(total.clone()), PATIENCE);
    results.time("gg after 300 ms idle", users, taken);
    let (hwm, _) = session.memory();
    results.add("VmHWM, after G / paging / gg (MiB)", users, hwm as f64 / 1024.0);

    search_nothing(&mut session, users, results);
    session.send("F");
    session.settle("the cleared search", |c| status_line(c).contains(&total));
    let (hwm, _) = session.memory();
    results.add("VmHWM, after the full-scan search (MiB)", users, hwm as f64 / 1024.0);

    sort_unindexed(&mut session, users, page, results);
    let (hwm, _) = session.memory();
    results.add("VmHWM, after paging the sorted rows (MiB)", users, hwm as f64 / 1024.0);
    other_table(&mut session, users, page, results);
    session.quit();
}

/// The same idle jumps on the next tab (`session`, ~1.5 sessions per user): a big table the
/// user-status columns do not touch.
fn other_table(session: &mut Session, users: u64, page: u64, results: &mut Results) {
    session.send("\t");
    session.settle("the session tab with its count", |c| {
        let status = status_line(c);
        status.contains("row 1 of") && !status.contains("row 1 of …") && !status.contains(SPINNER)
    });
    let status = status_line(&session.contents()).to_string();
    let total: String = status[status.find("row 1 of ").map_or(0, |i| i + 9)..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    std::thread::sleep(IDLE);
    let taken = session.timed("G", shows(format!("row {total} of {total}")), PATIENCE);
    results.time("G after 300 ms idle, session table", users, taken);
    std::thread::sleep(IDLE);
    let taken = session.timed("gg", shows(format!("row 1 of {total}")), PATIENCE);
    results.time("gg after 300 ms idle, session table", users, taken);
    let mut row = 1;
    for _ in 0..30 {
        let taken = session.page_key(PAGE_DOWN, shows_row(row + page));
        row = resync(session, row + page, taken);
    }
    let taken = session.timed("G", shows(format!("row {total} of {total}")), PATIENCE);
    results.time("G right after paging, session table", users, taken);
}

/// After a key whose answer was missing or short, waits for the screen to settle and reads
/// where the selection really is.
fn resync(session: &Session, expected: u64, taken: Option<Duration>) -> u64 {
    if taken.is_some() {
        return expected;
    }
    std::thread::sleep(Duration::from_millis(500));
    row_number(&session.contents()).unwrap_or(expected)
}

/// `/` + text no row contains + Enter: the page read and the count both scan the table. While
/// they run, `j` / `k` are sent every 40 ms and each answer is timed.
fn search_nothing(session: &mut Session, users: u64, results: &mut Results) {
    session.send("/");
    session.settle("the search prompt", |c| c.contains("search:"));
    session.send(NOTHING);
    session.settle("the typed search", |c| c.contains(NOTHING));
    let result = session.arm(shows("0 of ".into()));
    let counted = session.arm(shows("0 of 0".into()));
    let sent = session.send("\r");
    let mut down = true;
    for _ in 0..25 {
        std::thread::sleep(Duration::from_millis(40));
        if session.wait(result, Duration::ZERO).is_some() {
            break;
        }
        let (key, target) = if down { ("j", "row 2 of …") } else { ("k", "row 1 of …") };
        let probe = session.arm(shows(target.into()));
        let key_sent = session.send(key);
        match session.wait(probe, Duration::from_secs(2)) {
            Some(seen) => {
                results.time("key answered during a full-scan search", users, Some(seen - key_sent));
                down = !down;
            }
            // The scan ended first: the rows the key would move through are gone.
            None if session.wait(result, Duration::ZERO).is_some() => break,
            None => results.time("key answered during a full-scan search", users, None),
        }
    }
    let done = session.wait(result, PATIENCE * 3);
    results.time("search matching nothing: empty page shown", users, done.map(|s| s - sent));
    let total = session.wait(counted, PATIENCE * 3);
    results.time("search matching nothing: count 0 shown", users, total.map(|s| s - sent));
}

/// `s` on createdAt (no index: every page is a full scan and a sort), then PageDowns through
/// the sorted rows.
fn sort_unindexed(session: &mut Session, users: u64, page: u64, results: &mut Results) {
    // Columns of `user` as shown: name, email, role, (status, sessions: not selectable), createdAt.
    session.send("0lll");
    std::thread::sleep(Duration::from_millis(100));
    let sorted: Predicate = Box::new(|c| {
        let status = status_line(c);
        status.contains("createdAt ▲") && status.contains("row 1 of") && !status.contains(SPINNER)
    });
    let taken = session.timed("s", sorted, PATIENCE);
    results.time("sort by createdAt (unindexed): first page", users, taken);
    let (hwm, _) = session.memory();
    results.add("VmHWM, after the unindexed sort (MiB)", users, hwm as f64 / 1024.0);
    let mut row = 1;
    for _ in 0..20 {
        let taken = session.page_key(PAGE_DOWN, shows_row(row + page));
        results.time("PageDown sorted by createdAt", users, taken);
        row = resync(session, row + page, taken);
    }
}

fn print_machine() {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1));
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = meminfo.lines().find(|l| l.starts_with("MemTotal")).and_then(|l| l.split(':').nth(1));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("machine: {cores} cores, {}, {} RAM", model.unwrap_or("?").trim(), memory.unwrap_or("?").trim());
    println!("terminal: {COLS}x{ROWS} pty, squall {}", env!("CARGO_BIN_EXE_squall"));
}

fn print_results(results: &Results) {
    let sizes = common::sizes();
    print!("\n| measure |");
    for users in &sizes {
        let label = common::size_label(*users);
        print!(" {label} median | {label} max | {label} over 16 ms |");
    }
    println!();
    println!("|---|{}", "---:|---:|---:|".repeat(sizes.len()));
    let mut names: Vec<&str> = Vec::new();
    for (measure, _, _) in &results.measures {
        if !names.contains(&measure.as_str()) {
            names.push(measure);
        }
    }
    for name in names {
        let memory = name.contains("MiB");
        let unit = if memory { "" } else { " ms" };
        print!("| {name} |");
        for users in &sizes {
            match results.measures.iter().find(|(m, u, _)| m == name && u == users) {
                Some((_, _, values)) => {
                    let mut sorted = values.clone();
                    sorted.sort_by(f64::total_cmp);
                    let mid = sorted.len() / 2;
                    let median = if sorted.len().is_multiple_of(2) {
                        (sorted[mid - 1] + sorted[mid]) / 2.0
                    } else {
                        sorted[mid]
                    };
                    let max = sorted[sorted.len() - 1];
                    let slow = sorted.iter().filter(|v| **v > 16.0).count();
                    let over = if memory { "".to_string() } else { format!("{slow} of {}", sorted.len()) };
                    print!(" {median:.1}{unit} | {max:.1}{unit} | {over} |");
                }
                None => print!(" – | – | |"),
            }
        }
        println!();
    }
    for (measure, users, n) in &results.missing {
        println!(
            "\nmissing: {n} × \"{measure}\" at {} users (the expected screen never came; for a paging key: it moved short)",
            thousands(*users)
        );
    }
}
