//! The writer: one thread owns the only write connection and commits everything that queued
//! up while the previous commit ran in one transaction (group commit). What a commit makes
//! known (inbox items to push, answers) goes to a publisher thread, which first makes the WAL
//! durable (one `fdatasync` for every commit that queued up meanwhile) and only then pushes
//! and answers: an acknowledged message survives a crash or a power loss, as with
//! `synchronous=FULL`, but the writer runs the next batch while the disk syncs instead of
//! waiting for it (SQLite itself runs with `synchronous=NORMAL`, which syncs around
//! checkpoints only). Sequence counters (each inbox's and each conversation's) stay in the
//! writer's memory once read, so a send takes them without a statement. WAL checkpoints run
//! beside the writer, never inside a commit.

use super::super::rules::MessageIds;
use super::super::{StoreError, StoreResult};
use super::{internal, rows};
use crate::bus::{Bus, Push, Target};
use rusqlite::Connection;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc as std_mpsc, Arc, Weak};
use std::time::Duration;
use tim_proto::{InboxItem, Message};
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
/// What a commit publishes.
enum Delivery {
    /// An inbox item: (app, owner, item).
    Inbox(u64, String, InboxItem),
    /// A group message to its members: (app, members, message).
    Group(u64, Arc<[String]>, Message),
}
/// Makes every commit written so far durable.
type SyncWal = Box<dyn FnMut() -> std::io::Result<()> + Send>;

/// A sequence counter the writer keeps: the last number taken.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) enum Counter {
    /// A user's inbox.
    Inbox(u64, String),
    /// A conversation's messages.
    Conversation(u64, String),
    /// The bytes of message bodies a user has sent (against the user's quota).
    Stored(u64, String),
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
    /// What the writer remembers once read, since only the writer changes the rows it comes
    /// from: forgotten when they change, and whenever writes are undone.
    known: Known,
}

/// See [`Writes::known`].
#[derive(Default)]
struct Known {
    /// Users' (app, user) nick and avatar, as messages are stamped with them.
    stamps: HashMap<(u64, String), (String, String)>,
    /// Whether (app, owner, other): the owner has the other in their blacklist.
    blocks: HashMap<(u64, String, String), bool>,
}

impl Known {
    fn clear(&mut self) {
        self.stamps.clear();
        self.blocks.clear();
    }
}

