//! A group's members: getGroupMemberList, getGroupMemberProfile, addGroupMember,
//! deleteGroupMember, setGroupMemberRole, setGroupMemberMuteTime, setGroupMemberNameCard,
//! setGroupMemberCustomField.

use super::life::{has_room, merge_fields, set_member};
use super::notices::{self, notify, Notice};
use super::tips::{self, Tip};
use super::{
    add_member, bounded, declared, denied, existing, group_object, invalid, mine, read, Fields,
    Group, MemberRow, Who,
};
use crate::failure::{fail, Failure};
use crate::now_secs;
use crate::ops::profiles::params;
use crate::ops::relations::decided;
use crate::ops::Ctx;
use crate::store::{Plan, Store};
use serde_json::{json, Value};
use tim_proto::codes::{
    CANNOT_ADD_MEMBER_IN_AVCHATROOM, CANNOT_MUTE_SELF,
    CANNOT_SET_MEMBER_ROLE_IN_WORK_AND_AVCHATROOM, CANNOT_SET_SELF_MEMBER_ROLE,
    INVALID_MEMBER_ROLE, NOT_OWNER,
};
use tim_proto::group::{self as g, GroupUsers, MemberChange, MemberPage};
use tim_proto::Json;

/// The official GroupMember objects of `users` (members of `group`), nick and avatar from their
/// profiles.
async fn member_objects<S: Store>(
    ctx: &Ctx<'_, S>,
    group: &Group,
    users: &[String],
) -> Result<Vec<Value>, Failure> {
    let profiles = (ctx.shared.store)
        .profiles(ctx.caller.app, users.to_vec())
        .await?;
    Ok(users
        .iter()
        .filter_map(|u| {
            let (_, m) = group.member(u)?;
            let p = profiles.iter().find(|p| p.user_id == *u);
            Some(json!({
                "userID": u, "nick": p.map(|p| p.nick.as_str()).unwrap_or_default(),
                "avatar": p.map(|p| p.avatar.as_str()).unwrap_or_default(),
                "role": m.role, "joinTime": m.join_time, "lastSendMsgTime": 0,
                "nameCard": m.name_card, "muteUntil": m.mute_until,
                "memberCustomField": m.member_custom_field,
            }))
        })
        .collect())
}

/// A page of members in join order; `offset` of the answer is the next page's, 0 after the
/// last (as the official). Someone not in the group gets no members (as the official SDK
/// answers for a group it does not know).
pub async fn get_group_member_list<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: MemberPage = params(&data)?;
    let count = r.count.unwrap_or(g::DEFAULT_PAGE).clamp(1, g::MAX_PAGE);
    let Some(group) = read(ctx, &r.group_id).await? else {
        return Ok(Json::of(&json!({"memberList": [], "offset": 0})));
    };
    if group.member(&ctx.caller.user).is_none() {
        return Ok(Json::of(&json!({"memberList": [], "offset": 0})));
    }
    let ids = group.ids();
    let page: Vec<String> = ids.iter().skip(r.offset).take(count).cloned().collect();
    let next = match r.offset + page.len() < ids.len() {
        true => r.offset + page.len(),
        false => 0,
    };
    let members = member_objects(ctx, &group, &page).await?;
    Ok(Json::of(&json!({"memberList": members, "offset": next})))
}

pub async fn get_group_member_profile<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: GroupUsers = params(&data)?;
    if r.user_id_list.len() > g::MAX_PROFILE_USERS {
        return invalid(format!("at most {} userIDs", g::MAX_PROFILE_USERS));
    }
    let group = mine(ctx, &r.group_id).await?;
    let members = member_objects(ctx, &group, &r.user_id_list).await?;
    Ok(Json::of(&json!({ "memberList": members })))
}

