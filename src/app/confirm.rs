//! A confirmation as a value: the preview of exactly what will run (scrollable, however long)
//! and the action to run on yes. One overlay and one keymap serve every confirmation that
//! moves here; applying migrations is the first.

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

use super::keymap::{Binding, When, hint, hint_if, key, lookup};
use super::{App, Effect, Level, Overlay};

/// What runs when the user says yes.
#[derive(Debug, Clone, PartialEq)]
pub enum Confirmed {
    /// Apply the pending migrations the preview listed.
    ApplyMigrations,
    /// Commit everything staged, stamped with the `now` its preview was made with.
    Commit { now: chrono::DateTime<chrono::Utc> },
    /// Quit, discarding what is staged.
    Quit,
    /// Stage these deletes; the cascade and the owners' labels are what the preview says of them.
    StageDelete {
        changes: Vec<super::StagedEdit>,
        cascade: Option<crate::db::edit::CascadePreview>,
        owners: Vec<Option<String>>,
    },
    /// Run a user action (ban, role, removal…): the plan its preview was made with, with that
    /// preview's clock, ids and salt, runs unchanged (nothing is planned again on yes).
    UserAction { action: crate::db::users::UserAction, preview: super::Load<Box<crate::db::users::ActionPreview>> },
    /// Run the console's statement that changes data (result `result`); no skips it and the
    /// batch goes on, Esc stops the batch ([`WRITE_KEYS`]).
    ConsoleWrite { result: usize },
}

impl Confirmed {
    /// The word on the yes key (`y apply`).
    pub fn verb(&self) -> &'static str {
        match self {
            Confirmed::ApplyMigrations => "apply",
            Confirmed::Commit { .. } => "commit",
            Confirmed::Quit => "quit and discard",
            Confirmed::StageDelete { .. } => "stage the delete",
            Confirmed::UserAction { .. } => "run",
            Confirmed::ConsoleWrite { .. } => "run it",
        }
    }

    /// What n / Esc does, said the same on the popup's frame and on the hint line: a commit
    /// review goes back (the changes stay staged), a quit question stays.
    pub fn no_word(&self) -> &'static str {
        match self {
            Confirmed::Commit { .. } => "back",
            Confirmed::Quit => "stay",
            _ => "cancel",
        }
    }

    /// What the status line says on no.
    fn declined(&self) -> &'static str {
        match self {
            Confirmed::ApplyMigrations => "nothing applied",
            Confirmed::Commit { .. } => "changes kept staged",
            Confirmed::Quit => "not quitting: Ctrl-S commits, u undoes",
            Confirmed::StageDelete { .. } => "nothing deleted",
            Confirmed::UserAction { .. } => "nothing was changed",
            Confirmed::ConsoleWrite { .. } => "not run; nothing was written",
        }
    }
}

/// The answer to a write's confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmAnswer {
    /// `y`: run it.
    Run,
    /// `n`: skip it, run the statements after it.
    Skip,
    /// Esc: skip it and the rest of the batch.
    Stop,
}

/// One line of a preview, by what it is (the screen styles each kind).
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewLine {
    /// The question.
    Heading(String),
    /// What happens around the change (backups, transactions).
    Note(String),
    /// One unit of the change (a migration, a statement group).
    Item(String),
    /// A statement exactly as it runs, possibly over several lines.
    Sql(String),
    /// Why the change will fail as it stands (a unique clash the review found).
    Problem(String),
    Blank,
}

impl PreviewLine {
    /// Rows it takes on screen, wrapped at `width` (a statement is shown whole, indented).
    fn rows(&self, width: u16) -> usize {
        let width = usize::from(width.max(1));
        // A row of slack per wrapped line: words wrap before the edge, not at it.
        let wrapped = |text: &str| {
            let cells = usize::from(super::layout::text_width(text));
            cells.div_ceil(width).max(1) + usize::from(cells > width)
        };
        match self {
            PreviewLine::Sql(sql) => sql.lines().map(|line| wrapped(&format!("    {line}"))).sum::<usize>().max(1),
            PreviewLine::Heading(text)
            | PreviewLine::Note(text)
            | PreviewLine::Item(text)
            | PreviewLine::Problem(text) => wrapped(text),
            PreviewLine::Blank => 1,
        }
    }
}

/// The confirmation on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmation {
    pub title: String,
    pub preview: Vec<PreviewLine>,
    pub scroll: u16,
    pub on_yes: Confirmed,
    /// The preview is still being made: yes waits for it (what is not shown does not run).
    pub waiting: bool,
    /// What must be typed before yes counts (a large delete's row count); then `y` and `n` are
    /// typed, Enter is yes and Esc no.
    pub answer: Option<TypedAnswer>,
}

