//! When the status line's message was said, so that it goes when what it spoke of is over: a
//! failure or a cancel once another read of the rows succeeds, a progress message (`…`) once
//! nothing is waited for, a message about a tab or screen when the user leaves it.

use super::{App, Screen};

/// The key and place the message on the status line belongs to.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Said {
    /// Keys (and other things the user did) handled so far this session.
    pub keys: u64,
    /// `keys` when the message on the status line was said (replies count for the key before).
    pub at_key: u64,
    /// The screen and table tab it was said on.
    pub place: Option<(Screen, usize)>,
}

impl App {
    /// A message is said now: it belongs to the last key and to the screen showing.
    pub(super) fn note_said(&mut self) {
        self.said.at_key = self.said.keys;
        self.said.place = Some((self.screen, self.active));
    }

    /// Rows of the tab on screen were read: a message from an earlier key (a read that failed or
    /// was cancelled, what another read cost, a progress) speaks of what is over.
    pub(super) fn rows_read_anew(&mut self) {
        if self.status.is_some() && self.said.at_key < self.said.keys {
            self.status = None;
        }
    }

    /// After a key: when it left the tab or screen the message was said on (a message from an
    /// earlier key), the message goes with it.
    pub(super) fn left_place(&mut self, before: (Screen, usize)) {
        let now = (self.screen, self.active);
        if now != before && self.said.at_key < self.said.keys && self.said.place != Some(now) {
            self.status = None;
        }
    }

    /// After a reply: a progress message (ending in `…`) goes once nothing is waited for.
    pub(super) fn progress_over(&mut self) {
        let progress = self.status.as_ref().is_some_and(|s| s.text.ends_with('…'));
        if progress && self.pending.is_empty() {
            self.status = None;
        }
    }
}
