//! Friend applications: an application is a row on both sides (ComeIn at the target, SendOut
//! at the requester). getFriendApplicationList, acceptFriendApplication,
//! refuseFriendApplication, deleteFriendApplication, setFriendApplicationRead.

use super::friends::friend_data;
use super::*;
use crate::ops::profiles::params;
use tim_proto::codes::{FRIEND_APPLICATION_NOT_EXIST, FRIEND_COUNT_LIMIT, PEER_FRIEND_COUNT_LIMIT};
use tim_proto::relation::*;
use tim_proto::Json;

/// `{friendApplicationList, unreadCount}`, newest first; unreadCount counts received
/// applications not yet read.
pub async fn get_friend_application_list<S: Store>(
    ctx: &Ctx<'_, S>,
    _: Json,
) -> Result<Json, Failure> {
    let me = me(ctx);
    let come_in = rows(ctx, me, Kind::ComeIn).await?;
    let send_out = rows(ctx, me, Kind::SendOut).await?;
    let ids = come_in
        .iter()
        .chain(&send_out)
        .map(|r| r.other.clone())
        .collect();
    let profiles = profiles(ctx, ids).await?;
    let mut unread = 0;
    let mut list: Vec<(u64, Value)> = Vec::with_capacity(come_in.len() + send_out.len());
    for (rows, kind) in [(&come_in, PENDENCY_COME_IN), (&send_out, PENDENCY_SEND_OUT)] {
        for r in rows.iter() {
            let d = fields(Some(r));
            if kind == PENDENCY_COME_IN && d.get("read") != Some(&json!(true)) {
                unread += 1;
            }
            let profile = profiles.get(&r.other);
            let item = json!({
                "userID": r.other,
                "avatar": profile.map_or("", |p| &p.avatar),
                "nick": profile.map_or("", |p| &p.nick),
                "time": r.time,
                "source": text(&d, "source"),
                "wording": text(&d, "wording"),
                "type": kind,
            });
            list.push((r.time, item));
        }
    }
    list.sort_by_key(|item| std::cmp::Reverse(item.0));
    let list: Vec<Value> = list.into_iter().map(|(_, v)| v).collect();
    Ok(Json::of(
        &json!({"friendApplicationList": list, "unreadCount": unread}),
    ))
}

/// The rows of the application `from` sent `to`: (ComeIn at `to`, SendOut at `from`).
fn application_keys(from: &str, to: &str) -> [Key; 2] {
    [
        Key::new(to, Kind::ComeIn, from),
        Key::new(from, Kind::SendOut, to),
    ]
}

/// `Response_Action_Agree`: the caller joins the requester's friend list (one way);
/// `Response_Action_AgreeAndAdd`: the requester joins the caller's too.
pub async fn accept_friend_application<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: AcceptApplication = params(&data)?;
    if r.kind != AGREE && r.kind != AGREE_AND_ADD {
        return invalid(format!("type must be {AGREE} or {AGREE_AND_ADD}"));
    }
    bounded("remark", &r.remark, MAX_REMARK)?;
    let (me, from) = (me(ctx), r.user_id.as_str());
    decided!(ctx, {
        let [come_in, send_out] = application_keys(from, me);
        let [back_in, back_out] = application_keys(me, from);
        let keys = [
            come_in,
            send_out,
            back_in,
            back_out,
            Key::new(from, Kind::Friend, me),
            Key::new(me, Kind::Friend, from),
        ];
        let found = at(ctx, &keys).await?;
        let Some(application) = &found[0] else {
            return fail(
                FRIEND_APPLICATION_NOT_EXIST,
                format!("no application from {from:?}"),
            );
        };
        let mut plan = Plan::default();
        for (key, row) in keys.iter().zip(&found) {
            plan.expect(key.clone(), row.as_ref());
        }
        let asked = fields(Some(application));
        let sent = fields(found[1].as_ref());
        let (source, wording) = (text(&asked, "source"), text(&asked, "wording"));
        if found[4].is_none() {
            room_for_friend(ctx, from, PEER_FRIEND_COUNT_LIMIT).await?;
            let friend = friend_data(text(&sent, "remark"), source, wording);
            plan.put(keys[4].clone(), friend, List::Friends);
            let group = text(&sent, "groupName");
            if !group.is_empty() {
                let mut groups = rows(ctx, from, Kind::FriendGroup).await?;
                groups::join(&mut plan, from, &mut groups, group, me);
            }
        }
        let both = r.kind == AGREE_AND_ADD;
        if both && found[5].is_none() {
            room_for_friend(ctx, me, FRIEND_COUNT_LIMIT).await?;
        }
        if both && found[5].is_none() {
            plan.put(
                keys[5].clone(),
                friend_data(&r.remark, source, ""),
                List::Friends,
            );
        }
        // The application, and the caller's own to the requester once both are friends.
        let done = if both || found[5].is_some() { 4 } else { 2 };
        plan.drop_present(keys.iter().zip(&found).take(done), List::FriendApplications);
        (plan, ())
    })?;
    Ok(Json::of(&json!({"userID": from})))
}

