//! Text as terminals will agree on it. ratatui measures a grapheme cluster with `unicode-width`,
//! but terminals disagree on emoji sequences: a ZWJ family is 2 cells in one terminal and 6 in
//! another (tmux among them), a flag 2 or 4, `❤️` 1 or 2. When the terminal's idea differs from
//! ours, the rest of the line shifts on screen, and an overlay drawn over it leaves stray glyphs.
//! So such clusters are shown in a form every terminal measures alike.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

const ZWJ: char = '\u{200D}';
const VS16: char = '\u{FE0F}';
const KEYCAP: char = '\u{20E3}';

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

/// Characters that join or modify an emoji into a sequence whose width terminals disagree on.
fn is_sequence_part(c: char) -> bool {
    c == ZWJ
        || c == VS16
        || c == KEYCAP
        || is_regional_indicator(c)
        || ('\u{1F3FB}'..='\u{1F3FF}').contains(&c) // skin tones
        || ('\u{E0020}'..='\u{E007F}').contains(&c) // tags (subdivision flags)
}

/// One cluster made safe: a flag becomes its two letters (`🇺🇸` → `US`), any other emoji
/// sequence its first character (`👨‍👩‍👧` → `👨`, `👍🏽` → `👍`, `❤️` → `❤`, `1️⃣` → `1`).
fn safe_cluster(cluster: &str, out: &mut String) {
    if !cluster.chars().any(is_sequence_part) {
        out.push_str(cluster);
        return;
    }
    if cluster.chars().all(is_regional_indicator) {
        for c in cluster.chars() {
            let letter = u32::from(c) - 0x1F1E6 + u32::from(b'A');
            out.push(char::from_u32(letter).unwrap_or('?'));
        }
        return;
    }
    match cluster.chars().find(|c| !is_sequence_part(*c)) {
        Some(base) => out.push(base),
        None => out.push('?'),
    }
}

/// `text` with every emoji sequence replaced as [`safe_cluster`] says; borrowed when there is none.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_sequence_part) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for cluster in text.graphemes(true) {
        safe_cluster(cluster, &mut out);
    }
    Cow::Owned(out)
}

/// Cuts text to `width` cells, marking the cut with `…`, and pads it to exactly `width`. Cuts
/// between grapheme clusters, never inside one.
pub fn fit(text: &str, width: u16) -> String {
    let text = terminal_safe(text);
    let width = width as usize;
    let total = text.width();
    let budget = if total > width { width.saturating_sub(1) } else { width };
    let mut out = String::new();
    let mut used = 0usize;
    for cluster in text.graphemes(true) {
        let w = cluster.width();
        if used + w > budget {
            break;
        }
        out.push_str(cluster);
        used += w;
    }
    if total > width && width > 0 {
        out.push('…');
        used += 1;
    }
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_sequences_become_what_every_terminal_measures_alike() {
        assert_eq!(terminal_safe("plain ascii é"), "plain ascii é");
        assert!(matches!(terminal_safe("no emoji"), Cow::Borrowed(_)));
        assert_eq!(terminal_safe("🇺🇸 flag"), "US flag");
        assert_eq!(terminal_safe("a👨\u{200D}👩\u{200D}👧b"), "a👨b");
        assert_eq!(terminal_safe("👍🏽❤\u{FE0F}1\u{FE0F}\u{20E3}"), "👍❤1");
        // Combining accents are one cluster of several characters, and stay as they are.
        assert_eq!(terminal_safe("e\u{301}"), "e\u{301}");
    }

    #[test]
    fn fit_pads_to_the_width_and_never_cuts_a_cluster() {
        for text in ["a👨\u{200D}👩\u{200D}👧b🇺🇸c", "🇺🇸🇫🇷🇩🇪", "日本語テキスト", "e\u{301}e\u{301}e\u{301}"]
        {
            for width in 0..12u16 {
                let shown = fit(text, width);
                // The sum of the clusters' widths, as ratatui lays them out cell by cell.
                let cells: usize = shown.graphemes(true).map(|g| g.width()).sum();
                assert_eq!(cells, shown.width(), "{text:?} at {width}");
                assert!(cells <= width as usize + 1, "{text:?} at {width}: {shown:?}");
                assert!(!shown.contains(ZWJ) && !shown.chars().any(is_regional_indicator), "{shown:?}");
                assert_eq!(cells, width as usize, "{text:?} at {width}: {shown:?}");
            }
        }
    }
}
