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
/// Compiled statements a connection keeps (more than the writer's distinct statements).
const STATEMENT_CACHE: usize = 64;
/// How often the WAL is checkpointed.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

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
/// One write: runs in the writer's transaction; says how it went and how to answer.
type Job = Box<dyn FnOnce(&Connection, &mut Deliveries) -> (Outcome, Settle) + Send>;

/// How a write went, for the transaction around it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    /// Refused: what it wrote is undone (its savepoint, or nothing if it writes only after
    /// its checks).
    Refused,
    /// Failed after writing, without a savepoint: the whole batch is undone.
    Broken,
}

/// Whether a write runs in a savepoint of its own, or is written so that it refuses only
/// before its first write (then a storage failure undoes the whole batch).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Guard {
    Savepoint,
    ChecksFirst,
}

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
        // Checkpoints run on a thread of their own (below), not inside a commit.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every statement the writer runs stays compiled.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
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
        let readers = Arc::new(ReadPool {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        });
        start_checkpointer(path, Arc::downgrade(&readers))?;
        Ok(SqliteStore {
            writes: tx,
            readers,
        })
    }

    /// Run `f` in the writer's next transaction, in a savepoint of its own; answers after that
    /// transaction commits.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection, &mut Deliveries) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.write_guarded(Guard::Savepoint, f).await
    }

    /// [`write`](Self::write) for an `f` that checks everything before it writes: it runs
    /// without a savepoint (two statements fewer), and a storage failure undoes the batch.
    async fn write_checked<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection, &mut Deliveries) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.write_guarded(Guard::ChecksFirst, f).await
    }

    async fn write_guarded<T: Send + 'static>(
        &self,
        guard: Guard,
        f: impl FnOnce(&Connection, &mut Deliveries) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn, deliveries| {
            let result = f(conn, deliveries);
            let outcome = match (&result, guard) {
                (Ok(_), _) => Outcome::Done,
                (Err(StoreError::Internal(_)), Guard::ChecksFirst) => Outcome::Broken,
                (Err(_), _) => Outcome::Refused,
            };
            let settle: Settle = Box::new(move |committed| {
                let _ = reply.send(committed.and(result));
            });
            (outcome, settle)
        });
        let job = match guard {
            Guard::Savepoint => in_savepoint(job),
            Guard::ChecksFirst => job,
        };
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

/// Copies the WAL into the database now and then, so the WAL stays small, without ever
/// making a commit wait: PASSIVE checkpoints take no lock a writer needs. It stops with the
/// store (`alive` is the store's read pool).
fn start_checkpointer(path: &Path, alive: std::sync::Weak<ReadPool>) -> StoreResult<()> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            while alive.strong_count() > 0 {
                std::thread::sleep(CHECKPOINT_EVERY);
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!("WAL checkpoint: {e}");
                }
            }
        })
        .map_err(internal)?;
    Ok(())
}

/// `job` in a savepoint of its own: refused or failed, what it wrote is undone and the batch
/// goes on.
fn in_savepoint(job: Job) -> Job {
    Box::new(move |conn, deliveries| {
        let run = |sql: &str| {
            conn.prepare_cached(sql)
                .and_then(|mut s| s.execute([]))
                .is_ok()
        };
        let opened = run("SAVEPOINT job");
        let mut made = Vec::new();
        let (outcome, settle) = job(conn, &mut made);
        let end = match outcome {
            _ if !opened => Outcome::Broken,
            Outcome::Done if run("RELEASE job") => {
                deliveries.append(&mut made);
                Outcome::Done
            }
            Outcome::Refused | Outcome::Broken if run("ROLLBACK TO job") && run("RELEASE job") => {
                Outcome::Refused
            }
            _ => Outcome::Broken,
        };
        (end, settle)
    })
}

fn commit_batch(conn: &mut Connection, batch: Vec<Job>, bus: &dyn Bus) {
    let mut settles = Vec::with_capacity(batch.len());
    let mut deliveries = Vec::new();
    let committed = (|| -> rusqlite::Result<bool> {
        let tx = conn.transaction()?;
        let mut broken = false;
        for job in batch {
            let mut made = Vec::new();
            let (outcome, settle) = job(&tx, &mut made);
            match outcome {
                Outcome::Done => deliveries.append(&mut made),
                Outcome::Refused => {}
                Outcome::Broken => broken = true,
            }
            settles.push(settle);
        }
        if broken {
            tx.rollback()?;
            return Ok(false);
        }
        tx.commit()?;
        Ok(true)
    })();
    let committed = match committed {
        Ok(true) => Ok(()),
        Ok(false) => Err(internal("a write failed: the batch was undone")),
        Err(e) => Err(internal(e)),
    };
    if committed.is_ok() {
        for (app, user, item) in deliveries {
            bus.publish(Target::User { app, user: &user }, Push::Inbox(item));
        }
    } else if let Err(e) = &committed {
        tracing::error!("storage: {e}");
    }
    for settle in settles {
        settle(committed.as_ref().map(|_| ()).map_err(internal));
    }
}
