//! Group attributes and counters through real WebSockets: 50 clients incrementing one counter
//! at once end at the exact sum, and every member online hears each change.

mod common;
use common::*;
use futures_util::future::join_all;
use serde_json::{json, Value};

/// The next `groupEvent` push of `event`, skipping other pushes.
async fn event(c: &mut Client, event: &str) -> Value {
    loop {
        let p = c.next_push().await;
        if p["type"] == "groupEvent" && p["event"] == event {
            return p["data"].clone();
        }
    }
}

#[tokio::test]
async fn fifty_clients_incrementing_one_counter_end_at_the_exact_sum() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut owner = server.login("owner").await;
    let mut members = Vec::new();
    for i in 0..50 {
        members.push(server.login(&format!("m{i}")).await);
    }
    let list: Vec<Value> = (0..50)
        .map(|i| json!({"userID": format!("m{i}")}))
        .collect();
    let create = json!({"groupID": "live", "name": "live", "type": "Public", "memberList": list});
    ok(owner.call("createGroup", create).await);

    let adds = members.iter_mut().map(|c| {
        c.call(
            "increaseGroupCounter",
            json!({"groupID": "live", "key": "likes", "value": 2}),
        )
    });
    let mut sums: Vec<i64> = join_all(adds)
        .await
        .into_iter()
        .map(|r| ok(r)["counters"]["likes"].as_i64().unwrap())
        .collect();
    sums.sort_unstable();
    assert_eq!(
        sums,
        (1..=50).map(|i| i * 2).collect::<Vec<_>>(),
        "each its own total"
    );
    let all = ok(owner
        .call("getGroupCounters", json!({"groupID": "live"}))
        .await);
    assert_eq!(all["counters"], json!({"likes": 100}));
    // The owner heard all 50, the last one at the sum.
    let mut heard = Vec::new();
    for _ in 0..50 {
        heard.push(
            event(&mut owner, "counter").await["value"]
                .as_i64()
                .unwrap(),
        );
    }
    heard.sort_unstable();
    assert_eq!(heard.last(), Some(&100));

    let down = json!({"groupID": "live", "key": "likes", "value": 30});
    let r = ok(members[0].call("decreaseGroupCounter", down).await);
    assert_eq!(r["counters"], json!({"likes": 70}));
    let set = json!({"groupID": "live", "counters": {"likes": 5, "shares": 1}});
    ok(members[1].call("setGroupCounters", set).await);
    let got = ok(members[2]
        .call(
            "getGroupCounters",
            json!({"groupID": "live", "keyList": ["shares"]}),
        )
        .await);
    assert_eq!(got["counters"], json!({"shares": 1}));
    let bad = json!({"groupID": "live", "key": "likes", "value": 1.5});
    assert_eq!(
        code(&members[0].call("increaseGroupCounter", bad).await),
        10004
    );
}

#[tokio::test]
async fn attributes_follow_the_official_rules_and_every_member_hears_each_change() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut ann = server.login("ann").await;
    let mut ben = server.login("ben").await;
    let mut cid = server.login("cid").await;
    let create = json!({"groupID": "room", "name": "room", "type": "Public", "memberList": [{"userID": "ben"}]});
    ok(ann.call("createGroup", create).await);

    let init = json!({"groupID": "room", "groupAttributes": {"seat1": "ann", "seat2": "ben"}});
    let r = ok(ann.call("initGroupAttributes", init).await);
    assert_eq!(
        r["groupAttributes"],
        json!({"seat1": "ann", "seat2": "ben"})
    );
    let heard = event(&mut ben, "attributes").await;
    assert_eq!(
        heard,
        json!({"groupID": "room", "groupAttributes": {"seat1": "ann", "seat2": "ben"},
               "updatedKeyList": ["seat1", "seat2"], "deletedKeyList": []})
    );
    assert_eq!(
        event(&mut ann, "attributes").await,
        heard,
        "her own change too"
    );

    // set merges; init replaces; unchanged values tell nobody.
    let set = json!({"groupID": "room", "groupAttributes": {"seat2": "cid", "seat3": "x"}});
    ok(ben.call("setGroupAttributes", set).await);
    let heard = event(&mut ann, "attributes").await;
    assert_eq!(
        heard["groupAttributes"],
        json!({"seat1": "ann", "seat2": "cid", "seat3": "x"})
    );
    assert_eq!(heard["updatedKeyList"], json!(["seat2", "seat3"]));
    assert_eq!(event(&mut ben, "attributes").await, heard);
    let same = json!({"groupID": "room", "groupAttributes": {"seat1": "ann"}});
    ok(ben.call("setGroupAttributes", same).await);
    let deleted = ok(ann
        .call(
            "deleteGroupAttributes",
            json!({"groupID": "room", "keyList": ["seat3", "nope"]}),
        )
        .await);
    assert_eq!(deleted["keyList"], json!(["seat3"]));
    let heard = event(&mut ben, "attributes").await;
    assert_eq!(
        heard["deletedKeyList"],
        json!(["seat3"]),
        "the unchanged set was not heard"
    );
    let init = json!({"groupID": "room", "groupAttributes": {"seat9": "ben"}});
    ok(ann.call("initGroupAttributes", init).await);
    let got = ok(ben
        .call(
            "getGroupAttributes",
            json!({"groupID": "room", "keyList": []}),
        )
        .await);
    assert_eq!(got["groupAttributes"], json!({"seat9": "ben"}));

    // The official limits and codes.
    let not_string = json!({"groupID": "room", "groupAttributes": {"k": 1}});
    assert_eq!(
        code(&ann.call("setGroupAttributes", not_string).await),
        10004
    );
    let many: serde_json::Map<String, Value> =
        (0..17).map(|i| (format!("k{i}"), json!("v"))).collect();
    let too_many = json!({"groupID": "room", "groupAttributes": many});
    assert_eq!(code(&ann.call("setGroupAttributes", too_many).await), 10004);
    let long_key = json!({"groupID": "room", "groupAttributes": {"k".repeat(33): "v"}});
    assert_eq!(code(&ann.call("setGroupAttributes", long_key).await), 10004);
    let outsider = json!({"groupID": "room", "keyList": []});
    assert_eq!(code(&cid.call("getGroupAttributes", outsider).await), 2642);
    let nowhere = json!({"groupID": "nowhere", "keyList": []});
    assert_eq!(code(&cid.call("getGroupAttributes", nowhere).await), 10010);
    let got = ok(ben
        .call(
            "getGroupAttributes",
            json!({"groupID": "room", "keyList": []}),
        )
        .await);
    assert_eq!(
        got["groupAttributes"],
        json!({"seat9": "ben"}),
        "nothing refused was kept"
    );
}
