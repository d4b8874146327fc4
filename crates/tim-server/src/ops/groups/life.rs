//! A group's life: createGroup, getGroupList, getGroupProfile, searchGroupByID,
//! updateGroupProfile, joinGroup, quitGroup, dismissGroup, changeGroupOwner,
//! getGroupApplicationList, handleGroupApplication, setMessageRemindType,
//! getGroupOnlineMemberCount.

use super::conversations::View;
use super::notices::{self, notify, Notice};
use super::tips::{self, Tip};
use super::{
    add_member, apply_key, bounded, declared, denied, existing, group_id_of, group_object, invalid,
    member_key, mine, object, parse, profile_key, read, to_data, with_group, Fields, Group,
    MemberRow, Profile, Rules, Who,
};
use crate::failure::{fail, Failure};
use crate::now_secs;
use crate::ops::profiles::params;
use crate::ops::relations::decided;
use crate::ops::Ctx;
use crate::store::{Kind, Plan, Store};
use serde_json::{json, Value};
use tim_proto::codes::{
    CANNOT_CHANGE_OWNER_IN_AVCHATROOM, CANNOT_CHANGE_OWNER_TO_SELF, CANNOT_DISMISS_WORK,
    CANNOT_JOIN_WORK, GROUP_FULL, GROUP_ID_USED, GROUP_ID_USED_BY_SELF, GROUP_INVALID_GROUPID,
    ILLEGAL_GROUP_ID, ILLEGAL_GROUP_TYPE,
};
use tim_proto::group::{self as g, ChangeOwner, CreateGroup, GroupRef, JoinGroup, UpdateGroup};
use tim_proto::relation::List;
use tim_proto::status::STATUS_ONLINE;
use tim_proto::Json;

/// joinGroup: the official SDK turns every refusal of the server into this code.
const JOIN_GROUP_FAIL: u32 = 2660;
/// quitGroup: an owner who may not quit (the group service's code).
const OWNER_CANNOT_QUIT: u32 = 10009;

/// A new automatic groupID: the official prefix and 10 random letters and digits.
fn new_group_id(kind: &str) -> Result<String, Failure> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes)
        .map_err(|e| Failure(tim_proto::codes::INTERNAL_ERROR, e.to_string()))?;
    let prefix = match kind {
        g::COMMUNITY => g::COMMUNITY_ID_PREFIX,
        _ => g::AUTO_ID_PREFIX,
    };
    let tail: String = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    Ok(format!("{prefix}{tail}"))
}

/// A groupID the app chose: printable ASCII of at most 48 bytes (10015), a Community's
/// starting `@TGS#_` and no other's (2602), no other one of the automatic form (10015).
fn check_group_id(id: &str, kind: &str) -> Result<(), Failure> {
    let community = id.starts_with(g::COMMUNITY_ID_PREFIX);
    if community != (kind == g::COMMUNITY) {
        return fail(
            ILLEGAL_GROUP_ID,
            "a Community's groupID starts with @TGS#_, no other's does",
        );
    }
    let printable = id.bytes().all(|b| b.is_ascii_graphic());
    let automatic = !community && id.starts_with(g::AUTO_ID_PREFIX);
    match !id.is_empty() && id.len() <= g::MAX_GROUP_ID && printable && !automatic {
        true => Ok(()),
        false => fail(
            GROUP_INVALID_GROUPID,
            format!("invalid groupID {id:?} (printable ASCII, at most 48 bytes, not @TGS#...)"),
        ),
    }
}

fn check_join_option(option: &str) -> Result<(), Failure> {
    match [g::FREE_ACCESS, g::NEED_PERMISSION, g::DISABLE_APPLY].contains(&option) {
        true => Ok(()),
        false => invalid(format!("unknown joinOption {option:?}")),
    }
}

fn check_texts(
    name: &str,
    introduction: &str,
    notification: &str,
    avatar: &str,
) -> Result<(), Failure> {
    bounded("name", name, g::MAX_NAME)?;
    bounded("introduction", introduction, g::MAX_INTRODUCTION)?;
    bounded("notification", notification, g::MAX_NOTIFICATION)?;
    bounded("avatar", avatar, g::MAX_AVATAR)
}

/// createGroup, with the official post-create message (the SDK's).
pub async fn create_group<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    create(ctx, data, true).await
}

