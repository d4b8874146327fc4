//! The SQLite store (rusqlite, bundled SQLite, WAL), one file per domain beside this one and
//! the writer in `writer.rs`.
//!
//! Writes go to the one writer thread ([`writer`]): group commit, a write answered only after
//! the commit that holds it is on disk (the WAL synced). Reads run on a small pool of read-only
//! connections on tokio's blocking threads. rusqlite over sqlx: no async driver needed for a
//! single-writer design, fewer dependencies, and the bundled SQLite is the same everywhere.
//! The schema is the numbered files in `migrations/`, applied in order (`PRAGMA user_version`
//! counts those applied).

mod conversations;
mod groups;
mod inbox;
mod messages;
mod profiles;
mod relations;
mod rows;
mod users;
mod writer;

use super::rules::MessageIds;
use super::{StoreError, StoreResult};
use crate::bus::Bus;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use writer::{Guard, Writer, Writes};

/// The schema, one step per version: a database at version N has had the first N applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_init.sql"),
    include_str!("migrations/002_conversations.sql"),
    include_str!("migrations/003_hidden_messages.sql"),
    include_str!("migrations/004_need_receipt.sql"),
    include_str!("migrations/005_message_version.sql"),
    include_str!("migrations/006_message_control.sql"),
    include_str!("migrations/007_at_users.sql"),
    include_str!("migrations/008_counters_from_rows.sql"),
    include_str!("migrations/009_modifier.sql"),
    include_str!("migrations/010_meta.sql"),
    include_str!("migrations/011_profiles.sql"),
    include_str!("migrations/012_relations.sql"),
    include_str!("migrations/013_message_sender.sql"),
    include_str!("migrations/014_name_card.sql"),
];

/// Idle read connections kept open.
const MAX_IDLE_READERS: usize = 8;
/// Compiled statements a connection keeps (more than the writer's distinct statements).
const STATEMENT_CACHE: usize = 64;
/// The WAL file is cut back to this size when it starts over after a burst.
const WAL_SIZE_LIMIT: i64 = 64 << 20;
/// The writer's page cache, KiB (SQLite's default of 2 MiB made a send read pages back from
/// the file under load).
const WRITER_CACHE_KIB: i64 = 16 << 10;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Internal(e.to_string())
    }
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

pub struct SqliteStore {
    writer: Writer,
    readers: Arc<ReadPool>,
}

struct ReadPool {
    path: PathBuf,
    ids: MessageIds,
    idle: Mutex<Vec<Connection>>,
}

impl ReadPool {
    fn with<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let conn = self.idle.lock().expect("reader pool lock").pop();
        let conn = match conn {
            Some(c) => c,
            None => open_reader(&self.path)?,
        };
        let out = rows::with_ids(self.ids, || f(&conn));
        let mut idle = self.idle.lock().expect("reader pool lock");
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }
}

fn open_reader(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// Bring the schema to the newest version, applying the missing migrations in order in one
/// transaction.
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let tx = conn.transaction()?;
    for sql in MIGRATIONS.iter().skip(version) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len())?;
    tx.commit()
}

/// The database's message IDs, with the secret key made the first time.
fn message_ids(conn: &Connection) -> StoreResult<MessageIds> {
    const NAME: &str = "message_id_key";
    let stored: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM meta WHERE name = ?1", [NAME], |r| {
            r.get(0)
        })
        .optional()?;
    let key = match stored {
        Some(key) => key,
        None => {
            let mut key = vec![0u8; 16];
            getrandom::fill(&mut key).map_err(internal)?;
            conn.execute(
                "INSERT INTO meta (name, value) VALUES (?1, ?2)",
                params![NAME, key],
            )?;
            key
        }
    };
    let key: [u8; 16] = key
        .try_into()
        .map_err(|_| internal("the message ID key is not 16 bytes"))?;
    Ok(MessageIds::new(key))
}

impl SqliteStore {
    /// Open (creating or upgrading if needed) the database file at `path` and start the
    /// writer thread, which publishes committed inbox items on `bus`.
    pub fn open(path: &Path, bus: Arc<dyn Bus>) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| internal(format!("creating {}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // The writer syncs the WAL itself before it answers (see `writer`); SQLite syncs
        // around checkpoints.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Checkpoints run beside the writer (see `writer`), not inside a commit.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every statement the writer runs stays compiled.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        migrate(&mut conn)?;
        let ids = message_ids(&conn)?;
        let readers = Arc::new(ReadPool {
            path: path.to_owned(),
            ids,
            idle: Mutex::new(Vec::new()),
        });
        let writer = Writer::start(conn, path, ids, bus, Arc::downgrade(&readers))?;
        Ok(SqliteStore { writer, readers })
    }

    /// Run `f` in the writer's next transaction, in a savepoint of its own; answers after that
    /// transaction commits.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection, &mut Writes) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.writer.write(Guard::Savepoint, f).await
    }

    /// [`write`](Self::write) for an `f` that checks everything before it writes: it runs
    /// without a savepoint (two statements fewer), and a storage failure undoes the batch.
    async fn write_checked<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection, &mut Writes) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.writer.write(Guard::ChecksFirst, f).await
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let pool = self.readers.clone();
        tokio::task::spawn_blocking(move || pool.with(f))
            .await
            .map_err(internal)?
    }
}
