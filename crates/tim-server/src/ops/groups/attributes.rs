//! Group attributes and counters: initGroupAttributes, setGroupAttributes,
//! deleteGroupAttributes, getGroupAttributes, setGroupCounters, increaseGroupCounter,
//! decreaseGroupCounter, getGroupCounters. Each is a row owned by the group
//! (`Kind::Attribute`, `Kind::Counter`), for its members (decision: of every group type, and
//! any member may change them). A change goes to the members online as a `groupEvent` frame
//! (GROUP_ATTRIBUTES_UPDATED, GROUP_COUNTER_UPDATED), not stored: a client that was away
//! reads them again. Counters change by the store's atomic addition, so concurrent
//! increments all count.

use super::{invalid, member_key, profile_key};
use crate::bus::{Push, Target};
use crate::failure::{fail, Failure};
use crate::ops::profiles::params;
use crate::ops::relations::decided;
use crate::ops::Ctx;
use crate::store::{Key, Kind, Plan, Store};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use tim_proto::codes::{ATTRIBUTES_NOT_JOINED, GROUP_NOT_FOUND, GROUP_PERMISSION_DENY};
use tim_proto::group::{self as g, GroupAttributes, GroupCounters, GroupEvent};
use tim_proto::Json;

/// Group `group` exists (10010) and the caller is a member (`not_member` otherwise).
async fn member<S: Store>(ctx: &Ctx<'_, S>, group: &str, not_member: u32) -> Result<(), Failure> {
    let keys = vec![profile_key(group), member_key(group, &ctx.caller.user)];
    let rows = ctx.shared.store.relations_at(ctx.caller.app, keys).await?;
    match (&rows[0], &rows[1]) {
        (None, _) => fail(GROUP_NOT_FOUND, format!("no group {group:?}")),
        (_, None) => fail(not_member, format!("not a member of {group:?}")),
        _ => Ok(()),
    }
}

/// `data` of `event` to every member of `group` online now.
async fn tell<S: Store>(
    ctx: &Ctx<'_, S>,
    group: &str,
    event: &str,
    data: Vec<Value>,
) -> Result<(), Failure> {
    let app = ctx.caller.app;
    let members = ctx.shared.store.relations(app, group, Kind::Member).await?;
    for data in data {
        let event = GroupEvent {
            event: event.into(),
            data: Json::of(&data),
        };
        for m in &members {
            let target = Target::User {
                app,
                user: &m.other,
            };
            ctx.shared
                .bus
                .publish(target, Push::GroupEvent(event.clone()));
        }
    }
    Ok(())
}

/// The group's rows of `kind`, key → data.
async fn rows<S: Store>(
    ctx: &Ctx<'_, S>,
    group: &str,
    kind: Kind,
) -> Result<Vec<crate::store::Relation>, Failure> {
    Ok(ctx
        .shared
        .store
        .relations(ctx.caller.app, group, kind)
        .await?)
}

fn attribute(data: &str) -> String {
    serde_json::from_str(data).unwrap_or_default()
}

/// The attributes as given: string values, keys of 1..=32 bytes (10004 otherwise).
fn given(attributes: &Map<String, Value>) -> Result<Vec<(String, String)>, Failure> {
    let mut out = Vec::with_capacity(attributes.len());
    for (key, value) in attributes {
        let Value::String(value) = value else {
            return invalid(format!("the value of {key:?} is not a string"));
        };
        if key.is_empty()
            || key.len() > g::MAX_ATTRIBUTE_KEY
            || value.len() > g::MAX_ATTRIBUTE_VALUE
        {
            return invalid(format!(
                "keys are 1 to {} bytes, values at most {}",
                g::MAX_ATTRIBUTE_KEY,
                g::MAX_ATTRIBUTE_VALUE
            ));
        }
        out.push((key.clone(), value.clone()));
    }
    Ok(out)
}

pub async fn init_group_attributes<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    write_attributes(ctx, data, true).await
}

pub async fn set_group_attributes<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    write_attributes(ctx, data, false).await
}

