//! Conversation groups: named sets of the caller's conversations. createConversationGroup,
//! getConversationGroupList, deleteConversationGroup, renameConversationGroup,
//! addConversationsToGroup, deleteConversationsFromGroup. A group is a relation row of the
//! caller's (decided and written as the relation ops are); every change puts all the caller's
//! groups in their inbox (a `conversationGroups` item), from which each session's list shows
//! every conversation's `conversationGroupList`.

use super::profiles::params;
use super::relations::decided;
use super::Ctx;
use crate::failure::{fail, Failure};
use crate::store::{Key, Kind, Plan, Relation, Store};
use serde_json::{json, Value};
use tim_proto::{
    ConversationGroup, ConversationId, GroupConversations, InboxEvent, Json,
    RenameConversationGroup, MAX_CONVERSATIONS_IN_GROUP, MAX_CONVERSATION_GROUPS,
    MAX_CONVERSATION_GROUP_NAME,
};

/// The official codes: too many conversations in a group, no such group, too many groups, a
/// bad name; and a name taken (the official's is not documented: ours).
const GROUP_FULL: u32 = 51008;
const GROUP_NOT_EXIST: u32 = 51009;
const TOO_MANY_GROUPS: u32 = 51010;
const BAD_GROUP_NAME: u32 = 51011;
const GROUP_EXISTS: u32 = 51012;
/// A conversationID that names no conversation (the SDK's own code for it).
const INVALID_CONVERSATION_ID: u32 = 2503;

fn key(me: &str, name: &str) -> Key {
    Key::new(me, Kind::ConversationGroup, name)
}

fn group_of(row: &Relation) -> ConversationGroup {
    let data: Value = serde_json::from_str(&row.data).unwrap_or_default();
    ConversationGroup {
        name: row.other.clone(),
        conversation_id_list: serde_json::from_value(data["conversationIDList"].clone())
            .unwrap_or_default(),
    }
}

fn data_of(ids: &[String]) -> String {
    json!({ "conversationIDList": ids }).to_string()
}

/// The caller's groups, oldest first (also for the first page of the conversation list).
pub async fn groups<S: Store>(ctx: &Ctx<'_, S>) -> Result<Vec<ConversationGroup>, Failure> {
    let rows = (ctx.shared.store)
        .relations(ctx.caller.app, &ctx.caller.user, Kind::ConversationGroup)
        .await?;
    Ok(rows.iter().map(group_of).collect())
}

fn check_name(name: &str) -> Result<(), Failure> {
    match !name.is_empty() && name.len() <= MAX_CONVERSATION_GROUP_NAME {
        true => Ok(()),
        false => fail(
            BAD_GROUP_NAME,
            format!("a group name is 1 to {MAX_CONVERSATION_GROUP_NAME} bytes"),
        ),
    }
}

/// The valid conversationIDs of `ids` (deduplicated), and the failures of the others.
fn valid_ids(ids: Vec<String>) -> (Vec<String>, Vec<Value>) {
    let (mut ok, mut failed) = (Vec::new(), Vec::new());
    for id in ids {
        if ConversationId::parse(&id).is_none() {
            failed.push(
                json!({"conversationID": id, "code": INVALID_CONVERSATION_ID,
                "message": "not a conversationID"}),
            );
        } else if !ok.contains(&id) {
            ok.push(id);
        }
    }
    (ok, failed)
}

/// The plan's item: all of the caller's groups as `rows` (their state after the plan).
fn tell(plan: &mut Plan, me: &str, rows: &[Relation]) {
    let conversation_groups = rows.iter().map(group_of).collect();
    plan.item(
        me,
        InboxEvent::ConversationGroups {
            conversation_groups,
        },
    );
}

fn lists(success: &[String], failure: Vec<Value>) -> Json {
    Json::of(&json!({"successConversationIDList": success, "failureConversationIDList": failure}))
}

