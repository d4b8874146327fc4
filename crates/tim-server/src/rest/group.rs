//! REST `group_open_http_svc/*`: an app back end's group management in Tencent's shape —
//! `create_group`, `add_group_member`, `delete_group_member`, `destroy_group`, `get_group_info`,
//! `send_group_msg`, `send_group_system_notification` — through the group ops acting for the group's owner (so every member's lists and events
//! are the SDK's), except what only the app may do (dismissing a Work group, a group without an
//! owner), which writes the same plans directly.

use super::{existing, read, Refused};
use crate::ops::groups::messages::{send, Sender};
use crate::ops::messages::check_send;
use crate::ops::{groups, Ctx};
use crate::session::Caller;
use crate::store::Store;
use crate::Shared;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use tim_proto::codes::{GROUP_NOT_FOUND, INTERNAL_ERROR, INVALID_PARAMETER};
use tim_proto::group as g;
use tim_proto::{ConversationType, Element, Json, MessageBody, SendMessage};

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
    let answer = groups::create(&ctx, Json::of(&params), false)
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

/// One element of a REST `MsgBody`: `{"MsgType": "TIMTextElem", "MsgContent": {...}}`.
#[derive(Deserialize)]
struct MsgElement {
    #[serde(rename = "MsgType")]
    kind: String,
    #[serde(rename = "MsgContent", default)]
    content: Value,
}

/// The elements of a REST `MsgBody` in Tencent's field names (text, custom, face, location).
fn elements(body: &[MsgElement]) -> Result<Vec<Element>, (u32, String)> {
    body.iter()
        .map(|e| {
            let c = &e.content;
            let text = |key: &str| c[key].as_str().unwrap_or_default().to_owned();
            Ok(match e.kind.as_str() {
                "TIMTextElem" => Element::Text { text: text("Text") },
                "TIMCustomElem" => Element::Custom {
                    data: text("Data"),
                    description: text("Desc"),
                    extension: text("Ext"),
                },
                "TIMFaceElem" => Element::Face {
                    index: c["Index"].as_i64().unwrap_or_default(),
                    data: text("Data"),
                },
                "TIMLocationElem" => Element::Location {
                    description: text("Desc"),
                    latitude: c["Latitude"].as_f64().unwrap_or_default(),
                    longitude: c["Longitude"].as_f64().unwrap_or_default(),
                },
                other => {
                    return Err((
                        INVALID_PARAMETER,
                        format!("MsgType {other:?} is not sent here"),
                    ))
                }
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct SendBody {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "From_Account")]
    from: Option<String>,
    #[serde(rename = "Random", default)]
    random: u32,
    #[serde(rename = "MsgBody")]
    body: Vec<MsgElement>,
    #[serde(rename = "CloudCustomData", default)]
    cloud_custom_data: String,
    /// 1: only to the members online now, not stored.
    #[serde(rename = "OnlineOnlyFlag", default)]
    online_only: u8,
}

/// send_group_msg: a message to the group from `From_Account` (a member, as the SDK's
/// sendMessage) or, without it, from the app's administrator (`admin`); members online get it
/// at once, as any group message. Answers `MsgTime` and `MsgSeq`.
pub async fn send_group_msg<S: Store>(
    shared: &Shared<S>,
    app: u64,
    admin: &str,
    body: &str,
) -> Refused {
    let b: SendBody = read(body)?;
    let (caller, sender) = match &b.from {
        Some(from) => {
            existing(shared, app, from, INVALID_PARAMETER).await?;
            (Caller::administrator_for(app, from), Sender::Member)
        }
        None => {
            // The administrator sends as an account of its own, which may never have logged in.
            let store = &shared.store;
            let made = store.login_user(app, admin).await;
            made.map_err(|e| (INTERNAL_ERROR, e.to_string()))?;
            (Caller::administrator_for(app, admin), Sender::App)
        }
    };
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let s = SendMessage {
        conversation_type: ConversationType::Group,
        to: b.group_id,
        client_msg_id: format!("rest-{}-{n}-{}", crate::now_secs(), b.random),
        random: b.random,
        body: MessageBody {
            elements: elements(&b.body)?,
            cloud_custom_data: b.cloud_custom_data,
            ..MessageBody::default()
        },
        online_only: b.online_only == 1,
    };
    check_send(&s).map_err(refused)?;
    let ctx = Ctx {
        shared,
        caller: &caller,
    };
    let sent = send(&ctx, s, sender).await.map_err(refused)?;
    Ok(json!({"MsgTime": sent.message.time, "MsgSeq": sent.message.sequence}))
}

#[derive(Deserialize)]
struct NoticeBody {
    #[serde(rename = "GroupId")]
    group_id: String,
    #[serde(rename = "ToMembers_Account", default)]
    to: Vec<String>,
    #[serde(rename = "Content")]
    content: String,
}

/// send_group_system_notification: a custom notice (operationType 255, `Content` in its
/// `userDefinedField`) from the administrator to `ToMembers_Account`, or to every member.
pub async fn send_group_system_notification<S: Store>(
    shared: &Shared<S>,
    app: u64,
    admin: &str,
    body: &str,
) -> Refused {
    let b: NoticeBody = read(body)?;
    let caller = Caller::administrator_for(app, admin);
    let ctx = Ctx {
        shared,
        caller: &caller,
    };
    let sent = groups::notices::custom(&ctx, &b.group_id, &b.to, &b.content);
    sent.await.map_err(refused)?;
    Ok(Value::Null)
}

/// Makes the clientMsgIDs of REST sends unique within this process (the time tells processes
/// apart).
static COUNTER: AtomicU64 = AtomicU64::new(0);