/// The given attributes written (`replace`: the others deleted, as initGroupAttributes does),
/// within the official limits; `{groupAttributes}` as given.
async fn write_attributes<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
    replace: bool,
) -> Result<Json, Failure> {
    let r: GroupAttributes = params(&data)?;
    let group = r.group_id.as_str();
    member(ctx, group, ATTRIBUTES_NOT_JOINED).await?;
    let given = given(&r.group_attributes)?;
    let (updated, deleted, now) = decided!(ctx, {
        let rows = rows(ctx, group, Kind::Attribute).await?;
        let mut now: BTreeMap<String, String> = BTreeMap::new();
        let mut plan = Plan::default();
        for row in &rows {
            plan.expect(Key::new(group, Kind::Attribute, &row.other), Some(row));
            now.insert(row.other.clone(), attribute(&row.data));
        }
        let (mut updated, mut deleted) = (Vec::new(), Vec::new());
        if replace {
            for key in now.keys().filter(|k| !given.iter().any(|(g, _)| g == *k)) {
                deleted.push(key.clone());
                plan.set(Key::new(group, Kind::Attribute, key), None);
            }
            now.retain(|k, _| !deleted.contains(k));
        }
        for (key, value) in &given {
            if now.get(key) != Some(value) {
                let key_of = Key::new(group, Kind::Attribute, key);
                if !now.contains_key(key) {
                    plan.expect(key_of.clone(), None);
                }
                plan.set(key_of, Some(Json::of(value).0));
                now.insert(key.clone(), value.clone());
                updated.push(key.clone());
            }
        }
        let bytes: usize = now.iter().map(|(k, v)| k.len() + v.len()).sum();
        if now.len() > g::MAX_ATTRIBUTES || bytes > g::MAX_ATTRIBUTES_BYTES {
            return invalid(format!(
                "a group has at most {} attributes of {} bytes in all",
                g::MAX_ATTRIBUTES,
                g::MAX_ATTRIBUTES_BYTES
            ));
        }
        (plan, (updated, deleted, now))
    })?;
    announce(ctx, group, (updated, deleted), &now).await?;
    Ok(Json::of(&json!({ "groupAttributes": r.group_attributes })))
}

/// GROUP_ATTRIBUTES_UPDATED to the members, when something changed.
async fn announce<S: Store>(
    ctx: &Ctx<'_, S>,
    group: &str,
    (updated, deleted): (Vec<String>, Vec<String>),
    now: &BTreeMap<String, String>,
) -> Result<(), Failure> {
    if updated.is_empty() && deleted.is_empty() {
        return Ok(());
    }
    let data = json!({
        "groupID": group, "groupAttributes": now,
        "updatedKeyList": updated, "deletedKeyList": deleted,
    });
    tell(ctx, group, g::EVENT_ATTRIBUTES, vec![data]).await
}

/// Deletes the attributes of `keyList` (every one when it is empty): `{keyList}` of those
/// that were there.
pub async fn delete_group_attributes<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: GroupAttributes = params(&data)?;
    let group = r.group_id.as_str();
    member(ctx, group, ATTRIBUTES_NOT_JOINED).await?;
    let (deleted, now) = decided!(ctx, {
        let rows = rows(ctx, group, Kind::Attribute).await?;
        let mut plan = Plan::default();
        let (mut deleted, mut now) = (Vec::new(), BTreeMap::new());
        for row in &rows {
            if r.key_list.is_empty() || r.key_list.contains(&row.other) {
                let key = Key::new(group, Kind::Attribute, &row.other);
                plan.expect(key.clone(), Some(row));
                plan.set(key, None);
                deleted.push(row.other.clone());
            } else {
                now.insert(row.other.clone(), attribute(&row.data));
            }
        }
        (plan, (deleted, now))
    })?;
    announce(ctx, group, (Vec::new(), deleted.clone()), &now).await?;
    Ok(Json::of(&json!({ "keyList": deleted })))
}

/// `{groupAttributes}` of `keyList` (every one when it is empty).
pub async fn get_group_attributes<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: GroupAttributes = params(&data)?;
    member(ctx, &r.group_id, ATTRIBUTES_NOT_JOINED).await?;
    let attributes: BTreeMap<String, String> = rows(ctx, &r.group_id, Kind::Attribute)
        .await?
        .into_iter()
        .filter(|row| r.key_list.is_empty() || r.key_list.contains(&row.other))
        .map(|row| (row.other, attribute(&row.data)))
        .collect();
    Ok(Json::of(&json!({ "groupAttributes": attributes })))
}

