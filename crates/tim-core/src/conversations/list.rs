//! The official Conversation object, built from the server's per-user conversation state, and
//! the rules that keep a local copy of that state current from the inbox: a message makes
//! itself the last message (and counts as unread when received), a `conversation` item replaces
//! the state, a revocation marks the last message, a peer's read moves `peerReadSeq`. The
//! server applies the same rules, so the copy and the server agree item by item.

use crate::messages::object::{element_type, message_for_show, serialize_payload};
use crate::vecmap::VecMap;
use serde::Serialize;
use tim_proto::conversation::GroupAtInfo;
use tim_proto::{
    Conversation, ConversationGroup, ConversationId, ConversationType, Element, Message,
};

/// `conversation.lastMessage` as the official SDK shapes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LastMessage {
    #[serde(rename = "ID")]
    pub id: String,
    pub last_time: u64,
    pub last_sequence: u64,
    pub from_account: String,
    pub message_for_show: String,
    #[serde(serialize_with = "serialize_payload")]
    pub payload: Element,
    #[serde(rename = "type")]
    pub type_: &'static str,
    pub is_revoked: bool,
    pub is_peer_read: bool,
    pub revoker: String,
    pub nick: String,
    pub name_card: String,
    pub cloud_custom_data: String,
}

/// `conversation.userProfile`: the C2C peer's nick and avatar, from the list's answer and
/// then from the peer's messages.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nick: String,
    pub avatar: String,
}

/// `conversation.groupProfile` of a group conversation: its groupID (the group list has the
/// rest).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupProfile {
    #[serde(rename = "groupID")]
    pub group_id: String,
}

/// One of `conversation.groupAtInfoList`: an unread message that mentions the user.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AtInfo {
    #[serde(rename = "groupID")]
    pub group_id: String,
    pub message_sequence: u64,
    /// The official CONV_AT_ME 1, CONV_AT_ALL 2 or CONV_AT_ALL_AT_ME 3, as its one item.
    pub at_type_array: Vec<u32>,
}

/// The official Conversation object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SdkConversation {
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(rename = "type")]
    pub type_: &'static str,
    pub unread_count: u32,
    pub last_message: Option<LastMessage>,
    pub group_profile: Option<GroupProfile>,
    pub user_profile: UserProfile,
    pub is_pinned: bool,
    pub message_remind_type: &'static str,
    /// The official CONV_MARK_TYPE_* values set on it.
    pub mark_list: Vec<u32>,
    pub custom_data: String,
    pub peer_read_time: u64,
    pub remark: String,
    /// The names of the user's conversation groups that hold it.
    pub conversation_group_list: Vec<String>,
    pub group_at_info_list: Vec<AtInfo>,
}

impl SdkConversation {
    pub(crate) fn of(c: &Conversation, groups: &[ConversationGroup]) -> Self {
        let id = c.id.to_id_string();
        let conversation_group_list = groups
            .iter()
            .filter(|g| g.conversation_id_list.contains(&id))
            .map(|g| g.name.clone())
            .collect();
        let last_message = c.last_message.as_ref().map(|m| {
            let payload = m.body.elements.first().cloned().unwrap_or(Element::Text {
                text: String::new(),
            });
            LastMessage {
                id: m.id.clone(),
                last_time: m.time,
                last_sequence: m.sequence,
                from_account: m.from.clone(),
                message_for_show: message_for_show(&payload),
                type_: element_type(&payload),
                payload,
                is_revoked: !m.revoker.is_empty(),
                is_peer_read: c.id.c2c_peer() == Some(m.to.as_str())
                    && m.sequence <= c.peer_read_seq,
                revoker: m.revoker.clone(),
                nick: m.nick.clone(),
                name_card: String::new(),
                cloud_custom_data: m.body.cloud_custom_data.clone(),
            }
        });
        let group = match &c.id {
            ConversationId::Group(id) => Some(id),
            _ => None,
        };
        let group_at_info_list = (c.group_at_info_list.iter())
            .map(|a| AtInfo {
                group_id: group.cloned().unwrap_or_default(),
                message_sequence: a.message_sequence,
                at_type_array: vec![a.at_type],
            })
            .collect();
        SdkConversation {
            group_at_info_list,
            conversation_id: id,
            conversation_group_list,
            type_: c.id.type_name(),
            unread_count: c.unread_count,
            last_message,
            group_profile: group.map(|id| GroupProfile {
                group_id: id.clone(),
            }),
            user_profile: UserProfile {
                user_id: c.id.c2c_peer().unwrap_or_default().to_owned(),
                nick: c.peer_nick.clone(),
                avatar: c.peer_avatar.clone(),
            },
            is_pinned: c.is_pinned,
            message_remind_type: "",
            mark_list: (0..32)
                .map(|b| 1u32 << b)
                .filter(|m| c.mark & m != 0)
                .collect(),
            custom_data: c.custom_data.clone(),
            peer_read_time: 0,
            remark: String::new(),
        }
    }
}

