//! Renders squall's screens from the real code into SVG pictures for the README:
//! `cargo run --example screenshots -- assets` (see scripts/screenshots.sh).
//!
//! A fresh demo database is made in a temporary folder; the app is driven with the same
//! actions keys become, its requests answered by the worker's own handler, and each screen is
//! drawn by `squall::ui::draw` on ratatui's TestBackend, then written cell by cell as SVG.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use rusqlite::Connection;
use squall::app::{Action, App, AuditTarget, DbReply, Effect, MigrationsSource, Source};
use squall::db::value::DisplayContext;

const WIDTH: u16 = 150;
const HEIGHT: u16 = 36;
const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;

fn main() -> Result<()> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "assets".into()));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let dir = tempfile_dir()?;
    let db_path = dir.join("demo.sqlite");
    squall::demo::create_demo(squall::demo::DemoInput {
        path: &db_path,
        users: 2_000,
        force: true,
        progress: &mut |_| {},
    })?;
    let mut conn = Connection::open(&db_path)?;
    let source = Source {
        path: "demo.sqlite".into(),
        name: None,
        reason: "the demo database".into(),
        read_only: None,
        migrations: MigrationsSource {
            db_path: db_path.clone(),
            cwd: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            d1: None,
            backup_dir: dir.join("backups"),
            migrations_dir: None,
            audit_file: dir.join("audit.jsonl"),
        },
        audit: AuditTarget { file: dir.join("audit.jsonl"), database: db_path.clone() },
    };
    let (mut app, effects) = App::new(source, WIDTH, HEIGHT, DisplayContext::local());
    settle(&mut app, &mut conn, effects);

    save(&app, &out.join("users.svg"))?;
    // A banned user's action menu.
    let banned: i64 = conn.query_row(
        "SELECT COUNT(*) FROM user WHERE rowid < (SELECT MIN(rowid) FROM user WHERE banned = 1)",
        [],
        |r| r.get(0),
    )?;
    let effects = app.update(Action::MoveRows { delta: banned });
    settle(&mut app, &mut conn, effects);
    press(&mut app, &mut conn, KeyCode::Char('A'));
    save(&app, &out.join("user-action.svg"))?;
    press(&mut app, &mut conn, KeyCode::Esc);
    // The search, highlighted.
    press(&mut app, &mut conn, KeyCode::Char('/'));
    for c in "hoff".chars() {
        press(&mut app, &mut conn, KeyCode::Char(c));
    }
    press(&mut app, &mut conn, KeyCode::Enter);
    save(&app, &out.join("search.svg"))?;
    // The ER diagram and the migrations tab: the tabs after the tables.
    let tables = app.tabs.len();
    let effects = app.update(Action::SelectTab { index: tables });
    settle(&mut app, &mut conn, effects);
    save(&app, &out.join("er.svg"))?;
    let effects = app.update(Action::SelectTab { index: tables + 1 });
    settle(&mut app, &mut conn, effects);
    save(&app, &out.join("migrations.svg"))?;
    let _ = std::fs::remove_dir_all(&dir);
    println!("wrote {}", out.display());
    Ok(())
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("squall-screenshots-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn press(app: &mut App, conn: &mut Connection, code: KeyCode) {
    let effects = app.update(Action::Key { key: KeyEvent::new(code, KeyModifiers::NONE) });
    settle(app, conn, effects);
}

/// Answers every request the way the worker threads do, until the app asks for nothing more.
fn settle(app: &mut App, conn: &mut Connection, mut effects: Vec<Effect>) {
    while !effects.is_empty() {
        let mut next = Vec::new();
        for effect in effects {
            if let Effect::Request { id, request, .. } = effect {
                let mut partials = Vec::new();
                let result = squall::service::handle_on(conn, *request, &mut |r| partials.push(r));
                for partial in partials {
                    next.extend(app.update(Action::Reply { reply: DbReply { id, result: Ok(partial) } }));
                }
                next.extend(app.update(Action::Reply { reply: DbReply { id, result } }));
            }
        }
        effects = next;
    }
}

