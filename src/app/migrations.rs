//! The migrations screen: every migration with its state, its SQL, and applying what is pending
//! after a confirmation that shows exactly what will run.

use ratatui::crossterm::event::KeyEvent;

use crate::migrate::ApplyEvent;
use crate::migrate::drift::Difference;
use crate::migrate::hint::{HintArgs, migrate_command};

use super::confirm::{Confirmation, Confirmed, PreviewLine};
use super::keymap::MigrationKey;
use super::{
    Action, App, DbReply, DbRequest, DbResult, Effect, Level, Load, MigrationsOverview, ReplyError, Waiting, Worker,
};

#[path = "migrations_remote.rs"]
mod remote_apply;

/// State of the migrations screen.
#[derive(Debug, Clone, Default)]
pub struct MigrationsScreen {
    pub overview: Option<Load<Box<MigrationsOverview>>>,
    pub selected: usize,
    pub sql_scroll: u16,
    /// What the last apply did, line by line.
    pub log: Vec<String>,
    /// The outstanding read is the one made at startup: a database without migrations is
    /// normal, so its failure is only shown on the migrations screen.
    pub quiet: bool,
    /// No migrations folder was found: where squall looked, shown as a note on the screen.
    pub missing: Option<String>,
    /// The live schema changed after the drift shown was checked (another writer added a
    /// table): the screen says so until the drift is read again.
    pub schema_changed: bool,
}

impl MigrationsScreen {
    pub fn overview(&self) -> Option<&MigrationsOverview> {
        match &self.overview {
            Some(Load::Loaded(overview)) => Some(overview),
            _ => None,
        }
    }

    /// How `table` differs from the migrations, once the migrations were read.
    pub fn drift_of(&self, table: &str) -> Vec<&Difference> {
        match self.overview().map(|o| &o.drift) {
            Some(Ok(report)) => report.for_table(table).collect(),
            _ => Vec::new(),
        }
    }
}

impl App {
    /// Loads the overview the first time the screen is shown (and after an apply).
    pub(super) fn open_migrations(&mut self) -> Vec<Effect> {
        // A failed read (at startup, quietly) is tried again when the screen is shown.
        // No folder is an answer too: `r` looks again.
        let answered = matches!(self.migrations.overview, Some(Load::Loaded(_))) || self.migrations.missing.is_some();
        if self.pending.awaits(&Waiting::Migrations) || answered {
            return Vec::new();
        }
        self.reload_migrations()
    }

    /// The live schema changed: the drift shown is stale. Locally it is read again at once (on
    /// the background worker, quietly); on a remote it costs requests, so `r` does it.
    pub(super) fn drift_schema_changed(&mut self) -> Vec<Effect> {
        if self.migrations.overview().is_none() {
            return Vec::new();
        }
        self.migrations.schema_changed = true;
        if self.remote.is_some() || self.pending.awaits(&Waiting::Migrations) {
            return Vec::new();
        }
        let effects = self.read_migrations_on(Worker::Background);
        self.migrations.quiet = true;
        effects
    }

    pub(super) fn reload_migrations(&mut self) -> Vec<Effect> {
        self.read_migrations_on(Worker::Foreground)
    }

    /// Reads the migrations and the drift at startup, on the background worker so the first
    /// page is not delayed, so the row detail can say how a table drifted.
    pub(super) fn read_migrations_at_start(&mut self) -> Vec<Effect> {
        let effects = self.read_migrations_on(Worker::Background);
        self.migrations.quiet = true;
        effects
    }

    /// On a remote the startup read of the migrations (the tracker table, the schema again) is
    /// requests before and beside the first page: it is dropped from `effects` and made when the
    /// migrations screen is opened instead.
    pub fn defer_migrations(&mut self, effects: &mut Vec<Effect>) {
        let Some(id) = self.pending.id_of(&Waiting::Migrations) else { return };
        self.pending.forget(&Waiting::Migrations);
        effects.retain(|effect| !matches!(effect, Effect::Request { id: sent, .. } if *sent == id));
        self.migrations.overview = None;
        self.migrations.quiet = false;
    }

