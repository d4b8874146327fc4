//! REST `group_open_http_svc/*`: an app back end's group management in Tencent's shape —
//! `create_group`, `add_group_member`, `delete_group_member`, `destroy_group`, `get_group_info`
//! — through the group ops acting for the group's owner (so every member's lists and events
//! are the SDK's), except what only the app may do (dismissing a Work group, a group without an
//! owner), which writes the same plans directly.

use super::{existing, read, Refused};
use crate::ops::{groups, Ctx};
use crate::session::Caller;
use crate::store::Store;
use crate::Shared;
use serde::Deserialize;
use serde_json::{json, Value};
use tim_proto::codes::{GROUP_NOT_FOUND, INVALID_PARAMETER};
use tim_proto::group as g;
use tim_proto::Json;

/// The REST type names: the SDK's, and `Work` for `Private`.
fn sdk_type(kind: &str) -> &str {
    match kind {
        "Work" => g::WORK,
        other => other,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NewMember {
    #[serde(rename = "Member_Account")]
    account: String,
    role: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Create {
    #[serde(rename = "Owner_Account")]
    owner: Option<String>,
    #[serde(rename = "Type")]
    kind: String,
    #[serde(rename = "GroupId", default)]
    group_id: String,
    name: String,
    #[serde(default)]
    introduction: String,
    #[serde(default)]
    notification: String,
    #[serde(rename = "FaceUrl", default)]
    face_url: String,
    max_member_count: Option<u64>,
    apply_join_option: Option<String>,
    #[serde(default)]
    member_list: Vec<NewMember>,
}

/// The ops' failure as the REST error.
fn refused(f: crate::failure::Failure) -> (u32, String) {
    (f.0, f.1)
}

/// createGroup for `Owner_Account` (the administrator's identifier when absent): `{GroupId}`.
pub async fn create_group<S: Store>(
    shared: &Shared<S>,
    app: u64,
    identifier: &str,
    body: &str,
) -> Refused {
    let c: Create = read(body)?;
    let owner = c.owner.unwrap_or_else(|| identifier.to_owned());
    existing(shared, app, &owner, INVALID_PARAMETER).await?;
    let caller = Caller::administrator_for(app, &owner);
    let ctx = Ctx {
        shared,
        caller: &caller,
    };
    let members: Vec<Value> = c
        .member_list
        .iter()
        .map(|m| json!({"userID": m.account, "role": m.role}))
        .collect();
    let params = json!({
        "name": c.name, "type": sdk_type(&c.kind), "groupID": c.group_id,
        "introduction": c.introduction, "notification": c.notification, "avatar": c.face_url,
        "maxMemberNum": c.max_member_count, "joinOption": c.apply_join_option,
        "memberList": members,
    });
    let answer = groups::create_group(&ctx, Json::of(&params))
        .await
        .map_err(refused)?;
    let v: Value = serde_json::from_str(&answer.0).unwrap_or_default();
    Ok(json!({ "GroupId": v["group"]["groupID"] }))
}

/// The group `id` and who acts for the app in it: its owner, or (a Work group whose owner
/// left) its first member.
async fn acting<S: Store>(shared: &Shared<S>, app: u64, id: &str) -> Result<Caller, (u32, String)> {
    let anyone = Caller::administrator_for(app, "");
    let ctx = Ctx {
        shared,
        caller: &anyone,
    };
    let group = groups::read(&ctx, id).await.map_err(refused)?;
    let Some(group) = group else {
        return Err((GROUP_NOT_FOUND, format!("no group {id:?}")));
    };
    let owner = match group.profile.owner_id.is_empty() {
        false => group.profile.owner_id.clone(),
        true => group.ids().into_iter().next().unwrap_or_default(),
    };
    Ok(Caller::administrator_for(app, &owner))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Member {
    #[serde(rename = "Member_Account")]
    account: String,
}

#[derive(Deserialize)]
struct AddMembers {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MemberList")]
    member_list: Vec<Member>,
}

/// addGroupMember as the owner: `MemberList` with each `Result` (0 failed, 1 added, 2 already a
/// member).
pub async fn add_group_member<S: Store>(shared: &Shared<S>, app: u64, body: &str) -> Refused {
    let a: AddMembers = read(body)?;
    let caller = acting(shared, app, &a.group_id).await?;
    let ctx = Ctx {
        shared,
        caller: &caller,
    };
    let users: Vec<String> = a.member_list.into_iter().map(|m| m.account).collect();
    let params = json!({"groupID": a.group_id, "userIDList": users});
    let answer = groups::add_group_member(&ctx, Json::of(&params))
        .await
        .map_err(refused)?;
    let v: Value = serde_json::from_str(&answer.0).unwrap_or_default();
    let result_of = |user: &str| {
        let has = |field: &str| {
            v[field]
                .as_array()
                .is_some_and(|l| l.iter().any(|u| u == user))
        };
        match (has("successUserIDList"), has("existedUserIDList")) {
            (true, _) => 1,
            (_, true) => 2,
            _ => 0,
        }
    };
    let list: Vec<Value> = users
        .iter()
        .map(|u| json!({"Member_Account": u, "Result": result_of(u)}))
        .collect();
    Ok(json!({ "MemberList": list }))
}

#[derive(Deserialize)]
struct DeleteMembers {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "MemberToDel_Account")]
    members: Vec<String>,
}

/// deleteGroupMember as the owner.
pub async fn delete_group_member<S: Store>(shared: &Shared<S>, app: u64, body: &str) -> Refused {
    let d: DeleteMembers = read(body)?;
    let caller = acting(shared, app, &d.group_id).await?;
    let ctx = Ctx {
        shared,
        caller: &caller,
    };
    let params = json!({"groupID": d.group_id, "userIDList": d.members});
    groups::delete_group_member(&ctx, Json::of(&params))
        .await
        .map_err(refused)?;
    Ok(Value::Null)
}

#[derive(Deserialize)]
struct GroupBody {
    #[serde(rename = "GroupId")]
    group_id: String,
}

/// Dismisses any group, a Work group too (only the app may).
pub async fn destroy_group<S: Store>(shared: &Shared<S>, app: u64, body: &str) -> Refused {
    let b: GroupBody = read(body)?;
    let caller = acting(shared, app, &b.group_id).await?;
    let ctx = Ctx {
        shared,
        caller: &caller,
    };
    groups::destroy(&ctx, &b.group_id).await.map_err(refused)?;
    Ok(Value::Null)
}

#[derive(Deserialize)]
struct InfoBody {
    #[serde(rename = "GroupIdList")]
    group_ids: Vec<String>,
}

/// `GroupInfo`: per group its profile and members in Tencent's field names, or its
/// `ErrorCode` (10010 for none).
pub async fn get_group_info<S: Store>(shared: &Shared<S>, app: u64, body: &str) -> Refused {
    let b: InfoBody = read(body)?;
    let anyone = Caller::administrator_for(app, "");
    let ctx = Ctx {
        shared,
        caller: &anyone,
    };
    let mut infos = Vec::with_capacity(b.group_ids.len());
    for id in b.group_ids {
        let Some(group) = groups::read(&ctx, &id).await.map_err(refused)? else {
            infos.push(
                json!({"GroupId": id, "ErrorCode": GROUP_NOT_FOUND, "ErrorInfo": "no such group"}),
            );
            continue;
        };
        let p = &group.profile;
        let members: Vec<Value> = group
            .members
            .iter()
            .map(|m| {
                let row: groups::MemberRow = groups::parse(&m.data);
                json!({"Member_Account": m.other, "Role": row.role, "JoinTime": row.join_time,
                    "NameCard": row.name_card, "ShutUpUntil": row.mute_until})
            })
            .collect();
        infos.push(json!({
            "GroupId": id, "ErrorCode": 0, "ErrorInfo": "", "Type": p.kind, "Name": p.name,
            "Introduction": p.introduction, "Notification": p.notification, "FaceUrl": p.avatar,
            "Owner_Account": p.owner_id, "CreateTime": p.create_time,
            "InfoSeq": p.info_sequence, "LastInfoTime": p.last_info_time,
            "MemberNum": group.members.len(), "MaxMemberNum": p.max_member_count,
            "ApplyJoinOption": p.join_option,
            "ShutUpAllMember": if p.mute_all_members { "On" } else { "Off" },
            "MemberList": members,
        }));
    }
    Ok(json!({ "GroupInfo": infos }))
}
