//! The PostgreSQL store (tokio-postgres through a deadpool pool), one file per domain beside
//! this one, for several server nodes on one database.
//!
//! Every write is one transaction on a pooled connection, answered after its COMMIT returns;
//! the inbox items it made are published on the Bus after that. Sequences stay gap-free and
//! exact under concurrent writers on any number of nodes because each is a counter column
//! taken under its row's lock in the transaction that writes what it numbers
//! (`users.inbox_seq`, `conversations.last_seq`): a second writer waits for the first to
//! commit or roll back, and a rollback takes the number back. Locks are taken in one order (the
//! conversation row, then the users' rows sorted by userID), and a deadlock, a serialization
//! failure or a unique-key race between nodes runs the whole transaction again.
//! The schema is the numbered files in `migrations/`, applied in order under an advisory lock
//! (nodes starting together apply them once); `tim_schema` counts those applied.

mod conversations;
mod groups;
mod inbox;
mod messages;
mod profiles;
mod relations;
mod rows;
mod sessions;
mod users;

pub use sessions::PgSessions;

use super::rules::MessageIds;
use super::{StoreError, StoreResult};
use crate::bus::{Bus, Push, Target};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Transaction};
use std::sync::Arc;
use tim_proto::{InboxItem, Message};
use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, NoTls, Row};

/// The schema, one step per version.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_init.sql"),
    include_str!("migrations/002_sessions.sql"),
    include_str!("migrations/003_profiles.sql"),
    include_str!("migrations/004_relations.sql"),
    include_str!("migrations/005_message_sender.sql"),
    include_str!("migrations/006_name_card.sql"),
];

/// Connections per node. PostgreSQL serializes what must be serialized (row locks); more
/// connections let writers of different users commit together.
const POOL_SIZE: usize = 16;

/// Times a transaction runs again after a conflict with a concurrent one before it fails.
const RETRIES: u32 = 20;

/// SQLSTATEs that mean "a concurrent transaction got there first: run it again".
fn is_conflict(e: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    e.code().is_some_and(|c| {
        [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::UNIQUE_VIOLATION,
        ]
        .contains(c)
    })
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The server's own words (tokio-postgres's Display says only "db error").
        let text = match e.as_db_error() {
            Some(db) => format!("{} ({}): {}", db.severity(), db.code().code(), db.message()),
            None => e.to_string(),
        };
        if is_conflict(&e) {
            StoreError::Conflict(text)
        } else {
            StoreError::Internal(text)
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::Internal(format!("database connection: {e}"))
    }
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

/// What a transaction publishes once committed.
enum Delivery {
    /// An inbox item: (app, owner, item).
    Inbox(u64, String, InboxItem),
    /// A group message to its members: (app, members, message).
    Group(u64, Arc<[String]>, Message),
}

/// What a write's transaction hands on: its inbox items, published after the commit.
#[derive(Default)]
pub(super) struct Writes {
    deliveries: Vec<Delivery>,
}

impl Writes {
    pub(super) fn deliver(&mut self, app: u64, owner: &str, item: InboxItem) {
        self.deliveries
            .push(Delivery::Inbox(app, owner.to_owned(), item));
    }

    /// Publish group message `message` to `members` once committed.
    pub(super) fn deliver_group(&mut self, app: u64, members: Arc<[String]>, message: Message) {
        self.deliveries.push(Delivery::Group(app, members, message));
    }
}

pub struct PgStore {
    pool: Pool,
    ids: MessageIds,
    bus: Arc<dyn Bus>,
}

/// Runs `$body` (an expression that may use `$tx`, the transaction, and `$writes`) in a
/// transaction of `$store`, commits, publishes what it delivered, and gives its value; a
/// conflict with a concurrent transaction runs it again from the start.
macro_rules! transaction {
    ($store:expr, |$tx:ident, $writes:ident| $body:expr) => {{
        let store: &$crate::store::postgres::PgStore = $store;
        let mut attempt = 0;
        loop {
            let mut client = store.client().await?;
            let $tx = client.transaction().await?;
            let mut writes = $crate::store::postgres::Writes::default();
            let $writes = &mut writes;
            let result: $crate::store::StoreResult<_> = $body;
            let result = match result {
                Ok(value) => $tx.commit().await.map(|()| value).map_err(Into::into),
                Err(e) => Err(e),
            };
            match result {
                Err($crate::store::StoreError::Conflict(_))
                    if attempt < $crate::store::postgres::retries() =>
                {
                    attempt += 1;
                }
                Ok(value) => {
                    store.publish(writes);
                    break Ok(value);
                }
                Err(e) => break Err(e),
            }
        }
    }};
}
pub(super) use transaction;

