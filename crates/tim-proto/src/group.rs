//! Groups: their life (create, profile, join, quit, dismiss, owner) and their members. The
//! methods are stateless ops (the official parameters and results); what the SDK keeps is that
//! the user's group list changed (a `changed` item for [`List::Groups`](crate::relation::List))
//! to fetch it again and fire GROUP_LIST_UPDATED. The server reads the parameter types here.

use serde::{Deserialize, Serialize};

/// The five official type strings: Work, Public, Meeting, AVChatRoom, Community.
pub const WORK: &str = "Private";
pub const PUBLIC: &str = "Public";
pub const MEETING: &str = "ChatRoom";
pub const AVCHATROOM: &str = "AVChatRoom";
pub const COMMUNITY: &str = "Community";
pub const TYPES: [&str; 5] = [WORK, PUBLIC, MEETING, AVCHATROOM, COMMUNITY];

/// Join options.
pub const FREE_ACCESS: &str = "FreeAccess";
pub const NEED_PERMISSION: &str = "NeedPermission";
pub const DISABLE_APPLY: &str = "DisableApply";

/// Member roles.
pub const OWNER: &str = "Owner";
pub const ADMIN: &str = "Admin";
pub const MEMBER: &str = "Member";

/// joinGroup results.
pub const JOINED: &str = "JoinedSuccess";
pub const WAIT_APPROVAL: &str = "WaitAdminApproval";
pub const ALREADY_IN_GROUP: &str = "AlreadyInGroup";

/// handleGroupApplication actions.
pub const AGREE: &str = "Agree";
pub const REJECT: &str = "Reject";

/// Message remind types.
pub const REMIND_TYPES: [&str; 3] = ["AcceptAndNotify", "AcceptNotNotify", "Discard"];

/// What every automatic group ID starts with; a Community's (automatic or not) starts with
/// [`COMMUNITY_ID_PREFIX`], and no other type's may.
pub const AUTO_ID_PREFIX: &str = "@TGS#";
pub const COMMUNITY_ID_PREFIX: &str = "@TGS#_";

/// Byte limits of the official documentation.
pub const MAX_GROUP_ID: usize = 48;
pub const MAX_NAME: usize = 30;
pub const MAX_INTRODUCTION: usize = 240;
pub const MAX_NOTIFICATION: usize = 300;
pub const MAX_AVATAR: usize = 100;
pub const MAX_NAME_CARD: usize = 50;
pub const MAX_APPLY_MESSAGE: usize = 300;
/// Members one createGroup or addGroupMember call takes; getGroupMemberProfile's users.
pub const MAX_MEMBER_LIST: usize = 500;
pub const MAX_PROFILE_USERS: usize = 50;
/// getGroupMemberList: the default and the most members of one page.
pub const DEFAULT_PAGE: usize = 15;
pub const MAX_PAGE: usize = 100;
/// The default maxMemberNum of each type (AVChatRoom: no limit).
pub fn default_max_members(kind: &str) -> u64 {
    match kind {
        WORK => 200,
        PUBLIC => 2_000,
        MEETING => 10_000,
        COMMUNITY => 100_000,
        _ => u64::MAX,
    }
}

/// A `{key, value}` custom field (groupCustomField, memberCustomField).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomField {
    pub key: String,
    pub value: String,
}

/// One of createGroup's `memberList`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewMember {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub member_custom_field: Vec<CustomField>,
}

/// createGroup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateGroup {
    pub name: String,
    #[serde(default = "default_type", rename = "type")]
    pub kind: String,
    #[serde(default, rename = "groupID")]
    pub group_id: String,
    #[serde(default)]
    pub introduction: String,
    #[serde(default)]
    pub notification: String,
    #[serde(default)]
    pub avatar: String,
    #[serde(default)]
    pub max_member_num: Option<u64>,
    #[serde(default)]
    pub join_option: Option<String>,
    #[serde(default)]
    pub invite_option: Option<String>,
    #[serde(default)]
    pub member_list: Vec<NewMember>,
    #[serde(default)]
    pub group_custom_field: Vec<CustomField>,
    #[serde(default)]
    pub is_support_topic: bool,
}

/// The official default type of createGroup: Work.
fn default_type() -> String {
    WORK.into()
}

/// updateGroupProfile: the fields given change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateGroup {
    #[serde(rename = "groupID")]
    pub group_id: String,
    pub name: Option<String>,
    pub avatar: Option<String>,
    pub introduction: Option<String>,
    pub notification: Option<String>,
    pub mute_all_members: Option<bool>,
    pub join_option: Option<String>,
    pub invite_option: Option<String>,
    pub group_custom_field: Option<Vec<CustomField>>,
}

/// `{groupID}` (getGroupProfile, getGroupMemberList's other fields come with it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRef {
    #[serde(rename = "groupID")]
    pub group_id: String,
}

/// joinGroup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinGroup {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(default)]
    pub apply_message: String,
}

/// changeGroupOwner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeOwner {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "newOwnerID")]
    pub new_owner_id: String,
}

/// getGroupMemberList.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberPage {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(default)]
    pub count: Option<usize>,
    #[serde(default)]
    pub offset: usize,
}

