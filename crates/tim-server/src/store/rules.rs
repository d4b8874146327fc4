//! The domain rules every backend applies the same way: what a message ID looks like, who may
//! see, revoke and modify a message, whose inbox and conversation a message changes, and what
//! counts as unread or as the last message. Backends do the storing; these functions decide.

use super::{NewMessage, StoreError, StoreResult};
use tim_proto::{Element, Message, ModifyMessage};

/// `${rowid}-${time}-${random}`: the official `${senderTinyID}-${clientTime}-${random}` shape,
/// with the app-wide row number of the message where the official puts the sender's ID.
pub fn message_id(rowid: i64, time: u64, random: u32) -> String {
    format!("{rowid}-{time}-{random}")
}

/// The row number in a message ID made by [`message_id`]. The rest of the ID must still match
/// the stored message: see [`named`].
pub fn message_rowid(id: &str) -> Option<i64> {
    let (rowid, rest) = id.split_once('-')?;
    rest.contains('-').then_some(())?;
    rowid.parse().ok().filter(|n| *n > 0)
}

/// The key of the conversation of two users: the same for both sides, unambiguous for any IDs.
pub fn c2c_key(a: &str, b: &str) -> String {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    format!("c2c:{}:{lo}{hi}", lo.len())
}

/// The sender and the recipient of a message (once for a message to oneself).
pub fn parties(message: &Message) -> impl Iterator<Item = &str> {
    let to = (message.to != message.from).then_some(message.to.as_str());
    std::iter::once(message.from.as_str()).chain(to)
}

/// `stored` (what the backend found at the row of `id`) if it is the message `id` names and
/// `user` may see it; anything else is "not found", so a caller learns nothing of other
/// users' messages and a row number with a wrong tail changes nothing.
pub fn named(stored: Option<Message>, id: &str, user: &str) -> StoreResult<Message> {
    stored
        .filter(|m| m.id == id && parties(m).any(|p| p == user))
        .ok_or_else(|| StoreError::NotFound(format!("message {id:?}")))
}

/// Whether `user` may revoke `message` at `now`: `Ok(false)` when it is revoked already
/// (nothing to do), `Ok(true)` when it must be revoked now.
pub fn revoke(message: &Message, user: &str, now: u64, limit_secs: u64) -> StoreResult<bool> {
    if message.from != user {
        return Err(StoreError::NotSender);
    }
    if !message.revoker.is_empty() {
        return Ok(false);
    }
    if now.saturating_sub(message.time) > limit_secs {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_give_back_their_row() {
        assert_eq!(message_rowid(&message_id(12, 1_700_000_000, 7)), Some(12));
        for bad in ["", "12", "12-3", "x-1-2", "0-1-2", "-1-2-3"] {
            assert_eq!(message_rowid(bad), None, "{bad}");
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
            id: message_id(5, 100, 9),
            from: "ann".into(),
            to: "ben".into(),
            ..Message::default()
        };
        assert!(named(Some(m.clone()), "5-100-9", "ben").is_ok());
        for (id, user) in [("5-1-1", "ann"), ("5-100-9", "cat")] {
            assert!(matches!(
                named(Some(m.clone()), id, user),
                Err(StoreError::NotFound(_))
            ));
        }
    }
}
