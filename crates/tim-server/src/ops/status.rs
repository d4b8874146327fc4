//! User status: setSelfStatus, getUserStatus, subscribeUserStatus, unsubscribeUserStatus.
//! Online, offline or not logged in comes from the session registry (every node's sessions);
//! the custom status and the subscriptions are relation rows. [`announce`] tells a user's
//! watchers (subscribers and friends) and the user's own sessions when the status changes.

use super::profiles::params;
use super::Ctx;
use crate::bus::{Push, Target};
use crate::failure::{fail, Failure};
use crate::session::valid_user_id;
use crate::store::{Key, Kind, Plan, Store};
use crate::Shared;
use serde_json::{json, Value};
use tim_proto::codes::{FRIEND_ACCOUNT_NOT_FOUND, INVALID_REQUEST};
use tim_proto::relation::Users;
use tim_proto::status::*;
use tim_proto::Json;

/// The row of `user`'s custom status.
fn custom_key(user: &str) -> Key {
    Key::new(user, Kind::Status, "")
}

/// The statuses of `users`, in that order.
async fn statuses<S: Store>(
    shared: &Shared<S>,
    app: u64,
    users: &[String],
) -> Result<Vec<UserStatus>, Failure> {
    let types = shared.sessions.status(app, users).await;
    let keys = users.iter().map(|u| custom_key(u)).collect();
    let custom = shared.store.relations_at(app, keys).await?;
    Ok(users
        .iter()
        .zip(types)
        .zip(custom)
        .map(|((user, status_type), row)| {
            let data: Value = row
                .and_then(|r| serde_json::from_str(&r.data).ok())
                .unwrap_or_default();
            UserStatus {
                user_id: user.clone(),
                status_type,
                custom_status: data["customStatus"].as_str().unwrap_or_default().to_owned(),
            }
        })
        .collect())
}

/// Tell everyone watching `user` (and with `to_self` the user's own sessions) the status it
/// has now. Best effort: a failure is logged, and a watcher can ask getUserStatus.
pub async fn announce<S: Store>(shared: &Shared<S>, app: u64, user: &str, to_self: bool) {
    let result = async {
        let status = statuses(shared, app, &[user.to_owned()]).await?;
        let mut watchers = shared.store.watchers(app, user).await?;
        if to_self {
            watchers.push(user.to_owned());
        }
        let list = Json::of(&status);
        for watcher in &watchers {
            let target = Target::User { app, user: watcher };
            shared.bus.publish(target, Push::Status(list.clone()));
        }
        Ok::<(), Failure>(())
    };
    if let Err(Failure(code, why)) = result.await {
        tracing::warn!(
            app,
            user,
            "the status of a user was not announced: {code} {why}"
        );
    }
}

/// `users` deduplicated, each a valid userID, at most `max` (20001 otherwise).
fn user_list(users: Vec<String>, max: usize) -> Result<Vec<String>, Failure> {
    if users.len() > max {
        return fail(INVALID_REQUEST, format!("at most {max} userIDs"));
    }
    let mut out: Vec<String> = Vec::with_capacity(users.len());
    for user in users {
        if !valid_user_id(&user) {
            return fail(INVALID_REQUEST, format!("invalid userID {user:?}"));
        }
        if !out.contains(&user) {
            out.push(user);
        }
    }
    Ok(out)
}

/// Of `users`, those that exist, and `{userID, code, message}` of the others.
async fn existing<S: Store>(
    ctx: &Ctx<'_, S>,
    users: Vec<String>,
) -> Result<(Vec<String>, Vec<Value>), Failure> {
    let found = ctx
        .shared
        .store
        .profiles(ctx.caller.app, users.clone())
        .await?;
    let (known, unknown): (Vec<String>, Vec<String>) = users
        .into_iter()
        .partition(|u| found.iter().any(|p| &p.user_id == u));
    let failure = unknown
        .iter()
        .map(|u| json!({"userID": u, "code": FRIEND_ACCOUNT_NOT_FOUND, "message": "no such user"}))
        .collect();
    Ok((known, failure))
}

