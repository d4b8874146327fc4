//! The SQLite store (rusqlite, bundled SQLite, WAL).
//!
//! One writer thread owns the only write connection and commits everything that queued up
//! while the previous commit ran in one transaction (group commit): a sender is answered only
//! after the commit that holds its message, with `synchronous=FULL`, so an acknowledged message
//! survives a crash, and throughput still grows with load. Reads run on a small pool of
//! read-only connections on tokio's blocking threads. rusqlite over sqlx: no async driver
//! needed for a single-writer design, fewer dependencies, and the bundled SQLite is the same
//! everywhere.

use super::{c2c_key, DeliverySink, InboxPage, NewMessage, Store, StoreError, StoreResult};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tim_proto::{ConversationType, InboxEvent, InboxItem, Message};
use tokio::sync::{mpsc, oneshot};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS users (
    app        INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    created    INTEGER NOT NULL,
    inbox_seq  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (app, user_id)
) WITHOUT ROWID;
-- One row per conversation (C2C pair or, later, group): its last message sequence.
CREATE TABLE IF NOT EXISTS conversations (
    app        INTEGER NOT NULL,
    conv       TEXT    NOT NULL,
    last_seq   INTEGER NOT NULL,
    PRIMARY KEY (app, conv)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
    id            INTEGER PRIMARY KEY,
    app           INTEGER NOT NULL,
    conv          TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    conv_type     INTEGER NOT NULL,
    sender        TEXT    NOT NULL,
    receiver      TEXT    NOT NULL,
    client_msg_id TEXT    NOT NULL,
    random        INTEGER NOT NULL,
    time          INTEGER NOT NULL,
    elements      TEXT    NOT NULL,
    cloud_custom_data TEXT NOT NULL DEFAULT '',
    UNIQUE (app, conv, seq),
    UNIQUE (app, sender, client_msg_id)
);
-- Every event a user must see, numbered per user; kind 1 = message.
CREATE TABLE IF NOT EXISTS inbox (
    app        INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    msg        INTEGER NOT NULL REFERENCES messages(id),
    PRIMARY KEY (app, user_id, seq)
) WITHOUT ROWID;
"#;

const KIND_MESSAGE: i64 = 1;
/// How many queued writes one transaction takes at most.
const MAX_BATCH: usize = 512;
/// Idle read connections kept open.
const MAX_IDLE_READERS: usize = 8;

const MESSAGE_COLUMNS: &str =
    "m.id, m.seq, m.conv_type, m.sender, m.receiver, m.client_msg_id, m.random, m.time, m.elements, m.cloud_custom_data";

enum WriteOp {
    LoginUser {
        app: u64,
        user: String,
        reply: oneshot::Sender<StoreResult<u64>>,
    },
    SendC2c {
        msg: NewMessage,
        reply: oneshot::Sender<StoreResult<Message>>,
    },
}

pub struct SqliteStore {
    writes: mpsc::UnboundedSender<WriteOp>,
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

impl SqliteStore {
    /// Open (creating if needed) the database file at `path` and start the writer thread.
    pub fn open(path: &Path, sink: Arc<dyn DeliverySink>) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Internal(format!("creating {}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        let (tx, mut rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(op) => batch.push(op),
                            Err(_) => break,
                        }
                    }
                    commit_batch(&mut conn, batch, sink.as_ref());
                }
            })
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        Ok(SqliteStore {
            writes: tx,
            readers: Arc::new(ReadPool {
                path: path.to_owned(),
                idle: Mutex::new(Vec::new()),
            }),
        })
    }

    async fn write<T>(
        &self,
        op: impl FnOnce(oneshot::Sender<StoreResult<T>>) -> WriteOp,
    ) -> StoreResult<T> {
        let (reply, answer) = oneshot::channel();
        self.writes
            .send(op(reply))
            .map_err(|_| StoreError::Internal("writer stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Internal("writer stopped".into()))?
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let pool = self.readers.clone();
        tokio::task::spawn_blocking(move || pool.with(f))
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))?
    }
}

/// The effect of one write, applied to the caller and the sessions after commit.
enum Outcome {
    Login(oneshot::Sender<StoreResult<u64>>, StoreResult<u64>),
    Send(
        oneshot::Sender<StoreResult<Message>>,
        StoreResult<Message>,
        Vec<(u64, String, InboxItem)>,
    ),
}

