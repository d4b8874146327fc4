//! The command line and the HTTP side: --dev sig minting, --static files, --config, and the
//! `usersig` subcommand.

mod common;
use common::*;
use serde_json::Value;
use std::process::Command;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A plain HTTP/1.1 GET; returns (status, body).
async fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    let status = raw[9..12].parse().unwrap();
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn dev_mode_mints_sigs_that_log_in_and_serves_static_files() {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    std::fs::create_dir(&www).unwrap();
    std::fs::write(www.join("index.html"), "<h1>demo</h1>").unwrap();
    let server = Server::start(
        &dir.path().join("tim.db"),
        &["--dev", "--static", www.to_str().unwrap()],
    );
    assert_eq!(get(&server.addr, "/healthz").await, (200, "ok".into()));
    let (status, body) = get(&server.addr, "/index.html").await;
    assert_eq!((status, body.as_str()), (200, "<h1>demo</h1>"));
    assert_eq!(get(&server.addr, "/missing.js").await.0, 404);

    let (status, body) = get(&server.addr, "/dev/usersig?userID=dora").await;
    assert_eq!(status, 200, "{body}");
    let minted: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(minted["SDKAppID"], 1_400_000_000u64);
    assert_eq!(minted["userID"], "dora");
    let mut c = server.connect().await;
    let r = c
        .login_as(1_400_000_000, "dora", minted["userSig"].as_str().unwrap())
        .await;
    assert_eq!(r["type"], "ok", "{r}");
    assert_eq!(get(&server.addr, "/dev/usersig?userID=").await.0, 400);
}

#[tokio::test]
async fn without_dev_there_is_no_sig_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    assert_eq!(get(&server.addr, "/dev/usersig?userID=dora").await.0, 404);
    let mut c = server.connect().await;
    let dev_sig = tim_server::usersig::generate(
        1_400_000_000,
        tim_server::config::DEV_SECRET_KEY,
        "dora",
        60,
        now(),
    );
    assert_eq!(
        c.login_as(1_400_000_000, "dora", &dev_sig).await["code"],
        70020
    );
}

#[tokio::test]
async fn the_usersig_command_prints_a_sig_the_server_accepts() {
    let out = Command::new(env!("CARGO_BIN_EXE_tim-server"))
        .args([
            "usersig",
            "--sdkappid",
            &APP.to_string(),
            "--key",
            KEY,
            "--user",
            "eve",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let sig = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut c = server.connect().await;
    assert_eq!(c.login_as(APP, "eve", &sig).await["type"], "ok");
}

#[tokio::test]
async fn a_config_file_sets_apps_and_web_instances() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tim.toml");
    std::fs::write(
        &cfg,
        "idle_timeout = 60\n[[app]]\nsdkappid = 77\nkey = \"k77\"\nweb_instances = 2\n",
    )
    .unwrap();
    let server = Server::start(
        &dir.path().join("tim.db"),
        &["--config", cfg.to_str().unwrap()],
    );
    let sig77 = |u: &str| tim_server::usersig::generate(77, "k77", u, 60, now());
    let mut a1 = server.connect().await;
    let mut a2 = server.connect().await;
    assert_eq!(a1.login_as(77, "amy", &sig77("amy")).await["type"], "ok");
    assert_eq!(a2.login_as(77, "amy", &sig77("amy")).await["type"], "ok");
    assert_eq!(a1.hello["idleTimeoutMs"], 60_000);
    a1.heartbeat_ok().await; // two web instances allowed: nobody kicked
}

#[test]
fn bad_settings_exit_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_tim-server"))
        .args(["serve", "--addr", "127.0.0.1:0", "--app", "notanumber:key"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SDKAppID must be a number"));
}
