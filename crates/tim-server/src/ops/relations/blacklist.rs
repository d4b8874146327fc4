//! The blacklist: getBlacklist, addToBlacklist, removeFromBlacklist. Blocking a user also ends
//! the friendship both ways and drops the applications between the two; a blocked user's C2C
//! messages get 20007 (checked by the store in the send's transaction) and their friend
//! requests 30525.

use super::*;
use crate::ops::profiles::params;
use tim_proto::codes::CANNOT_ADD_SELF_TO_BLACKLIST;
use tim_proto::relation::{Users, MAX_USERS};
use tim_proto::Json;

/// The whole blacklist, oldest first.
async fn blacklist<S: Store>(ctx: &Ctx<'_, S>) -> Result<Json, Failure> {
    let black = rows(ctx, me(ctx), Kind::Black).await?;
    let ids: Vec<&str> = black.iter().map(|r| r.other.as_str()).collect();
    Ok(Json::of(&ids))
}

pub async fn get_blacklist<S: Store>(ctx: &Ctx<'_, S>, _: Json) -> Result<Json, Failure> {
    blacklist(ctx).await
}

/// Oneself is left out (alone: 2742), and so are users that do not exist.
pub async fn add_to_blacklist<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: Users = params(&data)?;
    let mut users = user_list(r.user_id_list, MAX_USERS)?;
    let me = me(ctx).to_owned();
    users.retain(|u| *u != me);
    if users.is_empty() {
        return fail(
            CANNOT_ADD_SELF_TO_BLACKLIST,
            "cannot add yourself to your blacklist",
        );
    }
    let known = profiles(ctx, users.clone()).await?;
    users.retain(|u| known.contains_key(u));
    let black = rows(ctx, &me, Kind::Black).await?;
    let new = users
        .iter()
        .filter(|u| !black.iter().any(|b| &b.other == *u))
        .count();
    let max = max_list(ctx);
    if black.len() + new > max {
        return invalid(format!("a blacklist holds at most {max} users"));
    }
    decided!(ctx, block(ctx, &me, &users).await?)?;
    blacklist(ctx).await
}

/// The plan of `me` blocking `users` (who exist).
async fn block<S: Store>(
    ctx: &Ctx<'_, S>,
    me: &str,
    users: &[String],
) -> Result<(Plan, ()), Failure> {
    let mut plan = Plan::default();
    let mut my_groups = rows(ctx, me, Kind::FriendGroup).await?;
    for user in users {
        let keys = [
            Key::new(me, Kind::Black, user),
            Key::new(me, Kind::Friend, user),
            Key::new(user, Kind::Friend, me),
            Key::new(me, Kind::ComeIn, user),
            Key::new(me, Kind::SendOut, user),
            Key::new(user, Kind::ComeIn, me),
            Key::new(user, Kind::SendOut, me),
        ];
        let found = at(ctx, &keys).await?;
        if found[0].is_none() {
            plan.expect(keys[0].clone(), None);
            plan.put(keys[0].clone(), "{}".into(), List::Blacklist);
        }
        if let Some(friend) = &found[1] {
            unfriend(&mut plan, me, user, friend, &mut my_groups);
        }
        if let Some(friend) = &found[2] {
            let mut their_groups = rows(ctx, user, Kind::FriendGroup).await?;
            unfriend(&mut plan, user, me, friend, &mut their_groups);
        }
        plan.drop_present(keys.iter().zip(&found).skip(3), List::FriendApplications);
    }
    Ok((plan, ()))
}

pub async fn remove_from_blacklist<S: Store>(
    ctx: &Ctx<'_, S>,
    data: Json,
) -> Result<Json, Failure> {
    let r: Users = params(&data)?;
    let users = user_list(r.user_id_list, MAX_USERS)?;
    let me = me(ctx);
    decided!(ctx, {
        let keys: Vec<Key> = users.iter().map(|u| Key::new(me, Kind::Black, u)).collect();
        let found = at(ctx, &keys).await?;
        let mut plan = Plan::default();
        plan.drop_present(keys.iter().zip(&found), List::Blacklist);
        (plan, ())
    })?;
    blacklist(ctx).await
}
