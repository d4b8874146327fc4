//! User status: online, offline (a session kept for a resume, its connection gone) or not
//! logged in, from the session registry, and a custom status each user sets. Its methods are
//! stateless ops; a change reaches the users watching (subscribers and friends) as a `status`
//! frame, which the SDK fires as USER_STATUS_UPDATED.

use crate::json::Json;
use serde::{Deserialize, Serialize};

/// The official TYPES.USER_STATUS_* values.
pub const STATUS_ONLINE: u32 = 1;
pub const STATUS_OFFLINE: u32 = 2;
pub const STATUS_UNLOGINED: u32 = 3;

/// The most users a getUserStatus answers, and a subscription call takes.
pub const MAX_GET: usize = 500;
pub const MAX_SUBSCRIBE: usize = 100;
/// The longest custom status, in bytes.
pub const MAX_CUSTOM_STATUS: usize = 100;

/// One user's status, the official object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserStatus {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub status_type: u32,
    pub custom_status: String,
}

/// `setSelfStatus`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetSelfStatus {
    #[serde(default)]
    pub custom_status: String,
}

/// `unsubscribeUserStatus`: no list (or an empty one) ends every subscription.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Unsubscribe {
    #[serde(rename = "userIDList", default)]
    pub user_id_list: Vec<String>,
}

/// The `status` frame: changed statuses, the USER_STATUS_UPDATED data as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusPush {
    pub user_status_list: Json,
}
