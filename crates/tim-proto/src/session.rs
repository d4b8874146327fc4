//! The connection's session: logging in with a UserSig, taking a dropped connection's session
//! over, logging out, and heartbeats.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Login {
    /// Must equal [`PROTOCOL_VERSION`](crate::PROTOCOL_VERSION).
    pub protocol: u32,
    #[serde(rename = "SDKAppID")]
    pub sdk_app_id: u64,
    #[serde(rename = "userID")]
    pub user_id: String,
    pub user_sig: String,
    /// Where the client runs (the SDK fills it); the app's login policy decides which
    /// platforms may be online together. Absent: `web`.
    #[serde(default)]
    pub platform: Platform,
}

/// A client's platform, as the official console's login policies count them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    #[default]
    Web,
    /// A Mini Program: counts as web, as the official console counts it.
    MiniProgram,
    /// The SDK in Node (a desktop or server process).
    Node,
    Android,
    Ios,
    Ipad,
    Windows,
    Mac,
}

/// The classes the login policies speak of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformClass {
    Web,
    Mobile,
    Desktop,
}

impl Platform {
    const ALL: [Platform; 8] = [
        Platform::Web,
        Platform::MiniProgram,
        Platform::Node,
        Platform::Android,
        Platform::Ios,
        Platform::Ipad,
        Platform::Windows,
        Platform::Mac,
    ];

    /// The wire name (`web`, `node`, …), as serde writes it.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Web => "web",
            Platform::MiniProgram => "miniprogram",
            Platform::Node => "node",
            Platform::Android => "android",
            Platform::Ios => "ios",
            Platform::Ipad => "ipad",
            Platform::Windows => "windows",
            Platform::Mac => "mac",
        }
    }

    /// The platform of a wire name.
    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn class(self) -> PlatformClass {
        match self {
            Platform::Web | Platform::MiniProgram => PlatformClass::Web,
            Platform::Android | Platform::Ios | Platform::Ipad => PlatformClass::Mobile,
            Platform::Node | Platform::Windows | Platform::Mac => PlatformClass::Desktop,
        }
    }
}

/// Take over a session of an earlier connection without a new UserSig check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resume {
    /// The `resumeToken` of that session's login.
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginOk {
    #[serde(rename = "userID")]
    pub user_id: String,
    /// True when this connection was already logged in as this user.
    pub repeat_login: bool,
    /// The highest sequence in the user's inbox right now.
    pub inbox_seq: u64,
    pub server_time: u64,
    /// Lets a later connection take this session over with `resume` (for a while after this
    /// connection drops), keeping its place among the user's web instances.
    pub resume_token: String,
    /// The user's groups and the last sequence of each right now: where a fresh session's
    /// first `syncGroups` starts, as it starts the inbox at `inboxSeq`.
    #[serde(default)]
    pub groups: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeOk {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub inbox_seq: u64,
    pub server_time: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeartbeatOk {
    pub server_time: u64,
}

/// The official KICKED_OUT type for a kick by the web-instance limit.
pub const KICK_MULTIPLE_ACCOUNT: &str = "multipleAccount";
/// The official KICKED_OUT type for a kick by a login on another platform.
pub const KICK_MULTIPLE_DEVICE: &str = "multipleDevice";
/// The official KICKED_OUT type for a session whose UserSig expired.
pub const KICK_USERSIG_EXPIRED: &str = "userSigExpired";
/// The official KICKED_OUT type for a kick by the server REST API.
pub const KICK_REST_API: &str = "REST_API_Kick";

/// The official KICKED_OUT type named `name`, if it is one (a kick read back from storage or
/// from another node).
pub fn kick_type(name: &str) -> Option<&'static str> {
    [
        KICK_MULTIPLE_ACCOUNT,
        KICK_MULTIPLE_DEVICE,
        KICK_USERSIG_EXPIRED,
        KICK_REST_API,
    ]
    .into_iter()
    .find(|k| *k == name)
}

/// The not-ready reason after a kick of the KICKED_OUT type `reason`.
pub fn kicked_out_code(reason: &str) -> u32 {
    use crate::codes::*;
    match reason {
        KICK_MULTIPLE_DEVICE => KICKED_OUT_MULT_DEVICE,
        KICK_USERSIG_EXPIRED => KICKED_OUT_USERSIG_EXPIRED,
        KICK_REST_API => KICKED_OUT_REST_API,
        _ => KICKED_OUT_MULT_ACCOUNT,
    }
}
