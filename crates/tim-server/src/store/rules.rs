//! The domain rules every backend applies the same way: what a message ID looks like, who may
//! see, revoke and modify a message, whose inbox and conversation a message changes, and what
//! counts as unread or as the last message. Backends do the storing; these functions decide.

use super::{NewMessage, ProfilePatch, StoreError, StoreResult};
use serde_json::Value;
use tim_proto::profile::{CustomField, Profile};
use tim_proto::{ConversationType, Element, Message, ModifyMessage};

/// Message IDs: `${sealed}-${time}-${random}`, the official
/// `${senderTinyID}-${clientTime}-${random}` shape, where `sealed` is the message's row number
/// under a keyed permutation of 64-bit numbers (a four-round Feistel network whose rounds are
/// SipHash-2-4 under the database's secret key): an ID says nothing of how many messages the
/// app stores, and the server opens it back to the row.
#[derive(Clone, Copy)]
pub struct MessageIds {
    key: [u8; 16],
}

impl MessageIds {
    pub fn new(key: [u8; 16]) -> MessageIds {
        MessageIds { key }
    }

    fn round(&self, round: u8, half: u32) -> u32 {
        use std::hash::Hasher;
        let mut h = siphasher::sip::SipHasher24::new_with_key(&self.key);
        h.write(&[round]);
        h.write(&half.to_le_bytes());
        h.finish() as u32
    }

    fn seal(&self, n: u64) -> u64 {
        let (mut left, mut right) = ((n >> 32) as u32, n as u32);
        for round in 0..4 {
            (left, right) = (right, left ^ self.round(round, right));
        }
        (u64::from(left) << 32) | u64::from(right)
    }

    fn open(&self, n: u64) -> u64 {
        let (mut left, mut right) = ((n >> 32) as u32, n as u32);
        for round in (0..4).rev() {
            (left, right) = (right ^ self.round(round, left), left);
        }
        (u64::from(left) << 32) | u64::from(right)
    }

    /// The ID of the message at row `rowid`.
    pub fn id(&self, rowid: i64, time: u64, random: u32) -> String {
        format!("{}-{time}-{random}", self.seal(rowid as u64))
    }

    /// The row number in an ID made by [`id`](Self::id). The rest of the ID must still match
    /// the stored message: see [`named`].
    pub fn rowid(&self, id: &str) -> Option<i64> {
        let (sealed, rest) = id.split_once('-')?;
        rest.contains('-').then_some(())?;
        // 0 is the online-only ID's (a row sealed to 0 is one in 2^64: its ID names nothing).
        let sealed = sealed.parse().ok().filter(|s| *s != 0)?;
        let row = self.open(sealed);
        i64::try_from(row).ok().filter(|n| *n > 0)
    }
}

/// The ID of an online-only message: it is never stored, so it names no row.
pub fn online_message_id(time: u64, random: u32) -> String {
    format!("0-{time}-{random}")
}

/// The key of the conversation of two users: the same for both sides, unambiguous for any IDs.
pub fn c2c_key(a: &str, b: &str) -> String {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    format!("c2c:{}:{lo}{hi}", lo.len())
}

/// The sender and the recipient of a C2C message (once for a message to oneself); the sender
/// alone of a group message (its `to` is a groupID, which may equal some userID).
pub fn parties(message: &Message) -> impl Iterator<Item = &str> {
    let c2c = message.conversation_type == ConversationType::C2C;
    let to = (c2c && message.to != message.from).then_some(message.to.as_str());
    std::iter::once(message.from.as_str()).chain(to)
}

/// Where a user stands in the group of a group message, as the backend read their member row
/// (ops/groups' MemberRow) in the write's transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Outside,
    Member,
    /// The owner or an admin.
    Manager,
}

impl Standing {
    /// The standing of a member row's data (`None`: not a member).
    pub fn of(member_row: Option<&str>) -> Standing {
        #[derive(serde::Deserialize)]
        struct Row {
            #[serde(default)]
            role: String,
        }
        let Some(data) = member_row else {
            return Standing::Outside;
        };
        let role = serde_json::from_str::<Row>(data).map_or_else(|_| String::new(), |r| r.role);
        match role.as_str() {
            tim_proto::group::OWNER | tim_proto::group::ADMIN => Standing::Manager,
            _ => Standing::Member,
        }
    }
}

/// `stored` (what the backend found at the row of `id`) if it is the message `id` names and
/// `user` may see it: a party of it, or a member of its group (`standing`); anything else is
/// "not found", so a caller learns nothing of other users' messages and a row number with a
/// wrong tail changes nothing.
pub fn named(
    stored: Option<Message>,
    id: &str,
    user: &str,
    standing: Standing,
) -> StoreResult<Message> {
    let group = |m: &Message| m.conversation_type == ConversationType::Group;
    stored
        .filter(|m| m.id == id)
        .filter(|m| parties(m).any(|p| p == user) || (group(m) && standing != Standing::Outside))
        .ok_or_else(|| StoreError::NotFound(format!("message {id:?}")))
}

