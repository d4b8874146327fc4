//! Friends: getFriendList, addFriend (by the target's allowType), deleteFriend, checkFriend,
//! getFriendProfile, updateFriend.

use super::*;
use crate::ops::profiles::params;
use tim_proto::codes::{
    ALREADY_MY_FRIEND, FRIEND_ACCOUNT_NOT_FOUND, FRIEND_COUNT_LIMIT, FRIEND_DENY_ANY,
    FRIEND_IN_PEER_BLACKLIST, FRIEND_IN_SELF_BLACKLIST, FRIEND_PENDING, PEER_FRIEND_COUNT_LIMIT,
};
use tim_proto::profile::{ALLOW_ANY, DENY_ANY};
use tim_proto::relation::*;
use tim_proto::Json;

pub async fn get_friend_list<S: Store>(ctx: &Ctx<'_, S>, _: Json) -> Result<Json, Failure> {
    let friends = rows(ctx, me(ctx), Kind::Friend).await?;
    Ok(Json::of(&friend_objects(ctx, &friends).await?))
}

/// A friend row's data.
pub(super) fn friend_data(remark: &str, source: &str, wording: &str) -> String {
    json!({"remark": remark, "source": source, "wording": wording, "friendCustomField": []})
        .to_string()
}

/// addFriend's parameters, checked (30001).
fn check_add(r: &AddFriend, me: &str) -> Result<(), Failure> {
    if !valid_user_id(&r.to) || r.to == me {
        return invalid("to must be another user's userID");
    }
    match r.source.strip_prefix(ADD_SOURCE_PREFIX) {
        Some(keyword) if !keyword.is_empty() && keyword.len() <= MAX_SOURCE_KEYWORD => {}
        _ => {
            return invalid(format!(
            "source must be {ADD_SOURCE_PREFIX} and a keyword of 1 to {MAX_SOURCE_KEYWORD} bytes"
        ))
        }
    }
    if r.kind != ADD_TYPE_SINGLE && r.kind != ADD_TYPE_BOTH {
        return invalid(format!("type must be {ADD_TYPE_SINGLE} or {ADD_TYPE_BOTH}"));
    }
    bounded("wording", &r.wording, MAX_WORDING)?;
    bounded("remark", &r.remark, MAX_REMARK)?;
    bounded("groupName", &r.group_name, MAX_GROUP_NAME)
}

/// Resolves `{userID, code: 0}` when added, `{userID, code: 30539}` when the target must
/// confirm (a pending application on both sides); rejects 30515, 30525, 30516 or 2701.
pub async fn add_friend<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    add(ctx, params(&data)?, false).await
}

/// addFriend as an app back end imports a friendship (REST `friend_import`, or `friend_add`
/// with `ForceAddFlags`): the target's allowType and either blacklist do not stop it.
pub async fn import_friend<S: Store>(ctx: &Ctx<'_, S>, r: AddFriend) -> Result<Json, Failure> {
    add(ctx, r, true).await
}

