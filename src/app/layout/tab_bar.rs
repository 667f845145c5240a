//! The tab bar's layout: which tabs show where, and the marks saying how many are hidden on
//! each side (`‹2` … `3›`). The active tab always shows (its name cut with `…` when it alone is
//! wider than the bar), and when the tabs do not fit, the special screens (ER, migrations, SQL)
//! keep their place at the right end while the tables scroll in the rest.

use super::text_width;
use crate::app::{App, SPECIAL_SCREENS};

/// One tab on the bar: where it starts and how wide it is, padding included. A tab narrower
/// than its title shows the title cut with `…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TabSpan {
    /// Index into [`App::tab_titles`].
    pub index: usize,
    pub x: u16,
    pub width: u16,
}

/// The whole bar.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TabBar {
    pub tabs: Vec<TabSpan>,
    /// `‹2`: two tabs hidden before the first shown, and where the mark goes.
    pub left: Option<(u16, String)>,
    /// `3›`: three tabs hidden after the last shown table.
    pub right: Option<(u16, String)>,
    /// The hidden tabs nearest to the `‹N` and `N›` marks: a click on a mark goes there.
    pub left_tab: Option<usize>,
    pub right_tab: Option<usize>,
}

impl TabBar {
    /// The tab a click at column `x` goes to: the tab there, or for a hidden-tabs mark the
    /// nearest hidden tab on its side.
    pub fn tab_at(&self, x: u16) -> Option<usize> {
        let within = |at: u16, width: u16| x >= at && x < at.saturating_add(width);
        if let Some(tab) = self.tabs.iter().find(|t| within(t.x, t.width)) {
            return Some(tab.index);
        }
        let on_mark =
            |mark: &Option<(u16, String)>| mark.as_ref().is_some_and(|(at, text)| within(*at, text_width(text)));
        if on_mark(&self.left) {
            return self.left_tab;
        }
        if on_mark(&self.right) { self.right_tab } else { None }
    }
}

/// Narrowest a tab cut to fit is worth showing: ` a…`, a first letter (a cut tab has no right padding: the
/// `…` ends it).
const MIN_CUT_TAB: u32 = 3;
/// Room the tables keep beside the special screens before those scroll with the rest.
const MIN_TABLE_ROOM: u32 = 16;

/// Lays the bar out for the app's width and active tab.
pub fn tab_bar(app: &App) -> TabBar {
    let titles = app.tab_titles();
    let widths: Vec<u32> = titles.iter().map(|t| u32::from(text_width(t)) + 2).collect();
    let width = u32::from(app.width);
    let total: u32 = widths.iter().sum::<u32>() + widths.len().saturating_sub(1) as u32;
    let active = app.active_title();
    if total <= width {
        return window(&widths, 0, widths.len(), active, width, 0);
    }
    let specials = widths.len().min(SPECIAL_SCREENS.len());
    let first_special = widths.len() - specials;
    let special_width: u32 = widths[first_special..].iter().map(|w| w + 1).sum();
    // Too narrow to keep the special screens put: every tab scrolls in one row.
    if special_width + MIN_TABLE_ROOM > width || first_special == 0 {
        return window(&widths, 0, widths.len(), active, width, 0);
    }
    let room = width - special_width;
    // On a special screen, the tables stay scrolled to the table last shown.
    let table = if active < first_special { active } else { app.active.min(first_special - 1) };
    let mut bar = window(&widths, 0, first_special, table, room, 0);
    let mut x = room + 1;
    for (index, w) in widths.iter().enumerate().skip(first_special) {
        bar.tabs.push(TabSpan { index, x: x as u16, width: *w as u16 });
        x += w + 1;
    }
    bar
}

/// `‹N` / `N›` for `hidden` tabs (none when nothing is hidden), and its width with its gap.
fn mark_width(hidden: usize) -> u32 {
    if hidden == 0 { 0 } else { hidden.to_string().len() as u32 + 2 }
}