/// createGroup, announced in the group's history by its creator or not (through the REST API,
/// which sends nothing).
pub(crate) async fn create<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
    announce: bool,
) -> Result<Json, Failure> {
    let r: CreateGroup = params(&data)?;
    if !g::TYPES.contains(&r.kind.as_str()) {
        return fail(
            ILLEGAL_GROUP_TYPE,
            format!("unknown group type {:?}", r.kind),
        );
    }
    if r.name.is_empty() {
        return invalid("a group needs a name");
    }
    check_texts(&r.name, &r.introduction, &r.notification, &r.avatar)?;
    if r.member_list.len() > g::MAX_MEMBER_LIST {
        return invalid(format!("at most {} members", g::MAX_MEMBER_LIST));
    }
    declared(ctx, Fields::Group, &r.group_custom_field)?;
    for m in &r.member_list {
        declared(ctx, Fields::Member, &m.member_custom_field)?;
    }
    let rules = Rules::of(&r.kind);
    let join_option = match (&r.join_option, rules.join_option_settable) {
        (Some(option), true) => {
            check_join_option(option)?;
            option.clone()
        }
        _ => rules.join_option.to_owned(),
    };
    let id = match r.group_id.is_empty() {
        true => new_group_id(&r.kind)?,
        false => {
            check_group_id(&r.group_id, &r.kind)?;
            r.group_id.clone()
        }
    };
    let default_max = g::default_max_members(&r.kind);
    let max = match r.max_member_num {
        Some(n) if n > 0 => n.min(default_max),
        _ => default_max,
    };
    // Members that exist, once each, never the creator; AVChatRoom takes none.
    let me = ctx.caller.user.clone();
    let mut wanted: Vec<(String, MemberRow)> = Vec::new();
    if r.kind != g::AVCHATROOM {
        let ids = r.member_list.iter().map(|m| m.user_id.clone()).collect();
        let known = ctx.shared.store.profiles(ctx.caller.app, ids).await?;
        for m in &r.member_list {
            let exists = known.iter().any(|p| p.user_id == m.user_id);
            if !exists || m.user_id == me || wanted.iter().any(|(u, _)| *u == m.user_id) {
                continue;
            }
            let role = match m.role.as_deref() {
                Some(g::ADMIN) if rules.admins => g::ADMIN,
                _ => g::MEMBER,
            };
            let mut row = MemberRow::new(role, now_secs());
            row.member_custom_field = m.member_custom_field.clone();
            wanted.push((m.user_id.clone(), row));
        }
    }
    let room = (max as usize).saturating_sub(1);
    let over: Vec<String> = wanted.iter().skip(room).map(|(u, _)| u.clone()).collect();
    wanted.truncate(room);
    let now = now_secs();
    let profile = Profile {
        kind: r.kind.clone(),
        name: r.name.clone(),
        avatar: r.avatar.clone(),
        introduction: r.introduction.clone(),
        notification: r.notification.clone(),
        owner_id: me.clone(),
        create_time: now,
        info_sequence: 1,
        last_info_time: now,
        max_member_count: max,
        join_option,
        invite_option: r.invite_option.clone().unwrap_or_default(),
        group_custom_field: r.group_custom_field.clone(),
        mute_all_members: false,
        is_support_topic: r.kind == g::COMMUNITY && r.is_support_topic,
    };
    decided!(ctx, {
        if let Some(taken) = read(ctx, &id).await? {
            let (code, whose) = match taken.profile.owner_id == me {
                true => (GROUP_ID_USED_BY_SELF, "one of your groups"),
                false => (GROUP_ID_USED, "another group"),
            };
            return fail(code, format!("{whose} has the groupID {id:?}"));
        }
        let mut plan = Plan::default();
        let key = profile_key(&id);
        plan.expect(key.clone(), None);
        plan.set(key, Some(to_data(&profile)));
        let fresh = View::default();
        add_member(&mut plan, &id, &me, &MemberRow::new(g::OWNER, now), &fresh);
        for (user, row) in &wanted {
            add_member(&mut plan, &id, user, row, &fresh);
        }
        if announce {
            let mut audience = vec![me.clone()];
            audience.extend(wanted.iter().map(|(u, _)| u.clone()));
            tips::announce_creation(ctx, &mut plan, (&id, &profile), audience)?;
        }
        (plan, ())
    })?;
    let group = existing(ctx, &id).await?;
    Ok(Json::of(&json!({
        "group": group_object(&group, &me),
        "overLimitUserIDList": over,
    })))
}