async fn add<S: Store>(ctx: &Ctx<'_, S>, r: AddFriend, force: bool) -> Result<Json, Failure> {
    let me = me(ctx);
    check_add(&r, me)?;
    let to = r.to.as_str();
    let target = profiles(ctx, vec![r.to.clone()]).await?;
    let Some(target) = target.get(to) else {
        return fail(FRIEND_ACCOUNT_NOT_FOUND, format!("no user {to:?}"));
    };
    let allow = target.allow_type.clone();
    let code = decided!(ctx, {
        let keys = [
            Key::new(me, Kind::Black, to),
            Key::new(to, Kind::Black, me),
            Key::new(me, Kind::Friend, to),
            Key::new(to, Kind::Friend, me),
            Key::new(me, Kind::SendOut, to),
            Key::new(to, Kind::ComeIn, me),
        ];
        let found = at(ctx, &keys).await?;
        if found[0].is_some() && !force {
            return fail(
                FRIEND_IN_SELF_BLACKLIST,
                format!("{to:?} is in your blacklist"),
            );
        }
        if found[1].is_some() && !force {
            return fail(
                FRIEND_IN_PEER_BLACKLIST,
                format!("{to:?} has you in their blacklist"),
            );
        }
        if found[2].is_some() {
            return fail(ALREADY_MY_FRIEND, format!("{to:?} is already your friend"));
        }
        let mut plan = Plan::default();
        for (key, row) in keys.iter().zip(&found) {
            plan.expect(key.clone(), row.as_ref());
        }
        // A user who has the requester as a friend already is added without asking.
        if allow == DENY_ANY && !force {
            return fail(
                FRIEND_DENY_ANY,
                format!("{to:?} accepts no friend requests"),
            );
        } else if force || allow == ALLOW_ANY || found[3].is_some() {
            room_for_friend(ctx, me, FRIEND_COUNT_LIMIT).await?;
            if r.kind == ADD_TYPE_BOTH && found[3].is_none() {
                room_for_friend(ctx, to, PEER_FRIEND_COUNT_LIMIT).await?;
            }
            let friend = friend_data(&r.remark, &r.source, &r.wording);
            plan.put(keys[2].clone(), friend, List::Friends);
            if r.kind == ADD_TYPE_BOTH && found[3].is_none() {
                let back = friend_data("", &r.source, "");
                plan.put(keys[3].clone(), back, List::Friends);
            }
            plan.drop_present(keys.iter().zip(&found).skip(4), List::FriendApplications);
            if !r.group_name.is_empty() {
                let mut groups = rows(ctx, me, Kind::FriendGroup).await?;
                groups::join(&mut plan, me, &mut groups, &r.group_name, to);
            }
            (plan, 0)
        } else {
            let come_in = json!({"source": r.source, "wording": r.wording, "read": false});
            plan.put(
                keys[5].clone(),
                come_in.to_string(),
                List::FriendApplications,
            );
            let send_out = json!({
                "source": r.source, "wording": r.wording, "remark": r.remark,
                "groupName": r.group_name, "type": r.kind,
            });
            plan.put(
                keys[4].clone(),
                send_out.to_string(),
                List::FriendApplications,
            );
            (plan, FRIEND_PENDING)
        }
    })?;
    let message = match code {
        0 => "",
        _ => "waiting for the user's confirmation",
    };
    Ok(Json::of(
        &json!({"userID": to, "code": code, "message": message}),
    ))
}

/// Non-friends fail with 2700; `Delete_Type_Both` also takes the caller out of their list.
pub async fn delete_friend<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: DeleteFriend = params(&data)?;
    let users = user_list(r.user_id_list, MAX_DELETE)?;
    if r.kind != DELETE_TYPE_SINGLE && r.kind != DELETE_TYPE_BOTH {
        return invalid(format!(
            "type must be {DELETE_TYPE_SINGLE} or {DELETE_TYPE_BOTH}"
        ));
    }
    let me = me(ctx);
    let (success, failure) = decided!(ctx, {
        let mut plan = Plan::default();
        let (mut success, mut failure) = (Vec::new(), Vec::new());
        let mut my_groups = rows(ctx, me, Kind::FriendGroup).await?;
        for user in &users {
            let keys = [
                Key::new(me, Kind::Friend, user),
                Key::new(user, Kind::Friend, me),
            ];
            let found = at(ctx, &keys).await?;
            let Some(friend) = &found[0] else {
                failure.push(not_friend(user));
                continue;
            };
            unfriend(&mut plan, me, user, friend, &mut my_groups);
            if let (Some(back), true) = (&found[1], r.kind == DELETE_TYPE_BOTH) {
                let mut their_groups = rows(ctx, user, Kind::FriendGroup).await?;
                unfriend(&mut plan, user, me, back, &mut their_groups);
            }
            success.push(json!({"userID": user}));
        }
        (plan, (success, failure))
    })?;
    Ok(Json::of(
        &json!({"successUserIDList": success, "failureUserIDList": failure}),
    ))
}

