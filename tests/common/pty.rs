//! The real binary in a pseudo-terminal, with a terminal emulator fed the same bytes. Every wait
//! has a deadline, and dropping a session kills a child that is still running, so a broken build
//! fails its test instead of hanging the suite or leaving squall running.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};

pub const ROWS: u16 = 30;
pub const COLS: u16 = 120;

/// How long dropping a session waits for a killed child to be reaped.
const REAP_WAIT: Duration = Duration::from_secs(5);

pub struct Session {
    output: Arc<Mutex<Vec<u8>>>,
    /// A terminal emulator fed with the same bytes: the screen as a person would see it.
    screen: Arc<Mutex<vt100::Parser>>,
    /// Set when the reader has seen the end of the output (the child and its terminal are gone).
    drained: Arc<AtomicBool>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
}

impl Session {
    /// `squall <args>` in `cwd`, with its data directory at `data`.
    pub fn start(args: &[&str], cwd: &Path, data: &Path) -> Session {
        Session::start_with(args, cwd, &[("SQUALL_DATA_DIR", data.as_os_str())])
    }

    /// `squall <args>` in `cwd` with these environment variables set.
    pub fn start_with(args: &[&str], cwd: &Path, env: &[(&str, &std::ffi::OsStr)]) -> Session {
        let pair =
            native_pty_system().openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 }).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_squall"));
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        // The clipboard check must not depend on the terminal the tests run in.
        for var in ["TMUX", "VTE_VERSION", "TERM_PROGRAM"] {
            cmd.env_remove(var);
        }
        for (name, value) in env {
            cmd.env(name, value);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let output = Arc::new(Mutex::new(Vec::new()));
        let screen = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let drained = Arc::new(AtomicBool::new(false));
        let (sink, emulator, done) = (Arc::clone(&output), Arc::clone(&screen), Arc::clone(&drained));
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
                emulator.lock().unwrap().process(&buf[..n]);
            }
            done.store(true, Ordering::SeqCst);
        });
        Session { output, screen, drained, writer, child, master: pair.master }
    }

    /// Everything the child wrote, escape sequences included.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// The screen's text now.
    pub fn screen(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `needle`; panics with the screen if it does not.
    pub fn wait_for(&self, needle: &str, timeout: Duration) {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if self.screen().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("timed out waiting for {needle:?}; the screen was:\n{}", self.screen());
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits for the child to exit, then (briefly) for the last of its output. Kills it and
    /// panics when it does not exit in time.
    pub fn wait_exit(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Some(status) = self.child.try_wait().unwrap() {
                let drain_start = Instant::now();
                while !self.drained.load(Ordering::SeqCst) && drain_start.elapsed() < Duration::from_secs(5) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("squall did not exit; output was:\n{}", self.text());
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("the child has a pid")
    }

    /// Sends `signal` (`TERM`, `HUP`, `INT`) to the child with kill(1).
    pub fn signal(&self, signal: &str) {
        let pid = self.pid().to_string();
        let status = std::process::Command::new("kill").args(["-s", signal, &pid]).status().unwrap();
        assert!(status.success(), "kill -s {signal} {pid}");
    }

    /// The terminal's local modes now: (canonical input, echo, signals from keys). A restored
    /// terminal has all three on; raw mode turns them off.
    #[cfg(unix)]
    pub fn local_modes(&self) -> (bool, bool, bool) {
        let fd = self.master.as_raw_fd().expect("a unix pty");
        // SAFETY: tcgetattr only writes into the zeroed struct we own.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut termios) }, 0, "tcgetattr on the pty");
        let on = |flag: libc::tcflag_t| termios.c_lflag & flag != 0;
        (on(libc::ICANON), on(libc::ECHO), on(libc::ISIG))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let start = Instant::now();
            while start.elapsed() < REAP_WAIT {
                if !matches!(self.child.try_wait(), Ok(None)) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}