pub async fn add_group_member<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: GroupUsers = params(&data)?;
    if r.user_id_list.len() > g::MAX_MEMBER_LIST {
        return invalid(format!("at most {} userIDs", g::MAX_MEMBER_LIST));
    }
    let me = ctx.caller.user.clone();
    // Each user once, in the order given.
    let mut users: Vec<String> = Vec::with_capacity(r.user_id_list.len());
    for user in r.user_id_list {
        if !users.contains(&user) {
            users.push(user);
        }
    }
    let known = (ctx.shared.store)
        .profiles(ctx.caller.app, users.clone())
        .await?;
    let (success, failure, existed, over) = decided!(ctx, {
        let group = mine(ctx, &r.group_id).await?;
        let Some(who) = group.rules().inviters else {
            return fail(
                CANNOT_ADD_MEMBER_IN_AVCHATROOM,
                "an AVChatRoom is joined, not added to",
            );
        };
        if !group.is(&me, who) {
            return denied("only the owner and admins add members to this group");
        }
        let (mut success, mut failure, mut existed, mut over) = (vec![], vec![], vec![], vec![]);
        let mut plan = Plan::default();
        for user in &users {
            if !known.iter().any(|p| p.user_id == *user) {
                failure.push(user.clone());
            } else if group.member(user).is_some() {
                existed.push(user.clone());
            } else if !has_room(&group, success.len() + 1) {
                over.push(user.clone());
            } else {
                add_member(
                    &mut plan,
                    &group.id,
                    user,
                    &MemberRow::new(g::MEMBER, now_secs()),
                    &group.joining(),
                );
                success.push(user.clone());
            }
        }
        if !success.is_empty() {
            group.tell_all(&mut plan, &[]);
            let tip = Tip {
                group: &group,
                operation: tips::MBR_JOIN,
                users: success.clone(),
                more: json!({}),
                audience: group.ids_after(&success, &[]),
            };
            tips::tip(ctx, &mut plan, tip)?;
            let notice = Notice {
                group: (&group.id, &group.profile.name),
                operation: notices::INVITED,
                more: json!({}),
            };
            notify(ctx, &mut plan, &notice, &success)?;
        }
        (plan, (success, failure, existed, over))
    })?;
    let mut answer = json!({
        "successUserIDList": success, "failureUserIDList": failure,
        "existedUserIDList": existed, "overLimitUserIDList": over,
    });
    if !success.is_empty() {
        let group = existing(ctx, &r.group_id).await?;
        answer["group"] = group_object(&group, &me);
    }
    Ok(Json::of(&answer))
}

/// Whether `me` may act on `target` as `who` allows: owners on anyone, admins on ordinary
/// members only, and anyone (for [`Who::Anyone`]) on ordinary members.
fn may_act_on(group: &Group, me: &str, target: &str, who: Who) -> bool {
    if !group.is(me, who) {
        return false;
    }
    group.is(me, Who::Owner) || group.role(target).as_deref() == Some(g::MEMBER)
}

pub async fn delete_group_member<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: GroupUsers = params(&data)?;
    let me = ctx.caller.user.clone();
    let removed = decided!(ctx, {
        let group = mine(ctx, &r.group_id).await?;
        let Some(who) = group.rules().kickers else {
            return denied("nobody removes members from this group");
        };
        let mut plan = Plan::default();
        let mut removed = Vec::new();
        for user in &r.user_id_list {
            let Some((row, _)) = group.member(user) else {
                continue;
            };
            if *user == me || !may_act_on(&group, &me, user, who) {
                return denied(format!("you cannot remove {user:?}"));
            }
            if !removed.contains(user) {
                group.drop_member(&mut plan, row);
                removed.push(user.clone());
            }
        }
        if !removed.is_empty() {
            group.tell_all(&mut plan, &[]);
            let tip = Tip {
                group: &group,
                operation: tips::MBR_KICKED_OUT,
                users: removed.clone(),
                more: json!({}),
                audience: group.ids_after(&[], &removed),
            };
            tips::tip(ctx, &mut plan, tip)?;
            let notice = Notice {
                group: (&group.id, &group.profile.name),
                operation: notices::KICKED,
                more: json!({}),
            };
            notify(ctx, &mut plan, &notice, &removed)?;
        }
        (plan, removed)
    })?;
    let group = existing(ctx, &r.group_id).await?;
    Ok(Json::of(
        &json!({"group": group_object(&group, &me), "userIDList": removed}),
    ))
}

