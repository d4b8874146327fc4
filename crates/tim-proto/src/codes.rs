//! The numeric error codes on the wire: the official Tencent IM code wherever one exists, so
//! the SDK can hand them to the app unchanged. One table for both the SDK and the server.

/// Not logged in (the official SDK code, reused for requests before `login`).
pub const USER_NOT_LOGGED_IN: u32 = 2024;
/// A `login` on a connection already logged in as another user.
pub const REPEAT_LOGIN: u32 = 2025;

/// The request packet is invalid: a field is missing or has the wrong type.
pub const INVALID_REQUEST: u32 = 20001;
/// The recipient's userID is invalid or unknown.
pub const INVALID_USER_ID: u32 = 20003;

/// The frame is not a JSON object with a numeric `id`.
pub const MALFORMED_FRAME: u32 = 60003;
/// Unknown `op`.
pub const UNKNOWN_OP: u32 = 60009;
/// The server is overloaded; retry later.
pub const OVERLOAD: u32 = 60022;

/// UserSig expired.
pub const USERSIG_EXPIRED: u32 = 70001;
/// UserSig is empty.
pub const USERSIG_EMPTY: u32 = 70002;
/// A `resume` token is unknown or its session is gone: log in again.
pub const SESSION_GONE: u32 = 70052;
/// UserSig cannot be decoded (base64, zlib, JSON or version).
pub const USERSIG_INVALID: u32 = 70003;
/// UserSig signature check failed: tampered, or made with another key.
pub const USERSIG_VERIFY_FAILED: u32 = 70009;
/// The userID does not match the one in the UserSig.
pub const USERSIG_IDENTIFIER_MISMATCH: u32 = 70013;
/// The SDKAppID does not match the one in the UserSig.
pub const USERSIG_SDKAPPID_MISMATCH: u32 = 70014;
/// The SDKAppID is not configured on this server.
pub const SDKAPPID_NOT_FOUND: u32 = 70020;
/// A parameter is invalid (e.g. an empty or over-long userID, a wrong protocol version).
pub const INVALID_PARAMETER: u32 = 70402;
/// The REST API needs the app administrator's identifier.
pub const ADMIN_REQUIRED: u32 = 60010;
/// Internal server error; retry later.
pub const INTERNAL_ERROR: u32 = 70500;

/// `modifyMessage` of a message changed by someone else since the caller saw it.
pub const MODIFY_CONFLICT: u32 = 2480;
/// A revoke after the app's time limit (default 2 minutes).
pub const REVOKE_TIME_LIMIT: u32 = 20016;
/// Only the sender may revoke a message (the official SDK's MESSAGE_REVOKE_FAIL).
pub const REVOKE_FAILED: u32 = 2110;
/// sendMessageReadReceipt with no message that asks for a receipt from someone else (the
/// official READ_RECEIPT_MESSAGE_LIST_EMPTY).
pub const READ_RECEIPT_MESSAGE_LIST_EMPTY: u32 = 2114;
/// No such conversation, or no such message in the caller's conversations (the official
/// CONVERSATION_NOT_FOUND).
pub const CONVERSATION_NOT_FOUND: u32 = 2500;

/// The message body (or the frame) is larger than allowed.
pub const BODY_SIZE_LIMIT: u32 = 80002;

/// updateMyProfile: an unknown field, a value of the wrong type or out of range.
pub const UPDATE_PROFILE_INVALID_PARAM: u32 = 2721;
/// updateMyProfile: nothing to update.
pub const UPDATE_PROFILE_NO_KEY: u32 = 2722;
/// A custom profile field the app has not registered (the official server's code).
pub const PROFILE_CUSTOM_FIELD_UNKNOWN: u32 = 40009;
/// deleteFriend, getFriendProfile, updateFriend, a friend group's member: not a friend.
pub const NOT_MY_FRIEND: u32 = 2700;
/// addFriend: the user is already a friend.
pub const ALREADY_MY_FRIEND: u32 = 2701;
/// createFriendGroup, renameFriendGroup: a friend group of that name exists.
pub const FRIEND_GROUP_EXISTED: u32 = 2710;
/// A friend group of that name does not exist.
pub const FRIEND_GROUP_NOT_EXIST: u32 = 2711;
/// No friend application from (or to) that user.
pub const FRIEND_APPLICATION_NOT_EXIST: u32 = 2716;
/// addToBlacklist with only oneself.
pub const CANNOT_ADD_SELF_TO_BLACKLIST: u32 = 2742;
/// A C2C message to a user who has the sender in their blacklist.
pub const MSG_IN_PEER_BLACKLIST: u32 = 20007;
/// A relation op's parameters are wrong (the friend service's code).
pub const FRIEND_INVALID_PARAM: u32 = 30001;
/// addFriend: no such user.
pub const FRIEND_ACCOUNT_NOT_FOUND: u32 = 30003;
/// Adding a friend: the caller's friend list is full / the other side's is.
pub const FRIEND_COUNT_LIMIT: u32 = 30010;
pub const PEER_FRIEND_COUNT_LIMIT: u32 = 30014;
/// addFriend: the user is in the requester's own blacklist.
pub const FRIEND_IN_SELF_BLACKLIST: u32 = 30515;
/// addFriend: the user accepts no friend requests (AllowType_Type_DenyAny).
pub const FRIEND_DENY_ANY: u32 = 30516;
/// addFriend: the requester is in the user's blacklist.
pub const FRIEND_IN_PEER_BLACKLIST: u32 = 30525;
/// addFriend: the request waits for the user's confirmation (a result, not a failure).
pub const FRIEND_PENDING: u32 = 30539;