fn commit_batch(conn: &mut Connection, batch: Vec<WriteOp>, sink: &dyn DeliverySink) {
    let mut outcomes = Vec::with_capacity(batch.len());
    let committed = (|| -> rusqlite::Result<()> {
        let mut tx = conn.transaction()?;
        for op in batch {
            let sp = tx.savepoint()?;
            match op {
                WriteOp::LoginUser { app, user, reply } => {
                    let r = login_user(&sp, app, &user);
                    finish(sp, r.is_ok())?;
                    outcomes.push(Outcome::Login(reply, r));
                }
                WriteOp::SendC2c { msg, reply } => {
                    let mut deliveries = Vec::new();
                    let r = send_c2c(&sp, msg, &mut deliveries);
                    finish(sp, r.is_ok())?;
                    if r.is_err() {
                        deliveries.clear();
                    }
                    outcomes.push(Outcome::Send(reply, r, deliveries));
                }
            }
        }
        tx.commit()
    })();
    for outcome in outcomes {
        match outcome {
            Outcome::Login(reply, r) => {
                let _ = reply.send(committed.as_ref().map_err(db_err).and(r));
            }
            Outcome::Send(reply, r, deliveries) => {
                if committed.is_ok() {
                    for (app, user, item) in &deliveries {
                        sink.deliver(*app, user, item);
                    }
                }
                let _ = reply.send(committed.as_ref().map_err(db_err).and(r));
            }
        }
    }
}