/// `key`'s value in `map`, read with `load` the first time (the map is emptied once it holds
/// as many as the writer keeps).
fn remembered<K: Eq + std::hash::Hash, V: Clone>(
    map: &mut HashMap<K, V>,
    key: K,
    load: impl FnOnce() -> StoreResult<V>,
) -> StoreResult<V> {
    if let Some(known) = map.get(&key) {
        return Ok(known.clone());
    }
    let known = load()?;
    if map.len() >= MAX_COUNTERS {
        map.clear();
    }
    map.insert(key, known.clone());
    Ok(known)
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
        Ok(self.current(counter, load)?.map(|last| last + 1))
    }

    /// The value of `counter` (the last one taken), read with `load` the first time.
    pub(super) fn current(
        &mut self,
        counter: &Counter,
        load: impl FnOnce() -> StoreResult<Option<i64>>,
    ) -> StoreResult<Option<i64>> {
        if let Some(last) = self.counters.get(counter) {
            return Ok(Some(*last));
        }
        let Some(last) = load()? else {
            return Ok(None);
        };
        self.counters.insert(counter.clone(), last);
        Ok(Some(last))
    }

    /// Take `value` (from [`next`](Self::next)) of `counter`.
    pub(super) fn take(&mut self, counter: Counter, value: i64) {
        let before = self.counters.insert(counter.clone(), value);
        self.undo.push((counter, before));
    }

    /// `user`'s nick and avatar, read with `load` the first time.
    pub(super) fn stamp(
        &mut self,
        app: u64,
        user: &str,
        load: impl FnOnce() -> StoreResult<(String, String)>,
    ) -> StoreResult<(String, String)> {
        remembered(&mut self.known.stamps, (app, user.to_owned()), load)
    }

    /// `user`'s profile changes.
    pub(super) fn forget_stamp(&mut self, app: u64, user: &str) {
        self.known.stamps.remove(&(app, user.to_owned()));
    }

    /// Whether `owner` has `other` in their blacklist, read with `load` the first time.
    pub(super) fn blocks(
        &mut self,
        app: u64,
        owner: &str,
        other: &str,
        load: impl FnOnce() -> StoreResult<bool>,
    ) -> StoreResult<bool> {
        let key = (app, owner.to_owned(), other.to_owned());
        remembered(&mut self.known.blocks, key, load)
    }

    /// Whether `owner` has `other` in their blacklist changes.
    pub(super) fn forget_blocks(&mut self, app: u64, owner: &str, other: &str) {
        self.known
            .blocks
            .remove(&(app, owner.to_owned(), other.to_owned()));
    }

    /// Publish `item` to `owner` once the transaction commits.
    pub(super) fn deliver(&mut self, app: u64, owner: &str, item: InboxItem) {
        self.deliveries
            .push(Delivery::Inbox(app, owner.to_owned(), item));
    }

    /// Publish group message `message` to `members` once the transaction commits.
    pub(super) fn deliver_group(&mut self, app: u64, members: Arc<[String]>, message: Message) {
        self.deliveries.push(Delivery::Group(app, members, message));
    }

    fn mark(&self) -> Mark {
        Mark {
            deliveries: self.deliveries.len(),
            undo: self.undo.len(),
        }
    }

    fn undo_to(&mut self, mark: Mark) {
        // What was read after a write that is now undone may never have been.
        self.known.clear();
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
    /// Start the writer on `conn` (the database at `path`, in WAL mode), publishing on
    /// `bus`; the checkpoint thread stops once `alive` is gone.
    pub(super) fn start<A: Send + Sync + 'static>(
        conn: Connection,
        path: &Path,
        ids: MessageIds,
        bus: Arc<dyn Bus>,
        alive: Weak<A>,
    ) -> StoreResult<Writer> {
        // The WAL file lives as long as a connection to the database is open (the writer's
        // is), so one handle to it serves until the end, and reports every write-back error.
        let mut wal_path = path.as_os_str().to_owned();
        wal_path.push("-wal");
        let wal = std::fs::File::open(&wal_path)
            .map_err(|e| internal(format!("opening {}: {e}", Path::new(&wal_path).display())))?;
        let caught_up = start_checkpointer(path, alive)?;
        Self::start_with(conn, ids, Box::new(move || wal.sync_data()), bus, caught_up)
    }

    /// Start the writer on `conn`, answering after `sync`; the writer finishes a checkpoint
    /// when `caught_up` is set.
    fn start_with(
        mut conn: Connection,
        ids: MessageIds,
        mut sync: SyncWal,
        bus: Arc<dyn Bus>,
        caught_up: Arc<AtomicBool>,
    ) -> StoreResult<Writer> {
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let (published, publish) = std_mpsc::channel::<Committed>();
        std::thread::Builder::new()
            .name("sqlite-publish".into())
            .spawn(move || {
                while let Ok(first) = publish.recv() {
                    // One sync for every commit that came meanwhile.
                    let mut done = vec![first];
                    done.extend(publish.try_iter());
                    let synced = match done.iter().any(|c| c.result.is_ok()) {
                        true => sync().map_err(|e| internal(format!("syncing the WAL: {e}"))),
                        false => Ok(()),
                    };
                    if let Err(e) = &synced {
                        tracing::error!("storage: {e}");
                    }
                    for committed in done {
                        committed.publish(bus.as_ref(), synced.as_ref());
                    }
                }
            })
            .map_err(internal)?;
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                rows::with_ids(ids, || {
                    writer_loop(&mut conn, &mut queue, &caught_up, &published)
                })
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

/// The writer's thread: a batch of whatever queued up, one transaction, handed to the
/// publisher; between two, the writer's part of a checkpoint when one is due.
fn writer_loop(
    conn: &mut Connection,
    queue: &mut mpsc::UnboundedReceiver<Job>,
    caught_up: &AtomicBool,
    published: &std_mpsc::Sender<Committed>,
) {
    let mut writes = Writes::default();
    while let Some(first) = queue.blocking_recv() {
        if caught_up.swap(false, Ordering::Relaxed) {
            finish_checkpoint(conn);
        }
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let committed = commit_batch(conn, batch, &mut writes);
        if published.send(committed).is_err() {
            break;
        }
    }
}

/// What one transaction made known, for the publisher thread.
struct Committed {
    result: Result<(), StoreError>,
    deliveries: Vec<Delivery>,
    settles: Vec<Settle>,
}

impl Committed {
    /// Once `synced` says the commit is durable: push the inbox items, then answer the writes
    /// (an answer never overtakes its push). Not durable, nothing is pushed and every write is
    /// answered with the failure (the items stay in the inboxes: a retry finds its message).
    fn publish(self, bus: &dyn Bus, synced: Result<&(), &StoreError>) {
        let result = self.result.and_then(|()| synced.map_err(internal).copied());
        if result.is_ok() {
            for delivery in self.deliveries {
                match delivery {
                    Delivery::Inbox(app, user, item) => {
                        bus.publish(Target::User { app, user: &user }, Push::Inbox(item))
                    }
                    Delivery::Group(app, members, message) => {
                        bus.publish_group(app, &members, &message)
                    }
                }
            }
        }
        for settle in self.settles {
            settle(result.as_ref().map(|_| ()).map_err(internal));
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
/// whole WAL. This thread flushes the pages it copied to disk before it tells, so that the
/// writer's part syncs only its own few (halving the writer's pause, to about 5 ms here).
/// The thread stops once `alive` is gone.
fn start_checkpointer<A: Send + Sync + 'static>(
    path: &Path,
    alive: Weak<A>,
) -> StoreResult<Arc<AtomicBool>> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let db = std::fs::File::open(path).map_err(internal)?;
    let caught_up = Arc::new(AtomicBool::new(false));
    let tell = caught_up.clone();
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            while alive.strong_count() > 0 {
                std::thread::sleep(CHECKPOINT_EVERY);
                match checkpoint(&conn) {
                    Ok(frames) if frames > 0 => {
                        // The pages copied are flushed here, not in the writer's part.
                        if let Err(e) = db.sync_data() {
                            tracing::warn!("WAL checkpoint: syncing the database: {e}");
                        }
                        tell.store(true, Ordering::Relaxed)
                    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use tim_proto::InboxEvent;

    /// Records what is published.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);

    impl Bus for Recorder {
        fn publish(&self, target: Target<'_>, _push: Push) {
            self.0.lock().unwrap().push(target.user().1.to_owned());
        }
    }

    /// A writer whose sync waits for the test to say how it went.
    fn gated_writer() -> (Writer, Arc<Recorder>, std_mpsc::Sender<std::io::Result<()>>) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        let (gate, outcome) = std_mpsc::channel();
        let sync: SyncWal = Box::new(move || outcome.recv().unwrap());
        let bus = Arc::new(Recorder::default());
        let caught_up = Arc::new(AtomicBool::new(false));
        let ids = MessageIds::new([7; 16]);
        let writer = Writer::start_with(conn, ids, sync, bus.clone(), caught_up).unwrap();
        (writer, bus, gate)
    }

    fn insert_for(user: &'static str) -> impl FnOnce(&Connection, &mut Writes) -> StoreResult<()> {
        move |conn, writes| {
            conn.execute("INSERT INTO t VALUES (1)", [])?;
            let message = InboxEvent::Message {
                message: Message::default(),
            };
            writes.deliver(
                1,
                user,
                InboxItem {
                    seq: 1,
                    event: message,
                },
            );
            Ok(())
        }
    }

    #[tokio::test]
    async fn nothing_is_answered_or_pushed_before_the_wal_is_synced() {
        let (writer, bus, gate) = gated_writer();
        let writer = Arc::new(writer);
        let w = writer.clone();
        let answer =
            tokio::spawn(async move { w.write(Guard::ChecksFirst, insert_for("bob")).await });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!answer.is_finished(), "answered before the sync");
        assert!(bus.0.lock().unwrap().is_empty(), "pushed before the sync");
        gate.send(Ok(())).unwrap();
        answer.await.unwrap().unwrap();
        assert_eq!(*bus.0.lock().unwrap(), ["bob"]);

        // A failed sync: the write is answered with the failure and nothing is pushed.
        let w = writer.clone();
        let answer =
            tokio::spawn(async move { w.write(Guard::ChecksFirst, insert_for("carol")).await });
        gate.send(Err(std::io::Error::other("disk gone"))).unwrap();
        let failed = answer.await.unwrap().unwrap_err();
        assert!(failed.to_string().contains("disk gone"), "{failed}");
        assert_eq!(*bus.0.lock().unwrap(), ["bob"]);
    }
}