/// Groups: the official SDK's own checks (it rejects these before asking the server; here the
/// server answers them, so the app sees the same code).
pub const ILLEGAL_GROUP_TYPE: u32 = 2600;
pub const CANNOT_JOIN_WORK: u32 = 2601;
pub const ILLEGAL_GROUP_ID: u32 = 2602;
pub const CANNOT_FIND_GROUP: u32 = 2603;
pub const CANNOT_CHANGE_OWNER_IN_AVCHATROOM: u32 = 2620;
pub const CANNOT_CHANGE_OWNER_TO_SELF: u32 = 2621;
pub const CANNOT_DISMISS_WORK: u32 = 2622;
pub const MEMBER_NOT_IN_GROUP: u32 = 2623;
pub const CANNOT_ADD_MEMBER_IN_AVCHATROOM: u32 = 2661;
pub const NOT_OWNER: u32 = 2681;
pub const CANNOT_SET_MEMBER_ROLE_IN_WORK_AND_AVCHATROOM: u32 = 2682;
pub const INVALID_MEMBER_ROLE: u32 = 2683;
pub const CANNOT_SET_SELF_MEMBER_ROLE: u32 = 2684;
pub const CANNOT_MUTE_SELF: u32 = 2685;
/// Group attributes of a group the caller is not in (the official GROUP_NOT_JOINED of the
/// attribute calls).
pub const ATTRIBUTES_NOT_JOINED: u32 = 2642;
/// Groups: the group service's codes.
pub const GROUP_INVALID_PARAMETERS: u32 = 10004;
pub const GROUP_PERMISSION_DENY: u32 = 10007;
pub const GROUP_NOT_FOUND: u32 = 10010;
/// The group is full (its maxMemberNum).
pub const GROUP_FULL: u32 = 10014;
pub const GROUP_INVALID_GROUPID: u32 = 10015;
/// createGroup with a groupID someone else's group has / one of the caller's own has.
pub const GROUP_ID_USED: u32 = 10021;
pub const GROUP_ID_USED_BY_SELF: u32 = 10025;
/// A member muted (their own mute, or every ordinary member's) sends a message.
pub const GROUP_MEMBER_MUTED: u32 = 10017;

/// An official API this SDK does not implement yet.
pub const NOT_IMPLEMENTED: u32 = 2998;

/// Why the SDK is not ready: what an API that needs SDK_READY rejects with (the official codes).
/// Before any login (or after the session ended without one of the reasons below).
pub const NOT_READY_NOT_LOGGED_IN: u32 = USER_NOT_LOGGED_IN;
/// A login is in progress.
pub const LOGGING_IN: u32 = 3000;
/// The last login failed.
pub const LOGIN_FAILED: u32 = 3001;
/// Kicked out by a login on another platform.
pub const KICKED_OUT_MULT_DEVICE: u32 = 3002;
/// Kicked out by a login on the same platform (the web-instance limit).
pub const KICKED_OUT_MULT_ACCOUNT: u32 = 3003;
/// Kicked out because the UserSig expired.
pub const KICKED_OUT_USERSIG_EXPIRED: u32 = 3004;
/// Logged out.
pub const LOGGED_OUT: u32 = 3005;
/// Kicked out by the server REST API.
pub const KICKED_OUT_REST_API: u32 = 3006;

/// Whether `code` is one of the not-ready reasons above (the official SDK then also fires
/// EVENT.ERROR).
pub fn is_not_ready(code: u32) -> bool {
    code == NOT_READY_NOT_LOGGED_IN || (LOGGING_IN..=KICKED_OUT_REST_API).contains(&code)
}
