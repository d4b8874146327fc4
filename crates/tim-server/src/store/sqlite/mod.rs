//! The SQLite store (rusqlite, bundled SQLite, WAL), one file per domain beside this one.
//!
//! One writer thread owns the only write connection and commits everything that queued up
//! while the previous commit ran in one transaction (group commit), each request in its own
//! savepoint: a sender is answered only after the commit that holds its message, with
//! `synchronous=FULL`, so an acknowledged message survives a crash, and throughput still grows
//! with load. Reads run on a small pool of read-only connections on tokio's blocking threads.
//! rusqlite over sqlx: no async driver needed for a single-writer design, fewer dependencies,
//! and the bundled SQLite is the same everywhere. The schema is the numbered files in
//! `migrations/`, applied in order (`PRAGMA user_version` counts those applied).

mod conversations;
mod inbox;
mod messages;
mod rows;
mod users;

use super::{StoreError, StoreResult};
use crate::bus::{Bus, Push, Target};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tim_proto::InboxItem;
use tokio::sync::{mpsc, oneshot};

/// The schema, one step per version: a database at version N has had the first N applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_init.sql"),
    include_str!("migrations/002_conversations.sql"),
    include_str!("migrations/003_hidden_messages.sql"),
    include_str!("migrations/004_need_receipt.sql"),
    include_str!("migrations/005_message_version.sql"),
    include_str!("migrations/006_message_control.sql"),
    include_str!("migrations/007_at_users.sql"),
];

/// How many queued writes one transaction takes at most.
const MAX_BATCH: usize = 512;
/// Idle read connections kept open.
const MAX_IDLE_READERS: usize = 8;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Internal(e.to_string())
    }
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

/// Inbox items to publish once the transaction that made them commits: (app, owner, item).
pub(super) type Deliveries = Vec<(u64, String, InboxItem)>;
/// Answers the caller of a write, with the outcome of the commit that held it.
type Settle = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// One write: runs in the writer's transaction; says whether it succeeded (else its savepoint
/// is rolled back) and how to answer.
type Job = Box<dyn FnOnce(&Connection, &mut Deliveries) -> (bool, Settle) + Send>;

pub struct SqliteStore {
    writes: mpsc::UnboundedSender<Job>,
    readers: Arc<ReadPool>,
}

struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReadPool {
    fn with<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let conn = self.idle.lock().expect("reader pool lock").pop();
        let conn = match conn {
            Some(c) => c,
            None => open_reader(&self.path)?,
        };
        let out = f(&conn);
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
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        let (tx, mut rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    commit_batch(&mut conn, batch, bus.as_ref());
                }
            })
            .map_err(internal)?;
        Ok(SqliteStore {
            writes: tx,
            readers: Arc::new(ReadPool {
                path: path.to_owned(),
                idle: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Run `f` in the writer's next transaction; answers after that transaction commits.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection, &mut Deliveries) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn, deliveries| {
            let result = f(conn, deliveries);
            let ok = result.is_ok();
            let settle: Settle = Box::new(move |committed| {
                let _ = reply.send(committed.and(result));
            });
            (ok, settle)
        });
        let stopped = || internal("writer stopped");
        self.writes.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
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

fn commit_batch(conn: &mut Connection, batch: Vec<Job>, bus: &dyn Bus) {
    let mut settles = Vec::with_capacity(batch.len());
    let mut deliveries = Vec::new();
    let committed = (|| -> rusqlite::Result<()> {
        let mut tx = conn.transaction()?;
        for job in batch {
            let mut sp = tx.savepoint()?;
            let mut made = Vec::new();
            let (ok, settle) = job(&sp, &mut made);
            if ok {
                sp.commit()?;
                deliveries.append(&mut made);
            } else {
                sp.rollback()?;
            }
            settles.push(settle);
        }
        tx.commit()
    })();
    if committed.is_ok() {
        for (app, user, item) in deliveries {
            bus.publish(Target::User { app, user: &user }, Push::Inbox(item));
        }
    }
    for settle in settles {
        settle(committed.as_ref().map(|_| ()).map_err(internal));
    }
}