    fn read_migrations_on(&mut self, worker: Worker) -> Vec<Effect> {
        let source = self.source.migrations.clone();
        let (_, effect) = self.request(worker, Waiting::Migrations, DbRequest::Migrations { source });
        self.migrations.quiet = false;
        if self.migrations.overview.is_none() {
            self.migrations.overview = Some(Load::Loading);
        }
        vec![effect]
    }

    pub(super) fn migrations_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let screen = &mut self.migrations;
        let count = screen.overview().map_or(0, |o| o.plan.statuses.len());
        let Some(command) = super::keymap::lookup(super::keymap::MIGRATION_KEYS, &key) else {
            return match super::keymap::screen_action(&key) {
                Some(action) => self.update(action),
                None => Vec::new(),
            };
        };
        match command {
            MigrationKey::Select(delta) => {
                let at = (screen.selected as i64 + delta).clamp(0, count.saturating_sub(1) as i64);
                screen.selected = at as usize;
                screen.sql_scroll = 0;
            }
            MigrationKey::ScrollSql(delta) => {
                screen.sql_scroll = (i64::from(screen.sql_scroll) + delta).clamp(0, i64::from(u16::MAX)) as u16;
            }
            MigrationKey::Apply => return self.ask_apply(),
            MigrationKey::Reread => return self.reload_migrations(),
        }
        Vec::new()
    }

    fn ask_apply(&mut self) -> Vec<Effect> {
        if let Some(remote) = &self.remote
            && self.source.read_only.is_some()
        {
            let message = format!("D1 {} is read-only: restart with --remote --write to apply migrations", remote.name);
            self.say(Level::Error, message);
            return Vec::new();
        }
        if let Some(reason) = self.source.read_only {
            self.say(
                Level::Error,
                format!("cannot apply migrations: the database is read-only ({})", reason.describe()),
            );
            return Vec::new();
        }
        let Some(overview) = self.migrations.overview() else { return Vec::new() };
        if overview.plan.to_apply.is_empty() {
            self.say(Level::Info, "nothing is pending");
            return Vec::new();
        }
        if !overview.plan.problems.is_empty() {
            let message = crate::migrate::apply::describe_problems(&overview.plan.problems);
            let source = &self.source.migrations;
            let remote = self.remote.is_some();
            let hint = HintArgs {
                // A remote has no file: the command names it with --remote (and --d1).
                db: (!remote).then_some(source.db_path.as_path()),
                migrations: source.migrations_dir.as_deref(),
                d1: source.d1.as_deref(),
                tracker: None,
            };
            let extra: &[&str] = if remote { &["--remote", "--write", "--force"] } else { &["--force"] };
            let command = migrate_command("apply", extra, &hint);
            self.say(Level::Error, message.replace("pass --force", &format!("run `{command}`")));
            return Vec::new();
        }
        if !overview.plan.refused.is_empty() {
            let message = crate::migrate::apply::describe_refused(&overview.plan.refused);
            self.migrations.log = message.lines().map(str::to_string).collect();
            self.say(Level::Error, "a migration controls transactions itself: see the migrations screen");
            return Vec::new();
        }
        let confirmation = match &self.remote {
            Some(remote) => remote_apply::remote_apply_confirmation(overview, &remote.name, &self.source.path),
            None => apply_confirmation(overview),
        };
        self.ask(confirmation);
        Vec::new()
    }

    pub(super) fn start_apply(&mut self) -> Vec<Effect> {
        let source = self.source.migrations.clone();
        let (_, effect) =
            self.request(Worker::Foreground, Waiting::ApplyMigrations, DbRequest::ApplyMigrations { source });
        let first =
            if self.remote.is_some() { "taking a time-travel bookmark…" } else { "backing up the database…" };
        self.migrations.log = vec![first.into()];
        vec![effect]
    }

    pub(super) fn on_migrations_reply(&mut self, waiting: Waiting, reply: DbReply) -> Vec<Effect> {
        if waiting == Waiting::Migrations {
            let screen = &mut self.migrations;
            match reply.result {
                Ok(DbResult::Migrations(overview)) => {
                    screen.selected = screen.selected.min(overview.plan.statuses.len().saturating_sub(1));
                    screen.overview = Some(Load::Loaded(overview));
                    screen.missing = None;
                    screen.schema_changed = false;
                }
                Ok(DbResult::NoMigrationsFolder(looked)) => {
                    screen.overview = None;
                    screen.missing = Some(looked);
                    screen.quiet = false;
                }
                Ok(_) => {}
                Err(ReplyError { message, .. }) => {
                    if !std::mem::take(&mut self.migrations.quiet) {
                        self.say(Level::Error, format!("reading migrations failed: {message}"));
                    }
                    // Keep what was shown before, if anything.
                    if !matches!(self.migrations.overview, Some(Load::Loaded(_))) {
                        self.migrations.overview = Some(Load::Failed(message));
                    }
                }
            }
            return Vec::new();
        }
        match reply.result {
            Ok(DbResult::ApplyProgress(event)) => {
                let line = match event {
                    ApplyEvent::BackedUp { path } => format!("backup written to {}", path.display()),
                    ApplyEvent::Started { name, position, total, statements } => {
                        format!("[{position}/{total}] applying {name} ({statements} statements)…")
                    }
                    ApplyEvent::Applied { name, position, total } => format!("[{position}/{total}] applied {name}"),
                    ApplyEvent::Bookmarked { name, bookmark } => {
                        format!("      time-travel bookmark before {name}: {bookmark}")
                    }
                };
                self.say(Level::Info, line.clone());
                self.migrations.log.push(line);
                Vec::new()
            }
            Ok(DbResult::Applied(report)) => {
                let line = format!(
                    "applied {} with the {} tracker",
                    crate::present::plural(report.applied.len() as u64, "migration"),
                    report.tracker.label()
                );
                self.migrations.log.push(line.clone());
                match &report.undo {
                    Some(undo) => {
                        let restore = crate::db::backend::d1::restore_point(undo);
                        self.say(Level::Info, format!("{line} · {restore}"));
                        self.migrations.log.push(restore);
                    }
                    None => self.say(Level::Info, line),
                }
                let mut effects = self.reload_migrations();
                effects.extend(self.reload_schema());
                effects
            }
            Ok(_) => Vec::new(),
            Err(ReplyError { message, .. }) => {
                self.say(Level::Error, "a migration failed: see the migrations screen");
                self.migrations.log.extend(message.lines().map(str::to_string));
                // Earlier migrations of the run stay applied, so the schema may have changed.
                let mut effects = self.reload_migrations();
                effects.extend(self.reload_schema());
                effects
            }
        }
    }

    /// After DDL: every tab forgets its columns and rows (they are read again when shown), and
    /// the table list is read again.
    pub(super) fn reload_schema(&mut self) -> Vec<Effect> {
        for tab in &mut self.tabs {
            *tab = super::tab::TableTab::new(tab.name.clone(), tab.relation);
        }
        self.request_tables()
    }

    /// Actions the migrations screen understands besides its own keys.
    pub(super) fn update_migrations(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Refresh => self.reload_migrations(),
            _ => Vec::new(),
        }
    }
}

