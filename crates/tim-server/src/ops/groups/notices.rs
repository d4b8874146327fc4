//! Group system notices (TIMGroupSystemNoticeElem in the `@TIM#SYSTEM` conversation): what a
//! group op means for one user (a join request to its managers, the answer to the applicant,
//! a removal, a dismissal, an invitation, a role), with the official operationType numbers and
//! payload fields. Each is a `notice` item in its recipient's inbox, written with the op's plan
//! (so it comes exactly once, in order, to every session of the recipient and to one that
//! resumes), in no conversation list and no history.

use super::{existing, invalid};
use crate::failure::Failure;
use crate::now_secs;
use crate::ops::relations::decided;
use crate::ops::Ctx;
use crate::store::rules::online_message_id;
use crate::store::{Plan, Store};
use serde_json::{json, Value};
use tim_proto::{ConversationType, Element, InboxEvent, Json, Message, MessageBody};

/// The official operationType numbers (TIMGroupSystemNoticeElem).
pub(crate) const JOIN_REQUEST: u32 = 1;
pub(crate) const ACCEPTED: u32 = 2;
pub(crate) const REFUSED: u32 = 3;
pub(crate) const KICKED: u32 = 4;
pub(crate) const DISMISSED: u32 = 5;
pub(crate) const INVITED: u32 = 7;
pub(crate) const SET_ADMIN: u32 = 9;
pub(crate) const CANCELED_ADMIN: u32 = 10;
/// A notice the app's back end sends (REST), its text in `userDefinedField`.
pub(crate) const CUSTOM: u32 = 255;

/// The sender of every notice: the system conversation.
const SYSTEM: &str = "@TIM#SYSTEM";

/// A notice for some users about one group.
pub(crate) struct Notice<'a> {
    /// The group's ID and name.
    pub group: (&'a str, &'a str),
    pub operation: u32,
    /// More payload fields (`handleMessage`, `userDefinedField`).
    pub more: Value,
}

/// Adds to `plan`: `notice`, by the caller, in the inbox of each of `to`.
pub(crate) fn notify<S: Store>(
    ctx: &Ctx<'_, S>,
    plan: &mut Plan,
    notice: &Notice<'_>,
    to: &[String],
) -> Result<(), Failure> {
    let me = &ctx.caller.user;
    let (id, name) = notice.group;
    let time = now_secs();
    for user in to {
        let (_, random) = super::tips::ids()?;
        let mut payload = json!({
            "operationType": notice.operation, "operatorID": me,
            "groupProfile": {"from": me, "to": user, "groupID": id, "name": name},
            "handleMessage": "", "userDefinedField": "", "authentication": "", "messageKey": time,
        });
        if let (Value::Object(p), Value::Object(more)) = (&mut payload, &notice.more) {
            p.extend(more.clone());
        }
        let message_id = online_message_id(time, random);
        let message = Message {
            id: message_id.clone(),
            conversation_type: ConversationType::System,
            from: SYSTEM.into(),
            to: user.clone(),
            time,
            random,
            client_msg_id: message_id,
            body: MessageBody {
                elements: vec![Element::GroupNotice(Json::of(&payload))],
                excluded_from_unread: true,
                excluded_from_last_message: true,
                ..MessageBody::default()
            },
            ..Message::default()
        };
        plan.item(user, InboxEvent::Notice { message });
    }
    Ok(())
}

/// The longest text of a custom notice (`userDefinedField`), in bytes.
pub(crate) const MAX_CUSTOM: usize = 1024;

/// A custom notice (255) from the caller with `text` to the members of `group` among `to`, or
/// to every member when `to` is empty; who is no member gets none. The group must exist
/// (10010), the text fit [`MAX_CUSTOM`] (10004).
pub(crate) async fn custom<S: Store>(
    ctx: &Ctx<'_, S>,
    group: &str,
    to: &[String],
    text: &str,
) -> Result<(), Failure> {
    if text.len() > MAX_CUSTOM {
        return invalid(format!("the notice is longer than {MAX_CUSTOM} bytes"));
    }
    decided!(ctx, {
        let group = existing(ctx, group).await?;
        let mut members = group.ids();
        if !to.is_empty() {
            members.retain(|m| to.contains(m));
        }
        let notice = Notice {
            group: (&group.id, &group.profile.name),
            operation: CUSTOM,
            more: json!({ "userDefinedField": text }),
        };
        let mut plan = Plan::default();
        notify(ctx, &mut plan, &notice, &members)?;
        (plan, ())
    })
}
