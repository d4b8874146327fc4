//! Friend groups: named lists of the caller's friends. getFriendGroupList, createFriendGroup,
//! deleteFriendGroup, renameFriendGroup, addToFriendGroup, removeFromFriendGroup.

use super::*;
use crate::ops::profiles::params;
use tim_proto::codes::{FRIEND_GROUP_EXISTED, FRIEND_GROUP_NOT_EXIST};
use tim_proto::relation::*;
use tim_proto::Json;

pub async fn get_friend_group_list<S: Store>(ctx: &Ctx<'_, S>, _: Json) -> Result<Json, Failure> {
    let groups = rows(ctx, me(ctx), Kind::FriendGroup).await?;
    let list: Vec<Value> = groups
        .iter()
        .map(|g| group_object(&g.other, &members(g)))
        .collect();
    Ok(Json::of(&list))
}

/// Adds to `plan`: `user` is in `owner`'s friend group `name` (made if missing).
pub(super) fn join(
    plan: &mut Plan,
    owner: &str,
    groups: &mut Vec<Relation>,
    name: &str,
    user: &str,
) {
    let i = match groups.iter().position(|g| g.other == name) {
        Some(i) => i,
        None => {
            plan.expect(Key::new(owner, Kind::FriendGroup, name), None);
            groups.push(Relation {
                other: name.to_owned(),
                data: "{}".into(),
                time: 0,
            });
            groups.len() - 1
        }
    };
    let mut list = members(&groups[i]);
    if !list.iter().any(|m| m == user) {
        list.push(user.to_owned());
        regroup(plan, owner, &mut groups[i], list);
    }
}

fn check_name(name: &str) -> Result<(), Failure> {
    if name.is_empty() {
        return invalid("a friend group needs a name");
    }
    bounded("name", name, MAX_GROUP_NAME)
}

/// `{friendGroup, failureUserIDList}`; users who are not friends fail with 2700.
fn group_result(name: &str, members: &[String], failure: Vec<Value>) -> Json {
    Json::of(&json!({"friendGroup": group_object(name, members), "failureUserIDList": failure}))
}

/// The caller's group `name` among `groups`, or 2711.
fn find<'a>(groups: &'a mut [Relation], name: &str) -> Result<&'a mut Relation, Failure> {
    match groups.iter_mut().find(|g| g.other == name) {
        Some(g) => Ok(g),
        None => fail(FRIEND_GROUP_NOT_EXIST, format!("no friend group {name:?}")),
    }
}

/// Which of `users` are the caller's friends (the rest fail with 2700), with the rows read
/// expected unchanged by `plan`.
async fn friends_among<S: Store>(
    ctx: &Ctx<'_, S>,
    plan: &mut Plan,
    users: &[String],
) -> Result<(Vec<String>, Vec<Value>), Failure> {
    let keys: Vec<Key> = users
        .iter()
        .map(|u| Key::new(me(ctx), Kind::Friend, u))
        .collect();
    let found = at(ctx, &keys).await?;
    let (mut friends, mut failure) = (Vec::new(), Vec::new());
    for ((key, row), user) in keys.into_iter().zip(&found).zip(users) {
        plan.expect(key, row.as_ref());
        match row {
            Some(_) => friends.push(user.clone()),
            None => failure.push(not_friend(user)),
        }
    }
    Ok((friends, failure))
}

/// A new group of the friends among `userIDList`; 2710 when the name is taken.
pub async fn create_friend_group<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: FriendGroupUsers = params(&data)?;
    check_name(&r.name)?;
    let users = user_list(r.user_id_list, MAX_DELETE)?;
    let me = me(ctx);
    decided!(ctx, {
        let groups = rows(ctx, me, Kind::FriendGroup).await?;
        if groups.iter().any(|g| g.other == r.name) {
            return fail(
                FRIEND_GROUP_EXISTED,
                format!("a friend group {:?} exists", r.name),
            );
        }
        if groups.len() >= MAX_FRIEND_GROUPS {
            return invalid(format!("at most {MAX_FRIEND_GROUPS} friend groups"));
        }
        let mut plan = Plan::default();
        let (friends, failure) = friends_among(ctx, &mut plan, &users).await?;
        let key = Key::new(me, Kind::FriendGroup, &r.name);
        plan.expect(key.clone(), None);
        let mut group = Relation {
            other: r.name.clone(),
            data: "{}".into(),
            time: 0,
        };
        regroup(&mut plan, me, &mut group, friends.clone());
        (plan, group_result(&r.name, &friends, failure))
    })
}

