//! The forms of the user action menu (ban, role, password) and what reads their text.

use ratatui_textarea::TextArea;

use crate::db::users::{BanExpiry, parse_ban_expiry};

use super::super::Load;
use super::super::form::{Field, Form};
use super::super::input::text_input;
use super::super::keymap::{Binding, Chord, hint};
use ratatui::crossterm::event::KeyCode;

/// The fields of the ban form ([`Form`] indexes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BanField {
    Reason = 0,
    /// `30m`, `7d`, `1y`, a date, or empty / `never` for a permanent ban.
    Expiry = 1,
}

/// The new role: roles in use ticked with Space, or typed (`admin,user` for several).
#[derive(Debug, Clone)]
pub struct RoleForm {
    pub roles: Load<Vec<String>>,
    /// The one [`Form`], with the role form's own keys ([`ROLE_KEYS`]): field 0 is the role(s)
    /// to set, comma-joined (the list's ticks follow it); field 1 is the list of roles in use, a
    /// choice whose option is the highlighted role. When the list has the keyboard (after ↑/↓)
    /// Space ticks; in the text field Space is a space.
    pub form: Form,
    /// Why the list may lack roles in use (on a remote it is not read from every user).
    pub note: Option<String>,
}

/// The role form's note on a remote, where listing every role in use reads every user.
pub const PARTIAL_ROLES_NOTE: &str = "admin, user and the roles on the rows read so far: others may be in use (listing them all reads every user) · type any role";

/// The role form's [`Form`] fields.
pub const ROLE_FIELD: usize = 0;
/// See [`ROLE_FIELD`].
pub const ROLE_LIST: usize = 1;

impl RoleForm {
    /// A role form whose field holds `input`, reading the roles in use.
    pub fn new(input: TextArea<'static>) -> RoleForm {
        let form = Form::of(vec![Field::Text(input), Field::choice(Vec::new(), 0)]);
        RoleForm { roles: Load::Loading, form, note: None }
    }

    /// The list has the keyboard.
    pub fn on_list(&self) -> bool {
        self.form.focus == ROLE_LIST
    }

    /// The highlighted role of the list.
    pub fn selected(&self) -> usize {
        self.form.chosen(ROLE_LIST)
    }

    /// The roles in use arrived: the list offers them, `current` highlighted if among them.
    pub fn set_roles(&mut self, roles: Vec<String>, current: &str) {
        let at = roles.iter().position(|r| r == current).unwrap_or(0);
        if let Some(list) = self.form.fields.get_mut(ROLE_LIST) {
            *list = Field::choice(roles.clone(), at);
        }
        self.roles = Load::Loaded(roles);
    }

    /// The role field.
    pub fn text(&self) -> String {
        self.form.text(0)
    }

    fn input_mut(&mut self) -> Option<&mut TextArea<'static>> {
        self.form.input_mut(0)
    }

    /// Puts `text` in the role field (the ticks changed it).
    pub fn set_input(&mut self, text: &str) {
        if let Some(input) = self.input_mut() {
            set_field(input, text);
        }
    }
}

/// The fields of the password form ([`Form`] indexes): a new password, typed twice and never
/// shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordField {
    First = 0,
    Second = 1,
}

/// What a key does in the role form (other keys type into the field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleKey {
    /// Highlight the list's next role (negative: previous), entering the list.
    Move(i8),
    /// Move between the field and the list.
    Switch,
    /// Tick or untick the highlighted role (on the list; in the field Space is a space).
    Tick,
    Submit,
    Cancel,
}

// Every role key is the role form's own (its one field has nothing to move to).
impl super::super::form::FormCommand for RoleKey {
    fn as_form(self) -> Option<super::super::form::FormKey> {
        None
    }
}

const fn plain(code: KeyCode) -> Chord {
    Chord { code, modifiers: ratatui::crossterm::event::KeyModifiers::NONE }
}