/// Notes the conversation of `message`, deleted by `user`, once: its C2C peer or its group.
pub fn note_conversation(
    message: &Message,
    user: &str,
    peers: &mut Vec<String>,
    groups: &mut Vec<String>,
) {
    let (list, id) = match message.conversation_type {
        ConversationType::Group => (groups, &message.to),
        _ => (peers, &message.peer_of(user).to_owned()),
    };
    if !list.contains(id) {
        list.push(id.clone());
    }
}

/// Whether `user` may revoke `message` at `now`: `Ok(false)` when it is revoked already
/// (nothing to do), `Ok(true)` when it must be revoked now. Its sender may within
/// `limit_secs`; the owner and admins of its group may revoke any of its messages at any time.
pub fn revoke(
    message: &Message,
    user: &str,
    standing: Standing,
    now: u64,
    limit_secs: u64,
) -> StoreResult<bool> {
    let manager =
        message.conversation_type == ConversationType::Group && standing == Standing::Manager;
    if message.from != user && !manager {
        return Err(StoreError::NotSender);
    }
    if !message.revoker.is_empty() {
        return Ok(false);
    }
    if !manager && now.saturating_sub(message.time) > limit_secs {
        return Err(StoreError::RevokeTooLate);
    }
    Ok(true)
}

/// Whether `retry`, from the sender of `stored` with its clientMsgID, is that message sent
/// again (answered with it) rather than another one under a reused clientMsgID (refused: the
/// new one would silently not be sent). A modified message is recognised by its recipient and
/// random alone.
pub fn is_retry(stored: &Message, retry: &NewMessage) -> StoreResult<()> {
    let same_content = stored.version > 0 || stored.body == retry.body;
    if stored.to == retry.to && stored.random == retry.random && same_content {
        return Ok(());
    }
    Err(StoreError::Invalid(format!(
        "clientMsgID {:?} was already used for another message",
        retry.client_msg_id
    )))
}

/// Whether `user` may replace the content of `message` with `change`: its sender, or (unless
/// the app allows only the sender, `sender_only`) its recipient; not revoked; the same element
/// types; made from the version it is still at.
pub fn modify(
    message: &Message,
    change: &ModifyMessage,
    user: &str,
    sender_only: bool,
) -> StoreResult<()> {
    if sender_only && message.from != user {
        return Err(StoreError::Invalid(
            "this app lets only the sender modify a message".into(),
        ));
    }
    if !message.revoker.is_empty() {
        return Err(StoreError::Invalid(
            "a revoked message cannot be modified".into(),
        ));
    }
    let kinds = |es: &[Element]| -> Vec<std::mem::Discriminant<Element>> {
        es.iter().map(std::mem::discriminant).collect()
    };
    if kinds(&message.body.elements) != kinds(&change.elements) {
        return Err(StoreError::Invalid(
            "the element types of a message cannot change".into(),
        ));
    }
    if message.version != change.version {
        return Err(StoreError::ModifyConflict);
    }
    Ok(())
}

/// One user's share of a new message: it goes into `owner`'s inbox and changes `owner`'s
/// conversation with `peer`, adding `unread` to its unread count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner<'a> {
    pub owner: &'a str,
    pub peer: &'a str,
    pub unread: u32,
}

/// The owners of a new message: the sender (nothing unread) and the recipient (one more
/// unread, unless the sender excluded it from unread counts).
pub fn owners(message: &Message) -> Vec<Owner<'_>> {
    let mut owners = vec![Owner {
        owner: &message.from,
        peer: &message.to,
        unread: 0,
    }];
    if message.to != message.from {
        owners.push(Owner {
            owner: &message.to,
            peer: &message.from,
            unread: u32::from(!message.body.excluded_from_unread),
        });
    }
    owners
}

/// Whether a new message becomes its conversation's last message (unless the sender
/// excluded it).
pub fn becomes_last(message: &Message) -> bool {
    !message.body.excluded_from_last_message
}

/// Whether `user` reading the conversation with `peer` up to `last_seq` tells the peer.
pub fn read_tells_peer(user: &str, peer: &str, last_seq: u64) -> bool {
    user != peer && last_seq > 0
}

