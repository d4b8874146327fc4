//! The store conformance suite on the SQLite backend (its schema upgrades are tested through
//! the real server in conversations.rs).

mod conformance;

use std::path::Path;
use std::sync::Arc;
use tim_server::bus::Bus;
use tim_server::store::sqlite::SqliteStore;

fn open(dir: &Path, bus: Arc<dyn Bus>) -> SqliteStore {
    SqliteStore::open(&dir.join("tim.db"), bus).unwrap()
}

conformance_suite!(open);