/// `{userID, statusType: 1, customStatus}`; the user's watchers and other sessions hear it.
pub async fn set_self_status<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: SetSelfStatus = params(&data)?;
    if r.custom_status.len() > MAX_CUSTOM_STATUS {
        return fail(
            INVALID_REQUEST,
            format!("customStatus is longer than {MAX_CUSTOM_STATUS} bytes"),
        );
    }
    let (app, me) = (ctx.caller.app, ctx.caller.user.as_str());
    let mut plan = Plan::default();
    let data =
        (!r.custom_status.is_empty()).then(|| json!({"customStatus": r.custom_status}).to_string());
    plan.set(custom_key(me), data);
    ctx.shared.store.relate(app, plan).await?;
    announce(ctx.shared, app, me, true).await;
    let status = UserStatus {
        user_id: me.to_owned(),
        status_type: STATUS_ONLINE,
        custom_status: r.custom_status,
    };
    Ok(Json::of(&status))
}

/// `{successUserList: [status], failureUserList}`: unknown users fail with 30003.
pub async fn get_user_status<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: Users = params(&data)?;
    let mut users = r.user_id_list;
    // As the official: past the limit, the extra IDs are dropped.
    users.truncate(MAX_GET);
    let (known, failure) = existing(ctx, user_list(users, MAX_GET)?).await?;
    let success = statuses(ctx.shared, ctx.caller.app, &known).await?;
    Ok(Json::of(
        &json!({"successUserList": success, "failureUserList": failure}),
    ))
}

/// `{failureUserList}`; the caller's sessions hear the subscribed users' statuses at once.
pub async fn subscribe_user_status<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: Users = params(&data)?;
    let (known, failure) = existing(ctx, user_list(r.user_id_list, MAX_SUBSCRIBE)?).await?;
    let (app, me) = (ctx.caller.app, ctx.caller.user.as_str());
    let now = ctx.shared.store.relations(app, me, Kind::Subscribe).await?;
    let new = known
        .iter()
        .filter(|u| *u != me && !now.iter().any(|r| &r.other == *u));
    let max = super::relations::max_list(ctx);
    if now.len() + new.count() > max {
        return fail(
            INVALID_REQUEST,
            format!("at most {max} status subscriptions"),
        );
    }
    let mut plan = Plan::default();
    for user in known.iter().filter(|u| *u != me) {
        plan.set(Key::new(me, Kind::Subscribe, user), Some("{}".into()));
    }
    ctx.shared.store.relate(app, plan).await?;
    if !known.is_empty() {
        let now = statuses(ctx.shared, app, &known).await?;
        let target = Target::User { app, user: me };
        ctx.shared.bus.publish(target, Push::Status(Json::of(&now)));
    }
    Ok(Json::of(&json!({"failureUserList": failure})))
}

/// `{failureUserList: []}`; no list, or an empty one, ends every subscription.
pub async fn unsubscribe_user_status<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: Unsubscribe = match data.0.as_str() {
        "null" | "{}" => Unsubscribe::default(),
        _ => params(&data)?,
    };
    let (app, me) = (ctx.caller.app, ctx.caller.user.as_str());
    let users = match r.user_id_list.is_empty() {
        true => {
            let rows = ctx.shared.store.relations(app, me, Kind::Subscribe).await?;
            rows.into_iter().map(|r| r.other).collect()
        }
        false => user_list(r.user_id_list, MAX_SUBSCRIBE)?,
    };
    let mut plan = Plan::default();
    for user in &users {
        plan.set(Key::new(me, Kind::Subscribe, user), None);
    }
    ctx.shared.store.relate(app, plan).await?;
    Ok(Json::of(&json!({"failureUserList": []})))
}
