//! Reading rows back into protocol types, as the SQLite store's `rows.rs` does: each SELECT list
//! is declared once, with the offset of every column in it.

use super::{row, StoreResult};
use crate::store::rules::MessageIds;
use deadpool_postgres::Transaction;
use tim_proto::{Conversation, ConversationId, Message, MessageBody};
use tokio_postgres::Row;

pub(super) use crate::store::sql::{
    at_users_column, control_bits, conv_type_code, conversation, conversation_type, message,
    CONTROL_NOT_LAST, CONTROL_NOT_UNREAD,
};

pub(super) fn json<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(super::internal)
}

/// The [`message::LIST`] columns of a row, starting at column `o`.
pub(super) fn message_at(ids: MessageIds, r: &Row, o: usize) -> StoreResult<Message> {
    use message as c;
    let rowid: i64 = r.try_get(o + c::id)?;
    let time = r.try_get::<_, i64>(o + c::time)? as u64;
    let random = r.try_get::<_, i64>(o + c::random)? as u32;
    let control: i64 = r.try_get(o + c::control)?;
    let at_users: String = r.try_get(o + c::at_users)?;
    let elements: String = r.try_get(o + c::elements)?;
    Ok(Message {
        id: ids.id(rowid, time, random),
        conversation_type: conversation_type(r.try_get(o + c::conv_type)?),
        sequence: r.try_get::<_, i64>(o + c::seq)? as u64,
        from: r.try_get(o + c::sender)?,
        to: r.try_get(o + c::receiver)?,
        client_msg_id: r.try_get(o + c::client_msg_id)?,
        random,
        time,
        body: MessageBody {
            elements: json(&elements)?,
            cloud_custom_data: r.try_get(o + c::cloud_custom_data)?,
            need_read_receipt: r.try_get(o + c::need_receipt)?,
            excluded_from_unread: control & CONTROL_NOT_UNREAD != 0,
            excluded_from_last_message: control & CONTROL_NOT_LAST != 0,
            at_user_list: at_users.lines().map(str::to_owned).collect(),
        },
        revoker: r.try_get(o + c::revoker)?,
        modifier: r.try_get(o + c::modifier)?,
        version: r.try_get::<_, i64>(o + c::version)? as u64,
        nick: r.try_get(o + c::nick)?,
        avatar: r.try_get(o + c::avatar)?,
        name_card: r.try_get(o + c::name_card)?,
    })
}

/// A user's conversation from the [`conversation::LIST`] columns at the start of a row, and
/// the row number of its last message (loaded separately, or from columns that follow).
pub(super) fn conversation_row(r: &Row) -> StoreResult<(Conversation, Option<i64>)> {
    use conversation as c;
    let conversation = Conversation {
        id: ConversationId::C2C(r.try_get(c::peer)?),
        unread_count: r.try_get::<_, i64>(c::unread)? as u32,
        peer_read_seq: r.try_get::<_, i64>(c::peer_read_seq)? as u64,
        is_pinned: r.try_get::<_, i64>(c::pinned)? != 0,
        mark: r.try_get::<_, i64>(c::mark)? as u32,
        custom_data: r.try_get(c::custom_data)?,
        deleted: r.try_get::<_, i64>(c::deleted)? != 0,
        updated: r.try_get::<_, i64>(c::updated)? as u64,
        last_message: None,
        peer_nick: String::new(),
        peer_avatar: String::new(),
        group_at_info_list: Vec::new(),
    };
    Ok((conversation, r.try_get(c::last_msg)?))
}

/// The message at row `rowid` of `app`.
pub(super) async fn load_message(
    tx: &Transaction<'_>,
    ids: MessageIds,
    app: u64,
    rowid: i64,
) -> StoreResult<Option<Message>> {
    let sql = format!(
        "SELECT {} FROM messages m WHERE m.app = $1 AND m.id = $2",
        message::LIST
    );
    match row(tx, &sql, &[&(app as i64), &rowid]).await? {
        Some(r) => Ok(Some(message_at(ids, &r, 0)?)),
        None => Ok(None),
    }
}
