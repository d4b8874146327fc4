//! The writer: one thread owns the only write connection and commits everything that queued
//! up while the previous commit ran in one transaction (group commit). A sender is answered
//! only after the commit that holds its message, with `synchronous=FULL`, so an acknowledged
//! message survives a crash, and throughput still grows with load. What a commit makes known
//! (inbox items to push, answers) is handed to a publisher thread, so the writer goes on to
//! the next batch at once. Sequence counters (each inbox's and each conversation's) stay in the
//! writer's memory once read, so a send takes them without a statement. WAL checkpoints run
//! beside the writer, never inside a commit.

use super::super::{StoreError, StoreResult};
use super::internal;
use crate::bus::{Bus, Push, Target};
use rusqlite::Connection;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc as std_mpsc, Arc, Weak};
use std::time::Duration;
use tim_proto::InboxItem;
use tokio::sync::{mpsc, oneshot};

/// How many queued writes one transaction takes at most.
const MAX_BATCH: usize = 512;
/// How often the WAL is checkpointed.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);
/// Counters kept in memory at most; past that the writer forgets them all after a commit
/// (each is read again when next needed).
const MAX_COUNTERS: usize = 100_000;

/// Answers the caller of a write, with the outcome of the commit that held it.
type Settle = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// One write: runs in the writer's transaction; says how it went and how to answer.
type Job = Box<dyn FnOnce(&Connection, &mut Writes) -> (Outcome, Settle) + Send>;
/// A committed inbox item to publish: (app, owner, item).
type Delivery = (u64, String, InboxItem);

/// A sequence counter the writer keeps: the last number taken.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) enum Counter {
    /// A user's inbox.
    Inbox(u64, String),
    /// A conversation's messages.
    Conversation(u64, String),
}

/// What the writes of one transaction do besides their SQL: the inbox items to publish once
/// it commits, and the counters they took (undone with what they wrote when a write is
/// refused or the transaction fails).
#[derive(Default)]
pub(super) struct Writes {
    deliveries: Vec<Delivery>,
    counters: HashMap<Counter, i64>,
    /// (counter, value before) for every counter taken in this transaction, in order.
    undo: Vec<(Counter, Option<i64>)>,
}

/// A point to undo [`Writes`] back to.
#[derive(Clone, Copy)]
struct Mark {
    deliveries: usize,
    undo: usize,
}

impl Writes {
    /// The number after the last one taken of `counter`, read with `load` (the last one
    /// stored, or `None` when there is no such counter) the first time: nothing is taken.
    pub(super) fn next(
        &mut self,
        counter: &Counter,
        load: impl FnOnce() -> StoreResult<Option<i64>>,
    ) -> StoreResult<Option<i64>> {
        if let Some(last) = self.counters.get(counter) {
            return Ok(Some(last + 1));
        }
        let Some(last) = load()? else {
            return Ok(None);
        };
        self.counters.insert(counter.clone(), last);
        Ok(Some(last + 1))
    }

    /// Take `value` (from [`next`](Self::next)) of `counter`.
    pub(super) fn take(&mut self, counter: Counter, value: i64) {
        let before = self.counters.insert(counter.clone(), value);
        self.undo.push((counter, before));
    }

    /// Publish `item` to `owner` once the transaction commits.
    pub(super) fn deliver(&mut self, app: u64, owner: &str, item: InboxItem) {
        self.deliveries.push((app, owner.to_owned(), item));
    }

    fn mark(&self) -> Mark {
        Mark {
            deliveries: self.deliveries.len(),
            undo: self.undo.len(),
        }
    }

    fn undo_to(&mut self, mark: Mark) {
        self.deliveries.truncate(mark.deliveries);
        for (counter, before) in self.undo.drain(mark.undo..).rev() {
            match before {
                Some(v) => self.counters.insert(counter, v),
                None => self.counters.remove(&counter),
            };
        }
    }

    /// The transaction failed: everything it took and made is undone.
    fn rolled_back(&mut self) {
        self.undo_to(Mark {
            deliveries: 0,
            undo: 0,
        });
    }

    /// The transaction committed: its deliveries, to publish.
    fn committed(&mut self) -> Vec<Delivery> {
        self.undo.clear();
        if self.counters.len() > MAX_COUNTERS {
            self.counters.clear();
        }
        std::mem::take(&mut self.deliveries)
    }
}

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
pub(super) enum Guard {
    Savepoint,
    ChecksFirst,
}

/// The writer's queue.
pub(super) struct Writer {
    jobs: mpsc::UnboundedSender<Job>,
}