/// A user's conversations, as the server keeps them.
#[derive(Debug, Default)]
pub(crate) struct List {
    by_id: VecMap<ConversationId, Conversation>,
    /// The user's conversation groups, for each conversation's `conversationGroupList`.
    pub groups: Vec<ConversationGroup>,
}

impl List {
    pub fn get(&self, id: &ConversationId) -> Option<&Conversation> {
        self.by_id.get(id)
    }

    /// A conversation of the list as loaded at login: pages of distinct conversations into a
    /// list that had none of them, so no lookup is needed (10,000 stay a linear load).
    pub fn load(&mut self, c: Conversation) {
        if !c.deleted {
            self.by_id.push_new(c.id.clone(), c);
        }
    }

    /// Take the server's state of one conversation (a deleted one leaves the list).
    pub fn replace(&mut self, mut c: Conversation) {
        if c.deleted {
            self.by_id.remove(&c.id);
            return;
        }
        // An item without the peer's profile keeps the one known.
        if let Some(old) = self.by_id.get_mut(&c.id) {
            if c.peer_nick.is_empty() && c.peer_avatar.is_empty() {
                c.peer_nick = std::mem::take(&mut old.peer_nick);
                c.peer_avatar = std::mem::take(&mut old.peer_avatar);
            }
        }
        self.by_id.insert(c.id.clone(), c);
    }

    /// A message of `me`'s: the last message of its conversation, unread if received.
    pub fn message(&mut self, me: &str, m: &Message) {
        let id = m.conversation_of(me);
        let c = self
            .by_id
            .get_or_insert_with(id.clone(), || Conversation::empty(id));
        // A group's message at or before the last one the list was loaded with is counted
        // in it already (a group's sequence is committed in order): one the first group sync
        // fetches after the list's read changes nothing.
        let group = m.conversation_type == ConversationType::Group;
        if group
            && c.last_message
                .as_ref()
                .is_some_and(|l| l.sequence >= m.sequence)
        {
            return;
        }
        // messageControlInfo: some messages are not the last one, or not unread.
        if !m.body.excluded_from_last_message
            && c.last_message
                .as_ref()
                .is_none_or(|l| l.sequence <= m.sequence)
        {
            c.last_message = Some(m.clone());
        }
        if m.from != me && !m.body.excluded_from_unread {
            c.unread_count += 1;
            c.group_at_info_list.extend(GroupAtInfo::of(m, me));
        }
        // The C2C peer's message carries their profile as it is now.
        let c2c = m.conversation_type == ConversationType::C2C;
        if c2c && m.from != me && !(m.nick.is_empty() && m.avatar.is_empty()) {
            c.peer_nick = m.nick.clone();
            c.peer_avatar = m.avatar.clone();
        }
        c.updated = c.updated.max(m.time);
    }

    /// A message changed on the server (revoked or modified): if it is a last message, the
    /// conversation shows it as it is now.
    pub fn changed(&mut self, me: &str, m: &Message) {
        if let Some(last) = self
            .by_id
            .get_mut(&m.conversation_of(me))
            .and_then(|c| c.last_message.as_mut())
            .filter(|l| l.id == m.id)
        {
            *last = m.clone();
        }
    }

    /// The peer read up to `read_seq`.
    pub fn peer_read(&mut self, conversation_id: &ConversationId, read_seq: u64) {
        if let Some(c) = self.by_id.get_mut(conversation_id) {
            c.peer_read_seq = c.peer_read_seq.max(read_seq);
        }
    }

    pub fn clear(&mut self) {
        self.by_id = VecMap::default();
    }

    pub fn total_unread(&self) -> u32 {
        self.by_id.values().map(|c| c.unread_count).sum()
    }