fn db_err(e: &rusqlite::Error) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn finish(mut sp: rusqlite::Savepoint<'_>, ok: bool) -> rusqlite::Result<()> {
    if ok {
        sp.commit()
    } else {
        sp.rollback()
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn login_user(conn: &Connection, app: u64, user: &str) -> StoreResult<u64> {
    conn.execute(
        "INSERT INTO users (app, user_id, created) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        params![app as i64, user, now_secs() as i64],
    )?;
    Ok(conn.query_row(
        "SELECT inbox_seq FROM users WHERE app = ?1 AND user_id = ?2",
        params![app as i64, user],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

fn user_exists(conn: &Connection, app: u64, user: &str) -> StoreResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM users WHERE app = ?1 AND user_id = ?2",
            params![app as i64, user],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn send_c2c(
    conn: &Connection,
    msg: NewMessage,
    deliveries: &mut Vec<(u64, String, InboxItem)>,
) -> StoreResult<Message> {
    let app = msg.app as i64;
    let existing = conn
        .query_row(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.app = ?1 AND m.sender = ?2 AND m.client_msg_id = ?3"
            ),
            params![app, msg.from, msg.client_msg_id],
            message_from_row,
        )
        .optional()?;
    if let Some(original) = existing {
        return Ok(original);
    }
    if !user_exists(conn, msg.app, &msg.to)? {
        return Err(StoreError::UnknownUser(msg.to));
    }
    let conv = c2c_key(&msg.from, &msg.to);
    let seq: i64 = conn.query_row(
        "INSERT INTO conversations (app, conv, last_seq) VALUES (?1, ?2, 1)
         ON CONFLICT DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq",
        params![app, conv],
        |r| r.get(0),
    )?;
    let time = now_secs();
    let elements =
        serde_json::to_string(&msg.elements).map_err(|e| StoreError::Internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO messages (app, conv, seq, conv_type, sender, receiver, client_msg_id, random, time, elements, cloud_custom_data)
         VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![app, conv, seq, msg.from, msg.to, msg.client_msg_id, msg.random, time as i64, elements, msg.cloud_custom_data],
    )?;
    let rowid = conn.last_insert_rowid();
    let message = Message {
        id: message_id(rowid, time, msg.random),
        conversation_type: ConversationType::C2C,
        from: msg.from,
        to: msg.to,
        sequence: seq as u64,
        time,
        random: msg.random,
        client_msg_id: msg.client_msg_id,
        elements: msg.elements,
        cloud_custom_data: msg.cloud_custom_data,
    };
    let mut owners = vec![message.from.clone()];
    if message.to != message.from {
        owners.push(message.to.clone());
    }
    for owner in owners {
        let inbox_seq: i64 = conn.query_row(
            "UPDATE users SET inbox_seq = inbox_seq + 1 WHERE app = ?1 AND user_id = ?2 RETURNING inbox_seq",
            params![app, owner],
            |r| r.get(0),
        )?;
        conn.execute(
            "INSERT INTO inbox (app, user_id, seq, kind, msg) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![app, owner, inbox_seq, KIND_MESSAGE, rowid],
        )?;
        deliveries.push((
            msg.app,
            owner,
            InboxItem {
                seq: inbox_seq as u64,
                event: InboxEvent::Message {
                    message: message.clone(),
                },
            },
        ));
    }
    Ok(message)
}

/// `${rowid}-${time}-${random}`: the official `${senderTinyID}-${clientTime}-${random}` shape,
/// with the app-wide row number where the official puts the sender's numeric ID.
fn message_id(rowid: i64, time: u64, random: u32) -> String {
    format!("{rowid}-{time}-{random}")
}

fn message_from_row(r: &Row<'_>) -> rusqlite::Result<Message> {
    message_at(r, 0)
}

/// Reads the [`MESSAGE_COLUMNS`] of a row, starting at column `o`.
fn message_at(r: &Row<'_>, o: usize) -> rusqlite::Result<Message> {
    let rowid: i64 = r.get(o)?;
    let time = r.get::<_, i64>(o + 7)? as u64;
    let random: u32 = r.get(o + 6)?;
    let elements: String = r.get(o + 8)?;
    let elements = serde_json::from_str(&elements).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(o + 8, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Message {
        id: message_id(rowid, time, random),
        conversation_type: if r.get::<_, i64>(o + 2)? == 2 {
            ConversationType::Group
        } else {
            ConversationType::C2C
        },
        sequence: r.get::<_, i64>(o + 1)? as u64,
        from: r.get(o + 3)?,
        to: r.get(o + 4)?,
        client_msg_id: r.get(o + 5)?,
        random,
        time,
        elements,
        cloud_custom_data: r.get(o + 9)?,
    })
}

impl Store for SqliteStore {
    async fn login_user(&self, app: u64, user: &str) -> StoreResult<u64> {
        let user = user.to_owned();
        self.write(|reply| WriteOp::LoginUser { app, user, reply })
            .await
    }

    async fn send_c2c(&self, msg: NewMessage) -> StoreResult<Message> {
        self.write(|reply| WriteOp::SendC2c { msg, reply }).await
    }

    async fn inbox_after(
        &self,
        app: u64,
        user: &str,
        after: u64,
        limit: u32,
    ) -> StoreResult<InboxPage> {
        let user = user.to_owned();
        self.read(move |conn| {
            let tx = conn.unchecked_transaction()?;
            let inbox_seq = tx
                .query_row(
                    "SELECT inbox_seq FROM users WHERE app = ?1 AND user_id = ?2",
                    params![app as i64, user],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?
                .unwrap_or(0) as u64;
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT i.seq, {MESSAGE_COLUMNS} FROM inbox i JOIN messages m ON m.id = i.msg
                 WHERE i.app = ?1 AND i.user_id = ?2 AND i.seq > ?3 ORDER BY i.seq LIMIT ?4"
            ))?;
            let items = stmt
                .query_map(
                    params![app as i64, user, after.min(i64::MAX as u64) as i64, limit],
                    |r| {
                        let seq = r.get::<_, i64>(0)? as u64;
                        let message = message_at(r, 1)?;
                        Ok(InboxItem {
                            seq,
                            event: InboxEvent::Message { message },
                        })
                    },
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let complete = items.last().is_none_or(|i| i.seq >= inbox_seq);
            Ok(InboxPage {
                items,
                inbox_seq,
                complete,
            })
        })
        .await
    }

    async fn history_c2c(
        &self,
        app: u64,
        me: &str,
        peer: &str,
        before: Option<u64>,
        count: u32,
    ) -> StoreResult<(Vec<Message>, bool)> {
        let conv = c2c_key(me, peer);
        let before = before.unwrap_or(i64::MAX as u64).min(i64::MAX as u64) as i64;
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages m
                 WHERE m.app = ?1 AND m.conv = ?2 AND m.seq < ?3 ORDER BY m.seq DESC LIMIT ?4"
            ))?;
            let mut messages = stmt
                .query_map(
                    params![app as i64, conv, before, count + 1],
                    message_from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let complete = messages.len() <= count as usize;
            messages.truncate(count as usize);
            messages.reverse();
            Ok((messages, complete))
        })
        .await
    }
}
