//! Groups: their life (`life.rs`: createGroup, getGroupList, getGroupProfile, searchGroupByID,
//! updateGroupProfile, joinGroup, quitGroup, dismissGroup, changeGroupOwner, the join
//! applications, setMessageRemindType), their members (`members.rs`), the read receipts of
//! their messages (`receipts.rs`) and their attributes and counters (`attributes.rs`). A group is relation
//! rows owned by its groupID (its profile, one row per member, one per pending application)
//! plus a row per member in the member's own group list; ops decide from the rows they read
//! and write a plan that expects them unchanged, as the relation ops do ([`decided!`]). The
//! per-type rules of the official service are [`Rules`]. Every change tells each member whose
//! group list it changes (a `changed` item for the `groups` list: GROUP_LIST_UPDATED).
//!
//! [`decided!`]: super::relations::decided

mod attributes;
pub(crate) mod conversations;
mod life;
mod members;
pub(crate) mod messages;
pub(crate) mod notices;
mod receipts;
mod tips;

pub use attributes::*;
pub use life::*;
pub use members::*;
pub use receipts::*;

use super::Ctx;
use crate::failure::{fail, Failure};
use crate::store::{Key, Kind, Plan, Relation, Store};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tim_proto::codes::{
    CANNOT_FIND_GROUP, GROUP_INVALID_PARAMETERS, GROUP_NOT_FOUND, GROUP_PERMISSION_DENY,
    MEMBER_NOT_IN_GROUP,
};
use tim_proto::group::{self as g, CustomField};
use tim_proto::relation::List;
use tim_proto::Json;

/// What a group type allows (the per-type table of the official service).
pub(crate) struct Rules {
    /// joinGroup is possible at all (Work: 2601).
    pub joinable: bool,
    /// The join option when none is given, and whether createGroup/updateGroupProfile may set it.
    pub join_option: &'static str,
    pub join_option_settable: bool,
    /// Who may add members: any member, or owner and admins; `None`: nobody (AVChatRoom, 2661).
    pub inviters: Option<Who>,
    /// The owner may quit (Work: the group is then without an owner).
    pub owner_may_quit: bool,
    /// Who edits the group profile.
    pub editors: Who,
    /// Who removes members and who mutes them (admins only ordinary members); `None`: nobody.
    pub kickers: Option<Who>,
    pub muters: Option<Who>,
    /// The owner may dismiss it (Work: 2622) and hand it over (AVChatRoom: 2620).
    pub dismissable: bool,
    pub transferable: bool,
    /// It has admins (Work, AVChatRoom: setGroupMemberRole 2682).
    pub admins: bool,
    /// Its changes leave tips in its history (not a live room's: the live-room issue's), and
    /// among them the member changes' (joins, quits, removals; off for a Meeting).
    pub tips: bool,
    pub member_tips: bool,
    /// Its messages count as unread (not a Meeting's or a live room's).
    pub unread: bool,
}

/// Who may do something.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    Anyone,
    Managers,
    Owner,
}

impl Rules {
    pub fn of(kind: &str) -> Rules {
        let managed = Rules {
            joinable: true,
            join_option: g::NEED_PERMISSION,
            join_option_settable: true,
            inviters: Some(Who::Managers),
            owner_may_quit: false,
            editors: Who::Managers,
            kickers: Some(Who::Managers),
            muters: Some(Who::Managers),
            dismissable: true,
            transferable: true,
            admins: true,
            tips: true,
            member_tips: true,
            unread: true,
        };
        match kind {
            g::WORK => Rules {
                joinable: false,
                join_option: g::DISABLE_APPLY,
                join_option_settable: false,
                inviters: Some(Who::Anyone),
                owner_may_quit: true,
                editors: Who::Anyone,
                kickers: Some(Who::Owner),
                muters: None,
                dismissable: false,
                admins: false,
                ..managed
            },
            g::MEETING => Rules {
                join_option: g::FREE_ACCESS,
                join_option_settable: false,
                member_tips: false,
                unread: false,
                ..managed
            },
            g::AVCHATROOM => Rules {
                join_option: g::FREE_ACCESS,
                join_option_settable: false,
                inviters: None,
                editors: Who::Owner,
                kickers: None,
                muters: Some(Who::Owner),
                transferable: false,
                admins: false,
                tips: false,
                member_tips: false,
                unread: false,
                ..managed
            },
            g::COMMUNITY => Rules {
                join_option: g::FREE_ACCESS,
                inviters: Some(Who::Anyone),
                ..managed
            },
            _ => managed,
        }
    }
}