pub async fn create_conversation_group<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: GroupConversations = params(&data)?;
    check_name(&r.group_name)?;
    let (ids, failure) = valid_ids(r.conversation_id_list);
    if ids.len() > MAX_CONVERSATIONS_IN_GROUP {
        return fail(
            GROUP_FULL,
            format!("at most {MAX_CONVERSATIONS_IN_GROUP} conversations"),
        );
    }
    let me = ctx.caller.user.as_str();
    decided!(ctx, {
        let mut rows = (ctx.shared.store)
            .relations(ctx.caller.app, me, Kind::ConversationGroup)
            .await?;
        if rows.iter().any(|g| g.other == r.group_name) {
            return fail(GROUP_EXISTS, format!("a group {:?} exists", r.group_name));
        }
        if rows.len() >= MAX_CONVERSATION_GROUPS {
            return fail(
                TOO_MANY_GROUPS,
                format!("at most {MAX_CONVERSATION_GROUPS} groups"),
            );
        }
        let mut plan = Plan::default();
        plan.expect(key(me, &r.group_name), None);
        plan.set(key(me, &r.group_name), Some(data_of(&ids)));
        rows.push(Relation {
            other: r.group_name.clone(),
            data: data_of(&ids),
            time: 0,
        });
        tell(&mut plan, me, &rows);
        (plan, ())
    })?;
    Ok(lists(&ids, failure))
}

pub async fn get_conversation_group_list<S: Store>(
    ctx: &Ctx<'_, S>,
    _: Json,
) -> Result<Json, Failure> {
    let names: Vec<String> = groups(ctx).await?.into_iter().map(|g| g.name).collect();
    Ok(Json::of(&names))
}

/// Reads the caller's groups and applies `change` to the one named `name` (51009 when there
/// is none): `Some(rows)` the new rows, `None` for no change.
async fn change<S: Store>(
    ctx: &Ctx<'_, S>,
    name: &str,
    change: impl Fn(&mut Vec<Relation>, usize) -> Result<bool, Failure>,
) -> Result<(), Failure> {
    let me = ctx.caller.user.as_str();
    decided!(ctx, {
        let before = (ctx.shared.store)
            .relations(ctx.caller.app, me, Kind::ConversationGroup)
            .await?;
        let Some(i) = before.iter().position(|g| g.other == name) else {
            return fail(GROUP_NOT_EXIST, format!("no group {name:?}"));
        };
        let mut after = before.clone();
        let mut plan = Plan::default();
        if change(&mut after, i)? {
            for row in &before {
                plan.expect(key(me, &row.other), Some(row));
                if !after.iter().any(|a| a.other == row.other) {
                    plan.set(key(me, &row.other), None);
                }
            }
            for row in &after {
                let old = before.iter().find(|b| b.other == row.other);
                if old.is_none_or(|o| o.data != row.data) {
                    if old.is_none() {
                        plan.expect(key(me, &row.other), None);
                    }
                    plan.set(key(me, &row.other), Some(row.data.clone()));
                }
            }
            tell(&mut plan, me, &after);
        }
        (plan, ())
    })
}

/// `deleteConversationGroup(groupName)`.
pub async fn delete_conversation_group<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let name: String = params(&data)?;
    change(ctx, &name, |rows, i| {
        rows.remove(i);
        Ok(true)
    })
    .await?;
    Ok(Json::of(&json!({})))
}

pub async fn rename_conversation_group<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: RenameConversationGroup = params(&data)?;
    check_name(&r.new_name)?;
    change(ctx, &r.old_name, |rows, i| {
        if r.new_name == r.old_name {
            return Ok(false);
        }
        if rows.iter().any(|g| g.other == r.new_name) {
            return fail(GROUP_EXISTS, format!("a group {:?} exists", r.new_name));
        }
        rows[i].other.clone_from(&r.new_name);
        Ok(true)
    })
    .await?;
    Ok(Json::of(&json!({})))
}

pub async fn add_conversations_to_group<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    members(ctx, data, true).await
}

pub async fn delete_conversations_from_group<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    members(ctx, data, false).await
}

/// Adds the conversations of `data` to its group (`add`), or takes them out.
async fn members<S: Store>(ctx: &Ctx<'_, S>, data: Json, add: bool) -> Result<Json, Failure> {
    let r: GroupConversations = params(&data)?;
    let (ids, failure) = valid_ids(r.conversation_id_list);
    change(ctx, &r.group_name, |rows, i| {
        let mut list = group_of(&rows[i]).conversation_id_list;
        let before = list.clone();
        match add {
            true => list.extend(ids.iter().filter(|id| !before.contains(id)).cloned()),
            false => list.retain(|id| !ids.contains(id)),
        }
        if list.len() > MAX_CONVERSATIONS_IN_GROUP {
            return fail(
                GROUP_FULL,
                format!("at most {MAX_CONVERSATIONS_IN_GROUP} conversations"),
            );
        }
        rows[i].data = data_of(&list);
        Ok(list != before)
    })
    .await?;
    Ok(lists(&ids, failure))
}