/// The caller's groups, in the order joined.
pub async fn get_group_list<S: Store>(ctx: &Ctx<'_, S>, _: Json) -> Result<Json, Failure> {
    let me = &ctx.caller.user;
    let joined = (ctx.shared.store)
        .relations(ctx.caller.app, me, Kind::Joined)
        .await?;
    // Per group its profile, the caller's member row and the count: not every member's row.
    let store = &ctx.shared.store;
    let mut list = Vec::with_capacity(joined.len());
    for row in joined {
        let id = &row.other;
        let keys = vec![profile_key(id), member_key(id, me)];
        let mut rows = store.relations_at(ctx.caller.app, keys).await?.into_iter();
        let (Some(Some(profile)), Some(mine)) = (rows.next(), rows.next()) else {
            continue;
        };
        let count = store.count(ctx.caller.app, id, Kind::Member).await?;
        let mine: Option<MemberRow> = mine.map(|m| parse(&m.data));
        let profile: Profile = parse(&profile.data);
        list.push(object(id, &profile, count as usize, me, mine.as_ref()));
    }
    Ok(Json::of(&json!({ "groupList": list })))
}

/// Any group's profile (members see their own `selfInfo` in it).
pub async fn get_group_profile<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: GroupRef = params(&data)?;
    let group = existing(ctx, &r.group_id).await?;
    Ok(with_group(&group, &ctx.caller.user))
}

/// A group found by its ID; Work groups are not found this way (as the official).
pub async fn search_group_by_id<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let id = group_id_of(&data)?;
    let group = existing(ctx, &id).await?;
    if group.profile.kind == g::WORK {
        return denied("Work groups cannot be searched for");
    }
    Ok(with_group(&group, &ctx.caller.user))
}

pub async fn update_group_profile<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: UpdateGroup = params(&data)?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    check_texts(
        &text(&r.name),
        &text(&r.introduction),
        &text(&r.notification),
        &text(&r.avatar),
    )?;
    if r.name.as_deref() == Some("") {
        return invalid("a group needs a name");
    }
    if let Some(option) = &r.join_option {
        check_join_option(option)?;
    }
    if let Some(fields) = &r.group_custom_field {
        declared(ctx, Fields::Group, fields)?;
    }
    let me = ctx.caller.user.clone();
    decided!(ctx, {
        let group = mine(ctx, &r.group_id).await?;
        let rules = group.rules();
        if !group.is(&me, rules.editors) {
            return denied("only the owner and admins edit this group's profile");
        }
        let mut p = group.profile.clone();
        if let Some(mute) = r.mute_all_members {
            match rules.muters {
                Some(who) if group.is(&me, who) => p.mute_all_members = mute,
                _ => return denied("muting all members is not allowed here"),
            }
        }
        let set = |field: &mut String, value: &Option<String>| {
            if let Some(v) = value {
                *field = v.clone();
            }
        };
        set(&mut p.name, &r.name);
        set(&mut p.avatar, &r.avatar);
        set(&mut p.introduction, &r.introduction);
        set(&mut p.notification, &r.notification);
        set(&mut p.invite_option, &r.invite_option);
        if rules.join_option_settable {
            set(&mut p.join_option, &r.join_option);
        }
        if let Some(fields) = &r.group_custom_field {
            merge_fields(&mut p.group_custom_field, fields);
        }
        let mut plan = Plan::default();
        if p != group.profile {
            if let Some(more) = tips::profile_change(&group.profile, &p) {
                profile_tip(ctx, &mut plan, &group, more)?;
            }
            group.rewrite(&mut plan, p, now_secs());
            group.tell_all(&mut plan, &[]);
        }
        (plan, ())
    })?;
    let group = existing(ctx, &r.group_id).await?;
    Ok(with_group(&group, &me))
}

/// Custom fields merged by key (an empty value removes one).
pub(crate) fn merge_fields(fields: &mut Vec<g::CustomField>, changes: &[g::CustomField]) {
    for change in changes {
        fields.retain(|f| f.key != change.key);
        if !change.value.is_empty() {
            fields.push(change.clone());
        }
    }
}

/// Whether `group` has room for `more` members.
pub(crate) fn has_room(group: &Group, more: usize) -> bool {
    (group.members.len() + more) as u64 <= group.profile.max_member_count
}