/// A counter's key: 1..=128 bytes (10004 otherwise).
fn counter_key(key: &str) -> Result<(), Failure> {
    match !key.is_empty() && key.len() <= g::MAX_COUNTER_KEY {
        true => Ok(()),
        false => invalid(format!(
            "counter keys are 1 to {} bytes",
            g::MAX_COUNTER_KEY
        )),
    }
}

/// There is room for the counters `keys` among the group's `existing` ones (10004 otherwise).
fn room(existing: &[crate::store::Relation], keys: &[&String]) -> Result<(), Failure> {
    let new = keys
        .iter()
        .filter(|k| !existing.iter().any(|r| r.other == ***k))
        .count();
    match existing.len() + new <= g::MAX_COUNTERS {
        true => Ok(()),
        false => invalid(format!("a group has at most {} counters", g::MAX_COUNTERS)),
    }
}

/// Sets each of `counters` (integers); `{counters}` as given; GROUP_COUNTER_UPDATED for each
/// one that changed.
pub async fn set_group_counters<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: GroupCounters = params(&data)?;
    let group = r.group_id.as_str();
    member(ctx, group, GROUP_PERMISSION_DENY).await?;
    let mut values = Vec::with_capacity(r.counters.len());
    for (key, value) in &r.counters {
        counter_key(key)?;
        let Some(value) = value.as_i64() else {
            return invalid(format!("the value of {key:?} is not an integer"));
        };
        values.push((key, value));
    }
    let existing = rows(ctx, group, Kind::Counter).await?;
    room(
        &existing,
        &values.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
    )?;
    let mut plan = Plan::default();
    let mut changed = Vec::new();
    for (key, value) in values {
        let before = existing.iter().find(|r| r.other == *key);
        if before.is_none_or(|r| r.data.parse::<i64>().ok() != Some(value)) {
            changed.push(json!({"groupID": group, "key": key, "value": value}));
        }
        plan.set(Key::new(group, Kind::Counter, key), Some(value.to_string()));
    }
    ctx.shared.store.relate(ctx.caller.app, plan).await?;
    tell(ctx, group, g::EVENT_COUNTER, changed).await?;
    Ok(Json::of(&json!({ "counters": r.counters })))
}

pub async fn increase_group_counter<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    add_to_counter(ctx, data, 1).await
}

pub async fn decrease_group_counter<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    add_to_counter(ctx, data, -1).await
}

/// Adds `sign` × `value` to the counter `key` (0 when new): `{counters: {key: the sum}}`.
async fn add_to_counter<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
    sign: i64,
) -> Result<Json, Failure> {
    let r: GroupCounters = params(&data)?;
    let group = r.group_id.as_str();
    member(ctx, group, GROUP_PERMISSION_DENY).await?;
    counter_key(&r.key)?;
    let Some(delta) = r.value.as_i64().and_then(|v| v.checked_mul(sign)) else {
        return invalid("value is not an integer");
    };
    room(&rows(ctx, group, Kind::Counter).await?, &[&r.key])?;
    let key = Key::new(group, Kind::Counter, &r.key);
    let sum = ctx.shared.store.add(ctx.caller.app, key, delta).await?;
    let event = json!({"groupID": group, "key": r.key, "value": sum});
    tell(ctx, group, g::EVENT_COUNTER, vec![event]).await?;
    Ok(Json::of(&json!({ "counters": { r.key.clone(): sum } })))
}

/// `{counters}` of `keyList` (every one when it is absent or empty).
pub async fn get_group_counters<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: GroupCounters = params(&data)?;
    member(ctx, &r.group_id, GROUP_PERMISSION_DENY).await?;
    let counters: BTreeMap<String, i64> = rows(ctx, &r.group_id, Kind::Counter)
        .await?
        .into_iter()
        .filter(|row| r.key_list.is_empty() || r.key_list.contains(&row.other))
        .map(|row| (row.other, row.data.parse().unwrap_or(0)))
        .collect();
    Ok(Json::of(&json!({ "counters": counters })))
}
