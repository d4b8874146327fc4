//! Relations: the blacklist, friends, friend applications and friend groups (stateless ops:
//! their data is the official parameters and result). Every op reads the rows it decides on,
//! decides here (the same for every backend), and hands the store a [`Plan`] that expects
//! those rows unchanged; when another write got there first the op reads and decides again
//! ([`decided!`]). Each change tells the users whose lists changed with a `changed` inbox item.

mod applications;
mod blacklist;
mod friends;
mod groups;

pub use applications::*;
pub use blacklist::*;
pub use friends::*;
pub use groups::*;

use super::Ctx;
use crate::failure::{fail, Failure};
use crate::session::valid_user_id;
use crate::store::{Key, Kind, Plan, Relation, Store};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use tim_proto::codes::{FRIEND_INVALID_PARAM, NOT_MY_FRIEND};
use tim_proto::profile::Profile;
use tim_proto::relation::List;

/// Times an op decides again after its rows changed under it.
pub(crate) const TRIES: usize = 5;

/// Runs `$decide` (an expression giving `Result<(Plan, T), Failure>`) and applies its plan,
/// again from the start while the rows it read change under it; `T` is the op's result.
macro_rules! decided {
    ($ctx:expr, $decide:expr) => {{
        let mut tries = 0;
        loop {
            let (plan, out) = $decide;
            if plan.is_empty() {
                break Ok(out);
            }
            match $ctx.shared.store.relate($ctx.caller.app, plan).await {
                Ok(()) => break Ok(out),
                Err(crate::store::StoreError::Stale)
                    if tries + 1 < crate::ops::relations::TRIES =>
                {
                    tries += 1
                }
                Err(e) => break Err(crate::failure::Failure::from(e)),
            }
        }
    }};
}
pub(super) use decided;

fn invalid<T>(why: impl Into<String>) -> Result<T, Failure> {
    fail(FRIEND_INVALID_PARAM, why)
}

/// The caller's userID.
fn me<'a, S: Store>(ctx: &'a Ctx<'_, S>) -> &'a str {
    &ctx.caller.user
}

/// A row's data as a JSON object (empty for none).
fn fields(r: Option<&Relation>) -> Map<String, Value> {
    r.and_then(|r| serde_json::from_str(&r.data).ok())
        .unwrap_or_default()
}

fn text<'a>(d: &'a Map<String, Value>, key: &str) -> &'a str {
    d.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// `users` deduplicated in order, at most `max`, each a valid userID (30001 otherwise).
fn user_list(users: Vec<String>, max: usize) -> Result<Vec<String>, Failure> {
    if users.len() > max {
        return invalid(format!("at most {max} userIDs"));
    }
    let mut out: Vec<String> = Vec::with_capacity(users.len());
    for user in users {
        if !valid_user_id(&user) {
            return invalid(format!("invalid userID {user:?}"));
        }
        if !out.contains(&user) {
            out.push(user);
        }
    }
    Ok(out)
}

/// A string parameter of at most `max` bytes (30001 otherwise).
fn bounded(name: &str, value: &str, max: usize) -> Result<(), Failure> {
    match value.len() <= max {
        true => Ok(()),
        false => invalid(format!("{name} is longer than {max} bytes")),
    }
}

/// The most users one user may have in a list (the app's `max_list_size`).
pub(crate) fn max_list<S: Store>(ctx: &Ctx<'_, S>) -> usize {
    let app = ctx.shared.cfg.apps.get(&ctx.caller.app);
    app.map_or(crate::config::DEFAULT_MAX_LIST_SIZE, |a| a.max_list_size)
}

/// `code` when `owner`'s friend list is full.
async fn room_for_friend<S: Store>(
    ctx: &Ctx<'_, S>,
    owner: &str,
    code: u32,
) -> Result<(), Failure> {
    let max = max_list(ctx);
    match rows(ctx, owner, Kind::Friend).await?.len() < max {
        true => Ok(()),
        false => fail(
            code,
            format!("{owner:?} has {max} friends, the most there may be"),
        ),
    }
}

/// The owner's rows of `kind`.
async fn rows<S: Store>(
    ctx: &Ctx<'_, S>,
    owner: &str,
    kind: Kind,
) -> Result<Vec<Relation>, Failure> {
    Ok(ctx
        .shared
        .store
        .relations(ctx.caller.app, owner, kind)
        .await?)
}