/// A group's profile row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Profile {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub avatar: String,
    pub introduction: String,
    pub notification: String,
    #[serde(rename = "ownerID")]
    pub owner_id: String,
    pub create_time: u64,
    pub info_sequence: u64,
    pub last_info_time: u64,
    pub max_member_count: u64,
    pub join_option: String,
    pub invite_option: String,
    pub group_custom_field: Vec<CustomField>,
    pub mute_all_members: bool,
    pub is_support_topic: bool,
}

/// A member's row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct MemberRow {
    pub role: String,
    pub join_time: u64,
    pub name_card: String,
    /// Seconds since the epoch; 0: not muted.
    pub mute_until: u64,
    pub member_custom_field: Vec<CustomField>,
    pub message_remind_type: String,
}

impl MemberRow {
    pub fn new(role: &str, now: u64) -> MemberRow {
        MemberRow {
            role: role.into(),
            join_time: now,
            message_remind_type: "AcceptAndNotify".into(),
            ..MemberRow::default()
        }
    }
}

/// A group as read: its profile row and its member rows (in join order), and the last
/// sequence of its messages.
pub(crate) struct Group {
    pub id: String,
    pub row: Relation,
    pub profile: Profile,
    pub members: Vec<Relation>,
    pub last_seq: u64,
}

impl Group {
    /// How a member who joins now starts to see the group's conversation.
    pub fn joining(&self) -> conversations::View {
        conversations::View::joining(&self.profile.kind, self.last_seq)
    }

    pub fn rules(&self) -> Rules {
        Rules::of(&self.profile.kind)
    }

    /// `user`'s member row, if a member.
    pub fn member(&self, user: &str) -> Option<(&Relation, MemberRow)> {
        let row = self.members.iter().find(|m| m.other == user)?;
        Some((row, parse(&row.data)))
    }

    pub fn role(&self, user: &str) -> Option<String> {
        self.member(user).map(|(_, m)| m.role)
    }

    /// Whether `user` is one of `who` (a member at all for [`Who::Anyone`]).
    pub fn is(&self, user: &str, who: Who) -> bool {
        let Some(role) = self.role(user) else {
            return false;
        };
        match who {
            Who::Anyone => true,
            Who::Managers => role == g::OWNER || role == g::ADMIN,
            Who::Owner => role == g::OWNER,
        }
    }

    /// The owner and admins.
    pub fn managers(&self) -> Vec<String> {
        let all = self.members.iter().map(|m| &m.other);
        all.filter(|u| self.is(u, Who::Managers)).cloned().collect()
    }

    pub fn ids(&self) -> Vec<String> {
        self.members.iter().map(|m| m.other.clone()).collect()
    }

    /// The members once `added` joined and `removed` left.
    pub fn ids_after(&self, added: &[String], removed: &[String]) -> Vec<String> {
        let mut ids = self.ids();
        ids.retain(|u| !removed.contains(u));
        ids.extend(added.iter().cloned());
        ids
    }

    /// Adds to `plan`: the profile row as read is expected, and written as `profile` (with
    /// its info sequence moved on).
    pub fn rewrite(&self, plan: &mut Plan, mut profile: Profile, now: u64) {
        profile.info_sequence += 1;
        profile.last_info_time = now;
        let key = profile_key(&self.id);
        plan.expect(key.clone(), Some(&self.row));
        plan.set(key, Some(to_data(&profile)));
    }

