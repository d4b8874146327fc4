//! The session registry shared by every node on one PostgreSQL database: the web-instance
//! limit, the login policies, kicks and resume tokens hold across nodes. The `sessions` table
//! decides (a login locks its user's row, so two nodes registering one user take turns); the
//! node's [`Hub`] holds the links of the sessions attached here and delivers to them. Kicks
//! travel on the Bus to the node that has the session; a session taken over by a `resume` on
//! another node gets [`Push::Moved`] there. A node only ever changes the rows of sessions
//! attached to it, so a late word from a node whose session moved (or that died) changes
//! nothing: a client whose node died resumes on another one, without a new UserSig.

use super::{execute, row, rows, PgStore};
use crate::bus::{Bus, Push, Target};
use crate::hub::{Attached, Hub};
use crate::now_secs;
use crate::registry::{
    to_kick, Kill, Later, Link, LoginInfo, Registered, ResumeRefused, Resumed, SessionRegistry,
    Unavailable,
};
use crate::store::StoreResult;
use deadpool_postgres::{Pool, Transaction};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use tim_proto::status::{STATUS_OFFLINE, STATUS_ONLINE, STATUS_UNLOGINED};
use tim_proto::{Platform, KICK_MULTIPLE_ACCOUNT, KICK_USERSIG_EXPIRED};

/// The official USER_STATUS_UNKNOWN: the registry could not be asked.
const STATUS_UNKNOWN: u32 = 0;

pub struct PgSessions {
    pool: Pool,
    hub: Arc<Hub>,
    bus: Arc<dyn Bus>,
    /// This node, in the `node` column.
    node: i64,
    grace: Duration,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

impl PgStore {
    /// The registry shared through this store's database, attaching this node's sessions to
    /// `hub` and kicking through `bus`.
    pub fn sessions(&self, hub: Arc<Hub>, bus: Arc<dyn Bus>, grace: Duration) -> PgSessions {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("the operating system's random source");
        PgSessions {
            pool: self.pool.clone(),
            hub,
            bus,
            node: i64::from_le_bytes(bytes),
            grace,
        }
    }
}

impl PgSessions {
    async fn register_in(
        &self,
        tx: &Transaction<'_>,
        user: &str,
        login: &LoginInfo,
        id: u64,
        token: &str,
    ) -> StoreResult<Vec<(u64, &'static str)>> {
        let app = login.app as i64;
        let now = now_ms();
        // One login of a user at a time, on any node.
        rows(
            tx,
            "SELECT 1 FROM users WHERE app = $1 AND user_id = $2 FOR UPDATE",
            &[&app, &user],
        )
        .await?;
        execute(
            tx,
            "DELETE FROM sessions WHERE app = $1 AND user_id = $2 AND detached_until < $3",
            &[&app, &user, &now],
        )
        .await?;
        let found = rows(
            tx,
            "SELECT id, platform FROM sessions WHERE app = $1 AND user_id = $2 ORDER BY created, id",
            &[&app, &user],
        )
        .await?;
        let mut others = Vec::with_capacity(found.len());
        for r in &found {
            let id: i64 = r.try_get(0)?;
            let name: String = r.try_get(1)?;
            others.push((id as u64, Platform::from_name(&name).unwrap_or_default()));
        }
        let kick = to_kick(login.policy, login.web_limit, &others, login.platform);
        let until = now + self.grace.as_millis() as i64;
        for (kicked, why) in &kick {
            let gone = row(
                tx,
                "DELETE FROM sessions WHERE id = $1 RETURNING token_hash, detached_until",
                &[&(*kicked as i64)],
            )
            .await?;
            // A detached session learns why at its next resume.
            if let Some(gone) = gone {
                let detached: Option<i64> = gone.try_get(1)?;
                if detached.is_some() {
                    let token: Vec<u8> = gone.try_get(0)?;
                    execute(
                        tx,
                        "INSERT INTO kicked_sessions (token_hash, reason, until_ms) VALUES ($1, $2, $3)
                         ON CONFLICT (token_hash) DO UPDATE SET reason = EXCLUDED.reason, until_ms = EXCLUDED.until_ms",
                        &[&token, why, &until],
                    )
                    .await?;
                }
            }
        }
        execute(
            tx,
            "INSERT INTO sessions (id, app, user_id, token_hash, platform, sig_expires_at, node, detached_until, created)
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)",
            &[
                &(id as i64),
                &app,
                &user,
                &hash(token),
                &login.platform.name(),
                &(login.sig_expires_at as i64),
                &self.node,
                &now,
            ],
        )
        .await?;
        Ok(kick)
    }

