//! `squall export user --format csv` against `sqlite3 -readonly -csv -header db 'select * from
//! "user"'` on the demo databases: wall time and peak RSS of each process (`/usr/bin/time -v`),
//! output to /dev/null, several fresh processes each, alternating. Checks once that both print
//! the same bytes. Needs the sqlite3 CLI and GNU time.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{demo_database, size_label, sizes};

/// One process's wall time (seconds) and peak resident set (KiB), as GNU time reports them.
fn measure(program: &str, args: &[&str]) -> (f64, u64) {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("running /usr/bin/time (GNU time) failed");
    assert!(out.status.success(), "{program} failed: {}", String::from_utf8_lossy(&out.stderr));
    let report = String::from_utf8_lossy(&out.stderr);
    let field = |name: &str| report.lines().find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string()));
    let wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss):").map_or(f64::NAN, |v| {
        v.split(':').fold(0.0, |total, part| total * 60.0 + part.parse::<f64>().unwrap_or(f64::NAN))
    });
    let rss = field("Maximum resident set size (kbytes):").and_then(|v| v.parse().ok()).unwrap_or(0);
    (wall, rss)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn same_output(db: &Path, squall: &str) -> bool {
    let db = db.to_string_lossy();
    let sqlite = Command::new("sqlite3").args(["-readonly", "-csv", "-header", &db, "select * from \"user\""]).output();
    let ours =
        Command::new(squall).args(["export", "user", "--format", "csv", "--include-secrets", "--db", &db]).output();
    matches!((sqlite, ours), (Ok(a), Ok(b)) if a.status.success() && b.status.success() && a.stdout == b.stdout)
}

fn main() {
    let runs: usize = std::env::var("SQUALL_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let squall = env!("CARGO_BIN_EXE_squall");
    for users in sizes() {
        let db = demo_database(users);
        let path = db.to_string_lossy().to_string();
        let label = size_label(users);
        println!("{label}: identical CSV bytes: {}", same_output(&db, squall));
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            theirs.push(measure("sqlite3", &["-readonly", "-csv", "-header", &path, "select * from \"user\""]));
            ours.push(measure(squall, &["export", "user", "--format", "csv", "--db", &path]));
        }
        let report = |name: &str, samples: &[(f64, u64)]| {
            let wall = median(samples.iter().map(|s| s.0).collect());
            let rss = samples.iter().map(|s| s.1).max().unwrap_or(0);
            println!(
                "{label}: {name:<32} median {wall:.2} s (min {:.2}, max {:.2}), peak RSS {:.1} MiB",
                samples.iter().map(|s| s.0).fold(f64::INFINITY, f64::min),
                samples.iter().map(|s| s.0).fold(0.0, f64::max),
                rss as f64 / 1024.0
            );
            wall
        };
        let sqlite_wall = report("sqlite3 -readonly -csv -header", &theirs);
        let squall_wall = report("squall export user --format csv", &ours);
        println!("{label}: squall / sqlite3 = {:.2}x (target ≤ 1.5x)", squall_wall / sqlite_wall);
    }
}