/// Keys of the role form.
#[rustfmt::skip]
pub static ROLE_KEYS: &[Binding<RoleKey>] = &[
    Binding { keys: "type", description: "roles, comma-joined for several", chords: &[], action: None, hints: &[] },
    Binding { keys: "↑ ↓", description: "highlight a role of the list", chords: &[plain(KeyCode::Up)], action: Some(RoleKey::Move(-1)), hints: &[hint(1, "↑↓", "role")] },
    Binding { keys: "", description: "", chords: &[plain(KeyCode::Down)], action: Some(RoleKey::Move(1)), hints: &[] },
    Binding { keys: "Tab", description: "field ↔ list", chords: &[plain(KeyCode::Tab), plain(KeyCode::BackTab)], action: Some(RoleKey::Switch), hints: &[] },
    Binding { keys: "Space", description: "on the list: tick / untick the role", chords: &[plain(KeyCode::Char(' '))], action: Some(RoleKey::Tick), hints: &[hint(2, "Space", "tick")] },
    Binding { keys: "Enter", description: "review what will run", chords: &[plain(KeyCode::Enter)], action: Some(RoleKey::Submit), hints: &[hint(3, "Enter", "preview")] },
    Binding { keys: "Esc", description: "back, nothing changed", chords: &[plain(KeyCode::Esc)], action: Some(RoleKey::Cancel), hints: &[hint(4, "Esc", "back")] },
];

/// What the role field shows while empty.
pub const ROLE_PLACEHOLDER: &str = "(none: type a role or tick one)";

pub(super) fn field(text: &str, placeholder: &str) -> TextArea<'static> {
    let mut area = text_input(text);
    area.set_placeholder_text(placeholder);
    area
}

pub(super) fn masked() -> TextArea<'static> {
    let mut area = field("", "");
    area.set_mask_char('•');
    area
}

pub(super) fn set_field(area: &mut TextArea<'static>, text: &str) {
    let placeholder = area.placeholder_text().to_string();
    *area = field(text, &placeholder);
}

/// The ban form: reason and end.
pub(super) fn ban_form() -> Form {
    Form::new(vec![field("", crate::db::users::DEFAULT_BAN_REASON), field("", "permanent")])
}

/// The password form: the new password and its repeat, masked.
pub(super) fn password_form() -> Form {
    Form::new(vec![masked(), masked()])
}

/// The ban's end from what was typed: empty means permanent; a date must be ahead of `now`.
pub fn read_ban_expiry(
    text: &str,
    ctx: &crate::db::value::DisplayContext,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<BanExpiry, String> {
    if text.trim().is_empty() {
        return Ok(BanExpiry::Never);
    }
    match parse_ban_expiry(text, ctx)? {
        BanExpiry::At(at) if at <= now => Err(format!("{} is already past", text.trim())),
        BanExpiry::After(delta) if delta <= chrono::TimeDelta::zero() => Err("a ban must last longer than zero".into()),
        expiry => match expiry.ends_at(now) {
            Ok(_) => Ok(expiry),
            Err(_) => Err(crate::db::users::too_long(text.trim())),
        },
    }
}

/// Adds `role` to a comma-joined list, or takes it out when it is there.
pub(super) fn toggle_role(list: &str, role: &str) -> String {
    let mut roles: Vec<&str> = list.split(',').map(str::trim).filter(|r| !r.is_empty()).collect();
    match roles.iter().position(|r| *r == role) {
        Some(position) => {
            roles.remove(position);
        }
        None => roles.push(role),
    }
    roles.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_toggle_in_and_out_of_the_list() {
        assert_eq!(toggle_role("", "admin"), "admin");
        assert_eq!(toggle_role("user", "admin"), "user,admin");
        assert_eq!(toggle_role("user, admin", "user"), "admin");
    }

    #[test]
    fn ban_expiry_reads_lengths_dates_and_permanent() {
        let ctx = crate::app::tests::fixed_ctx();
        assert_eq!(read_ban_expiry("  ", &ctx, ctx.now), Ok(BanExpiry::Never));
        assert_eq!(read_ban_expiry("never", &ctx, ctx.now), Ok(BanExpiry::Never));
        assert_eq!(read_ban_expiry("7d", &ctx, ctx.now), Ok(BanExpiry::After(chrono::TimeDelta::days(7))));
        assert!(matches!(read_ban_expiry("2027-01-01", &ctx, ctx.now), Ok(BanExpiry::At(_))));
        assert!(read_ban_expiry("2020-01-01", &ctx, ctx.now).unwrap_err().contains("already past"));
        assert!(read_ban_expiry("soon", &ctx, ctx.now).unwrap_err().contains("not a ban length"));
    }
}
