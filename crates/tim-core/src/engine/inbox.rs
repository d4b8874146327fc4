//! The inbox: a sync from the cursor after every (re)login or gap, its pages handled in order,
//! and being caught up (then the groups' sync, then SDK_READY or NET_STATE connected).

use super::session::Kind;
use super::{Domains, Engine, Link};
use crate::output::*;
use tim_proto::{Request, Sync, SyncOk};

impl<W> Engine<W> {
    pub(super) fn sync(&mut self, now_ms: u64) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let Some(after) = s.cursor else { return };
        s.sync_pending = true;
        let request = Request::Sync(Sync {
            after,
            limit: self.config.sync_limit,
        });
        self.request(now_ms + self.config.request_timeout_ms, request, Kind::Sync);
    }

    pub(super) fn synced(&mut self, d: &mut impl Domains<W>, now_ms: u64, page: SyncOk) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        s.sync_pending = false;
        let again = !page.complete || std::mem::take(&mut s.resync);
        for item in page.items {
            // A sync page is the inbox itself: any item past the cursor is new, gap or not.
            let Some(s) = self.session.as_mut() else {
                return;
            };
            if s.cursor.is_some_and(|c| item.seq > c) {
                s.cursor = Some(item.seq);
                d.item(self, item);
            }
        }
        let syncing = self.flush_unless_syncing(d);
        if again {
            return self.sync(now_ms);
        }
        // Caught up with the inbox: then with the groups.
        if syncing {
            self.sync_groups(now_ms);
        }
    }

    /// A sync of a gap while up delivers at once; while syncing, news waits until caught up.
    /// Whether syncing.
    pub(super) fn flush_unless_syncing(&mut self, d: &mut impl Domains<W>) -> bool {
        let syncing = self
            .session
            .as_ref()
            .is_some_and(|s| s.link == Link::Syncing);
        if !syncing {
            d.flush(self, false);
        }
        syncing
    }

    /// The inbox and the groups are caught up after a (re)login: the SDK is ready.
    pub(super) fn caught_up(&mut self, d: &mut impl Domains<W>) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        s.link = Link::Up;
        let first = !s.ready;
        let awaiting = std::mem::take(&mut s.awaiting_ready);
        if first {
            s.ready = true;
            s.net_state = NET_STATE_CONNECTED;
            self.emit(Event::SdkReady);
        } else {
            self.set_net(NET_STATE_CONNECTED);
        }
        d.flush(self, first);
        // The calls made while getting ready go on after the app heard SDK_READY.
        for (op, _) in awaiting {
            self.complete(op, Ok(OpOk::Empty {}));
        }
    }
}
