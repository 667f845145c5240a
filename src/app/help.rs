//! The help popup's text, laid out for a width: which tables the screen lists (the same ones
//! its keys are read from) and the wrapped lines, so the keys can stop scrolling at its end.

use super::keymap::{
    BROWSER_KEYS, DETAIL_KEYS, ER_KEYS, FILTER_KEYS, MIGRATION_KEYS, REFERENCES_KEYS, SCROLL_KEYS, help_rows,
};
use super::layout::text_width;
use super::popup_keys::{COLUMNS_KEYS, CONFLICT_KEYS, VIEW_KEYS};
use super::{App, EditPopup, Overlay, PanelStep, Screen};

/// One line of help, by what it is (the screen styles each kind).
#[derive(Debug, Clone, PartialEq)]
pub enum HelpLine {
    Title(&'static str),
    Blank,
    /// The key column (padded to its width, or empty under a wrapped description) and text.
    Entry {
        key: String,
        text: String,
    },
}

/// Keys every screen shares.
const SHARED_KEYS: &[(&str, &str)] = &[
    ("Tab / Shift-Tab", "next / previous tab"),
    ("t", "pick a table"),
    ("m", "messages of this session, each in full"),
    ("?", "this help"),
    ("q / Ctrl-c", "quit"),
];

pub type Section = (&'static str, Vec<(&'static str, &'static str)>);

/// The form a popup is, if it is one (filter, insert, ban, password, role).
pub fn popup_form(overlay: &Overlay) -> Option<&super::form::Form> {
    match overlay {
        Overlay::Filter(filter) => Some(&filter.form),
        Overlay::Edit(EditPopup::Insert { form, .. }) => Some(form),
        Overlay::User(panel) => match &panel.step {
            PanelStep::Ban(form) | PanelStep::Password(form) => Some(form),
            PanelStep::Role(role) => Some(&role.form),
            _ => None,
        },
        _ => None,
    }
}

/// A form's keys, shown over it by F1 (or `?` on a choice or list: in a text field `?` is a
/// character).
fn form_section(overlay: &Overlay) -> Option<Section> {
    let (title, mut rows) = match overlay {
        Overlay::Filter(_) => ("Filter form", help_rows(FILTER_KEYS)),
        Overlay::Edit(EditPopup::Insert { .. }) => ("Insert form", help_rows(super::popup_keys::INSERT_KEYS)),
        Overlay::User(panel) => match &panel.step {
            PanelStep::Ban(_) => ("Ban form", help_rows(super::FORM_KEYS)),
            PanelStep::Password(_) => ("Password form", help_rows(super::FORM_KEYS)),
            PanelStep::Role(_) => ("Role form", help_rows(super::ROLE_KEYS)),
            _ => return None,
        },
        _ => return None,
    };
    rows.push(("F1", "these keys, also ? on a choice or list (any key but the scroll keys goes back)"));
    Some((title, rows))
}

/// The keys of `overlay` when `?` (F1 in a form: `?` is a character in its text fields) shows
/// them over it. None for a popup that takes text otherwise (a typed confirmation).
pub fn popup_sections(overlay: &Overlay) -> Option<Vec<Section>> {
    if let Some(section) = form_section(overlay) {
        return Some(vec![section]);
    }
    let (title, mut rows) = match overlay {
        Overlay::Detail { .. } => ("Row detail", help_rows(DETAIL_KEYS)),
        Overlay::Columns(_) => ("Column chooser", help_rows(COLUMNS_KEYS)),
        Overlay::Messages { .. } => ("Messages", help_rows(SCROLL_KEYS)),
        Overlay::References { .. } => ("Rows that point here (gr)", help_rows(REFERENCES_KEYS)),
        // A typed answer takes `?` as a character.
        Overlay::Confirm(c) if matches!(c.on_yes, super::Confirmed::ConsoleWrite { .. }) => {
            ("Console write question", help_rows(super::WRITE_KEYS))
        }
        Overlay::Confirm(c) if c.answer.is_none() => ("Confirmation", help_rows(super::CONFIRM_KEYS)),
        Overlay::Edit(EditPopup::Conflict { .. }) => ("Conflict", help_rows(CONFLICT_KEYS)),
        Overlay::User(panel) => match &panel.step {
            PanelStep::Menu => ("User action menu", help_rows(super::MENU_KEYS)),
            PanelStep::Confirm(confirmation) if confirmation.answer.is_none() => {
                ("Confirmation", help_rows(super::CONFIRM_KEYS))
            }
            PanelStep::Impersonations { .. } | PanelStep::Failed { .. } => ("Impersonations", help_rows(VIEW_KEYS)),
            _ => return None,
        },
        _ => return None,
    };
    rows.push(("?", "these keys (any key but the scroll keys goes back)"));
    Some(vec![(title, rows)])
}

/// The sections help lists on the screen it was opened on, or of the popup it was opened over.
fn sections(app: &App) -> Vec<Section> {
    if let Overlay::Help { over: Some(over), .. } = &app.overlay
        && let Some(sections) = popup_sections(over)
    {
        return sections;
    }
    let mut sections: Vec<Section> = Vec::new();
    match app.screen {
        Screen::Browser => {
            sections.push(("Table browser", help_rows(BROWSER_KEYS)));
            sections.push(("Row detail", help_rows(DETAIL_KEYS)));
            sections.push(("Filter form", help_rows(FILTER_KEYS)));
            sections.extend(super::popup_keys::browser_sections());
            sections.push(("User action menu", help_rows(super::MENU_KEYS)));
            sections.push(("Ban and password forms", help_rows(super::FORM_KEYS)));
            sections.push(("Role form", help_rows(super::ROLE_KEYS)));
        }
        Screen::Er => sections.push(("ER diagram", help_rows(ER_KEYS))),
        Screen::Migrations => {
            sections.push(("Migrations", help_rows(MIGRATION_KEYS)));
            sections.push(("Confirmation", help_rows(super::CONFIRM_KEYS)));
        }
        Screen::Console => {
            sections.push(("SQL console", help_rows(super::CONSOLE_KEYS)));
            sections.push(("Console results", help_rows(super::RESULT_KEYS)));
            sections.push(("Console write question", help_rows(super::WRITE_KEYS)));
            sections.push(("Row detail", help_rows(DETAIL_KEYS)));
        }
    }
    if app.screen != Screen::Browser {
        sections.push(("Everywhere", SHARED_KEYS.to_vec()));
    }
    sections
}

/// Help's lines for an inner width: keys in a column as wide as the widest key (plus two
/// spaces), descriptions wrapped at word boundaries beside it.
pub fn help_lines(app: &App, width: u16) -> Vec<HelpLine> {
    let sections = sections(app);
    let key_width = sections.iter().flat_map(|(_, keys)| keys.iter()).map(|(k, _)| text_width(k)).max().unwrap_or(0);
    let key_col = (2 + key_width + 2).min(width / 2);
    let room = width.saturating_sub(key_col).max(10) as usize;
    let mut lines = Vec::new();
    for (title, keys) in sections {
        if !lines.is_empty() {
            lines.push(HelpLine::Blank);
        }
        lines.push(HelpLine::Title(title));
        for (key, description) in keys {
            let wrapped = wrap_words(description, room);
            let key_text = format!("  {key}");
            // A key wider than its column (on a narrow screen) gets a line of its own.
            let own_line = text_width(&key_text) + 1 > key_col;
            if own_line {
                lines.push(HelpLine::Entry { key: key_text.clone(), text: String::new() });
            }
            for (i, part) in wrapped.into_iter().enumerate() {
                let lead = if i == 0 && !own_line { key_text.clone() } else { String::new() };
                let pad = (key_col as usize).saturating_sub(text_width(&lead) as usize);
                lines.push(HelpLine::Entry { key: format!("{lead}{}", " ".repeat(pad)), text: part });
            }
        }
    }
    lines
}

/// The help popup's lines on this terminal and its height (borders included), centred.
pub fn help_layout(app: &App) -> (Vec<HelpLine>, u16) {
    let lines = help_lines(app, app.width.saturating_sub(2));
    let height = u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_add(2).min(app.height);
    (lines, height)
}

/// The last scroll position of help: its last line at the popup's bottom.
pub fn help_last_scroll(app: &App) -> u16 {
    let (lines, height) = help_layout(app);
    u16::try_from(lines.len().saturating_sub(usize::from(height.saturating_sub(2)))).unwrap_or(u16::MAX)
}

/// `text` broken at spaces into lines of at most `width` columns (a longer word is cut).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let extra = if line.is_empty() { 0 } else { 1 };
        if !line.is_empty() && text_width(&line) as usize + extra + text_width(word) as usize > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}
