//! The clipboard over OSC 52: the terminal (or tmux, with `set-clipboard on`) puts the text on
//! the system clipboard, which also works over SSH. Terminals known to ignore the sequence are
//! named, so squall says so instead of claiming a copy.

use std::io::Write;

use base64::Engine;

use crate::app::ClipboardSupport;

/// Decides from the environment whether OSC 52 can reach a clipboard.
pub fn clipboard_support() -> ClipboardSupport {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if !var("TMUX").is_empty() {
        return ClipboardSupport::AskTmux;
    }
    let unsupported = |reason: &str| ClipboardSupport::Unsupported { reason: reason.to_string() };
    if var("TERM") == "linux" {
        return unsupported("the Linux console has no clipboard");
    }
    if var("TERM_PROGRAM") == "Apple_Terminal" {
        return unsupported("macOS Terminal ignores OSC 52 (iTerm2, kitty, WezTerm, Alacritty and tmux support it)");
    }
    if !var("VTE_VERSION").is_empty() {
        return unsupported("GNOME Terminal and other VTE terminals ignore OSC 52 (run squall inside tmux to copy)");
    }
    ClipboardSupport::Osc52
}

/// Inside tmux the sequence goes to tmux, which takes it from applications only with
/// `set-clipboard on` (`external`, its default, ignores applications; `off` ignores everyone).
/// Asked at each copy: the user may turn it on while squall runs.
pub fn tmux_support() -> ClipboardSupport {
    let output = std::process::Command::new("tmux").args(["show-options", "-gv", "set-clipboard"]).output();
    match output {
        Ok(out) if out.status.success() => tmux_verdict(Some(String::from_utf8_lossy(&out.stdout).trim())),
        // No tmux command to ask: send the sequence and let tmux decide.
        _ => tmux_verdict(None),
    }
}

/// What tmux's `set-clipboard` value (if it could be read) means for copying.
fn tmux_verdict(setting: Option<&str>) -> ClipboardSupport {
    match setting {
        Some("on") | None => ClipboardSupport::Osc52,
        Some(setting) => ClipboardSupport::Unsupported {
            reason: format!("tmux has set-clipboard {setting}; run `tmux set -g set-clipboard on`, then copy again"),
        },
    }
}

/// The OSC 52 sequence that sets the clipboard to `text`.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

/// Writes the sequence to the terminal.
pub fn copy_to_clipboard(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout();
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_in_base64() {
        assert_eq!(osc52("ada@example.com"), "\x1b]52;c;YWRhQGV4YW1wbGUuY29t\x07");
    }

    #[test]
    fn tmux_copies_only_with_set_clipboard_on_and_says_how_to_retry() {
        assert_eq!(tmux_verdict(Some("on")), ClipboardSupport::Osc52);
        assert_eq!(tmux_verdict(None), ClipboardSupport::Osc52);
        let ClipboardSupport::Unsupported { reason } = tmux_verdict(Some("external")) else { panic!() };
        assert!(reason.contains("tmux set -g set-clipboard on`, then copy again"), "{reason}");
    }
}