/// One member's change (role, mute, name card, custom fields): `apply` checks it with the
/// group, the caller and the target, and changes the target's row; the answer is
/// `{group, member}`.
async fn change_member<S: Store>(
    ctx: &Ctx<'_, S>,
    r: &MemberChange,
    apply: impl Fn(&Group, &str, &mut MemberRow) -> Result<(), Failure>,
) -> Result<Json, Failure> {
    let me = ctx.caller.user.clone();
    let target = r.user_id.clone().unwrap_or_else(|| me.clone());
    decided!(ctx, {
        let group = mine(ctx, &r.group_id).await?;
        let Some((row, mut member)) = group.member(&target) else {
            return denied(format!("{target:?} is not a member"));
        };
        let before = member.clone();
        apply(&group, &target, &mut member)?;
        let mut plan = Plan::default();
        if member != before {
            set_member(&mut plan, &group.id, row, &member);
            group.tell_all(&mut plan, &[]);
            if before.role != member.role {
                let operation = match member.role.as_str() {
                    g::ADMIN => notices::SET_ADMIN,
                    _ => notices::CANCELED_ADMIN,
                };
                let notice = Notice {
                    group: (&group.id, &group.profile.name),
                    operation,
                    more: json!({}),
                };
                notify(ctx, &mut plan, &notice, std::slice::from_ref(&target))?;
            }
            if let Some((operation, more)) =
                tips::member_change(&before, &member, &target, now_secs())
            {
                let users = vec![target.clone()];
                let audience = group.ids();
                let tip = Tip {
                    group: &group,
                    operation,
                    users,
                    more,
                    audience,
                };
                tips::tip(ctx, &mut plan, tip)?;
            }
        }
        (plan, ())
    })?;
    let group = existing(ctx, &r.group_id).await?;
    let member = member_objects(ctx, &group, &[target]).await?;
    Ok(Json::of(
        &json!({"group": group_object(&group, &me), "member": member.first()}),
    ))
}

pub async fn set_group_member_role<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: MemberChange = params(&data)?;
    let role = r.role.clone().unwrap_or_default();
    let me = ctx.caller.user.clone();
    change_member(ctx, &r, |group, target, member| {
        if !group.rules().admins {
            return fail(
                CANNOT_SET_MEMBER_ROLE_IN_WORK_AND_AVCHATROOM,
                "this group has no admins",
            );
        }
        if !group.is(&me, Who::Owner) {
            return fail(NOT_OWNER, "only the owner sets roles");
        }
        if role != g::ADMIN && role != g::MEMBER {
            return fail(
                INVALID_MEMBER_ROLE,
                format!("role {role:?}: Admin or Member"),
            );
        }
        if target == me {
            return fail(CANNOT_SET_SELF_MEMBER_ROLE, "the owner's role is Owner");
        }
        member.role = role.clone();
        Ok(())
    })
    .await
}

pub async fn set_group_member_mute_time<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: MemberChange = params(&data)?;
    let mute = r.mute_time.unwrap_or(0);
    if mute < 0 {
        return invalid("muteTime is seconds, 0 or more");
    }
    let me = ctx.caller.user.clone();
    if r.user_id.as_deref().is_none_or(|u| u == me) {
        return fail(CANNOT_MUTE_SELF, "you cannot mute yourself");
    }
    change_member(ctx, &r, |group, target, member| {
        let Some(who) = group.rules().muters else {
            return denied("nobody mutes members of this group");
        };
        if !may_act_on(group, &me, target, who) {
            return denied(format!("you cannot mute {target:?}"));
        }
        member.mute_until = match mute {
            0 => 0,
            secs => now_secs() + secs as u64,
        };
        Ok(())
    })
    .await
}

/// Whether `me` may edit `target`'s name card and custom fields: the owner anyone's, an admin
/// their own and ordinary members', a member their own.
fn may_edit(group: &Group, me: &str, target: &str) -> bool {
    target == me || may_act_on(group, me, target, Who::Managers)
}

pub async fn set_group_member_name_card<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: MemberChange = params(&data)?;
    let card = r.name_card.clone().unwrap_or_default();
    bounded("nameCard", &card, g::MAX_NAME_CARD)?;
    let me = ctx.caller.user.clone();
    change_member(ctx, &r, |group, target, member| {
        if !may_edit(group, &me, target) {
            return denied(format!("you cannot set {target:?}'s name card"));
        }
        member.name_card = card.clone();
        Ok(())
    })
    .await
}

pub async fn set_group_member_custom_field<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: MemberChange = params(&data)?;
    let fields = r.member_custom_field.clone().unwrap_or_default();
    let me = ctx.caller.user.clone();
    change_member(ctx, &r, |group, target, member| {
        if !may_edit(group, &me, target) {
            return denied(format!("you cannot set {target:?}'s custom fields"));
        }
        declared(ctx, Fields::Member, &fields)?;
        merge_fields(&mut member.member_custom_field, &fields);
        Ok(())
    })
    .await
}