/// See [`RETRIES`] (for the macro, which expands in the domain files).
pub(super) const fn retries() -> u32 {
    RETRIES
}

impl PgStore {
    /// Connect to the database `url` names (`postgres://user@host:port/db`), bring its schema
    /// up to date, and publish committed inbox items on `bus`.
    pub async fn open(url: &str, bus: Arc<dyn Bus>) -> StoreResult<Self> {
        let config: tokio_postgres::Config = url.parse().map_err(internal)?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(internal)?;
        let mut client = pool.get().await?;
        migrate(&mut client).await?;
        let ids = message_ids(&mut client).await?;
        Ok(PgStore { pool, ids, bus })
    }

    pub(super) async fn client(&self) -> StoreResult<deadpool_postgres::Object> {
        Ok(self.pool.get().await?)
    }

    pub(super) fn ids(&self) -> MessageIds {
        self.ids
    }

    pub(super) fn publish(&self, writes: Writes) {
        for delivery in writes.deliveries {
            match delivery {
                Delivery::Inbox(app, user, item) => {
                    let target = Target::User { app, user: &user };
                    self.bus.publish(target, Push::Inbox(item));
                }
                Delivery::Group(app, members, message) => {
                    self.bus.publish_group(app, &members, &message)
                }
            }
        }
    }
}

/// A read-only snapshot (REPEATABLE READ) on `client`: what it reads is one moment's.
pub(super) async fn snapshot(
    client: &mut deadpool_postgres::Object,
) -> StoreResult<Transaction<'_>> {
    Ok(client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?)
}

/// The rows of `sql` (prepared once per connection) with `params`.
pub(super) async fn rows(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> StoreResult<Vec<Row>> {
    let statement = tx.prepare_cached(sql).await?;
    Ok(tx.query(&statement, params).await?)
}

/// The one row of `sql`, if any.
pub(super) async fn row(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> StoreResult<Option<Row>> {
    Ok(rows(tx, sql, params).await?.into_iter().next())
}

/// Runs `sql`; the number of rows it changed.
pub(super) async fn execute(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> StoreResult<u64> {
    let statement = tx.prepare_cached(sql).await?;
    Ok(tx.execute(&statement, params).await?)
}

/// Locks the rows of `users` (their inbox counters) in userID order, so that two writers never
/// wait for each other in a circle; the users of them that exist.
pub(super) async fn lock_users(
    tx: &Transaction<'_>,
    app: u64,
    users: &[&str],
) -> StoreResult<Vec<String>> {
    let mut users: Vec<&str> = users.to_vec();
    users.sort_unstable();
    users.dedup();
    let found = rows(
        tx,
        "SELECT user_id FROM users WHERE app = $1 AND user_id = ANY($2) ORDER BY user_id FOR UPDATE",
        &[&(app as i64), &users],
    )
    .await?;
    Ok(found
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<Vec<String>, _>>()?)
}

/// Bring the schema to the newest version in one transaction, under an advisory lock.
async fn migrate(client: &mut deadpool_postgres::Object) -> StoreResult<()> {
    let tx = client.transaction().await?;
    // Any number: the lock only has to be the same for every node of this schema.
    tx.execute("SELECT pg_advisory_xact_lock(7406531)", &[])
        .await?;
    tx.execute(
        "CREATE TABLE IF NOT EXISTS tim_schema (version BIGINT NOT NULL)",
        &[],
    )
    .await?;
    let version: Option<i64> = tx
        .query_opt("SELECT version FROM tim_schema", &[])
        .await?
        .map(|r| r.get(0));
    let done = version.unwrap_or(0) as usize;
    for sql in MIGRATIONS.iter().skip(done) {
        tx.batch_execute(sql).await?;
    }
    let newest = MIGRATIONS.len() as i64;
    if version.is_none() {
        tx.execute("INSERT INTO tim_schema (version) VALUES ($1)", &[&newest])
            .await?;
    } else {
        tx.execute("UPDATE tim_schema SET version = $1", &[&newest])
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The database's message IDs, with the secret key made the first time (by whichever node
/// comes first).
async fn message_ids(client: &mut deadpool_postgres::Object) -> StoreResult<MessageIds> {
    const NAME: &str = "message_id_key";
    let mut key = [0u8; 16];
    getrandom::fill(&mut key).map_err(internal)?;
    client
        .execute(
            "INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&NAME, &key.as_slice()],
        )
        .await?;
    let row = client
        .query_one("SELECT value FROM meta WHERE name = $1", &[&NAME])
        .await?;
    let stored: Vec<u8> = row.get(0);
    let key: [u8; 16] = stored
        .try_into()
        .map_err(|_| internal("the message ID key is not 16 bytes"))?;
    Ok(MessageIds::new(key))
}
