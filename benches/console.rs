//! The SQL console in a pseudo-terminal (release binary), on the demo database of
//! `SQUALL_BENCH_USERS` users (default 1,000,000): `select * from "user"` run with F5, timed to
//! the first rows on screen, then `G` timed to the last row on screen; peak memory (VmHWM) after.
//! The baselines: the sqlite3 CLI's first output line for the same statement (process start
//! included), and rusqlite stepping the whole result without reading a value.
//!
//! `cargo bench --bench console` (see BENCHMARKS.md). `SQUALL_BENCH_RUNS` fresh processes (default 3).

#[allow(dead_code)]
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 160;
const SQL: &str = "select * from \"user\"";
const PATIENCE: Duration = Duration::from_secs(60);

struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    pid: u32,
}

impl Session {
    fn start(db: &Path) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_squall"));
        cmd.arg(db);
        cmd.cwd(common::bench_dir());
        // A data directory of its own: the history of these runs stays out of the user's.
        let data = common::bench_dir().join("squall-console-data");
        let _ = std::fs::remove_dir_all(&data);
        cmd.env("SQUALL_DATA_DIR", data);
        cmd.env("TERM", "xterm-256color");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let feed = Arc::clone(&parser);
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap_or_else(|p| p.into_inner()).process(&buf[..n]);
            }
        });
        let child = pty.slave.spawn_command(cmd).expect("spawn squall");
        drop(pty.slave);
        std::mem::forget(pty.master);
        let pid = child.process_id().expect("pid");
        Session { parser, writer, child, pid }
    }

    fn contents(&self) -> String {
        self.parser.lock().unwrap_or_else(|p| p.into_inner()).screen().contents()
    }

    fn send(&mut self, keys: &str) -> Instant {
        let sent = Instant::now();
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
        sent
    }

    /// Polls the screen every 200 µs until `predicate` holds; the time since `from`.
    fn until(&self, from: Instant, what: &str, predicate: impl Fn(&str) -> bool) -> Duration {
        loop {
            if predicate(&self.contents()) {
                return from.elapsed();
            }
            if from.elapsed() > PATIENCE {
                panic!("timed out waiting for {what}; the screen was:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    fn peak_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    fn quit(mut self) {
        self.send("\u{3}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The sqlite3 CLI from process start to its first output line.
fn sqlite3_first_line(db: &Path) -> Duration {
    let started = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg(db)
        .arg(SQL)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run sqlite3");
    let mut first = String::new();
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    out.read_line(&mut first).expect("read sqlite3");
    let taken = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    taken
}

/// rusqlite stepping every row of the result, reading no value: SQLite's own cost.
fn step_whole_result(db: &Path) -> (Duration, u64) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let started = Instant::now();
    let mut stmt = conn.prepare(SQL).expect("prepare");
    let mut rows = stmt.query([]).expect("query");
    let mut n = 0u64;
    while rows.next().expect("step").is_some() {
        n += 1;
    }
    (started.elapsed(), n)
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let users: u64 = std::env::var("SQUALL_BENCH_USERS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let runs: usize = std::env::var("SQUALL_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let db = common::demo_database(users);
    let (mut first, mut end, mut peaks, mut cli, mut steps) = (vec![], vec![], vec![], vec![], vec![]);
    let last = format!("{} rows", thousands(users));
    for _ in 0..runs {
        let mut session = Session::start(&db);
        session.until(Instant::now(), "the first frame", |s| s.contains("› SQL"));
        std::thread::sleep(Duration::from_millis(500));
        // `:` opens the console from the user table.
        session.send(":");
        session.until(Instant::now(), "the console", |s| s.contains("F5 run"));
        session.send(SQL);
        session.until(Instant::now(), "the typed statement", |s| s.contains(SQL));
        let sent = session.send("\u{1b}[15~");
        first.push(session.until(sent, "the first rows", |s| s.contains("row 1 ·")));
        session.send("\u{1b}");
        std::thread::sleep(Duration::from_millis(100));
        let sent = session.send("G");
        end.push(session.until(sent, "the last row", |s| s.contains(&last) && s.contains("to the end")));
        peaks.push(session.peak_kib());
        session.quit();
        cli.push(sqlite3_first_line(&db));
        let (taken, n) = step_whole_result(&db);
        assert_eq!(n, users);
        steps.push(taken);
    }
    println!("console on {} users, {runs} runs (median):", thousands(users));
    println!("  F5 to first rows on screen:        {}", ms(median(first)));
    println!("  sqlite3 CLI start to first line:   {}", ms(median(cli)));
    println!("  G to the last row on screen:       {}", ms(median(end)));
    println!("  rusqlite stepping the whole result: {}", ms(median(steps)));
    println!("  peak RSS after G:                  {} MiB", peaks.iter().max().copied().unwrap_or(0) / 1024);
}