/// Lays out tabs `from..to` of `widths` within `room` cells starting at `x0`, showing `active`:
/// scrolled no further than needed to show it, then as many after it as fit, the next one cut
/// with `…` when a useful part of it fits.
fn window(widths: &[u32], from: usize, to: usize, active: usize, room: u32, x0: u32) -> TabBar {
    let active = active.clamp(from, to.saturating_sub(1));
    // Width of tabs lo..hi with their gaps and the hidden marks either side.
    let cost = |lo: usize, hi: usize| -> u32 {
        let tabs: u32 = widths[lo..hi].iter().sum::<u32>() + (hi - lo).saturating_sub(1) as u32;
        tabs + mark_width(lo - from) + mark_width(to - hi)
    };
    let mut lo = from;
    while lo < active && cost(lo, active + 1) > room {
        lo += 1;
    }
    let mut hi = active + 1;
    while hi < to && cost(lo, hi + 1) <= room {
        hi += 1;
    }
    let mut shown: Vec<(usize, u32)> = (lo..hi).map(|i| (i, widths[i])).collect();
    let mut cut_after = false;
    // The active tab alone is wider than the room: its name is cut.
    if cost(lo, hi) > room {
        let other = cost(lo, hi) - widths[active];
        shown = vec![(active, room.saturating_sub(other).max(3))];
    } else if hi < to {
        // Part of the next tab fits: shown cut, so the bar reads as going on.
        let after = cost(lo, hi) - mark_width(to - hi) + 1;
        let left = room.saturating_sub(after + mark_width(to - hi - 1));
        if left >= MIN_CUT_TAB {
            shown.push((hi, left.min(widths[hi])));
            hi += 1;
            cut_after = true;
        }
    }
    // Room to spare on the right while tabs are hidden on the left (scrolled to the last, or
    // the next one does not fit even cut): the tab before the first shown fills it, cut.
    if !cut_after && lo > from && cost(lo, hi) <= room {
        let spare = room.saturating_sub(cost(lo, hi) - mark_width(lo - from) + mark_width(lo - 1 - from) + 1);
        if spare >= MIN_CUT_TAB {
            lo -= 1;
            shown.insert(0, (lo, spare.min(widths[lo])));
        }
    }
    let mut bar = TabBar::default();
    let mut x = x0;
    if lo > from {
        bar.left = Some((x as u16, format!("‹{}", lo - from)));
        bar.left_tab = Some(lo - 1);
        x += mark_width(lo - from);
    }
    for (index, w) in shown {
        bar.tabs.push(TabSpan { index, x: x as u16, width: w as u16 });
        x += w + 1;
    }
    if hi < to {
        bar.right = Some((x as u16, format!("{}›", to - hi)));
        bar.right_tab = Some(hi);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(names: &[&str], active: usize, room: u32) -> (String, Vec<usize>) {
        let widths: Vec<u32> = names.iter().map(|n| n.chars().count() as u32 + 2).collect();
        let bar = window(&widths, 0, widths.len(), active, room, 0);
        let mut line = vec![' '; room as usize + 8];
        let mut put = |x: u16, text: &str| {
            for (i, c) in text.chars().enumerate() {
                line[x as usize + i] = c;
            }
        };
        if let Some((x, text)) = &bar.left {
            put(*x, text);
        }
        for tab in &bar.tabs {
            put(tab.x, &crate::present::fit(&format!(" {}", names[tab.index]), tab.width - 1));
        }
        if let Some((x, text)) = &bar.right {
            put(*x, text);
        }
        let text: String = line.into_iter().collect();
        let end = bar.tabs.iter().map(|t| u32::from(t.x + t.width)).max().unwrap_or(0);
        assert!(end <= room, "within the room: {text:?}");
        (text.trim_end().to_string(), bar.tabs.iter().map(|t| t.index).collect())
    }

    #[test]
    fn the_active_tab_shows_and_marks_count_the_hidden_tabs() {
        let names = ["user", "session", "account", "verification", "organization", "member", "invitation"];
        let (line, shown) = layout(&names, 0, 40);
        assert!(shown.contains(&0) && line.ends_with("›"), "{line}");
        assert!(line.contains('…'), "the next name is cut: {line}");
        for active in 0..names.len() {
            let (line, shown) = layout(&names, active, 40);
            assert!(shown.contains(&active), "active {active} shows: {line}");
            if shown[0] > 0 {
                assert!(line.starts_with(&format!("‹{}", shown[0])), "{line}");
            }
        }
        let (line, _) = layout(&names, 6, 40);
        assert!(line.starts_with("‹") && !line.contains('›'), "the last: {line}");
        // Scrolled to the last, the room left is filled with the tab before, cut.
        let (line, _) = layout(&names, 6, 36);
        assert_eq!(line, "‹4  organiza…   member   invitation", "{line}");
        // One name wider than the room is cut, never dropped.
        let (line, shown) = layout(&["a_very_long_table_name_indeed"], 0, 12);
        assert_eq!(shown, [0]);
        assert!(line.contains('…'), "{line}");
    }
}
