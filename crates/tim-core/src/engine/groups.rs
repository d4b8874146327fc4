//! Group messages' delivery: per group the last sequence handled, the `group` frames checked
//! against it, and `syncGroups` after a gap and after every (re)login's inbox sync (see
//! docs/ARCHITECTURE.md, Group messages). Like the rest of the engine it knows no domain: the
//! messages go to the domains through [`Domains::group`].

use super::{Domains, Engine, Kind, Link};
use crate::vecmap::VecMap;
use tim_proto::group::{SyncGroups, SyncGroupsOk};
use tim_proto::{Message, Request};

impl<W> Engine<W> {
    /// Ask for what the groups' pushes missed: the messages after each group's cursor (the
    /// first time, where each group stands).
    pub(super) fn sync_groups(&mut self, now_ms: u64) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        s.group_sync_pending = true;
        let cursors = s.groups.as_ref().map_or_else(Vec::new, |g| {
            g.iter().map(|(id, seq)| (id.clone(), *seq)).collect()
        });
        let request = Request::SyncGroups(SyncGroups {
            cursors,
            limit: self.config.sync_limit,
        });
        let deadline = now_ms + self.config.request_timeout_ms;
        self.request(deadline, request, Kind::GroupSync);
    }

    /// A group message pushed: the next of its group is handled, an older one ignored, a
    /// newer one asks for the gap. Until the first group sync answered, the sync fetches it.
    pub(super) fn group_push(&mut self, d: &mut impl Domains<W>, now_ms: u64, message: Message) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if !s.loaded {
            return;
        }
        let Some(groups) = s.groups.as_mut() else {
            return;
        };
        match groups.get(&message.to) {
            Some(&seen) if message.sequence <= seen => return,
            Some(&seen) if message.sequence > seen + 1 => {
                if s.group_sync_pending {
                    s.group_resync = true;
                } else if s.link != Link::Syncing {
                    // (While syncing, the group sync that follows the inbox's fetches it.)
                    self.sync_groups(now_ms);
                }
                return;
            }
            // The next one, or the first of a group joined since the last group sync.
            _ => groups.insert(message.to.clone(), message.sequence),
        };
        let syncing = s.link == Link::Syncing;
        d.group(self, message);
        if !syncing {
            d.flush(self, false);
        }
    }

    pub(super) fn groups_synced(
        &mut self,
        d: &mut impl Domains<W>,
        now_ms: u64,
        page: SyncGroupsOk,
    ) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        s.group_sync_pending = false;
        let again = !page.complete || std::mem::take(&mut s.group_resync);
        let groups = s.groups.get_or_insert_with(VecMap::default);
        // Groups the cursors did not name start where they stand.
        for (id, last) in page.groups {
            if groups.get(&id).is_none() {
                groups.insert(id, last);
            }
        }
        for message in page.messages {
            let Some(groups) = self.session.as_mut().and_then(|s| s.groups.as_mut()) else {
                return;
            };
            // Each group's messages come in order after its cursor.
            if groups
                .get(&message.to)
                .is_some_and(|&c| message.sequence > c)
            {
                groups.insert(message.to.clone(), message.sequence);
                d.group(self, message);
            }
        }
        let syncing = self.flush_unless_syncing(d);
        if again {
            return self.sync_groups(now_ms);
        }
        if syncing {
            self.caught_up(d);
        }
    }
}