/// An answer the user types to confirm, when one key is too little for what runs.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedAnswer {
    /// What must be typed, exactly.
    pub wanted: String,
    /// What has been typed.
    pub typed: String,
    /// What it confirms, for the refusal (`type 12 to confirm deleting that many rows`).
    pub what: &'static str,
    /// Why the last Enter did not go on, until the next key.
    pub refused: Option<String>,
    /// For an answer that is a name (a user's email): what typing it does (`remove them`); the
    /// refusal then quotes what was typed, as a near miss is easy to overlook in a long email.
    pub named: Option<&'static str>,
}

impl TypedAnswer {
    pub fn new(wanted: String, what: &'static str) -> TypedAnswer {
        TypedAnswer { wanted, typed: String::new(), what, refused: None, named: None }
    }

    /// An answer that is a name: `Type a@b.c to remove them: `, refused with what was typed.
    pub fn name(wanted: String, to: &'static str, what: &'static str) -> TypedAnswer {
        TypedAnswer { named: Some(to), ..TypedAnswer::new(wanted, what) }
    }

    /// `Type 12 to confirm: `, shown before what is typed.
    pub fn prompt(&self) -> String {
        format!("Type {} to {}: ", self.wanted, self.named.unwrap_or("confirm"))
    }

    /// Why what is typed does not confirm.
    fn refusal(&self) -> String {
        let (wanted, typed) = (&self.wanted, self.typed.trim());
        match self.named {
            None => format!("type {wanted} to confirm {}", self.what),
            Some(_) if typed.is_empty() => format!("nothing typed: type {wanted} exactly to {}", self.what),
            Some(_) => format!("{typed:?} does not match {wanted}: type it exactly to {}", self.what),
        }
    }

    /// Types `key` into the answer (Backspace erases, Ctrl-u clears).
    fn type_key(&mut self, key: KeyEvent) {
        use ratatui::crossterm::event::KeyModifiers;
        self.refused = None;
        match key.code {
            KeyCode::Backspace => {
                self.typed.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => self.typed.clear(),
            KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                self.typed.push(c)
            }
            _ => {}
        }
    }
}

impl Confirmation {
    /// Rows the preview takes on screen, wrapped at the popup's inner width (the typed answer's
    /// rows included, under the question).
    pub fn height(&self, app: &App) -> usize {
        let inner = Self::width(app).saturating_sub(2);
        let answer = self.answer.as_ref().map_or(0, |a| 1 + usize::from(a.refused.is_some()));
        self.preview.iter().map(|line| line.rows(inner)).sum::<usize>() + answer
    }

    fn width(app: &App) -> u16 {
        app.width.saturating_sub(8)
    }

    /// Where the popup goes: below the tab bar, as tall as its preview up to the screen. The
    /// keys and the screen share it, so scrolling stops where the last line reaches the bottom.
    pub fn popup(&self, app: &App) -> Rect {
        let screen = super::layout::areas(app);
        let area = screen.header.union(screen.grid);
        let width = Self::width(app).min(area.width);
        let lines = u16::try_from(self.height(app)).unwrap_or(u16::MAX);
        let height = lines.saturating_add(2).min(area.height.saturating_sub(2));
        Rect::new(area.x + (area.width - width) / 2, area.y + 1, width, height)
    }

    /// The last scroll position: the preview's last line at the popup's bottom.
    pub fn last_scroll(&self, app: &App) -> u16 {
        let visible = usize::from(self.popup(app).height.saturating_sub(2));
        u16::try_from(self.height(app).saturating_sub(visible)).unwrap_or(u16::MAX)
    }
}

/// What a key does in a confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmKey {
    Yes,
    No,
    /// Skip this one and go on (the console's batch): a third answer beside yes and no.
    Skip,
    /// Scroll the preview this many lines.
    Scroll(i32),
}

/// What a key did to a confirmation.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Answered {
    /// Yes: run this.
    Yes(Confirmed),
    No,
    /// Skip this one, go on with the rest.
    Skip,
    /// Yes was refused: what is typed does not match (the answer says why too).
    Refused(String),
    /// Nothing decided yet (scrolled, typed, or a key that does nothing).
    Open,
}