pub async fn join_group<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: JoinGroup = params(&data)?;
    bounded("applyMessage", &r.apply_message, g::MAX_APPLY_MESSAGE)?;
    let me = ctx.caller.user.clone();
    let status = decided!(ctx, {
        let Some(group) = read(ctx, &r.group_id).await? else {
            return fail(JOIN_GROUP_FAIL, format!("no group {:?}", r.group_id));
        };
        let mut plan = Plan::default();
        if !group.rules().joinable {
            return fail(
                CANNOT_JOIN_WORK,
                "a Work group is joined by invitation only",
            );
        }
        if group.member(&me).is_some() {
            (plan, g::ALREADY_IN_GROUP)
        } else if group.profile.join_option == g::DISABLE_APPLY {
            return fail(JOIN_GROUP_FAIL, "this group takes no one who asks");
        } else if !has_room(&group, 1) {
            return fail(JOIN_GROUP_FAIL, "this group is full");
        } else if group.profile.join_option == g::NEED_PERMISSION {
            let data = json!({"applyMessage": r.apply_message}).to_string();
            plan.set(apply_key(&group.id, &me), Some(data));
            let notice = Notice {
                group: (&group.id, &group.profile.name),
                operation: notices::JOIN_REQUEST,
                more: json!({ "handleMessage": r.apply_message }),
            };
            notify(ctx, &mut plan, &notice, &group.managers())?;
            (plan, g::WAIT_APPROVAL)
        } else {
            add_member(
                &mut plan,
                &group.id,
                &me,
                &MemberRow::new(g::MEMBER, now_secs()),
                &group.joining(),
            );
            group.tell_all(&mut plan, &[]);
            joined_tip(ctx, &mut plan, &group, &me)?;
            (plan, g::JOINED)
        }
    })?;
    let answer = match status {
        g::JOINED => {
            let group = existing(ctx, &r.group_id).await?;
            json!({"status": status, "group": group_object(&group, &me)})
        }
        _ => json!({ "status": status }),
    };
    Ok(Json::of(&answer))
}

pub async fn quit_group<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let id = group_id_of(&data)?;
    let me = ctx.caller.user.clone();
    decided!(ctx, {
        let group = mine(ctx, &id).await?;
        let rules = group.rules();
        let owner = group.is(&me, Who::Owner);
        if owner && !rules.owner_may_quit {
            return fail(
                OWNER_CANNOT_QUIT,
                "the owner cannot quit: dismiss or hand it over",
            );
        }
        let mut plan = Plan::default();
        if let Some((row, _)) = group.member(&me) {
            group.drop_member(&mut plan, row);
        }
        if owner {
            // A Work group goes on without an owner.
            let mut p = group.profile.clone();
            p.owner_id.clear();
            group.rewrite(&mut plan, p, now_secs());
        }
        group.tell_all(&mut plan, &[]);
        let quitter = vec![me.clone()];
        let tip = Tip {
            group: &group,
            operation: tips::MBR_QUIT,
            audience: group.ids_after(&[], &quitter),
            users: quitter,
            more: json!({}),
        };
        tips::tip(ctx, &mut plan, tip)?;
        (plan, ())
    })?;
    Ok(Json::of(&json!({ "groupID": id })))
}

pub async fn dismiss_group<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let id = group_id_of(&data)?;
    let me = ctx.caller.user.clone();
    decided!(ctx, {
        let group = mine(ctx, &id).await?;
        if !group.rules().dismissable {
            return fail(
                CANNOT_DISMISS_WORK,
                "a Work group is dismissed by the app's back end only",
            );
        }
        if !group.is(&me, Who::Owner) {
            return denied("only the owner dismisses a group");
        }
        let plan = dismissal(ctx, &group, Some(&me)).await?;
        (plan, ())
    })?;
    Ok(Json::of(&json!({ "groupID": id })))
}

/// Dismisses group `id` whatever its type (the app's back end may dismiss a Work group too).
pub(crate) async fn destroy<S: Store>(ctx: &Ctx<'_, S>, id: &str) -> Result<(), Failure> {
    decided!(ctx, {
        let group = existing(ctx, id).await?;
        let plan = dismissal(ctx, &group, None).await?;
        (plan, ())
    })
}

