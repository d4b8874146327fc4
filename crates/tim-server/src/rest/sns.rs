//! REST `sns/*`: an app back end's friend list writes in Tencent's shape, through the
//! relation ops acting for the user (so every side's lists and events are the SDK's).
//! `friend_import` adds one way without asking and whatever the blacklists say; `friend_add`
//! follows the target's allowType unless `ForceAddFlags` is 1.

use super::{existing, read, Refused};
use crate::ops::{relations, Ctx};
use crate::session::Caller;
use crate::store::Store;
use crate::Shared;
use serde::Deserialize;
use serde_json::{json, Value};
use tim_proto::codes::FRIEND_ACCOUNT_NOT_FOUND;
use tim_proto::relation::{AddFriend, ADD_TYPE_BOTH, ADD_TYPE_SINGLE, DELETE_TYPE_BOTH};
use tim_proto::Json;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Item {
    #[serde(rename = "To_Account")]
    to: String,
    #[serde(default)]
    remark: String,
    #[serde(default)]
    group_name: String,
    add_source: String,
    #[serde(default)]
    add_wording: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Add {
    #[serde(rename = "From_Account")]
    from: String,
    add_friend_item: Vec<Item>,
    add_type: Option<String>,
    #[serde(default)]
    force_add_flags: u8,
}

/// One `{To_Account, ResultCode, ResultInfo}` per item, and the IDs that failed in
/// `Fail_Account` (30539, waiting for the target's confirmation, is not a failure).
pub async fn friend_add<S: Store>(
    shared: &Shared<S>,
    app: u64,
    body: &str,
    import: bool,
) -> Refused {
    let add: Add = read(body)?;
    existing(shared, app, &add.from, FRIEND_ACCOUNT_NOT_FOUND).await?;
    let kind = match (import, add.add_type) {
        (true, _) => ADD_TYPE_SINGLE.to_owned(),
        (false, kind) => kind.unwrap_or_else(|| ADD_TYPE_BOTH.to_owned()),
    };
    let force = import || add.force_add_flags == 1;
    let caller = Caller::administrator_for(app, &add.from);
    let ctx = Ctx {
        shared,
        caller: &caller,
    };
    let mut results = Vec::with_capacity(add.add_friend_item.len());
    let mut failed = Vec::new();
    for item in add.add_friend_item {
        let r = AddFriend {
            to: item.to.clone(),
            source: item.add_source,
            wording: item.add_wording,
            kind: kind.clone(),
            remark: item.remark,
            group_name: item.group_name,
        };
        let outcome = match force {
            true => relations::import_friend(&ctx, r).await,
            false => relations::add_friend(&ctx, Json::of(&r)).await,
        };
        let (code, info) = match outcome {
            Ok(answer) => {
                let v: Value = serde_json::from_str(&answer.0).unwrap_or_default();
                (v["code"].as_u64().unwrap_or(0) as u32, String::new())
            }
            Err(f) => (f.0, f.1),
        };
        if code != 0 && code != tim_proto::codes::FRIEND_PENDING {
            failed.push(item.to.clone());
        }
        results.push(json!({"To_Account": item.to, "ResultCode": code, "ResultInfo": info}));
    }
    Ok(json!({"ResultItem": results, "Fail_Account": failed}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Delete {
    #[serde(rename = "From_Account")]
    from: String,
    #[serde(rename = "To_Account")]
    to: Vec<String>,
    delete_type: Option<String>,
}

/// As deleteFriend: `ResultItem` per user (2700 for those who were not friends).
pub async fn friend_delete<S: Store>(shared: &Shared<S>, app: u64, body: &str) -> Refused {
    let d: Delete = read(body)?;
    existing(shared, app, &d.from, FRIEND_ACCOUNT_NOT_FOUND).await?;
    let caller = Caller::administrator_for(app, &d.from);
    let ctx = Ctx {
        shared,
        caller: &caller,
    };
    let kind = d.delete_type.unwrap_or_else(|| DELETE_TYPE_BOTH.to_owned());
    let params = json!({"userIDList": d.to, "type": kind});
    let answer = relations::delete_friend(&ctx, Json::of(&params))
        .await
        .map_err(|f| (f.0, f.1))?;
    let v: Value = serde_json::from_str(&answer.0).unwrap_or_default();
    let mut results = Vec::new();
    let mut failed = Vec::new();
    for ok in v["successUserIDList"].as_array().into_iter().flatten() {
        results.push(json!({"To_Account": ok["userID"], "ResultCode": 0, "ResultInfo": ""}));
    }
    for f in v["failureUserIDList"].as_array().into_iter().flatten() {
        failed.push(f["userID"].clone());
        results.push(json!({"To_Account": f["userID"], "ResultCode": f["code"],
            "ResultInfo": f["message"]}));
    }
    Ok(json!({"ResultItem": results, "Fail_Account": failed}))
}
