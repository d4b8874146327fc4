//! Group messages: sending (members only, not while muted), history pages, and `syncGroups`,
//! which gives a client what it missed of its groups after its per-group cursors. A message is
//! stored once in its group's sequence and pushed to the members online (`store/groups.rs`).

use super::conversations::View;
use super::{joined_key, member_key, parse, profile_key, MemberRow, Profile};
use crate::bus::{Push, Target};
use crate::failure::{fail, Failure};
use crate::now_secs;
use crate::ops::{fit, Ctx};
use crate::store::{HistoryRange, Kind, NewGroupMessage, NewMessage, Store};
use std::collections::HashMap;
use tim_proto::codes::{GROUP_MEMBER_MUTED, GROUP_NOT_FOUND, GROUP_PERMISSION_DENY};
use tim_proto::group::{self as g, SyncGroups, SyncGroupsOk};
use tim_proto::{Message, SendMessage, SendMessageOk, MAX_SYNC_LIMIT};

/// The most cursors one `syncGroups` takes (past what a frame carries anyway).
const MAX_CURSORS: usize = 10_000;

/// What a send needs of group `id`: its profile, the members to push to, and the sender's
/// name card.
struct Audience {
    profile: Profile,
    members: Vec<String>,
    name_card: String,
}

/// Who sends a group message.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sender {
    /// The caller, who must be a member and not muted.
    Member,
    /// The app's administrator (the REST API), who need be neither.
    App,
}

/// The group `id`, in which the caller may speak as `sender`: a member (10007 otherwise), not
/// muted (10017). Read without parsing or ordering every member's row: a send only needs their
/// IDs.
async fn speakable<S: Store>(
    ctx: &Ctx<'_, S>,
    id: &str,
    sender: Sender,
) -> Result<Audience, Failure> {
    let (store, app, user) = (&ctx.shared.store, ctx.caller.app, &ctx.caller.user);
    let keys = vec![profile_key(id), member_key(id, user)];
    let [profile, me] = <[_; 2]>::try_from(store.relations_at(app, keys).await?)
        .map_err(|_| Failure(tim_proto::codes::INTERNAL_ERROR, "rows missing".into()))?;
    let Some(profile) = profile else {
        return fail(GROUP_NOT_FOUND, format!("no group {id:?}"));
    };
    let profile: Profile = parse(&profile.data);
    let row: Option<MemberRow> = me.map(|me| parse(&me.data));
    if sender == Sender::Member {
        let Some(me) = &row else {
            return fail(GROUP_PERMISSION_DENY, format!("not a member of {id:?}"));
        };
        if me.mute_until > now_secs() {
            return fail(GROUP_MEMBER_MUTED, "you are muted in this group");
        }
        if profile.mute_all_members && me.role == g::MEMBER {
            return fail(GROUP_MEMBER_MUTED, "every ordinary member is muted");
        }
    }
    let rows = store.relations(app, id, Kind::Member).await?;
    let members = rows.into_iter().map(|m| m.other).collect();
    let name_card = row.map(|m| m.name_card).unwrap_or_default();
    Ok(Audience {
        profile,
        members,
        name_card,
    })
}

/// sendMessage to a `GROUP` conversation (`to` is the groupID), checked as for C2C, from the
/// caller as `sender`.
pub(crate) async fn send<S: Store>(
    ctx: &Ctx<'_, S>,
    s: SendMessage,
    sender: Sender,
) -> Result<SendMessageOk, Failure> {
    let Audience {
        profile,
        members,
        name_card,
    } = speakable(ctx, &s.to, sender).await?;
    let Ctx { shared, caller } = ctx;
    if s.online_only {
        let message = crate::ops::messages::online_message(ctx, s);
        let (app, except) = (caller.app, caller.session);
        for user in &members {
            let target = Target::Others { app, user, except };
            shared.bus.publish(target, Push::Online(message.clone()));
        }
        return Ok(SendMessageOk { message });
    }
    let mut body = s.body;
    body.excluded_from_unread |= !super::Rules::of(&profile.kind).unread;
    let message = NewMessage {
        app: caller.app,
        from: caller.user.clone(),
        to: s.to,
        client_msg_id: s.client_msg_id,
        random: s.random,
        body,
        quota_bytes: shared.cfg.limits.user_quota_bytes,
        name_card,
    };
    let new = NewGroupMessage {
        message,
        members: members.into(),
        from_member: sender == Sender::Member,
    };
    let message = shared.store.send_group(new).await?;
    Ok(SendMessageOk { message })
}

/// getHistory of a `GROUP` conversation: for members (10007 otherwise).
pub(crate) async fn history<S: Store>(
    ctx: &Ctx<'_, S>,
    group: &str,
    range: HistoryRange,
    count: u32,
) -> Result<(Vec<Message>, bool), Failure> {
    let Ctx { shared, caller } = ctx;
    let keys = vec![
        member_key(group, &caller.user),
        joined_key(&caller.user, group),
    ];
    let rows = shared.store.relations_at(caller.app, keys).await?;
    let (Some(_), Some(joined)) = (&rows[0], &rows[1]) else {
        return fail(GROUP_PERMISSION_DENY, format!("not a member of {group:?}"));
    };
    // What the member cleared, deleted, or (by the group's type) joined after is not shown.
    let view: View = parse(&joined.data);
    let page = shared.store.group_history(
        caller.app,
        (&caller.user, group, view.cleared_seq),
        range,
        count,
    );
    Ok(page.await?)
}

/// syncGroups: the messages of the caller's groups after each cursor, and where the groups
/// the cursors do not name stand.
pub(crate) async fn sync_groups<S: Store>(
    ctx: &Ctx<'_, S>,
    r: SyncGroups,
) -> Result<SyncGroupsOk, Failure> {
    if r.cursors.len() > MAX_CURSORS {
        return fail(
            tim_proto::codes::INVALID_REQUEST,
            format!("over {MAX_CURSORS} cursors"),
        );
    }
    let Ctx { shared, caller } = ctx;
    let store = &shared.store;
    let limit = r.limit.clamp(1, MAX_SYNC_LIMIT) as usize;
    let cursors: HashMap<&str, u64> = r.cursors.iter().map(|(g, s)| (g.as_str(), *s)).collect();
    let mut answer = SyncGroupsOk {
        complete: true,
        ..SyncGroupsOk::default()
    };
    for (group, last) in standing(store, caller.app, &caller.user).await? {
        let Some(&after) = cursors.get(group.as_str()) else {
            answer.groups.push((group, last));
            continue;
        };
        if last <= after {
            continue;
        }
        let room = limit - answer.messages.len();
        if last - after > room as u64 {
            answer.complete = false;
        }
        if room > 0 {
            let found = store.group_after(caller.app, &group, after, room as u32);
            answer.messages.extend(found.await?);
        }
    }
    fit(&mut answer.messages, &mut answer.complete);
    Ok(answer)
}

/// `user`'s groups and the last sequence of each now.
pub(crate) async fn standing<S: Store>(
    store: &S,
    app: u64,
    user: &str,
) -> Result<Vec<(String, u64)>, Failure> {
    let joined: Vec<String> = (store.relations(app, user, Kind::Joined).await?)
        .into_iter()
        .map(|j| j.other)
        .collect();
    let seqs = store.group_seqs(app, joined.clone()).await?;
    Ok(joined.into_iter().zip(seqs).collect())
}