/// A plan that removes every row of `group` (its profile, members, applications), tells
/// every member's group list, and gives every member (but the one who dismissed it, `except`)
/// the dismissal notice.
pub(crate) async fn dismissal<S: Store>(
    ctx: &Ctx<'_, S>,
    group: &Group,
    except: Option<&String>,
) -> Result<Plan, Failure> {
    let mut plan = Plan::default();
    let key = profile_key(&group.id);
    plan.expect(key.clone(), Some(&group.row));
    plan.set(key, None);
    for row in &group.members {
        group.drop_member(&mut plan, row);
    }
    let applications = (ctx.shared.store)
        .relations(ctx.caller.app, &group.id, Kind::GroupApply)
        .await?;
    for a in applications {
        plan.set(apply_key(&group.id, &a.other), None);
    }
    group.tell_all(&mut plan, &[]);
    let notice = Notice {
        group: (&group.id, &group.profile.name),
        operation: notices::DISMISSED,
        more: json!({}),
    };
    let others = group.ids_after(&[], except.map(std::slice::from_ref).unwrap_or_default());
    notify(ctx, &mut plan, &notice, &others)?;
    Ok(plan)
}

pub async fn change_group_owner<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: ChangeOwner = params(&data)?;
    let me = ctx.caller.user.clone();
    if r.new_owner_id == me {
        return fail(CANNOT_CHANGE_OWNER_TO_SELF, "you own it already");
    }
    decided!(ctx, {
        let group = mine(ctx, &r.group_id).await?;
        if !group.rules().transferable {
            return fail(
                CANNOT_CHANGE_OWNER_IN_AVCHATROOM,
                "an AVChatRoom keeps its owner",
            );
        }
        if !group.is(&me, Who::Owner) {
            return denied("only the owner hands a group over");
        }
        let Some((new_row, mut new_member)) = group.member(&r.new_owner_id) else {
            return denied(format!("{:?} is not a member", r.new_owner_id));
        };
        let mut plan = Plan::default();
        let mut p = group.profile.clone();
        p.owner_id = r.new_owner_id.clone();
        group.rewrite(&mut plan, p, now_secs());
        if let Some((old_row, mut old)) = group.member(&me) {
            old.role = g::MEMBER.into();
            set_member(&mut plan, &group.id, old_row, &old);
        }
        new_member.role = g::OWNER.into();
        set_member(&mut plan, &group.id, new_row, &new_member);
        group.tell_all(&mut plan, &[]);
        let more = json!({"newGroupProfile": {"ownerID": r.new_owner_id}});
        profile_tip(ctx, &mut plan, &group, more)?;
        (plan, ())
    })?;
    let group = existing(ctx, &r.group_id).await?;
    Ok(with_group(&group, &me))
}

/// Adds to `plan`: the tip that `user` joined `group` (as read before).
fn joined_tip<S: Store>(
    ctx: &Ctx<'_, S>,
    plan: &mut Plan,
    group: &Group,
    user: &str,
) -> Result<(), Failure> {
    let users = vec![user.to_owned()];
    let tip = Tip {
        group,
        operation: tips::MBR_JOIN,
        audience: group.ids_after(&users, &[]),
        users,
        more: json!({}),
    };
    tips::tip(ctx, plan, tip)
}

/// Adds to `plan`: the tip that `group`'s profile changed as `more` says (`newGroupProfile`).
fn profile_tip<S: Store>(
    ctx: &Ctx<'_, S>,
    plan: &mut Plan,
    group: &Group,
    more: Value,
) -> Result<(), Failure> {
    let tip = Tip {
        group,
        operation: tips::GRP_PROFILE_UPDATED,
        users: vec![ctx.caller.user.clone()],
        more,
        audience: group.ids(),
    };
    tips::tip(ctx, plan, tip)
}

/// Adds to `plan`: member row `row` (as read) becomes `member`.
pub(crate) fn set_member(
    plan: &mut Plan,
    group: &str,
    row: &crate::store::Relation,
    member: &MemberRow,
) {
    let key = member_key(group, &row.other);
    plan.expect(key.clone(), Some(row));
    plan.set(key, Some(to_data(member)));
}

