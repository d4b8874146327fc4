//! The messages this instance has seen lately (sent, received, loaded), kept current by
//! revocations, modifications and reads: findMessage reads them, a modify sends the version it
//! knows, getMessageList turns `nextReqMessageID` into a sequence through them, and the out
//! messages not yet read by the peer are reported when the peer reads them.

use super::object::{SdkMessage, FLOW_OUT};
use crate::vecmap::VecMap;
use std::collections::VecDeque;

/// Out messages kept per conversation, to report them when the peer reads them.
const KEPT_OUT_MESSAGES: usize = 100;
/// Messages kept for `findMessage`, newest seen last.
const KEPT_MESSAGES: usize = 1000;

#[derive(Debug, Default)]
pub(crate) struct Recent {
    by_id: VecMap<String, SdkMessage>,
    /// The IDs of `by_id` in the order seen.
    order: VecDeque<String>,
    /// Recent out messages per conversationID, for MESSAGE_READ_BY_PEER.
    out: VecMap<String, Vec<SdkMessage>>,
}

impl Recent {
    pub fn get(&self, id: &str) -> Option<&SdkMessage> {
        self.by_id.get(id)
    }

    /// Keep `m` as it is now.
    pub fn remember(&mut self, m: &SdkMessage) {
        if self.by_id.insert(m.id.clone(), m.clone()).is_none() {
            self.order.push_back(m.id.clone());
            if self.order.len() > KEPT_MESSAGES {
                if let Some(old) = self.order.pop_front() {
                    self.by_id.remove(&old);
                }
            }
        }
        if m.flow == FLOW_OUT && !m.is_peer_read {
            let out = self
                .out
                .get_or_insert_with(m.conversation_id.clone(), Vec::new);
            if !out.iter().any(|o| o.id == m.id) {
                out.push(m.clone());
                if out.len() > KEPT_OUT_MESSAGES {
                    out.remove(0);
                }
            }
        }
    }

    /// The peer of `conversation_id` read up to `read_seq`: the out messages that became read,
    /// now marked so.
    pub fn peer_read(&mut self, conversation_id: &str, read_seq: u64) -> Vec<SdkMessage> {
        let mut read = Vec::new();
        if let Some(out) = self.out.get_mut(conversation_id) {
            for m in out.iter_mut() {
                if !m.is_peer_read && m.sequence <= read_seq {
                    m.is_peer_read = true;
                    read.push(m.clone());
                }
            }
        }
        for m in &read {
            if let Some(kept) = self.by_id.get_mut(&m.id) {
                kept.is_peer_read = true;
            }
        }
        read
    }
}