/// getGroupMemberProfile, addGroupMember, deleteGroupMember.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupUsers {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(rename = "userIDList")]
    pub user_id_list: Vec<String>,
}

/// setGroupMemberRole, setGroupMemberMuteTime, setGroupMemberNameCard,
/// setGroupMemberCustomField: one member (the caller when `userID` is absent) and what
/// changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberChange {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(default, rename = "userID")]
    pub user_id: Option<String>,
    pub role: Option<String>,
    pub mute_time: Option<i64>,
    pub name_card: Option<String>,
    pub member_custom_field: Option<Vec<CustomField>>,
}

/// handleGroupApplication: `application` is an item of getGroupApplicationList (the
/// official also takes the join-request notice as `message`; its payload names the same).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HandleApplication {
    pub handle_action: String,
    #[serde(default)]
    pub handle_message: String,
    #[serde(default)]
    pub application: Option<Application>,
    /// Instead of `application`, its join-request notice (the official `message`: a
    /// TIMGroupSystemNoticeElem message of operationType 1).
    #[serde(default)]
    pub message: Option<serde_json::Value>,
}

/// An application as getGroupApplicationList lists it (the fields handling one needs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    #[serde(rename = "groupID")]
    pub group_id: String,
    pub applicant: String,
}

/// setMessageRemindType.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemindType {
    #[serde(rename = "groupID")]
    pub group_id: String,
    pub message_remind_type: String,
}

/// `syncGroups`: the caller's group messages after the sequences it has. A group message is
/// stored once in its group's sequence (1, 2, 3 … per group); members online get it pushed
/// (a `group` frame), and a client that missed some (it was away, or a push's sequence is not
/// the next) asks for them here. Each cursor is `[groupID, the last sequence the client has]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncGroups {
    #[serde(default)]
    pub cursors: Vec<(String, u64)>,
    /// At most [`MAX_SYNC_LIMIT`](crate::MAX_SYNC_LIMIT) messages (the server clamps).
    #[serde(default = "default_group_sync_limit")]
    pub limit: u32,
}

fn default_group_sync_limit() -> u32 {
    100
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncGroupsOk {
    /// Messages after the cursors, of the caller's groups, each group's in sequence order.
    pub messages: Vec<crate::Message>,
    /// `[groupID, last sequence]` of each of the caller's groups the cursors do not name (a
    /// client starts such a group there).
    pub groups: Vec<(String, u64)>,
    /// No more messages after those returned: else ask again with the cursors moved on.
    pub complete: bool,
}

/// A `group` frame: a message of a group the session's user is a member of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupPush {
    pub message: crate::Message,
}

/// A `groupEvent` frame, for the group's members online now (not stored: a client that was
/// away reads the attributes and counters again): `event` `attributes` (GROUP_ATTRIBUTES_UPDATED)
/// or `counter` (GROUP_COUNTER_UPDATED), `data` that event's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupEvent {
    pub event: String,
    pub data: crate::Json,
}

pub const EVENT_ATTRIBUTES: &str = "attributes";
pub const EVENT_COUNTER: &str = "counter";

/// Group attributes (the official limits): keys per group, bytes of a key, of a value, of all.
pub const MAX_ATTRIBUTES: usize = 16;
pub const MAX_ATTRIBUTE_KEY: usize = 32;
pub const MAX_ATTRIBUTE_VALUE: usize = 4096;
pub const MAX_ATTRIBUTES_BYTES: usize = 16384;
/// Group counters: keys per group, bytes of a key.
pub const MAX_COUNTERS: usize = 20;
pub const MAX_COUNTER_KEY: usize = 128;

/// The most messages one read-receipt call takes.
pub const MAX_RECEIPT_MESSAGES: usize = 100;

/// A message as the group read-receipt ops name it (the SDK sends only these fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRef {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(default)]
    pub sequence: u64,
}

/// getGroupMessageReadMemberList: `filter` 0 the members who read `message`, 1 those who did
/// not; `cursor` where the page starts ('' first), at most `count` (≤ [`MAX_PAGE`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadMemberPage {
    pub message: MessageRef,
    #[serde(default)]
    pub filter: u32,
    #[serde(default)]
    pub cursor: String,
    #[serde(default = "max_page")]
    pub count: usize,
}

fn max_page() -> usize {
    MAX_PAGE
}

/// initGroupAttributes, setGroupAttributes, deleteGroupAttributes, getGroupAttributes: the
/// official parameters (each value must be a string: the server checks it, 10004).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupAttributes {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(default)]
    pub group_attributes: serde_json::Map<String, serde_json::Value>,
    /// Empty: every key.
    #[serde(default)]
    pub key_list: Vec<String>,
}

/// setGroupCounters, increaseGroupCounter, decreaseGroupCounter, getGroupCounters: the
/// official parameters (values must be integers: 10004).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupCounters {
    #[serde(rename = "groupID")]
    pub group_id: String,
    #[serde(default)]
    pub counters: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: serde_json::Value,
    /// Absent or empty: every key.
    #[serde(default)]
    pub key_list: Vec<String>,
}