    /// Adds to `plan`: every member's group list changed (and `more` users').
    pub fn tell_all(&self, plan: &mut Plan, more: &[&str]) {
        for m in &self.members {
            plan.tell(&m.other, List::Groups);
        }
        for user in more {
            plan.tell(user, List::Groups);
        }
    }

    /// Adds to `plan`: `user` (member row `row` as read) is no longer a member.
    pub fn drop_member(&self, plan: &mut Plan, row: &Relation) {
        let key = member_key(&self.id, &row.other);
        plan.expect(key.clone(), Some(row));
        plan.set(key, None);
        plan.set(joined_key(&row.other, &self.id), None);
    }
}

pub(crate) fn profile_key(group: &str) -> Key {
    Key::new(group, Kind::Group, "")
}

pub(crate) fn member_key(group: &str, user: &str) -> Key {
    Key::new(group, Kind::Member, user)
}

pub(crate) fn joined_key(user: &str, group: &str) -> Key {
    Key::new(user, Kind::Joined, group)
}

pub(crate) fn apply_key(group: &str, user: &str) -> Key {
    Key::new(group, Kind::GroupApply, user)
}

/// Adds to `plan`: `user` becomes a member as `row` (expected not to be one), their view of
/// the group's conversation starting as `view`.
pub(crate) fn add_member(
    plan: &mut Plan,
    group: &str,
    user: &str,
    row: &MemberRow,
    view: &conversations::View,
) {
    let key = member_key(group, user);
    plan.expect(key.clone(), None);
    plan.set(key, Some(to_data(row)));
    plan.set(joined_key(user, group), Some(to_data(view)));
    plan.tell(user, List::Groups);
}

pub(crate) fn parse<T: serde::de::DeserializeOwned + Default>(data: &str) -> T {
    serde_json::from_str(data).unwrap_or_default()
}

pub(crate) fn to_data<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".into())
}

/// The group `id` with its members, if it exists.
pub(crate) async fn read<S: Store>(ctx: &Ctx<'_, S>, id: &str) -> Result<Option<Group>, Failure> {
    let store = &ctx.shared.store;
    let app = ctx.caller.app;
    let Some(row) = store
        .relations_at(app, vec![profile_key(id)])
        .await?
        .remove(0)
    else {
        return Ok(None);
    };
    let mut members = store.relations(app, id, Kind::Member).await?;
    // Join order (seconds), the owner first among those of one second, then by userID.
    members.sort_by_cached_key(|m| {
        let row: MemberRow = parse(&m.data);
        (row.join_time, row.role != g::OWNER, m.other.clone())
    });
    let last_seq = store.group_seqs(app, vec![id.to_owned()]).await?[0];
    Ok(Some(Group {
        id: id.to_owned(),
        profile: parse(&row.data),
        row,
        members,
        last_seq,
    }))
}

/// The group `id`, which must exist (10010).
pub(crate) async fn existing<S: Store>(ctx: &Ctx<'_, S>, id: &str) -> Result<Group, Failure> {
    match read(ctx, id).await? {
        Some(group) => Ok(group),
        None => fail(GROUP_NOT_FOUND, format!("no group {id:?}")),
    }
}

/// The group `id`, of which the caller must be a member (2623).
pub(crate) async fn mine<S: Store>(ctx: &Ctx<'_, S>, id: &str) -> Result<Group, Failure> {
    let group = existing(ctx, id).await?;
    match group.member(&ctx.caller.user).is_some() {
        true => Ok(group),
        false => fail(MEMBER_NOT_IN_GROUP, format!("not a member of {id:?}")),
    }
}