    async fn register(&self, user: &str, link: Link, login: LoginInfo) -> StoreResult<Registered> {
        let id = self.hub.new_session_id();
        let token = self.hub.new_token();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let kick = self.register_in(&tx, user, &login, id, &token).await?;
        tx.commit().await?;
        let attached = Attached {
            app: login.app,
            user,
            id,
            token: &token,
            platform: login.platform,
            sig_expires_at: login.sig_expires_at,
        };
        self.hub.attach(attached, link);
        Ok(Registered { id, token, kick })
    }

    async fn resume(&self, token: &str, link: Link) -> StoreResult<Result<Resumed, ResumeRefused>> {
        let token_hash = hash(token);
        let now = now_ms();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let found = row(
            &tx,
            "SELECT id, app, user_id, platform, sig_expires_at, node, detached_until
             FROM sessions WHERE token_hash = $1 FOR UPDATE",
            &[&token_hash],
        )
        .await?;
        let Some(found) = found else {
            let kicked = row(
                &tx,
                "DELETE FROM kicked_sessions WHERE token_hash = $1 RETURNING reason, until_ms",
                &[&token_hash],
            )
            .await?;
            tx.commit().await?;
            return Ok(match kicked {
                Some(k) if k.try_get::<_, i64>(1)? > now => {
                    let stored: String = k.try_get(0)?;
                    let why = tim_proto::kick_type(&stored).unwrap_or(KICK_MULTIPLE_ACCOUNT);
                    Err(ResumeRefused::Kicked(why))
                }
                _ => Err(ResumeRefused::Gone),
            });
        };
        let id: i64 = found.try_get(0)?;
        let app = found.try_get::<_, i64>(1)? as u64;
        let user: String = found.try_get(2)?;
        let platform: String = found.try_get(3)?;
        let sig_expires_at = found.try_get::<_, i64>(4)? as u64;
        let node: i64 = found.try_get(5)?;
        let detached_until: Option<i64> = found.try_get(6)?;
        let refused = if detached_until.is_some_and(|t| t < now) {
            Some(ResumeRefused::Gone)
        } else if now_secs() > sig_expires_at {
            Some(ResumeRefused::Kicked(KICK_USERSIG_EXPIRED))
        } else {
            None
        };
        if let Some(refused) = refused {
            execute(&tx, "DELETE FROM sessions WHERE id = $1", &[&id]).await?;
            tx.commit().await?;
            return Ok(Err(refused));
        }
        execute(
            &tx,
            "UPDATE sessions SET node = $2, detached_until = NULL WHERE id = $1",
            &[&id, &self.node],
        )
        .await?;
        tx.commit().await?;
        // Still attached on another node (whose connection has not noticed it is dead, or
        // whose node died): that connection goes.
        if node != self.node && detached_until.is_none() {
            let target = Target::Session {
                app,
                user: &user,
                session: id as u64,
            };
            self.bus.publish(target, Push::Moved);
        }
        let attached = Attached {
            app,
            user: &user,
            id: id as u64,
            token,
            platform: Platform::from_name(&platform).unwrap_or_default(),
            sig_expires_at,
        };
        self.hub.attach(attached, link);
        Ok(Ok(Resumed {
            app,
            user,
            id: id as u64,
            token: token.to_owned(),
            sig_expires_at,
        }))
    }

    /// Runs `sql` on the session `id` if it is attached here; failures are logged (the row
    /// then goes at the next login of its user, or stays resumable).
    async fn change_mine(&self, sql: &str, id: u64, value: Option<i64>) {
        let result: StoreResult<u64> = async {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let n = match value {
                Some(v) => execute(&tx, sql, &[&(id as i64), &self.node, &v]).await?,
                None => execute(&tx, sql, &[&(id as i64), &self.node]).await?,
            };
            tx.commit().await?;
            Ok(n)
        }
        .await;
        if let Err(e) = result {
            tracing::warn!("session registry: {e}");
        }
    }
}

