//! The identifiers the domains share: conversation kinds and conversationIDs.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConversationType {
    #[default]
    C2C,
    #[serde(rename = "GROUP")]
    Group,
    /// A group system notice's: the official `@TIM#SYSTEM` conversation (server-made only).
    #[serde(rename = "@TIM#SYSTEM")]
    System,
}

/// The official conversationID, parsed: `C2C<userID>`, `GROUP<groupID>` or `@TIM#SYSTEM`. This
/// is the one place the string form is read and written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConversationId {
    C2C(String),
    Group(String),
    System,
}

const C2C_PREFIX: &str = "C2C";
const GROUP_PREFIX: &str = "GROUP";
const SYSTEM_ID: &str = "@TIM#SYSTEM";

impl ConversationId {
    /// `None` for anything but the three official forms (an empty userID or groupID included).
    pub fn parse(id: &str) -> Option<ConversationId> {
        if id == SYSTEM_ID {
            return Some(ConversationId::System);
        }
        let (kind, rest): (fn(String) -> ConversationId, _) =
            if let Some(peer) = id.strip_prefix(C2C_PREFIX) {
                (ConversationId::C2C, peer)
            } else {
                (ConversationId::Group, id.strip_prefix(GROUP_PREFIX)?)
            };
        (!rest.is_empty()).then(|| kind(rest.to_owned()))
    }

    /// The official string form (written without the formatting machinery, for the wasm file).
    pub fn to_id_string(&self) -> String {
        let (prefix, rest) = match self {
            ConversationId::C2C(peer) => (C2C_PREFIX, peer.as_str()),
            ConversationId::Group(group) => (GROUP_PREFIX, group.as_str()),
            ConversationId::System => (SYSTEM_ID, ""),
        };
        let mut id = String::with_capacity(prefix.len() + rest.len());
        id.push_str(prefix);
        id.push_str(rest);
        id
    }

    /// The peer of a C2C conversation.
    pub fn c2c_peer(&self) -> Option<&str> {
        match self {
            ConversationId::C2C(peer) => Some(peer),
            _ => None,
        }
    }

    /// The official `type` of the conversation: `C2C`, `GROUP` or `@TIM#SYSTEM`.
    pub fn type_name(&self) -> &'static str {
        match self {
            ConversationId::C2C(_) => C2C_PREFIX,
            ConversationId::Group(_) => GROUP_PREFIX,
            ConversationId::System => SYSTEM_ID,
        }
    }
}

impl Serialize for ConversationId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_id_string())
    }
}

impl<'de> Deserialize<'de> for ConversationId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        ConversationId::parse(&id)
            .ok_or_else(|| serde::de::Error::custom(format!("unsupported conversationID {id:?}")))
    }
}