/// The pending join requests of every group the caller owns or administers.
pub async fn get_group_application_list<S: Store>(
    ctx: &Ctx<'_, S>,
    _: Json,
) -> Result<Json, Failure> {
    let me = &ctx.caller.user;
    let store = &ctx.shared.store;
    let joined = store.relations(ctx.caller.app, me, Kind::Joined).await?;
    let mut list = Vec::new();
    for row in joined {
        let Some(group) = read(ctx, &row.other).await? else {
            continue;
        };
        if !group.is(me, Who::Managers) {
            continue;
        }
        let applications = store
            .relations(ctx.caller.app, &group.id, Kind::GroupApply)
            .await?;
        let nicks = store
            .profiles(
                ctx.caller.app,
                applications.iter().map(|a| a.other.clone()).collect(),
            )
            .await?;
        for a in applications {
            let d: Value = parse(&a.data);
            let nick = nicks
                .iter()
                .find(|p| p.user_id == a.other)
                .map(|p| p.nick.clone());
            list.push(json!({
                "applicant": a.other, "applicantNick": nick.unwrap_or_default(),
                "groupName": group.profile.name, "groupID": group.id,
                "authentication": "", "messageKey": a.time, "applicationType": 0,
                "userID": "", "applyMessage": d["applyMessage"],
            }));
        }
    }
    Ok(Json::of(&json!({ "applicationList": list })))
}

pub async fn handle_group_application<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: g::HandleApplication = params(&data)?;
    let agree = match r.handle_action.as_str() {
        g::AGREE => true,
        g::REJECT => false,
        other => return invalid(format!("unknown handleAction {other:?}")),
    };
    // The application as listed, or its join-request notice (`message`).
    let from_notice = r.message.as_ref().map(|m| {
        let p = &m["payload"];
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        (text(&p["groupProfile"]["groupID"]), text(&p["operatorID"]))
    });
    let Some((id, applicant)) = r
        .application
        .map(|a| (a.group_id, a.applicant))
        .or(from_notice)
    else {
        return invalid("which application: give `application` or its `message`");
    };
    let me = ctx.caller.user.clone();
    decided!(ctx, {
        let group = mine(ctx, &id).await?;
        if !group.is(&me, Who::Managers) {
            return denied("only the owner and admins handle applications");
        }
        let key = apply_key(&id, &applicant);
        let Some(pending) = ctx
            .shared
            .store
            .relations_at(ctx.caller.app, vec![key.clone()])
            .await?
            .remove(0)
        else {
            return invalid(format!("no application of {applicant:?} to {id:?}"));
        };
        let mut plan = Plan::default();
        plan.expect(key.clone(), Some(&pending));
        plan.set(key, None);
        let notice = Notice {
            group: (&group.id, &group.profile.name),
            operation: if agree {
                notices::ACCEPTED
            } else {
                notices::REFUSED
            },
            more: json!({ "handleMessage": r.handle_message }),
        };
        notify(ctx, &mut plan, &notice, std::slice::from_ref(&applicant))?;
        if agree && group.member(&applicant).is_none() {
            if !has_room(&group, 1) {
                return fail(GROUP_FULL, "the group is full");
            }
            add_member(
                &mut plan,
                &id,
                &applicant,
                &MemberRow::new(g::MEMBER, now_secs()),
                &group.joining(),
            );
            group.tell_all(&mut plan, &[]);
            joined_tip(ctx, &mut plan, &group, &applicant)?;
        }
        (plan, ())
    })?;
    let group = existing(ctx, &id).await?;
    Ok(with_group(&group, &me))
}

pub async fn set_message_remind_type<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: g::RemindType = params(&data)?;
    if !g::REMIND_TYPES.contains(&r.message_remind_type.as_str()) {
        return invalid(format!(
            "unknown messageRemindType {:?}",
            r.message_remind_type
        ));
    }
    let me = ctx.caller.user.clone();
    decided!(ctx, {
        let group = mine(ctx, &r.group_id).await?;
        let mut plan = Plan::default();
        if let Some((row, mut member)) = group.member(&me) {
            if member.message_remind_type != r.message_remind_type {
                member.message_remind_type = r.message_remind_type.clone();
                set_member(&mut plan, &group.id, row, &member);
                plan.tell(&me, List::Groups);
            }
        }
        (plan, ())
    })?;
    Ok(Json::of(&json!({})))
}

/// `{memberCount}`: how many members of an AVChatRoom the caller is in are online now (the
/// official answers 0 for any other group, and for one the caller is not in).
pub async fn get_group_online_member_count<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let id = group_id_of(&data)?;
    let online = match read(ctx, &id).await? {
        Some(group)
            if group.profile.kind == g::AVCHATROOM && group.member(&ctx.caller.user).is_some() =>
        {
            let ids = group.ids();
            let statuses = ctx.shared.sessions.status(ctx.caller.app, &ids).await;
            statuses.iter().filter(|s| **s == STATUS_ONLINE).count()
        }
        _ => 0,
    };
    Ok(Json::of(&json!({ "memberCount": online })))
}