fn save(app: &App, path: &Path) -> Result<()> {
    let mut terminal = Terminal::new(TestBackend::new(app.width, app.height))?;
    terminal.draw(|frame| squall::ui::draw(frame, app))?;
    std::fs::write(path, svg(terminal.backend().buffer())).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The buffer as SVG: a background rectangle per run of cells, then the text of each run.
fn svg(buffer: &Buffer) -> String {
    let (w, h) = (buffer.area.width, buffer.area.height);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{:.0}" height="{:.0}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14px">"#,
        f32::from(w) * CELL_W,
        f32::from(h) * CELL_H
    );
    let _ = write!(out, r##"<rect width="100%" height="100%" fill="#1e2127"/>"##);
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let cell = &buffer[(x, y)];
            let (fg, bg, mods) = (cell.fg, cell.bg, cell.modifier);
            let start = x;
            let mut text = String::new();
            while x < w && buffer[(x, y)].fg == fg && buffer[(x, y)].bg == bg && buffer[(x, y)].modifier == mods {
                text.push_str(buffer[(x, y)].symbol());
                x += 1;
            }
            let (fg, bg) = if mods.contains(Modifier::REVERSED) { (bg, fg) } else { (fg, bg) };
            let px = f32::from(start) * CELL_W;
            let py = f32::from(y) * CELL_H;
            if let Some(fill) = color(bg, false) {
                let width = f32::from(x - start) * CELL_W;
                let _ = write!(
                    out,
                    r#"<rect x="{px:.1}" y="{py:.1}" width="{width:.1}" height="{CELL_H}" fill="{fill}"/>"#
                );
            }
            if text.trim().is_empty() {
                continue;
            }
            let weight = if mods.contains(Modifier::BOLD) { r#" font-weight="bold""# } else { "" };
            let style = if mods.contains(Modifier::ITALIC) { r#" font-style="italic""# } else { "" };
            let fill = color(fg, true).unwrap_or_else(|| "#d7dae0".into());
            let _ = write!(
                out,
                r#"<text x="{px:.1}" y="{:.1}" fill="{fill}"{weight}{style} xml:space="preserve" textLength="{:.1}" lengthAdjust="spacingAndGlyphs">{}</text>"#,
                py + CELL_H * 0.78,
                f32::from(x - start) * CELL_W,
                escape(&text)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A terminal colour in the One Dark-like palette the pictures use; `None` for the default.
fn color(color: Color, foreground: bool) -> Option<String> {
    let named = match color {
        Color::Reset if foreground => "#d7dae0",
        Color::Reset => return None,
        Color::Rgb(r, g, b) => return Some(format!("#{r:02x}{g:02x}{b:02x}")),
        Color::Indexed(i) => return indexed(i).and_then(|c| self::color(c, foreground)),
        Color::Black => "#1e2127",
        Color::Red => "#e06c75",
        Color::Green => "#98c379",
        Color::Yellow => "#e5c07b",
        Color::Blue => "#61afef",
        Color::Magenta => "#c678dd",
        Color::Cyan => "#56b6c2",
        Color::Gray => "#abb2bf",
        Color::DarkGray => "#5c6370",
        Color::LightRed => "#ff7b86",
        Color::LightGreen => "#b5e890",
        Color::LightYellow => "#ffd68a",
        Color::LightBlue => "#8cc8ff",
        Color::LightMagenta => "#e099ff",
        Color::LightCyan => "#7fdbe6",
        Color::White => "#ffffff",
    };
    Some(named.to_string())
}

/// The 16 basic colours by their index (the theme's `Color::Indexed` uses only these).
fn indexed(i: u8) -> Option<Color> {
    const BASIC: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    BASIC.get(usize::from(i)).copied()
}
