//! Relations: the blacklist, friend, friend application and friend group methods are
//! stateless calls ([`crate::Core::call`]); what this domain keeps is which of the four lists
//! changed (a `changed` inbox item, from any session, or the first login), to fetch each again
//! and fire its official event with the whole list: BLACKLIST_UPDATED,
//! FRIEND_LIST_UPDATED, FRIEND_APPLICATION_LIST_UPDATED, FRIEND_GROUP_LIST_UPDATED. A list is
//! fetched at most once a second, with a trailing fetch for changes that came meanwhile.

use crate::engine::{Answer, Engine};
use crate::output::{Event, ListUpdate};
use crate::Waiter;
use tim_proto::relation::List;
use tim_proto::{Json, Request};

/// The least time between two fetches (and so two events) of one list.
pub const THROTTLE_MS: u64 = 1_000;

#[derive(Debug, Default, Clone, Copy)]
struct State {
    /// Changed since the last fetch started.
    dirty: bool,
    /// A fetch is in flight.
    busy: bool,
    /// The earliest the next fetch may start.
    next_at: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Relations {
    lists: [State; List::ALL.len()],
}

fn index(list: List) -> usize {
    List::ALL.iter().position(|l| *l == list).unwrap_or(0)
}

impl Relations {
    /// The first login of the session: every list is fetched once the SDK is ready.
    pub fn load(&mut self) {
        for s in &mut self.lists {
            s.dirty = true;
        }
    }

    /// A `changed` inbox item.
    pub fn changed(&mut self, list: List) {
        self.lists[index(list)].dirty = true;
    }

    /// Starts the fetches that are due (only once the SDK is ready).
    pub fn run(&mut self, eng: &mut Engine<Waiter>, now_ms: u64) {
        if !eng.is_ready() {
            return;
        }
        for (list, s) in List::ALL.into_iter().zip(&mut self.lists) {
            if s.dirty && !s.busy && now_ms >= s.next_at {
                if let Some(request) = Request::stateless(list.op(), Json("{}".into())) {
                    s.dirty = false;
                    s.busy = true;
                    eng.start(now_ms, request, Waiter::Relations(list));
                }
            }
        }
    }

    /// When [`run`](Self::run) has a fetch to start.
    pub fn next_wakeup(&self, eng: &Engine<Waiter>) -> Option<u64> {
        if !eng.is_ready() {
            return None;
        }
        self.lists
            .iter()
            .filter(|s| s.dirty && !s.busy)
            .map(|s| s.next_at)
            .min()
    }

    /// A fetch's answer: the list's event with the whole list. A failed fetch fires nothing;
    /// the next change fetches again.
    pub fn answer(&mut self, eng: &mut Engine<Waiter>, now_ms: u64, list: List, result: Answer) {
        let s = &mut self.lists[index(list)];
        s.busy = false;
        s.next_at = now_ms + THROTTLE_MS;
        let Some(data) = result.ok().and_then(|r| r.json().cloned()) else {
            return;
        };
        let data = match list.field() {
            Some(field) => Json(the_field(data.0, field)),
            None => data,
        };
        eng.emit(Event::ListUpdated(ListUpdate { list, data }));
    }
}

/// The value of `field` in `answer`, an object with that one field as the server writes it
/// (compact, `{"field":...}`); the whole answer for anything else.
fn the_field(answer: String, field: &str) -> String {
    let value = answer
        .strip_prefix("{\"")
        .and_then(|rest| rest.strip_prefix(field))
        .and_then(|rest| rest.strip_prefix("\":"))
        .and_then(|rest| rest.strip_suffix('}'));
    match value {
        Some(value) => value.to_owned(),
        None => answer,
    }
}