/// Drops the application on both sides.
pub async fn refuse_friend_application<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: OneUser = params(&data)?;
    let (me, from) = (me(ctx), r.user_id.as_str());
    decided!(ctx, {
        let keys = application_keys(from, me);
        let found = at(ctx, &keys).await?;
        if found[0].is_none() {
            return fail(
                FRIEND_APPLICATION_NOT_EXIST,
                format!("no application from {from:?}"),
            );
        }
        let mut plan = Plan::default();
        for (key, row) in keys.iter().zip(&found) {
            plan.expect(key.clone(), row.as_ref());
        }
        plan.drop_present(keys.iter().zip(&found), List::FriendApplications);
        (plan, ())
    })?;
    Ok(Json::of(&json!({"userID": from})))
}

/// Drops the caller's side only (a received one by default, or one sent).
pub async fn delete_friend_application<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: DeleteApplication = params(&data)?;
    let kind = match r.kind.as_str() {
        PENDENCY_COME_IN => Kind::ComeIn,
        PENDENCY_SEND_OUT => Kind::SendOut,
        _ => {
            return invalid(format!(
                "type must be {PENDENCY_COME_IN} or {PENDENCY_SEND_OUT}"
            ))
        }
    };
    let key = Key::new(me(ctx), kind, &r.user_id);
    decided!(ctx, {
        let found = at(ctx, std::slice::from_ref(&key)).await?.remove(0);
        if found.is_none() {
            return fail(
                FRIEND_APPLICATION_NOT_EXIST,
                format!("no application of {:?}", r.user_id),
            );
        }
        let mut plan = Plan::default();
        plan.expect(key.clone(), found.as_ref());
        plan.delete(key.clone(), List::FriendApplications);
        (plan, ())
    })?;
    Ok(Json::of(
        &json!({"userID": r.user_id, "code": 0, "message": ""}),
    ))
}

/// Every received application read: unreadCount 0.
pub async fn set_friend_application_read<S: Store>(
    ctx: &Ctx<'_, S>,
    _: Json,
) -> Result<Json, Failure> {
    let me = me(ctx);
    decided!(ctx, {
        let mut plan = Plan::default();
        for row in rows(ctx, me, Kind::ComeIn).await? {
            let mut d = fields(Some(&row));
            if d.get("read") != Some(&json!(true)) {
                let key = Key::new(me, Kind::ComeIn, &row.other);
                plan.expect(key.clone(), Some(&row));
                d.insert("read".into(), json!(true));
                plan.put(key, Value::Object(d).to_string(), List::FriendApplications);
            }
        }
        (plan, ())
    })?;
    Ok(Json::of(&json!({})))
}
