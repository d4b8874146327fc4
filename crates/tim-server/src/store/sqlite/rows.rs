//! Reading rows back into protocol types. Each SELECT list is declared once with [`columns!`],
//! which also names every column's offset in it, so row readers never count columns by hand.

use super::super::rules::MessageIds;
use rusqlite::{params, Connection, OptionalExtension, Result, Row};
use std::cell::Cell;
use tim_proto::{Conversation, ConversationId, Message, MessageBody};

pub(super) use crate::store::sql::{
    at_users_column, control_bits, conv_type_code, conversation, conversation_type, message,
    CONTROL_NOT_LAST, CONTROL_NOT_UNREAD,
};

pub(super) fn json_column<T: serde::de::DeserializeOwned>(r: &Row<'_>, i: usize) -> Result<T> {
    let text: String = r.get(i)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

thread_local! {
    /// The message IDs of the database this thread is working on: set for the writer's thread
    /// once, and around each read ([`with_ids`]), so that every row reader makes IDs with the
    /// right key without passing it through every query.
    static IDS: Cell<Option<MessageIds>> = const { Cell::new(None) };
}

/// Run `f` with `ids` as this thread's message IDs (the previous ones back afterwards).
pub(super) fn with_ids<T>(ids: MessageIds, f: impl FnOnce() -> T) -> T {
    let before = IDS.replace(Some(ids));
    let out = f();
    IDS.set(before);
    out
}

/// This thread's message IDs (see [`with_ids`]).
pub(super) fn ids() -> MessageIds {
    IDS.get()
        .expect("store code runs inside with_ids (the writer's thread or a read)")
}

/// The [`message::LIST`] columns of a row, starting at column `o`.
pub(super) fn message_at(r: &Row<'_>, o: usize) -> Result<Message> {
    use message as c;
    let rowid: i64 = r.get(o + c::id)?;
    let time = r.get::<_, i64>(o + c::time)? as u64;
    let random: u32 = r.get(o + c::random)?;
    let control: i64 = r.get(o + c::control)?;
    let at_users: String = r.get(o + c::at_users)?;
    Ok(Message {
        id: ids().id(rowid, time, random),
        conversation_type: conversation_type(r.get(o + c::conv_type)?),
        sequence: r.get::<_, i64>(o + c::seq)? as u64,
        from: r.get(o + c::sender)?,
        to: r.get(o + c::receiver)?,
        client_msg_id: r.get(o + c::client_msg_id)?,
        random,
        time,
        body: MessageBody {
            elements: json_column(r, o + c::elements)?,
            cloud_custom_data: r.get(o + c::cloud_custom_data)?,
            need_read_receipt: r.get(o + c::need_receipt)?,
            excluded_from_unread: control & CONTROL_NOT_UNREAD != 0,
            excluded_from_last_message: control & CONTROL_NOT_LAST != 0,
            at_user_list: at_users.lines().map(str::to_owned).collect(),
        },
        revoker: r.get(o + c::revoker)?,
        modifier: r.get(o + c::modifier)?,
        version: r.get::<_, i64>(o + c::version)? as u64,
        nick: r.get(o + c::nick)?,
        avatar: r.get(o + c::avatar)?,
        name_card: r.get(o + c::name_card)?,
    })
}

pub(super) fn message_row(r: &Row<'_>) -> Result<Message> {
    message_at(r, 0)
}

/// A user's conversation from the [`conversation::LIST`] columns at the start of a row, and
/// the row number of its last message (loaded separately, or from columns that follow).
pub(super) fn conversation_row(r: &Row<'_>) -> Result<(Conversation, Option<i64>)> {
    use conversation as c;
    let conversation = Conversation {
        id: ConversationId::C2C(r.get(c::peer)?),
        unread_count: r.get(c::unread)?,
        peer_read_seq: r.get::<_, i64>(c::peer_read_seq)? as u64,
        is_pinned: r.get::<_, i64>(c::pinned)? != 0,
        mark: r.get(c::mark)?,
        custom_data: r.get(c::custom_data)?,
        deleted: r.get::<_, i64>(c::deleted)? != 0,
        updated: r.get::<_, i64>(c::updated)? as u64,
        last_message: None,
        peer_nick: String::new(),
        peer_avatar: String::new(),
        group_at_info_list: Vec::new(),
    };
    Ok((conversation, r.get(c::last_msg)?))
}

/// The message at row `rowid` of `app`.
pub(super) fn load_message(
    conn: &Connection,
    app: u64,
    rowid: i64,
) -> crate::store::StoreResult<Option<Message>> {
    let sql = format!(
        "SELECT {} FROM messages m WHERE m.app = ?1 AND m.id = ?2",
        message::LIST
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![app as i64, rowid], message_row)
        .optional()?)
}
