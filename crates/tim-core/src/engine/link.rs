//! Where the connection of a session stands, and how a link or a session ends: a lost link
//! (requests failed or kept for the next connection, backoff), a kick, the end of a session.

use super::session::{in_order, Kind, Pending};
use super::{Domains, Engine};
use crate::error::*;
use crate::output::*;
use tim_proto::kicked_out_code;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    /// No socket; connect again at `retry_at`.
    Down { retry_at: u64 },
    /// `Connect` was asked for; waiting for the server's hello until `deadline`.
    Opening { deadline: u64 },
    /// The login frame is on its way.
    Authing,
    /// Logged in; fetching the inbox items missed before this connection.
    Syncing,
    /// Logged in and caught up; pushes are delivered as they come.
    Up,
}

impl Link {
    pub(crate) fn has_socket(self) -> bool {
        !matches!(self, Link::Down { .. })
    }

    /// The server accepts requests on this connection.
    pub(crate) fn logged_in(self) -> bool {
        matches!(self, Link::Syncing | Link::Up)
    }
}

impl<W> Engine<W> {
    pub(super) fn expire(&mut self, d: &mut impl Domains<W>, now_ms: u64, kind: Kind<W>) {
        match kind {
            Kind::App(_) => self.fail(d, now_ms, kind, ApiError::sdk(NETWORK_TIMEOUT)),
            _ => self.lose_link(d, now_ms, NETWORK_TIMEOUT, true),
        }
    }

    /// The connection is gone (`close`: the engine ends it). Fails what waited on it; a first
    /// login fails with `code`, a session that got past it reconnects with backoff.
    pub(super) fn lose_link(
        &mut self,
        d: &mut impl Domains<W>,
        now_ms: u64,
        code: u32,
        close: bool,
    ) {
        // Exponential backoff from 1 s to the cap, with full jitter, so clients dropped together
        // do not come back together.
        let retries = self.session.as_ref().map_or(0, |s| s.retries);
        let ceiling = (1000u64 << retries.min(16)).min(self.config.reconnect_max_ms);
        let delay = self.random() % (ceiling + 1);
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let was_connected = s.link.logged_in() && !s.offline;
        s.link = Link::Down {
            retry_at: now_ms + delay,
        };
        s.retries = s.retries.saturating_add(1);
        s.sync_pending = false;
        s.resync = false;
        s.group_sync_pending = false;
        s.group_resync = false;
        s.loading = 0;
        let pending = std::mem::take(&mut s.pending);
        let login_op = s.login_op.take();
        if close {
            self.effects.push_back(Effect::Close);
        }
        if let Some(op) = login_op {
            self.complete(op, Err(ApiError::sdk(code)));
            return self.end_session(d, LOGIN_FAILED);
        }
        // The app's requests wait for the next connection (until their deadlines); the
        // session's own (login, sync, heartbeat, loads) are made afresh then.
        let mut requeued: Vec<Pending<W>> = in_order(pending)
            .into_iter()
            .filter(|p| matches!(p.kind, Kind::App(_)))
            .collect();
        if let Some(s) = self.session.as_mut() {
            requeued.append(&mut s.queued);
            s.queued = requeued;
        }
        self.set_net(if was_connected {
            NET_STATE_CONNECTING
        } else {
            NET_STATE_DISCONNECTED
        });
    }

    pub(super) fn kicked(&mut self, d: &mut impl Domains<W>, type_: String) {
        let reason = kicked_out_code(&type_);
        self.emit(Event::KickedOut { type_ });
        self.end_session(d, reason);
    }

    /// Drops the session and all it knew; API calls now reject with `reason`.
    pub(super) fn end_session(&mut self, d: &mut impl Domains<W>, reason: u32) {
        let Some(s) = self.session.take() else {
            return;
        };
        self.reason = reason;
        if let Some(op) = s.login_op {
            self.complete(op, Err(ApiError::sdk(reason)));
        }
        for (op, _) in s.awaiting_ready {
            self.complete(op, Err(ApiError::sdk(reason)));
        }
        for p in in_order(s.pending).into_iter().chain(s.queued) {
            // No `now`: the session is gone, so nothing a domain does with it starts a request.
            self.fail(d, 0, p.kind, ApiError::sdk(reason));
        }
        if s.ready {
            self.emit(Event::SdkNotReady);
        }
        if s.link.has_socket() {
            self.effects.push_back(Effect::Close);
        }
        d.clear();
    }
}