impl Writer {
    /// Start the writer on `conn` (the database at `path`), publishing on `bus`; the
    /// checkpoint thread stops once `alive` is gone.
    pub(super) fn start<A: Send + Sync + 'static>(
        mut conn: Connection,
        path: &Path,
        bus: Arc<dyn Bus>,
        alive: Weak<A>,
    ) -> StoreResult<Writer> {
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let (published, publish) = std_mpsc::channel::<Committed>();
        let caught_up = start_checkpointer(path, alive)?;
        std::thread::Builder::new()
            .name("sqlite-publish".into())
            .spawn(move || {
                for committed in publish {
                    committed.publish(bus.as_ref());
                }
            })
            .map_err(internal)?;
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                let mut writes = Writes::default();
                while let Some(first) = queue.blocking_recv() {
                    if caught_up.swap(false, Ordering::Relaxed) {
                        finish_checkpoint(&conn);
                    }
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match queue.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    let committed = commit_batch(&mut conn, batch, &mut writes);
                    if published.send(committed).is_err() {
                        break;
                    }
                }
            })
            .map_err(internal)?;
        Ok(Writer { jobs })
    }

    /// Run `f` in the writer's next transaction as `guard` says; answers after that
    /// transaction commits.
    pub(super) async fn write<T: Send + 'static>(
        &self,
        guard: Guard,
        f: impl FnOnce(&Connection, &mut Writes) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn, writes| {
            let result = f(conn, writes);
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
        self.jobs.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// What one transaction made known, for the publisher thread.
struct Committed {
    result: Result<(), StoreError>,
    deliveries: Vec<Delivery>,
    settles: Vec<Settle>,
}

impl Committed {
    /// Push the inbox items, then answer the writes (an answer never overtakes its push).
    fn publish(self, bus: &dyn Bus) {
        for (app, user, item) in self.deliveries {
            bus.publish(Target::User { app, user: &user }, Push::Inbox(item));
        }
        for settle in self.settles {
            settle(self.result.as_ref().map(|_| ()).map_err(internal));
        }
    }
}

/// `job` in a savepoint of its own: refused or failed, what it wrote is undone and the batch
/// goes on.
fn in_savepoint(job: Job) -> Job {
    Box::new(move |conn, writes| {
        let run = |sql: &str| {
            conn.prepare_cached(sql)
                .and_then(|mut s| s.execute([]))
                .is_ok()
        };
        if !run("SAVEPOINT job") {
            let (_, settle) = job(conn, writes);
            return (Outcome::Broken, settle);
        }
        let (outcome, settle) = job(conn, writes);
        let end = match outcome {
            Outcome::Done if run("RELEASE job") => Outcome::Done,
            Outcome::Refused | Outcome::Broken if run("ROLLBACK TO job") && run("RELEASE job") => {
                Outcome::Refused
            }
            _ => Outcome::Broken,
        };
        (end, settle)
    })
}

fn commit_batch(conn: &mut Connection, batch: Vec<Job>, writes: &mut Writes) -> Committed {
    let mut settles = Vec::with_capacity(batch.len());
    let committed = (|| -> rusqlite::Result<bool> {
        let tx = conn.transaction()?;
        let mut broken = false;
        for job in batch {
            let mark = writes.mark();
            let (outcome, settle) = job(&tx, writes);
            match outcome {
                Outcome::Done => {}
                Outcome::Refused => writes.undo_to(mark),
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
    let result = match committed {
        Ok(true) => Ok(()),
        Ok(false) => Err(internal("a write failed: the batch was undone")),
        Err(e) => Err(internal(e)),
    };
    let deliveries = if let Err(e) = &result {
        tracing::error!("storage: {e}");
        writes.rolled_back();
        Vec::new()
    } else {
        writes.committed()
    };
    Committed {
        result,
        deliveries,
        settles,
    }
}

/// Copies the WAL into the database now and then, without making a commit wait: PASSIVE
/// checkpoints take no lock a writer needs. But under steady writes a checkpoint running
/// beside the writer never copies the frames committed while it ran, and SQLite starts the
/// WAL over only once every frame is copied: the WAL would grow without end (2 GB in 16 s at
/// full load). So after each pass the writer is told (the flag returned) to copy that
/// remainder itself between two commits ([`finish_checkpoint`]): a few pages, instead of the
/// whole WAL. The thread stops once `alive` is gone.
fn start_checkpointer<A: Send + Sync + 'static>(
    path: &Path,
    alive: Weak<A>,
) -> StoreResult<Arc<AtomicBool>> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let caught_up = Arc::new(AtomicBool::new(false));
    let tell = caught_up.clone();
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            while alive.strong_count() > 0 {
                std::thread::sleep(CHECKPOINT_EVERY);
                match checkpoint(&conn) {
                    Ok(frames) if frames > 0 => tell.store(true, Ordering::Relaxed),
                    Ok(_) => {}
                    Err(e) => tracing::warn!("WAL checkpoint: {e}"),
                }
            }
        })
        .map_err(internal)?;
    Ok(caught_up)
}

/// A PASSIVE checkpoint; the number of frames in the WAL.
fn checkpoint(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
}

/// The writer's part of a checkpoint: copy what the checkpoint thread could not, so that the
/// next commit starts the WAL over.
fn finish_checkpoint(conn: &Connection) {
    if let Err(e) = checkpoint(conn) {
        tracing::warn!("WAL checkpoint: {e}");
    }
}