pub async fn check_friend<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: CheckFriend = params(&data)?;
    let users = user_list(r.user_id_list, MAX_USERS)?;
    let both = match r.kind.as_str() {
        CHECK_TYPE_BOTH => true,
        CHECK_TYPE_SINGLE => false,
        _ => {
            return invalid(format!(
                "type must be {CHECK_TYPE_SINGLE} or {CHECK_TYPE_BOTH}"
            ))
        }
    };
    let me = me(ctx);
    let mut keys = Vec::with_capacity(users.len() * 2);
    for user in &users {
        keys.push(Key::new(me, Kind::Friend, user));
        keys.push(Key::new(user, Kind::Friend, me));
    }
    let found = at(ctx, &keys).await?;
    let results: Vec<Value> = users
        .iter()
        .zip(found.chunks(2))
        .map(|(user, pair)| {
            let relation = match (pair[0].is_some(), pair[1].is_some() && both) {
                (true, true) => RELATION_BOTH,
                (true, false) => RELATION_A_WITH_B,
                (false, true) => RELATION_B_WITH_A,
                (false, false) => RELATION_NONE,
            };
            json!({"userID": user, "code": 0, "relation": relation})
        })
        .collect();
    Ok(Json::of(
        &json!({"successUserIDList": results, "failureUserIDList": []}),
    ))
}

pub async fn get_friend_profile<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: Users = params(&data)?;
    let users = user_list(r.user_id_list, MAX_USERS)?;
    let me = me(ctx);
    let keys: Vec<Key> = users
        .iter()
        .map(|u| Key::new(me, Kind::Friend, u))
        .collect();
    let found = at(ctx, &keys).await?;
    let friends: Vec<Relation> = found.iter().flatten().cloned().collect();
    let failure: Vec<Value> = users
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(u, _)| not_friend(u))
        .collect();
    let friend_list = friend_objects(ctx, &friends).await?;
    Ok(Json::of(
        &json!({"friendList": friend_list, "failureUserIDList": failure}),
    ))
}

/// Sets the remark and merges custom fields (`Tag_SNS_Custom_*` keys) by key.
pub async fn update_friend<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: UpdateFriend = params(&data)?;
    if let Some(remark) = &r.remark {
        bounded("remark", remark, MAX_REMARK)?;
    }
    for field in r.friend_custom_field.iter().flatten() {
        if !field.key.starts_with(FRIEND_CUSTOM_PREFIX) {
            return invalid(format!("{:?} is not a friend custom field", field.key));
        }
        bounded(&field.key, &field.value, MAX_CUSTOM_VALUE)?;
    }
    let me = me(ctx);
    let friend = decided!(ctx, {
        let key = Key::new(me, Kind::Friend, &r.user_id);
        let Some(mut friend) = at(ctx, std::slice::from_ref(&key)).await?.remove(0) else {
            return fail(NOT_MY_FRIEND, format!("{:?} is not your friend", r.user_id));
        };
        let mut plan = Plan::default();
        plan.expect(key.clone(), Some(&friend));
        let mut d = fields(Some(&friend));
        if let Some(remark) = &r.remark {
            d.insert("remark".into(), json!(remark));
        }
        let mut fields: Vec<Value> = match d.remove("friendCustomField") {
            Some(Value::Array(fields)) => fields,
            _ => Vec::new(),
        };
        for field in r.friend_custom_field.iter().flatten() {
            fields.retain(|f| f["key"] != json!(field.key));
            fields.push(json!({"key": field.key, "value": field.value}));
        }
        d.insert("friendCustomField".into(), Value::Array(fields));
        let changed = Value::Object(d).to_string();
        if changed != friend.data {
            friend.data = changed.clone();
            plan.put(key, changed, List::Friends);
        } else {
            plan.expect.clear();
        }
        (plan, friend)
    })?;
    let objects = friend_objects(ctx, std::slice::from_ref(&friend)).await?;
    Ok(Json::of(&objects[0]))
}