/// `patch` merged into a stored profile (the JSON object of its fields): the new stored text
/// when a value changed. Custom fields are merged by key; an empty value removes one.
pub fn apply_profile(stored: &str, patch: &ProfilePatch) -> StoreResult<Option<String>> {
    let mut fields: ProfilePatch = serde_json::from_str(stored).unwrap_or_default();
    let before = fields.clone();
    for (key, value) in patch {
        if key != "profileCustomField" {
            fields.insert(key.clone(), value.clone());
            continue;
        }
        let mut custom: Vec<CustomField> = fields
            .get(key)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let changes: Vec<CustomField> = serde_json::from_value(value.clone())
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        for change in changes {
            custom.retain(|f| f.key != change.key);
            if !change.value.is_empty() {
                custom.push(change);
            }
        }
        custom.sort_by(|a, b| a.key.cmp(&b.key));
        let custom =
            serde_json::to_value(custom).map_err(|e| StoreError::Internal(e.to_string()))?;
        fields.insert(key.clone(), custom);
    }
    Ok((fields != before).then(|| Value::Object(fields).to_string()))
}

/// The Profile of `user` from its stored fields and the time they last changed.
pub fn profile(user: &str, stored: &str, updated: u64) -> Profile {
    let mut p: Profile = serde_json::from_str(stored).unwrap_or_default();
    p.user_id = user.to_owned();
    p.last_updated_time = updated;
    p
}

/// The nick and avatar of a stored profile, which every message its user sends carries.
pub fn sender_stamp(stored: &str) -> (String, String) {
    let p = profile("", stored, 0);
    (p.nick, p.avatar)
}

/// The inbox item that tells a user's sessions their profile changed.
pub fn profile_changed(profile: &Profile) -> tim_proto::InboxEvent {
    tim_proto::InboxEvent::Profile {
        profile: tim_proto::Json::of(profile),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_give_back_their_row_and_nothing_of_the_count() {
        let ids = MessageIds::new(*b"0123456789abcdef");
        for row in [1, 2, 3, 12, 1 << 31, i64::MAX] {
            assert_eq!(
                ids.rowid(&ids.id(row, 1_700_000_000, 7)),
                Some(row),
                "{row}"
            );
        }
        // Neighbouring rows are far apart, and another key gives other IDs.
        let first = |id: String| id.split('-').next().unwrap().parse::<u64>().unwrap();
        let (a, b) = (first(ids.id(41, 1, 1)), first(ids.id(42, 1, 1)));
        assert!(a.abs_diff(b) > 1 << 32, "{a} {b}");
        let other = MessageIds::new(*b"fedcba9876543210");
        assert_ne!(other.id(41, 1, 1), ids.id(41, 1, 1));
        assert_ne!(other.rowid(&ids.id(41, 1, 1)), Some(41));
        let online = online_message_id(1, 2);
        for bad in ["", "12", "12-3", "x-1-2", "-1-2-3", online.as_str()] {
            assert_eq!(ids.rowid(bad), None, "{bad}");
        }
    }

    #[test]
    fn c2c_keys_are_symmetric_and_unambiguous() {
        assert_eq!(c2c_key("alice", "bob"), c2c_key("bob", "alice"));
        assert_ne!(c2c_key("ab", "c"), c2c_key("a", "bc"));
    }

    #[test]
    fn a_row_number_with_another_tail_names_nothing() {
        let m = Message {
            id: "5-100-9".into(),
            from: "ann".into(),
            to: "ben".into(),
            ..Message::default()
        };
        assert!(named(Some(m.clone()), "5-100-9", "ben", Standing::Outside).is_ok());
        for (id, user) in [("5-1-1", "ann"), ("5-100-9", "cat")] {
            assert!(matches!(
                named(Some(m.clone()), id, user, Standing::Member),
                Err(StoreError::NotFound(_))
            ));
        }
    }

    #[test]
    fn a_group_message_is_its_members_and_its_managers_revoke_it() {
        let m = Message {
            id: "5-100-9".into(),
            conversation_type: ConversationType::Group,
            from: "ann".into(),
            to: "team".into(),
            time: 100,
            ..Message::default()
        };
        // A user whose ID is the groupID is no party of it.
        let outside = named(Some(m.clone()), "5-100-9", "team", Standing::Outside);
        assert!(matches!(outside, Err(StoreError::NotFound(_))));
        assert!(named(Some(m.clone()), "5-100-9", "ben", Standing::Member).is_ok());
        assert_eq!(Standing::of(Some(r#"{"role":"Admin"}"#)), Standing::Manager);
        assert_eq!(Standing::of(Some(r#"{"role":"Member"}"#)), Standing::Member);
        let late = 100 + 121;
        let by = |user, standing| revoke(&m, user, standing, late, 120);
        assert!(matches!(
            by("ben", Standing::Member),
            Err(StoreError::NotSender)
        ));
        assert!(matches!(
            by("ann", Standing::Member),
            Err(StoreError::RevokeTooLate)
        ));
        assert!(by("ben", Standing::Manager).unwrap());
    }
}
