//! The caller's inbox: `sync`, the exact catch-up after any gap.

use super::{fit, Ctx, Failure};
use crate::store::Store;
use tim_proto::{Sync, SyncOk, MAX_SYNC_LIMIT};

pub async fn sync<S: Store>(ctx: &Ctx<'_, S>, s: Sync) -> Result<SyncOk, Failure> {
    let Ctx { shared, caller } = ctx;
    let limit = s.limit.clamp(1, MAX_SYNC_LIMIT);
    let page = shared
        .store
        .inbox_after(caller.app, &caller.user, s.after, limit);
    let mut page = page.await?;
    fit(&mut page.items, &mut page.complete);
    Ok(page)
}