impl Confirmation {
    /// Answers `key`; a scroll stops at `last`.
    pub(super) fn key(&mut self, key: KeyEvent, last: u16) -> Answered {
        let keys = match (&self.answer, &self.on_yes) {
            (Some(_), _) => TYPED_CONFIRM_KEYS,
            (None, Confirmed::ConsoleWrite { .. }) => WRITE_KEYS,
            (None, _) => CONFIRM_KEYS,
        };
        match lookup(keys, &key) {
            // Yes is to what is shown: while it is still being prepared, say so (a `y` typed
            // ahead was silently dropped, and the user waited for a commit that never ran).
            Some(ConfirmKey::Yes) if self.waiting => {
                return Answered::Refused("still preparing what will run: y once it shows".into());
            }
            Some(ConfirmKey::Yes)
                if let Some(answer) = &mut self.answer
                    && answer.typed.trim() != answer.wanted =>
            {
                let message = answer.refusal();
                answer.refused = Some(message.clone());
                return Answered::Refused(message);
            }
            Some(ConfirmKey::Yes) => return Answered::Yes(self.on_yes.clone()),
            Some(ConfirmKey::No) => return Answered::No,
            Some(ConfirmKey::Skip) => return Answered::Skip,
            Some(ConfirmKey::Scroll(lines)) => {
                let next = (i64::from(self.scroll) + i64::from(lines)).clamp(0, i64::from(last));
                self.scroll = u16::try_from(next).unwrap_or(u16::MAX);
            }
            None => {
                if let Some(answer) = &mut self.answer {
                    answer.type_key(key);
                }
            }
        }
        Answered::Open
    }
}

/// Keys of a confirmation whose answer is typed (`y`, `n` and `q` are typed there).
#[rustfmt::skip]
pub static TYPED_CONFIRM_KEYS: &[Binding<ConfirmKey>] = &[
    Binding { keys: "type", description: "the answer asked for, exactly", chords: &[], action: None, hints: &[hint_if(When::Plain, 1, "type", "the answer"), hint_if(When::Removal, 1, "type", "the email")] },
    Binding { keys: "Enter", description: "yes, when the answer matches", chords: &[key(KeyCode::Enter)], action: Some(ConfirmKey::Yes), hints: &[hint_if(When::Plain, 2, "Enter", "yes"), hint_if(When::Removal, 2, "Enter", "remove")] },
    Binding { keys: "Esc", description: "no: nothing changes", chords: &[key(KeyCode::Esc)], action: Some(ConfirmKey::No), hints: &[hint_if(When::Plain, 3, "Esc", "cancel"), hint_if(When::Removal, 3, "Esc", "back")] },
    Binding { keys: "↑ ↓ PgUp PgDn", description: "scroll", chords: &[key(KeyCode::Up)], action: Some(ConfirmKey::Scroll(-1)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down)], action: Some(ConfirmKey::Scroll(1)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::PageUp)], action: Some(ConfirmKey::Scroll(-10)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::PageDown)], action: Some(ConfirmKey::Scroll(10)), hints: &[] },
];

/// Keys of the question before a console write: a third answer, skip, beside yes and no.
#[rustfmt::skip]
pub static WRITE_KEYS: &[Binding<ConfirmKey>] = &[
    Binding { keys: "y", description: "run the statement that changes data", chords: &[key(KeyCode::Char('y'))], action: Some(ConfirmKey::Yes), hints: &[hint(1, "y", "run")] },
    Binding { keys: "n", description: "skip it (the batch goes on)", chords: &[key(KeyCode::Char('n'))], action: Some(ConfirmKey::Skip), hints: &[hint(2, "n", "skip")] },
    Binding { keys: "Esc", description: "skip it and stop", chords: &[key(KeyCode::Esc)], action: Some(ConfirmKey::No), hints: &[hint(3, "Esc", "stop")] },
    Binding { keys: "↑ ↓ PgUp PgDn", description: "scroll", chords: &[key(KeyCode::Up)], action: Some(ConfirmKey::Scroll(-1)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down)], action: Some(ConfirmKey::Scroll(1)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::PageUp)], action: Some(ConfirmKey::Scroll(-10)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::PageDown)], action: Some(ConfirmKey::Scroll(10)), hints: &[] },
];

