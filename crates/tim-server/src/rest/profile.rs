//! REST `profile/*`: an app back end's writes and reads of its users' profiles in Tencent's
//! shape (`ProfileItem: [{Tag, Value}]`), through the profile ops acting for the user, so the
//! checks, codes and PROFILE_UPDATED pushes are the SDK's.

use super::{existing, read, Refused};
use crate::ops::{profiles, Ctx};
use crate::session::Caller;
use crate::store::Store;
use crate::Shared;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tim_proto::profile::CUSTOM_PREFIX;
use tim_proto::Json;

/// Each standard tag and the official Profile field it is.
const TAGS: [(&str, &str); 12] = [
    ("Tag_Profile_IM_Nick", "nick"),
    ("Tag_Profile_IM_Gender", "gender"),
    ("Tag_Profile_IM_BirthDay", "birthday"),
    ("Tag_Profile_IM_Location", "location"),
    ("Tag_Profile_IM_SelfSignature", "selfSignature"),
    ("Tag_Profile_IM_AllowType", "allowType"),
    ("Tag_Profile_IM_Language", "language"),
    ("Tag_Profile_IM_Image", "avatar"),
    ("Tag_Profile_IM_MsgSettings", "messageSettings"),
    ("Tag_Profile_IM_AdminForbidType", "adminForbidType"),
    ("Tag_Profile_IM_Level", "level"),
    ("Tag_Profile_IM_Role", "role"),
];

/// Invalid parameters (Tencent's 40001), and a user that does not exist (40003).
const INVALID: u32 = 40001;
const NO_ACCOUNT: u32 = 40003;

fn field(tag: &str) -> Option<&'static str> {
    TAGS.iter().find(|(t, _)| *t == tag).map(|(_, f)| *f)
}

#[derive(Deserialize)]
struct Item {
    #[serde(rename = "Tag")]
    tag: String,
    #[serde(rename = "Value")]
    value: Value,
}

#[derive(Deserialize)]
struct Set {
    #[serde(rename = "From_Account")]
    from: String,
    #[serde(rename = "ProfileItem")]
    items: Vec<Item>,
}

/// `{From_Account, ProfileItem}`: as the user's own updateMyProfile.
pub async fn portrait_set<S: Store>(shared: &Shared<S>, app: u64, body: &str) -> Refused {
    let set: Set = read(body)?;
    existing(shared, app, &set.from, NO_ACCOUNT).await?;
    let mut patch = Map::new();
    let mut custom = Vec::new();
    for item in set.items {
        match field(&item.tag) {
            Some(name) => {
                patch.insert(name.into(), item.value);
            }
            None if item.tag.starts_with(CUSTOM_PREFIX) => {
                custom.push(json!({"key": item.tag, "value": item.value}));
            }
            None => return Err((INVALID, format!("unknown tag {:?}", item.tag))),
        }
    }
    if !custom.is_empty() {
        patch.insert("profileCustomField".into(), Value::Array(custom));
    }
    let caller = Caller::administrator_for(app, &set.from);
    let ctx = Ctx {
        shared,
        caller: &caller,
    };
    profiles::update_my_profile(&ctx, Json::of(&patch))
        .await
        .map_err(|f| (f.0, f.1))?;
    Ok(Value::Null)
}

#[derive(Deserialize)]
struct Get {
    #[serde(rename = "To_Account")]
    to: Vec<String>,
    #[serde(rename = "TagList")]
    tags: Vec<String>,
}

/// `{To_Account, TagList}` → `UserProfileItem: [{To_Account, ProfileItem, ResultCode,
/// ResultInfo}]`, unknown users with 40003, and their IDs in `Fail_Account`.
pub async fn portrait_get<S: Store>(shared: &Shared<S>, app: u64, body: &str) -> Refused {
    let get: Get = read(body)?;
    if get.to.is_empty() || get.to.len() > 100 {
        return Err((INVALID, "To_Account must hold 1 to 100 users".into()));
    }
    let found = shared
        .store
        .profiles(app, get.to.clone())
        .await
        .map_err(|e| (tim_proto::codes::INTERNAL_ERROR, e.to_string()))?;
    let mut items = Vec::with_capacity(get.to.len());
    let mut failed = Vec::new();
    for user in &get.to {
        let Some(profile) = found.iter().find(|p| &p.user_id == user) else {
            failed.push(user.clone());
            items.push(
                json!({"To_Account": user, "ProfileItem": [], "ResultCode": NO_ACCOUNT,
                "ResultInfo": "no such account"}),
            );
            continue;
        };
        let fields = serde_json::to_value(profile).unwrap_or_default();
        let tags: Vec<Value> = get
            .tags
            .iter()
            .filter_map(|tag| {
                let value = match field(tag) {
                    Some(name) => fields.get(name).cloned(),
                    None => profile
                        .profile_custom_field
                        .iter()
                        .find(|f| &f.key == tag)
                        .map(|f| Value::String(f.value.clone())),
                };
                value.map(|value| json!({"Tag": tag, "Value": value}))
            })
            .collect();
        items.push(
            json!({"To_Account": user, "ProfileItem": tags, "ResultCode": 0,
            "ResultInfo": ""}),
        );
    }
    Ok(json!({"UserProfileItem": items, "Fail_Account": failed}))
}