    /// The list as the app shows it: pinned first, then the most recently active.
    pub fn list(&self) -> Vec<SdkConversation> {
        let mut all: Vec<&Conversation> = self.by_id.values().collect();
        let active = |c: &Conversation| c.last_message.as_ref().map_or(c.updated, |m| m.time);
        crate::vecmap::heap_sort_by(&mut all, |a, b| {
            (b.is_pinned, active(b), &a.id).cmp(&(a.is_pinned, active(a), &b.id))
        });
        all.into_iter()
            .map(|c| SdkConversation::of(c, &self.groups))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, to_value};

    fn bob_id() -> ConversationId {
        ConversationId::C2C("bob".into())
    }

    fn msg(seq: u64, from: &str, to: &str, time: u64) -> Message {
        Message {
            id: format!("{seq}-{time}-1"),
            from: from.into(),
            to: to.into(),
            sequence: seq,
            time,
            random: 1,
            client_msg_id: format!("c{seq}"),
            body: tim_proto::MessageBody {
                elements: vec![Element::Custom {
                    data: "d".into(),
                    description: String::new(),
                    extension: String::new(),
                }],
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn messages_make_the_list_and_count_unread() {
        let mut cs = List::default();
        cs.message("me", &msg(1, "bob", "me", 10));
        cs.message("me", &msg(2, "bob", "me", 11));
        cs.message("me", &msg(1, "me", "carol", 12));
        assert_eq!(cs.total_unread(), 2);
        let list = cs.list();
        assert_eq!(list[0].conversation_id, "C2Ccarol", "most recent first");
        assert_eq!(list[1].unread_count, 2);
        let v = to_value(&list[1]).unwrap();
        assert_eq!(v["lastMessage"]["messageForShow"], "[自定义消息]");
        assert_eq!(v["lastMessage"]["lastSequence"], 2);
        assert_eq!(
            v["userProfile"],
            json!({"userID": "bob", "nick": "", "avatar": ""})
        );
        assert_eq!(v["type"], "C2C");
        // A pinned conversation leads whatever its age.
        let mut bob = cs.get(&bob_id()).unwrap().clone();
        bob.is_pinned = true;
        bob.mark = 5;
        cs.replace(bob);
        let list = cs.list();
        assert_eq!(list[0].conversation_id, "C2Cbob");
        assert_eq!(list[0].mark_list, vec![1, 4]);
    }

    #[test]
    fn group_messages_that_mention_me_or_everyone_are_listed() {
        let mut cs = List::default();
        let at = |seq: u64, from: &str, users: &[&str]| {
            let mut m = msg(seq, from, "g1", 10);
            m.conversation_type = ConversationType::Group;
            m.body.at_user_list = users.iter().map(|u| u.to_string()).collect();
            m
        };
        let all = tim_proto::conversation::AT_ALL;
        cs.message("me", &at(1, "bob", &["me"]));
        cs.message("me", &at(2, "bob", &[all]));
        cs.message("me", &at(3, "bob", &["me", all]));
        cs.message("me", &at(4, "bob", &["carol"]));
        cs.message("me", &at(5, "me", &[all]));
        let list = to_value(cs.list()).unwrap();
        assert_eq!(
            list[0]["groupAtInfoList"],
            json!([
                {"groupID": "g1", "messageSequence": 1, "atTypeArray": [1]},
                {"groupID": "g1", "messageSequence": 2, "atTypeArray": [2]},
                {"groupID": "g1", "messageSequence": 3, "atTypeArray": [3]},
            ])
        );
        assert_eq!(list[0]["unreadCount"], 4);
    }

    #[test]
    fn revocations_and_peer_reads_show_on_the_last_message() {
        let mut cs = List::default();
        let mine = msg(3, "me", "bob", 10);
        cs.message("me", &mine);
        assert!(!cs.list()[0].last_message.as_ref().unwrap().is_peer_read);
        cs.peer_read(&bob_id(), 3);
        assert!(cs.list()[0].last_message.as_ref().unwrap().is_peer_read);
        cs.changed(
            "me",
            &Message {
                revoker: "me".into(),
                ..mine
            },
        );
        let last = cs.list()[0].last_message.clone().unwrap();
        assert!(last.is_revoked);
        assert_eq!(last.revoker, "me");
        let mut gone = cs.get(&bob_id()).unwrap().clone();
        gone.deleted = true;
        cs.replace(gone);
        assert!(cs.list().is_empty());
    }
}
