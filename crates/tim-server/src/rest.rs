//! The server REST API for app back ends, modelled on Tencent's
//! (`POST /v4/{service}/{command}?sdkappid=&identifier=&usersig=&random=&contenttype=json`): the
//! caller is the app's administrator identifier with a UserSig for it. Answers are
//! `{"ActionStatus":"OK"|"FAIL","ErrorCode":0|code,"ErrorInfo":"..."}`.

use crate::session::valid_user_id;
use crate::store::{ProfilePatch, Store};
use crate::{now_secs, usersig, Shared};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tim_proto::{codes, KICK_REST_API};

mod group;
mod profile;
mod sns;

/// The JSON body could not be read.
const BAD_JSON: u32 = 60003;
/// The query string lacks a parameter, or the path is unknown.
const BAD_REQUEST: u32 = 60002;

/// A command's result fields (an object, or null), or why it failed.
type Refused = Result<Value, (u32, String)>;

/// The request body as `T`.
fn read<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, (u32, String)> {
    serde_json::from_str(body).map_err(|e| (BAD_JSON, format!("request body: {e}")))
}

/// `user` is an existing account of `app` (else `missing`, the service's code for it).
async fn existing<S: Store>(
    shared: &Shared<S>,
    app: u64,
    user: &str,
    missing: u32,
) -> Result<(), (u32, String)> {
    let found = shared
        .store
        .profiles(app, vec![user.to_owned()])
        .await
        .map_err(|e| (codes::INTERNAL_ERROR, e.to_string()))?;
    match found.is_empty() {
        true => Err((missing, format!("no account {user:?}"))),
        false => Ok(()),
    }
}

/// The answer: the status fields, and those of the command's result (an object, or null).
fn answer(result: Result<Value, (u32, String)>) -> Json<Value> {
    Json(match result {
        Ok(fields) => {
            let mut out = json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""});
            if let (Value::Object(out), Value::Object(fields)) = (&mut out, fields) {
                out.extend(fields);
            }
            out
        }
        Err((code, info)) => json!({"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": info}),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserBody {
    #[serde(rename = "UserID", alias = "Identifier")]
    user_id: String,
    /// account_import: the profile's nick and avatar.
    nick: Option<String>,
    face_url: Option<String>,
}

/// `POST /v4/:service/:command`.
pub async fn handle<S: Store>(
    State(shared): State<Arc<Shared<S>>>,
    Path((service, command)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    body: String,
) -> Json<Value> {
    answer(run(&shared, &service, &command, &query, &body).await)
}

async fn run<S: Store>(
    shared: &Shared<S>,
    service: &str,
    command: &str,
    query: &HashMap<String, String>,
    body: &str,
) -> Refused {
    let param = |name: &str| {
        query
            .get(name)
            .ok_or_else(|| (BAD_REQUEST, format!("missing query parameter {name}")))
    };
    let sdkappid: u64 = param("sdkappid")?
        .parse()
        .map_err(|_| (BAD_REQUEST, "sdkappid must be a number".to_owned()))?;
    let app = shared.cfg.apps.get(&sdkappid).ok_or((
        codes::SDKAPPID_NOT_FOUND,
        format!("SDKAppID {sdkappid} is not configured on this server"),
    ))?;
    let identifier = param("identifier")?;
    usersig::verify(
        param("usersig")?,
        app.sdkappid,
        &app.key,
        identifier,
        now_secs(),
    )
    .map_err(|e| (e.code(), e.to_string()))?;
    if *identifier != app.admin {
        return Err((
            codes::ADMIN_REQUIRED,
            "this API needs the app administrator's identifier".into(),
        ));
    }
    let user = |body: &str| -> Result<UserBody, (u32, String)> {
        let b: UserBody =
            serde_json::from_str(body).map_err(|e| (BAD_JSON, format!("request body: {e}")))?;
        if valid_user_id(&b.user_id) {
            Ok(b)
        } else {
            Err((codes::INVALID_PARAMETER, "UserID must be 1-32 bytes".into()))
        }
    };
    let internal = |e: crate::store::StoreError| (codes::INTERNAL_ERROR, e.to_string());
    match (service, command) {
        ("im_open_login_svc", "account_import") => {
            let b = user(body)?;
            let store = &shared.store;
            store
                .login_user(app.sdkappid, &b.user_id)
                .await
                .map_err(internal)?;
            let mut profile = ProfilePatch::new();
            let fields = [("nick", b.nick), ("avatar", b.face_url)];
            for (key, value) in fields {
                if let Some(value) = value.filter(|v| v.len() <= 500) {
                    profile.insert(key.into(), value.into());
                }
            }
            if !profile.is_empty() {
                store
                    .update_profile(app.sdkappid, &b.user_id, profile)
                    .await
                    .map_err(internal)?;
            }
            Ok(Value::Null)
        }
        ("im_open_login_svc", "kick") => {
            let user = user(body)?.user_id;
            shared
                .sessions
                .kick_all(app.sdkappid, &user, KICK_REST_API)
                .await;
            Ok(Value::Null)
        }
        ("profile", "portrait_set") => profile::portrait_set(shared, app.sdkappid, body).await,
        ("profile", "portrait_get") => profile::portrait_get(shared, app.sdkappid, body).await,
        ("sns", "friend_import") => sns::friend_add(shared, app.sdkappid, body, true).await,
        ("sns", "friend_add") => sns::friend_add(shared, app.sdkappid, body, false).await,
        ("sns", "friend_delete") => sns::friend_delete(shared, app.sdkappid, body).await,
        ("group_open_http_svc", "create_group") => {
            group::create_group(shared, app.sdkappid, identifier, body).await
        }
        ("group_open_http_svc", "add_group_member") => {
            group::add_group_member(shared, app.sdkappid, body).await
        }
        ("group_open_http_svc", "delete_group_member") => {
            group::delete_group_member(shared, app.sdkappid, body).await
        }
        ("group_open_http_svc", "destroy_group") => {
            group::destroy_group(shared, app.sdkappid, body).await
        }
        ("group_open_http_svc", "send_group_msg") => {
            group::send_group_msg(shared, app.sdkappid, identifier, body).await
        }
        ("group_open_http_svc", "send_group_system_notification") => {
            group::send_group_system_notification(shared, app.sdkappid, identifier, body).await
        }
        ("group_open_http_svc", "get_group_info") => {
            group::get_group_info(shared, app.sdkappid, body).await
        }
        _ => Err((BAD_REQUEST, format!("unknown API {service}/{command}"))),
    }
}
