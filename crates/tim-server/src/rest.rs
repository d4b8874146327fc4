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

/// The JSON body could not be read.
const BAD_JSON: u32 = 60003;
/// The query string lacks a parameter, or the path is unknown.
const BAD_REQUEST: u32 = 60002;

fn answer(result: Result<(), (u32, String)>) -> Json<Value> {
    Json(match result {
        Ok(()) => json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}),
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
) -> Result<(), (u32, String)> {
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
            Ok(())
        }
        ("im_open_login_svc", "kick") => {
            let user = user(body)?.user_id;
            shared
                .sessions
                .kick_all(app.sdkappid, &user, KICK_REST_API)
                .await;
            Ok(())
        }
        _ => Err((BAD_REQUEST, format!("unknown API {service}/{command}"))),
    }
}
