//! Profiles: the official Profile object, and the parameters of the profile ops. The SDK sends
//! the app's parameters and hands back the server's results as they are (stateless ops); the
//! server reads and writes these types.

use serde::{Deserialize, Serialize};

pub const GENDER_UNKNOWN: &str = "Gender_Type_Unknown";
pub const GENDER_FEMALE: &str = "Gender_Type_Female";
pub const GENDER_MALE: &str = "Gender_Type_Male";
pub const ALLOW_ANY: &str = "AllowType_Type_AllowAny";
pub const NEED_CONFIRM: &str = "AllowType_Type_NeedConfirm";
pub const DENY_ANY: &str = "AllowType_Type_DenyAny";
pub const ADMIN_FORBID_NONE: &str = "AdminForbid_Type_None";
pub const ADMIN_FORBID_SEND_OUT: &str = "AdminForbid_Type_SendOut";
/// What every custom profile field's key starts with.
pub const CUSTOM_PREFIX: &str = "Tag_Profile_Custom_";

/// The official Profile object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Profile {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nick: String,
    pub gender: String,
    pub birthday: u64,
    pub location: String,
    pub self_signature: String,
    pub allow_type: String,
    pub language: u64,
    pub avatar: String,
    pub message_settings: u64,
    pub admin_forbid_type: String,
    pub level: u64,
    pub role: u64,
    /// Seconds since the epoch of the last change (0: never changed).
    pub last_updated_time: u64,
    pub profile_custom_field: Vec<CustomField>,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            user_id: String::new(),
            nick: String::new(),
            gender: GENDER_UNKNOWN.into(),
            birthday: 0,
            location: String::new(),
            self_signature: String::new(),
            allow_type: NEED_CONFIRM.into(),
            language: 0,
            avatar: String::new(),
            message_settings: 0,
            admin_forbid_type: ADMIN_FORBID_NONE.into(),
            level: 0,
            role: 0,
            last_updated_time: 0,
            profile_custom_field: Vec::new(),
        }
    }
}

/// `{key, value}` of `profileCustomField` (and later of friends' custom fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    pub key: String,
    pub value: String,
}

/// `getUserProfile({userIDList})`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetUserProfile {
    #[serde(rename = "userIDList")]
    pub user_id_list: Vec<String>,
}

/// At most this many profiles per getUserProfile (more are dropped, as the official SDK does).
pub const MAX_PROFILES: usize = 100;