/// Keys of a confirmation.
#[rustfmt::skip]
pub static CONFIRM_KEYS: &[Binding<ConfirmKey>] = &[
    Binding { keys: "y", description: "yes: run what the preview shows", chords: &[key(KeyCode::Char('y'))], action: Some(ConfirmKey::Yes), hints: &[hint_if(When::Quit, 1, "y", "quit, discarding staged"), hint_if(When::Commit, 1, "y", "commit"), hint_if(When::Plain, 1, "y", "yes"), hint_if(When::Delete, 1, "y", "stage the delete")] },
    Binding { keys: "n / Esc / q", description: "no: nothing changes", chords: &[key(KeyCode::Char('n')), key(KeyCode::Esc), key(KeyCode::Char('q'))], action: Some(ConfirmKey::No), hints: &[hint_if(When::Quit, 3, "n / Esc", "stay"), hint_if(When::Commit, 3, "n / Esc", "back"), hint_if(When::Plain, 3, "n / Esc", "cancel"), hint_if(When::Delete, 3, "n / Esc", "cancel")] },
    Binding { keys: "↑ ↓ / k j", description: "scroll a line", chords: &[key(KeyCode::Up), key(KeyCode::Char('k'))], action: Some(ConfirmKey::Scroll(-1)), hints: &[hint_if(When::Scrolls, 2, "↑↓ PgUp PgDn", "scroll")] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::Down), key(KeyCode::Char('j'))], action: Some(ConfirmKey::Scroll(1)), hints: &[] },
    Binding { keys: "PgUp PgDn", description: "scroll a page", chords: &[key(KeyCode::PageUp)], action: Some(ConfirmKey::Scroll(-10)), hints: &[] },
    Binding { keys: "", description: "", chords: &[key(KeyCode::PageDown), key(KeyCode::Char(' '))], action: Some(ConfirmKey::Scroll(10)), hints: &[] },
];

impl App {
    /// Opens `confirmation` over the screen.
    pub(super) fn ask(&mut self, confirmation: Confirmation) {
        self.overlay = Overlay::Confirm(Box::new(confirmation));
    }

    /// The open confirmation, if it is one that runs `on_yes`.
    pub fn confirming(&self, on_yes: &Confirmed) -> bool {
        matches!(&self.overlay, Overlay::Confirm(c) if c.on_yes == *on_yes)
    }

    pub(super) fn confirmation_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let last = match &self.overlay {
            Overlay::Confirm(confirmation) => confirmation.last_scroll(self),
            _ => return Vec::new(),
        };
        let Overlay::Confirm(confirmation) = &mut self.overlay else { return Vec::new() };
        match confirmation.key(key, last) {
            Answered::Yes(on_yes) => {
                self.overlay = Overlay::None;
                return self.run_confirmed(on_yes);
            }
            Answered::Refused(message) => self.say(Level::Warning, message),
            // The console's write question: its answers are the console's to carry out.
            answered @ (Answered::Skip | Answered::No)
                if let Confirmed::ConsoleWrite { result } = confirmation.on_yes =>
            {
                self.overlay = Overlay::None;
                let answer = if answered == Answered::Skip { ConfirmAnswer::Skip } else { ConfirmAnswer::Stop };
                return self.confirm_console_write(result, answer);
            }
            Answered::Skip => {}
            Answered::No => {
                let mut message = confirmation.on_yes.declined().to_string();
                // The marks are the user's selection and stay; say so, and how to let go of them.
                let marked = self.edits.marked.len() as u64;
                if matches!(confirmation.on_yes, Confirmed::StageDelete { .. }) && marked > 0 {
                    // Short enough for an 80-column status line beside the path and the row.
                    message = format!("{message} · {marked} still marked · Esc unmarks");
                }
                // A review still preparing its SQL (waiting on another writer's lock) is let
                // go of: its wait is stopped and its reply dropped.
                let preparing = confirmation.waiting && matches!(confirmation.on_yes, Confirmed::Commit { .. });
                self.overlay = Overlay::None;
                self.say(Level::Info, message);
                if let Some(id) = self.pending.id_of(&super::Waiting::Edit).filter(|_| preparing) {
                    self.pending.take(id);
                    return vec![Effect::Interrupt { worker: super::Worker::Foreground, id }];
                }
            }
            Answered::Open => {}
        }
        Vec::new()
    }

    pub(super) fn run_confirmed(&mut self, on_yes: Confirmed) -> Vec<Effect> {
        match on_yes {
            Confirmed::ApplyMigrations => self.start_apply(),
            Confirmed::Commit { now } => self.commit_staged(false, now),
            Confirmed::Quit => {
                self.should_quit = true;
                Vec::new()
            }
            Confirmed::StageDelete { changes, .. } => {
                self.stage_confirmed_deletes(changes);
                Vec::new()
            }
            Confirmed::UserAction { action, preview: super::Load::Loaded(preview) } => {
                self.run_user_action(action.name(), preview.plan)
            }
            // Yes waits for the preview: what is not shown does not run.
            Confirmed::UserAction { .. } => Vec::new(),
            Confirmed::ConsoleWrite { result } => self.confirm_console_write(result, ConfirmAnswer::Run),
        }
    }
}
