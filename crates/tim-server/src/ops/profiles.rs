//! Profiles: getMyProfile, getUserProfile, updateMyProfile (stateless ops: their data is the
//! official parameters and result). updateMyProfile's checks are the official SDK's, with its
//! codes, and custom fields must be registered for the app.

use super::Ctx;
use crate::failure::{fail, Failure};
use crate::store::{ProfilePatch, Store};
use serde_json::Value;
use tim_proto::codes::{
    INVALID_REQUEST, PROFILE_CUSTOM_FIELD_UNKNOWN, UPDATE_PROFILE_INVALID_PARAM,
    UPDATE_PROFILE_NO_KEY,
};
use tim_proto::profile::*;
use tim_proto::Json;

/// The request's parameters as `T`, or 20001 saying why not.
pub(super) fn params<T: serde::de::DeserializeOwned>(data: &Json) -> Result<T, Failure> {
    serde_json::from_str(&data.0).or_else(|e| fail(INVALID_REQUEST, format!("parameters: {e}")))
}

pub async fn get_my_profile<S: Store>(ctx: &Ctx<'_, S>, _: Json) -> Result<Json, Failure> {
    let me = vec![ctx.caller.user.clone()];
    let profile = ctx.shared.store.profiles(ctx.caller.app, me).await?;
    Ok(Json::of(&profile.into_iter().next().unwrap_or_default()))
}

/// Unknown users are left out, as the official; a userID asked twice is answered once; past
/// [`MAX_PROFILES`] IDs are dropped.
pub async fn get_user_profile<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let r: GetUserProfile = params(&data)?;
    let mut users: Vec<String> = Vec::with_capacity(r.user_id_list.len().min(MAX_PROFILES));
    for user in r.user_id_list.into_iter().take(MAX_PROFILES) {
        if !users.contains(&user) {
            users.push(user);
        }
    }
    let app = ctx.caller.app;
    Ok(Json::of(&ctx.shared.store.profiles(app, users).await?))
}

pub async fn update_my_profile<S: Store>(ctx: &Ctx<'_, S>, data: Json) -> Result<Json, Failure> {
    let registered = ctx
        .shared
        .cfg
        .apps
        .get(&ctx.caller.app)
        .map_or(&[][..], |a| &a.profile_custom_fields[..]);
    let patch = check_update(&data, registered)?;
    let (app, me) = (ctx.caller.app, &ctx.caller.user);
    Ok(Json::of(
        &ctx.shared.store.update_profile(app, me, patch).await?,
    ))
}

fn invalid<T>(why: impl Into<String>) -> Result<T, Failure> {
    fail(UPDATE_PROFILE_INVALID_PARAM, why)
}

/// updateMyProfile's parameters, checked as the official SDK checks them (2721, 2722), with the
/// byte limits its documentation gives; custom fields must be among `registered` (40009).
fn check_update(data: &Json, registered: &[String]) -> Result<ProfilePatch, Failure> {
    let Ok(options) = serde_json::from_str::<ProfilePatch>(&data.0) else {
        return invalid("updateMyProfile takes an object of profile fields");
    };
    if options.is_empty() {
        return fail(UPDATE_PROFILE_NO_KEY, "no profile field to update");
    }
    for (key, value) in &options {
        let text = |limit: usize| match value.as_str() {
            Some(s) if s.len() <= limit => Ok(()),
            Some(_) => invalid(format!("{key} is longer than {limit} bytes")),
            None => invalid(format!("{key} must be a string")),
        };
        let one_of = |allowed: &[&str]| match value.as_str() {
            Some(s) if allowed.contains(&s) => Ok(()),
            _ => invalid(format!("{key} must be one of {allowed:?}")),
        };
        let number = || match value.as_u64() {
            Some(_) => Ok(()),
            None => invalid(format!("{key} must be a non-negative integer")),
        };
        match key.as_str() {
            "nick" | "selfSignature" | "avatar" => text(500)?,
            "location" => text(16)?,
            "gender" => one_of(&[GENDER_UNKNOWN, GENDER_FEMALE, GENDER_MALE])?,
            "allowType" => one_of(&[ALLOW_ANY, NEED_CONFIRM, DENY_ANY])?,
            "adminForbidType" => one_of(&[ADMIN_FORBID_NONE, ADMIN_FORBID_SEND_OUT])?,
            "birthday" | "language" | "level" | "role" => number()?,
            "messageSettings" => match value.as_u64() {
                Some(0 | 1) => {}
                _ => return invalid("messageSettings must be 0 or 1"),
            },
            "profileCustomField" => check_custom(value, registered)?,
            _ => return invalid(format!("{key:?} is not a profile field")),
        }
    }
    Ok(options)
}

/// `[{key, value}]` with keys `Tag_Profile_Custom_…` the app registered and string values.
fn check_custom(value: &Value, registered: &[String]) -> Result<(), Failure> {
    let Some(items) = value.as_array() else {
        return invalid("profileCustomField must be an array of {key, value}");
    };
    for item in items {
        let (Some(key), Some(value)) = (item["key"].as_str(), item["value"].as_str()) else {
            return invalid("each profileCustomField item needs a string key and a string value");
        };
        if !key.contains("Tag_Profile_Custom") {
            return invalid(format!("{key:?} is not a custom profile field"));
        }
        if !registered.iter().any(|r| r == key) {
            return fail(
                PROFILE_CUSTOM_FIELD_UNKNOWN,
                format!("the custom profile field {key:?} is not registered for this app"),
            );
        }
        if value.len() > 500 {
            return invalid(format!("{key} is longer than 500 bytes"));
        }
    }
    Ok(())
}
