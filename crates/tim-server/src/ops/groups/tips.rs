//! Group tips (TIMGroupTipElem): what an op changed in a group, with the official web SDK's
//! `operationType` numbers and payload fields, stored in the group's sequence with the op's
//! plan (one commit: no change without its tip, no tip without its change) and pushed to the
//! members after the change. Tips are not counted as unread. Which types have which tips is
//! the per-type table's ([`super::Rules`]).

use super::{Group, MemberRow, Profile};
use crate::failure::Failure;
use crate::ops::Ctx;
use crate::store::{NewGroupMessage, NewMessage, Plan, Store};
use serde_json::{json, Map, Value};
use tim_proto::group as g;
use tim_proto::{Element, Json, MessageBody};

/// TIM.TYPES.GRP_TIP_MBR_JOIN …: the web numbering (the native one differs).
pub(crate) const MBR_JOIN: u32 = 1;
pub(crate) const MBR_QUIT: u32 = 2;
pub(crate) const MBR_KICKED_OUT: u32 = 3;
pub(crate) const MBR_SET_ADMIN: u32 = 4;
pub(crate) const MBR_CANCELED_ADMIN: u32 = 5;
pub(crate) const GRP_PROFILE_UPDATED: u32 = 6;
pub(crate) const MBR_PROFILE_UPDATED: u32 = 7;

/// The official post-create message's `data` (TUIKit shows "<userID> created the group").
const GROUP_CREATE: &str = "group_create";

/// A tip to add to an op's plan.
pub(crate) struct Tip<'a> {
    pub group: &'a Group,
    pub operation: u32,
    /// Whom it is about (the official `userIDList`).
    pub users: Vec<String>,
    /// More payload fields (`newGroupProfile`, `memberList`).
    pub more: Value,
    /// The members once the op is done: they get the tip.
    pub audience: Vec<String>,
}

/// A client message ID of the server's own and a random number (unique per message).
pub(crate) fn ids() -> Result<(String, u32), Failure> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|e| Failure(tim_proto::codes::INTERNAL_ERROR, e.to_string()))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let random = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    Ok((format!("tip-{hex}"), random))
}

/// Adds to `plan`: the message `body` from the caller into `group`'s sequence, for `audience`.
fn post<S: Store>(
    ctx: &Ctx<'_, S>,
    plan: &mut Plan,
    group: &str,
    body: MessageBody,
    audience: Vec<String>,
) -> Result<(), Failure> {
    let (client_msg_id, random) = ids()?;
    plan.post(NewGroupMessage {
        message: NewMessage {
            app: ctx.caller.app,
            from: ctx.caller.user.clone(),
            to: group.to_owned(),
            client_msg_id,
            random,
            body,
            quota_bytes: 0,
            name_card: String::new(),
        },
        members: audience.into(),
        from_member: false,
    });
    Ok(())
}

/// Adds `tip` by the caller to `plan`, if the group's type has tips of its kind.
pub(crate) fn tip<S: Store>(
    ctx: &Ctx<'_, S>,
    plan: &mut Plan,
    tip: Tip<'_>,
) -> Result<(), Failure> {
    let Tip {
        group,
        operation,
        users,
        more,
        audience,
    } = tip;
    let rules = group.rules();
    let about_members = matches!(operation, MBR_JOIN | MBR_QUIT | MBR_KICKED_OUT);
    if !rules.tips || (about_members && !rules.member_tips) {
        return Ok(());
    }
    let me = &ctx.caller.user;
    let mut payload = json!({
        "operationType": operation, "operatorID": me, "userIDList": users,
        "memberList": [], "newGroupProfile": {},
        "memberCount": audience.len(), "memberNum": audience.len(),
        "groupProfile": {"from": me, "to": group.id, "groupID": group.id,
                         "groupName": group.profile.name},
    });
    if let (Value::Object(p), Value::Object(more)) = (&mut payload, more) {
        p.extend(more);
    }
    let body = MessageBody {
        elements: vec![Element::GroupTip(Json::of(&payload))],
        excluded_from_unread: true,
        ..MessageBody::default()
    };
    post(ctx, plan, &group.id, body, audience)
}

/// The official `newGroupProfile` of a change from `old` to `new`: the fields that changed,
/// by their tip names (`groupName` for the name), `None` when nothing a tip shows changed.
pub(crate) fn profile_change(old: &Profile, new: &Profile) -> Option<Value> {
    let mut changed = Map::new();
    let mut text = |key: &str, a: &str, b: &str| {
        if a != b {
            changed.insert(key.into(), b.into());
        }
    };
    text("groupName", &old.name, &new.name);
    text("introduction", &old.introduction, &new.introduction);
    text("notification", &old.notification, &new.notification);
    text("avatar", &old.avatar, &new.avatar);
    text("ownerID", &old.owner_id, &new.owner_id);
    text("joinOption", &old.join_option, &new.join_option);
    if old.mute_all_members != new.mute_all_members {
        changed.insert("muteAllMembers".into(), new.mute_all_members.into());
    }
    if old.group_custom_field != new.group_custom_field {
        changed.insert("groupCustomField".into(), json!(new.group_custom_field));
    }
    (!changed.is_empty()).then(|| json!({ "newGroupProfile": changed }))
}

/// Adds to `plan`: the official post-create custom message from the creator (types without
/// it: none for a live room or a Community with topics, as the official SDK sends none).
pub(crate) fn announce_creation<S: Store>(
    ctx: &Ctx<'_, S>,
    plan: &mut Plan,
    (group, profile): (&str, &Profile),
    audience: Vec<String>,
) -> Result<(), Failure> {
    let rules = super::Rules::of(&profile.kind);
    if !rules.tips || profile.is_support_topic {
        return Ok(());
    }
    let body = MessageBody {
        elements: vec![Element::Custom {
            data: GROUP_CREATE.into(),
            description: String::new(),
            extension: format!("{}创建群组", ctx.caller.user),
        }],
        excluded_from_unread: !rules.unread,
        ..MessageBody::default()
    };
    post(ctx, plan, group, body, audience)
}

/// The tip of one member's row changing from `before` to `after` (`target`'s): a role (4, 5)
/// or a mute (7, `muteTime` the seconds left); name cards and custom fields make none.
pub(crate) fn member_change(
    before: &MemberRow,
    after: &MemberRow,
    target: &str,
    now: u64,
) -> Option<(u32, Value)> {
    if before.role != after.role {
        let operation = match after.role.as_str() {
            g::ADMIN => MBR_SET_ADMIN,
            _ => MBR_CANCELED_ADMIN,
        };
        return Some((operation, json!({})));
    }
    (before.mute_until != after.mute_until).then(|| {
        let mute = after.mute_until.saturating_sub(now);
        let list = json!([{"userID": target, "muteTime": mute}]);
        (MBR_PROFILE_UPDATED, json!({ "memberList": list }))
    })
}