/// The official Group object of `group`, with `selfInfo` for `me` when a member.
pub(crate) fn group_object(group: &Group, me: &str) -> Value {
    let mine = group.member(me).map(|(_, m)| m);
    object(
        &group.id,
        &group.profile,
        group.members.len(),
        me,
        mine.as_ref(),
    )
}

/// The official Group object of group `id` with profile `p` and `count` members; `selfInfo`
/// from `mine`, the member row of `me` (empty when not a member).
pub(crate) fn object(
    id: &str,
    p: &Profile,
    count: usize,
    me: &str,
    mine: Option<&MemberRow>,
) -> Value {
    let self_info = match mine {
        Some(m) => json!({
            "userID": me, "role": m.role, "joinTime": m.join_time, "nameCard": m.name_card,
            "messageRemindType": m.message_remind_type,
            "memberCustomField": m.member_custom_field, "readedSequence": 0,
            "excludedUnreadSequenceList": [],
        }),
        None => json!({}),
    };
    json!({
        "groupID": id, "name": p.name, "avatar": p.avatar, "type": p.kind,
        "introduction": p.introduction, "notification": p.notification, "ownerID": p.owner_id,
        "createTime": p.create_time, "infoSequence": p.info_sequence,
        "lastInfoTime": p.last_info_time, "selfInfo": self_info,
        "lastMessage": {"lastTime": 0, "lastSequence": 0, "fromAccount": "", "messageForShow": ""},
        "nextMessageSeq": 1, "memberCount": count, "memberNum": count,
        "maxMemberCount": p.max_member_count, "maxMemberNum": p.max_member_count,
        "joinOption": p.join_option, "inviteOption": p.invite_option,
        "groupCustomField": p.group_custom_field, "muteAllMembers": p.mute_all_members,
        "isSupportTopic": p.is_support_topic,
    })
}

/// `{group}`.
pub(crate) fn with_group(group: &Group, me: &str) -> Json {
    Json::of(&json!({ "group": group_object(group, me) }))
}

/// The groupID of a method that takes it alone (quitGroup, dismissGroup, searchGroupByID) or as
/// `{groupID}`.
pub(crate) fn group_id_of(data: &Json) -> Result<String, Failure> {
    let id = match serde_json::from_str::<Value>(&data.0) {
        Ok(Value::String(id)) => id,
        Ok(Value::Object(o)) => o
            .get("groupID")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    };
    match id.is_empty() {
        true => fail(CANNOT_FIND_GROUP, "no groupID"),
        false => Ok(id),
    }
}

pub(crate) fn invalid<T>(why: impl Into<String>) -> Result<T, Failure> {
    fail(GROUP_INVALID_PARAMETERS, why)
}

pub(crate) fn denied<T>(why: impl Into<String>) -> Result<T, Failure> {
    fail(GROUP_PERMISSION_DENY, why)
}

/// The custom fields an app declares: of groups, or of members.
pub(crate) enum Fields {
    Group,
    Member,
}

/// Each of `fields` has a key the app declares (10004 otherwise), as the official console
/// declares them.
pub(crate) fn declared<S: Store>(
    ctx: &Ctx<'_, S>,
    which: Fields,
    fields: &[CustomField],
) -> Result<(), Failure> {
    let app = ctx.shared.cfg.apps.get(&ctx.caller.app);
    let keys = app.map_or(&[][..], |a| match which {
        Fields::Group => &a.group_custom_fields[..],
        Fields::Member => &a.member_custom_fields[..],
    });
    match fields.iter().find(|f| !keys.contains(&f.key)) {
        Some(f) => invalid(format!(
            "{:?} is not a custom field this app declares",
            f.key
        )),
        None => Ok(()),
    }
}

/// A string parameter of at most `max` bytes (10004 otherwise).
pub(crate) fn bounded(name: &str, value: &str, max: usize) -> Result<(), Failure> {
    match value.len() <= max {
        true => Ok(()),
        false => invalid(format!("{name} is longer than {max} bytes")),
    }
}
