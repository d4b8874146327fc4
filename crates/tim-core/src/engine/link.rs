//! Where the connection of a session stands.

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