/// Resolves with the group as it was.
pub async fn delete_friend_group<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: FriendGroupUsers = params(&data)?;
    let me = me(ctx);
    decided!(ctx, {
        let mut groups = rows(ctx, me, Kind::FriendGroup).await?;
        let group = find(&mut groups, &r.name)?;
        let key = Key::new(me, Kind::FriendGroup, &r.name);
        let mut plan = Plan::default();
        plan.expect(key.clone(), Some(group));
        plan.delete(key, List::FriendGroups);
        plan.tell(me, List::Friends);
        (plan, Json::of(&group_object(&r.name, &members(group))))
    })
}

/// 2711 when `oldName` is missing, 2710 when `newName` is taken.
pub async fn rename_friend_group<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: RenameFriendGroup = params(&data)?;
    check_name(&r.new_name)?;
    let me = me(ctx);
    decided!(ctx, {
        let mut groups = rows(ctx, me, Kind::FriendGroup).await?;
        find(&mut groups, &r.old_name)?;
        if r.new_name != r.old_name && groups.iter().any(|g| g.other == r.new_name) {
            return fail(
                FRIEND_GROUP_EXISTED,
                format!("a friend group {:?} exists", r.new_name),
            );
        }
        let group = find(&mut groups, &r.old_name)?;
        let list = members(group);
        let mut plan = Plan::default();
        if r.new_name != r.old_name {
            let old = Key::new(me, Kind::FriendGroup, &r.old_name);
            let new = Key::new(me, Kind::FriendGroup, &r.new_name);
            plan.expect(old.clone(), Some(group));
            plan.expect(new.clone(), None);
            plan.delete(old, List::FriendGroups);
            plan.put(new, group.data.clone(), List::FriendGroups);
            plan.tell(me, List::Friends);
        }
        (plan, Json::of(&group_object(&r.new_name, &list)))
    })
}

/// Adds the friends among `userIDList` to the group.
pub async fn add_to_friend_group<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: FriendGroupUsers = params(&data)?;
    let users = user_list(r.user_id_list, MAX_DELETE)?;
    let me = me(ctx);
    decided!(ctx, {
        let mut groups = rows(ctx, me, Kind::FriendGroup).await?;
        find(&mut groups, &r.name)?;
        let mut plan = Plan::default();
        let (friends, failure) = friends_among(ctx, &mut plan, &users).await?;
        for friend in &friends {
            join(&mut plan, me, &mut groups, &r.name, friend);
        }
        let list = members(find(&mut groups, &r.name)?);
        if plan.changes.is_empty() {
            plan.expect.clear();
        }
        (plan, group_result(&r.name, &list, failure))
    })
}

/// Takes `userIDList` out of the group; users who are not friends fail with 2700.
pub async fn remove_from_friend_group<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: FriendGroupUsers = params(&data)?;
    let users = user_list(r.user_id_list, MAX_DELETE)?;
    let me = me(ctx);
    decided!(ctx, {
        let mut groups = rows(ctx, me, Kind::FriendGroup).await?;
        let group = find(&mut groups, &r.name)?;
        let mut plan = Plan::default();
        let (friends, failure) = friends_among(ctx, &mut plan, &users).await?;
        let mut list = members(group);
        let before = list.len();
        list.retain(|m| !friends.contains(m));
        if list.len() != before {
            regroup(&mut plan, me, group, list.clone());
        } else {
            plan.expect.clear();
        }
        (plan, group_result(&r.name, &list, failure))
    })
}
