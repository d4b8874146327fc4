//! Relations: the blacklist, friends, friend applications and friend groups of a user. Their
//! methods are stateless ops (the official parameters and results); what the SDK keeps is which
//! of the [`List`]s changed, from the `changed` inbox item, to fetch it again and fire the
//! official list event with the whole list. The server reads the parameter types here.

use crate::ops::Op;
use serde::{Deserialize, Serialize};

/// A list of the user's that a change concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum List {
    Blacklist,
    Friends,
    FriendApplications,
    FriendGroups,
    /// The groups the user is in (group.rs).
    Groups,
}

impl List {
    pub const ALL: [List; 5] = [
        List::Blacklist,
        List::Friends,
        List::FriendApplications,
        List::FriendGroups,
        List::Groups,
    ];

    /// The stateless op that answers the whole list.
    pub fn op(self) -> Op {
        match self {
            List::Blacklist => Op::GetBlacklist,
            List::Friends => Op::GetFriendList,
            List::FriendApplications => Op::GetFriendApplicationList,
            List::FriendGroups => Op::GetFriendGroupList,
            List::Groups => Op::GetGroupList,
        }
    }

    /// The field of the op's answer that holds the list, when the answer is not the list
    /// itself (getGroupList answers `{groupList}`, GROUP_LIST_UPDATED carries the array).
    pub fn field(self) -> Option<&'static str> {
        match self {
            List::Groups => Some("groupList"),
            _ => None,
        }
    }

    /// The wire name (`list` of a `changed` item).
    pub fn name(self) -> &'static str {
        match self {
            List::Blacklist => "blacklist",
            List::Friends => "friends",
            List::FriendApplications => "friendApplications",
            List::FriendGroups => "friendGroups",
            List::Groups => "groups",
        }
    }

    pub fn from_name(name: &str) -> Option<List> {
        List::ALL.into_iter().find(|l| l.name() == name)
    }
}

pub const ADD_SOURCE_PREFIX: &str = "AddSource_Type_";
pub const ADD_TYPE_SINGLE: &str = "Add_Type_Single";
pub const ADD_TYPE_BOTH: &str = "Add_Type_Both";
pub const DELETE_TYPE_SINGLE: &str = "Delete_Type_Single";
pub const DELETE_TYPE_BOTH: &str = "Delete_Type_Both";
pub const CHECK_TYPE_SINGLE: &str = "CheckResult_Type_Single";
pub const CHECK_TYPE_BOTH: &str = "CheckResult_Type_Both";
pub const RELATION_NONE: &str = "CheckResult_Type_NoRelation";
pub const RELATION_A_WITH_B: &str = "CheckResult_Type_AWithB";
pub const RELATION_B_WITH_A: &str = "CheckResult_Type_BWithA";
pub const RELATION_BOTH: &str = "CheckResult_Type_BothWay";
pub const AGREE: &str = "Response_Action_Agree";
pub const AGREE_AND_ADD: &str = "Response_Action_AgreeAndAdd";
pub const PENDENCY_COME_IN: &str = "Pendency_Type_ComeIn";
pub const PENDENCY_SEND_OUT: &str = "Pendency_Type_SendOut";
/// What every friend custom field's key starts with.
pub const FRIEND_CUSTOM_PREFIX: &str = "Tag_SNS_Custom_";

/// Byte limits of the official documentation.
pub const MAX_SOURCE_KEYWORD: usize = 8;
pub const MAX_WORDING: usize = 256;
pub const MAX_REMARK: usize = 96;
pub const MAX_GROUP_NAME: usize = 30;
pub const MAX_CUSTOM_VALUE: usize = 256;
/// Users per call: deleteFriend and the friend group calls 100, the others 1000.
pub const MAX_DELETE: usize = 100;
pub const MAX_USERS: usize = 1000;
/// Friend groups a user may have.
pub const MAX_FRIEND_GROUPS: usize = 100;

fn default_add_type() -> String {
    ADD_TYPE_BOTH.into()
}

fn default_delete_type() -> String {
    DELETE_TYPE_BOTH.into()
}

fn default_check_type() -> String {
    CHECK_TYPE_BOTH.into()
}

fn default_accept_type() -> String {
    AGREE_AND_ADD.into()
}

fn default_pendency_type() -> String {
    PENDENCY_COME_IN.into()
}

/// `{userIDList}` (addToBlacklist, removeFromBlacklist, getFriendProfile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Users {
    #[serde(rename = "userIDList")]
    pub user_id_list: Vec<String>,
}

/// `{userID}` (refuseFriendApplication).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneUser {
    #[serde(rename = "userID")]
    pub user_id: String,
}

/// `addFriend`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddFriend {
    pub to: String,
    pub source: String,
    #[serde(default)]
    pub wording: String,
    #[serde(rename = "type", default = "default_add_type")]
    pub kind: String,
    #[serde(default)]
    pub remark: String,
    #[serde(default)]
    pub group_name: String,
}

/// `deleteFriend`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteFriend {
    #[serde(rename = "userIDList")]
    pub user_id_list: Vec<String>,
    #[serde(rename = "type", default = "default_delete_type")]
    pub kind: String,
}

/// `checkFriend`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckFriend {
    #[serde(rename = "userIDList")]
    pub user_id_list: Vec<String>,
    #[serde(rename = "type", default = "default_check_type")]
    pub kind: String,
}

/// `updateFriend`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateFriend {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub remark: Option<String>,
    pub friend_custom_field: Option<Vec<crate::profile::CustomField>>,
}

/// `acceptFriendApplication`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptApplication {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(default)]
    pub remark: String,
    #[serde(rename = "type", default = "default_accept_type")]
    pub kind: String,
}

/// `deleteFriendApplication`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteApplication {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "type", default = "default_pendency_type")]
    pub kind: String,
}

/// `createFriendGroup`, `addToFriendGroup`, `removeFromFriendGroup` (`{name, userIDList}`) and
/// `deleteFriendGroup` (`{name}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FriendGroupUsers {
    pub name: String,
    #[serde(rename = "userIDList", default)]
    pub user_id_list: Vec<String>,
}

/// `renameFriendGroup`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenameFriendGroup {
    pub old_name: String,
    pub new_name: String,
}