/// The rows of `keys`, read at one moment.
async fn at<S: Store>(ctx: &Ctx<'_, S>, keys: &[Key]) -> Result<Vec<Option<Relation>>, Failure> {
    Ok(ctx
        .shared
        .store
        .relations_at(ctx.caller.app, keys.to_vec())
        .await?)
}

/// The profiles of `users` that exist, by userID.
async fn profiles<S: Store>(
    ctx: &Ctx<'_, S>,
    users: Vec<String>,
) -> Result<HashMap<String, Profile>, Failure> {
    let found = ctx.shared.store.profiles(ctx.caller.app, users).await?;
    Ok(found.into_iter().map(|p| (p.user_id.clone(), p)).collect())
}

/// A friend group row's members.
fn members(group: &Relation) -> Vec<String> {
    let d = fields(Some(group));
    serde_json::from_value(d.get("userIDList").cloned().unwrap_or_default()).unwrap_or_default()
}

/// The official FriendGroup of a row with these members.
fn group_object(name: &str, members: &[String]) -> Value {
    json!({"name": name, "userIDList": members, "count": members.len()})
}

/// The official Friend of `friend` (the owner's row), with their profile and the owner's
/// groups that hold them.
fn friend_object(friend: &Relation, profile: Option<&Profile>, groups: &[Relation]) -> Value {
    let d = fields(Some(friend));
    let group_list: Vec<&str> = groups
        .iter()
        .filter(|g| members(g).contains(&friend.other))
        .map(|g| g.other.as_str())
        .collect();
    let profile = match profile {
        Some(p) => serde_json::to_value(p).unwrap_or_default(),
        None => serde_json::to_value(Profile {
            user_id: friend.other.clone(),
            ..Profile::default()
        })
        .unwrap_or_default(),
    };
    json!({
        "userID": friend.other,
        "remark": text(&d, "remark"),
        "groupList": group_list,
        "source": text(&d, "source"),
        "wording": text(&d, "wording"),
        "profile": profile,
        "friendCustomField": d.get("friendCustomField").cloned().unwrap_or(json!([])),
    })
}

/// The Friend objects of the owner's friend rows among `friends`.
async fn friend_objects<S: Store>(
    ctx: &Ctx<'_, S>,
    friends: &[Relation],
) -> Result<Vec<Value>, Failure> {
    let groups = rows(ctx, me(ctx), Kind::FriendGroup).await?;
    let ids = friends.iter().map(|f| f.other.clone()).collect();
    let profiles = profiles(ctx, ids).await?;
    Ok(friends
        .iter()
        .map(|f| friend_object(f, profiles.get(&f.other), &groups))
        .collect())
}

/// Adds to `plan`: `b` is no longer in `a`'s friend list nor in any of `a`'s friend groups
/// (`groups`, `a`'s group rows as read; their new state is left in it).
fn unfriend(plan: &mut Plan, a: &str, b: &str, friend: &Relation, groups: &mut [Relation]) {
    let key = Key::new(a, Kind::Friend, b);
    plan.expect(key.clone(), Some(friend));
    plan.delete(key, List::Friends);
    for group in groups.iter_mut() {
        let mut list = members(group);
        if let Some(i) = list.iter().position(|m| m == b) {
            list.remove(i);
            regroup(plan, a, group, list);
        }
    }
}

/// Adds to `plan`: `owner`'s friend group `group` (as read) now has `list`.
fn regroup(plan: &mut Plan, owner: &str, group: &mut Relation, list: Vec<String>) {
    let key = Key::new(owner, Kind::FriendGroup, &group.other);
    plan.expect(key.clone(), Some(group));
    group.data = json!({ "userIDList": list }).to_string();
    plan.put(key, group.data.clone(), List::FriendGroups);
    plan.tell(owner, List::Friends);
}

/// The failure entry `{userID, code, message}` of a per-user result.
fn failure(user: &str, code: u32, message: &str) -> Value {
    json!({"userID": user, "code": code, "message": message})
}

fn not_friend(user: &str) -> Value {
    failure(user, NOT_MY_FRIEND, "not a friend")
}
