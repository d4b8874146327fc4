//! Accounts: a user exists once it has logged in (or was imported by the REST API).

use super::StoreResult;
use std::future::Future;

pub trait UserStore: Send + Sync + 'static {
    /// Create the user if new; returns the user's current inbox sequence.
    fn login_user(&self, app: u64, user: &str) -> impl Future<Output = StoreResult<u64>> + Send;
}
