//! The store conformance suite on the SQLite backend (its schema upgrades are tested through
//! the real server in conversations.rs), and what only a file on disk can show.

mod conformance;

use std::path::Path;
use std::sync::Arc;
use tim_server::bus::Bus;
use tim_server::store::sqlite::SqliteStore;
use tim_server::store::InboxStore;

fn open(dir: &Path, bus: Arc<dyn Bus>) -> SqliteStore {
    SqliteStore::open(&dir.join("tim.db"), bus).unwrap()
}

async fn open_for_suite(dir: &Path, bus: Arc<dyn Bus>) -> SqliteStore {
    open(dir, bus)
}

conformance_suite!(open_for_suite);

/// The writer keeps sequence counters in memory: a store opened again on the same file goes
/// on numbering from what is stored.
#[test]
fn numbering_goes_on_after_reopening() {
    use conformance::{send, text, APP};
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let bus: Arc<dyn Bus> = Arc::new(conformance::Recorder::default());
    rt.block_on(async {
        let store = open(dir.path(), bus.clone());
        conformance::login_all(&store, &["ann", "ben"]).await;
        send(&store, "ann", "ben", "1", text("one")).await;
        send(&store, "ben", "ann", "2", text("two")).await;
    });
    rt.block_on(async {
        let store = open(dir.path(), bus.clone());
        let m = send(&store, "ann", "ben", "3", text("three")).await;
        assert_eq!(m.sequence, 3);
        let inbox = store.inbox_after(APP, "ben", 0, 10).await.unwrap();
        let seqs: Vec<u64> = inbox.items.iter().map(|i| i.seq).collect();
        assert_eq!((seqs, inbox.inbox_seq), (vec![1, 2, 3], 3));
    });
}