impl PgSessions {
    /// Forget every session of the user; the detached ones are told `why` when they resume.
    async fn status(&self, app: u64, users: &[String]) -> StoreResult<Vec<u32>> {
        let client = self.pool.get().await?;
        let found = client
            .query(
                "SELECT user_id, bool_or(detached_until IS NULL), bool_or(detached_until > $3)
                 FROM sessions WHERE app = $1 AND user_id = ANY($2) GROUP BY user_id",
                &[&(app as i64), &users, &now_ms()],
            )
            .await?;
        let mut status = vec![STATUS_UNLOGINED; users.len()];
        for r in found {
            let user: String = r.try_get(0)?;
            let (attached, kept): (bool, Option<bool>) = (r.try_get(1)?, r.try_get(2)?);
            let value = match (attached, kept) {
                (true, _) => STATUS_ONLINE,
                (false, Some(true)) => STATUS_OFFLINE,
                _ => STATUS_UNLOGINED,
            };
            for (slot, u) in status.iter_mut().zip(users) {
                if *u == user {
                    *slot = value;
                }
            }
        }
        Ok(status)
    }

    async fn forget_user(&self, app: u64, user: &str, why: &str) -> StoreResult<()> {
        let until = now_ms() + self.grace.as_millis() as i64;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        execute(
            &tx,
            "INSERT INTO kicked_sessions (token_hash, reason, until_ms)
             SELECT token_hash, $3, $4 FROM sessions
             WHERE app = $1 AND user_id = $2 AND detached_until IS NOT NULL
             ON CONFLICT (token_hash) DO UPDATE SET reason = EXCLUDED.reason, until_ms = EXCLUDED.until_ms",
            &[&(app as i64), &user, &why, &until],
        )
        .await?;
        execute(
            &tx,
            "DELETE FROM sessions WHERE app = $1 AND user_id = $2",
            &[&(app as i64), &user],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl SessionRegistry for PgSessions {
    fn kick_all<'a>(&'a self, app: u64, user: &'a str, reason: &'static str) -> Later<'a, ()> {
        Box::pin(async move {
            if let Err(e) = self.forget_user(app, user, reason).await {
                tracing::warn!("session registry: a kick: {e}");
            }
            // The attached ones, on whichever node.
            self.bus
                .publish(Target::User { app, user }, Push::Kick(reason));
        })
    }

    fn register<'a>(
        &'a self,
        user: &'a str,
        link: Link,
        login: LoginInfo,
    ) -> Later<'a, Result<Registered, Unavailable>> {
        Box::pin(async move {
            self.register(user, link, login)
                .await
                .map_err(|e| Unavailable(e.to_string()))
        })
    }

    fn detach<'a>(&'a self, app: u64, user: &'a str, id: u64, mine: &Arc<Kill>) -> Later<'a, ()> {
        let mine_here = self.hub.detach_here(app, user, id, mine);
        Box::pin(async move {
            if !mine_here {
                return;
            }
            let until = now_ms() + self.grace.as_millis() as i64;
            let sql = "UPDATE sessions SET detached_until = $3 WHERE id = $1 AND node = $2 AND detached_until IS NULL";
            self.change_mine(sql, id, Some(until)).await;
        })
    }

    fn remove<'a>(&'a self, app: u64, user: &'a str, id: u64, mine: &Arc<Kill>) -> Later<'a, ()> {
        let mine_here = self.hub.remove_here(app, user, id, mine);
        Box::pin(async move {
            if !mine_here {
                return;
            }
            let sql = "DELETE FROM sessions WHERE id = $1 AND node = $2";
            self.change_mine(sql, id, None).await;
        })
    }

    fn status<'a>(&'a self, app: u64, users: &'a [String]) -> Later<'a, Vec<u32>> {
        Box::pin(async move {
            match self.status(app, users).await {
                Ok(status) => status,
                Err(e) => {
                    // Unknown rather than wrong.
                    tracing::warn!("session registry: a status: {e}");
                    vec![STATUS_UNKNOWN; users.len()]
                }
            }
        })
    }

    fn resume<'a>(
        &'a self,
        token: &'a str,
        link: Link,
    ) -> Later<'a, Result<Resumed, ResumeRefused>> {
        Box::pin(async move {
            match self.resume(token, link).await {
                Ok(outcome) => outcome,
                Err(e) => {
                    // The client logs in again (with its kept UserSig).
                    tracing::warn!("session registry: a resume: {e}");
                    Err(ResumeRefused::Gone)
                }
            }
        })
    }
}
