//! What both benchmarks share: where their data lives, which sizes they run, and the demo
//! databases they run on (made once by the real `squall demo --users N`, then reused).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// Demo sizes run when `SQUALL_BENCH_SIZES` does not say otherwise.
const DEFAULT_SIZES: [u64; 2] = [10_000, 1_000_000];

/// Where the databases (and criterion's reports) are kept between runs:
/// `SQUALL_BENCH_DIR`, else `target/bench-data` in the repository.
pub fn bench_dir() -> PathBuf {
    std::env::var_os("SQUALL_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data"))
}

/// User counts to run: `SQUALL_BENCH_SIZES=10000,1000000,10000000`, else 10k and 1M.
pub fn sizes() -> Vec<u64> {
    match std::env::var("SQUALL_BENCH_SIZES") {
        Ok(list) => list.split(',').filter_map(|s| s.trim().replace('_', "").parse().ok()).collect(),
        Err(_) => DEFAULT_SIZES.to_vec(),
    }
}

/// The demo database with `users` users, created with the real binary on first use.
/// `squall demo` writes beside the target and renames at the end, so an interrupted run never
/// leaves a half-made file that a later run would reuse.
pub fn demo_database(users: u64) -> PathBuf {
    let dir = bench_dir();
    let path = dir.join(format!("users-{users}.db"));
    if path.is_file() {
        return path;
    }
    eprintln!("creating {} (once; later runs reuse it)…", path.display());
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_squall"))
        .args(["demo", "--users", &users.to_string(), "--out"])
        .arg(&path)
        .env("SQUALL_DATA_DIR", dir.join("squall-data"))
        .status();
    match status {
        Ok(status) if status.success() => {
            eprintln!("created {} in {:.1} s", path.display(), started.elapsed().as_secs_f64())
        }
        other => panic!("`squall demo --users {users}` failed: {other:?}"),
    }
    path
}

/// `10k`, `1M`: short labels for report tables.
pub fn size_label(users: u64) -> String {
    match users {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}
