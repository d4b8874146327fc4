//! Each user's inbox: the numbered items every other domain's writes append to.

use super::StoreResult;
use std::future::Future;
use tim_proto::SyncOk;

pub trait InboxStore: Send + Sync + 'static {
    /// Items of `user`'s inbox with a sequence above `after`, oldest first, at most `limit`.
    fn inbox_after(
        &self,
        app: u64,
        user: &str,
        after: u64,
        limit: u32,
    ) -> impl Future<Output = StoreResult<SyncOk>> + Send;
}