/// What applying the pending migrations will do, statement by statement, as the confirmation
/// shows it.
fn apply_confirmation(overview: &MigrationsOverview) -> Confirmation {
    let mut preview = vec![
        PreviewLine::Heading(format!(
            "Apply {} with the {} tracker?",
            crate::present::plural(overview.plan.to_apply.len() as u64, "migration"),
            overview.plan.tracker.kind.label()
        )),
        PreviewLine::Note("The database is backed up first (SQLite backup API, into squall's data folder).".into()),
        PreviewLine::Note(
            "Each migration runs in its own transaction with its tracker row; the first failure stops.".into(),
        ),
        PreviewLine::Blank,
    ];
    for planned in &overview.plan.to_apply {
        preview.push(PreviewLine::Item(format!("▸ {} ({} statements)", planned.name, planned.statements.len())));
        preview.extend(planned.statements.iter().map(|statement| PreviewLine::Sql(statement.clone())));
        preview.push(PreviewLine::Sql(planned.tracker_sql.clone()));
    }
    Confirmation {
        title: "apply migrations".into(),
        preview,
        scroll: 0,
        on_yes: Confirmed::ApplyMigrations,
        waiting: false,
        answer: None,
    }
}

#[cfg(test)]
#[path = "tests_migrations_remote.rs"]
mod tests_remote;
