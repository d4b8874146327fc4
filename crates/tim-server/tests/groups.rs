//! Groups on the server, spoken over the protocol: createGroup of every type with the
//! official checks and codes, joinGroup by join option, applications, the member methods with
//! the per-type rights of owner, admin, member and non-member, paging, and the `changed` items
//! for the `groups` list that tell each member's sessions to fetch their group list.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

/// Whether a `changed` item for the groups list reaches `client` within a short while (other
/// pushes are skipped).
async fn groups_changed(client: &mut Client) -> bool {
    let mut seen = false;
    while let Ok(p) = tokio::time::timeout(Duration::from_millis(300), client.next_push()).await {
        seen |= p["kind"] == "changed" && p["list"] == "groups";
    }
    seen
}

fn ids(list: &Value, field: &str) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[field].as_str().unwrap().to_owned())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn create(client: &mut Client, id: &str, kind: &str, members: &[&str]) -> Value {
    let list: Vec<Value> = members.iter().map(|u| json!({"userID": u})).collect();
    let r = json!({"groupID": id, "name": id, "type": kind, "memberList": list});
    ok(client.call("createGroup", r).await)["group"].clone()
}

#[tokio::test]
async fn create_checks_its_input_and_tells_every_member() {
    let dir = tempfile::tempdir().unwrap();
    let fields = [
        "--group-custom-field",
        "level",
        "--member-custom-field",
        "seat",
    ];
    let server = Server::start(&dir.path().join("tim.db"), &fields);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;

    for (params, expected) in [
        (json!({"name": "x", "type": "Secret"}), 2600),
        (
            json!({"name": "x", "type": "Community", "groupID": "c1"}),
            2602,
        ),
        (
            json!({"name": "x", "type": "Public", "groupID": "@TGS#_p"}),
            2602,
        ),
        (
            json!({"name": "x", "type": "Public", "groupID": "@TGS#own"}),
            10015,
        ),
        (json!({"name": "x", "groupID": "has space"}), 10015),
        (
            json!({"name": "a name that is longer than thirty bytes"}),
            10004,
        ),
        (json!({"name": ""}), 10004),
        (
            json!({"name": "x", "groupCustomField": [{"key": "rank", "value": "1"}]}),
            10004,
        ),
        (
            json!({"name": "x", "memberList": [{"userID": "bob", "memberCustomField": [{"key": "level", "value": "1"}]}]}),
            10004,
        ),
    ] {
        assert_eq!(
            code(&alice.call("createGroup", params.clone()).await),
            expected,
            "{params}"
        );
    }

    // An automatic ID; the creator owns it; the members come with it; both are told.
    let r = ok(alice
        .call("createGroup", json!({"name": "team", "type": "Public", "memberList": [{"userID": "bob"}, {"userID": "nobody"}]}))
        .await);
    let group = &r["group"];
    let id = group["groupID"].as_str().unwrap().to_owned();
    assert!(id.starts_with("@TGS#") && !id.starts_with("@TGS#_"), "{id}");
    assert_eq!(group["ownerID"], "alice");
    assert_eq!(group["type"], "Public");
    assert_eq!(group["joinOption"], "NeedPermission", "Public's default");
    assert_eq!(group["memberCount"], 2, "bob, and no unknown user: {group}");
    assert_eq!(group["maxMemberCount"], 2000);
    assert_eq!(group["selfInfo"]["role"], "Owner");
    assert_eq!(r["overLimitUserIDList"], json!([]));
    assert!(groups_changed(&mut alice).await);
    assert!(groups_changed(&mut bob).await);
    let list = ok(bob.call("getGroupList", json!({})).await);
    assert_eq!(ids(&list["groupList"], "groupID"), set(&[&id]));
    assert_eq!(list["groupList"][0]["selfInfo"]["role"], "Member");

    // Custom fields the app declares.
    let r = ok(alice
        .call("createGroup", json!({"name": "f", "groupCustomField": [{"key": "level", "value": "3"}],
            "memberList": [{"userID": "bob", "memberCustomField": [{"key": "seat", "value": "A1"}]}]}))
        .await);
    assert_eq!(
        r["group"]["groupCustomField"],
        json!([{"key": "level", "value": "3"}])
    );
    let id = r["group"]["groupID"].clone();
    let m = ok(alice
        .call(
            "getGroupMemberProfile",
            json!({"groupID": id, "userIDList": ["bob"]}),
        )
        .await);
    assert_eq!(
        m["memberList"][0]["memberCustomField"],
        json!([{"key": "seat", "value": "A1"}])
    );
    let update = json!({"groupID": id, "groupCustomField": [{"key": "rank", "value": "1"}]});
    assert_eq!(code(&alice.call("updateGroupProfile", update).await), 10004);

    // The same ID again: 10025 for its owner, 10021 for anyone else.
    let again = json!({"name": "x", "groupID": "g1"});
    ok(alice.call("createGroup", again.clone()).await);
    assert_eq!(code(&alice.call("createGroup", again.clone()).await), 10025);
    assert_eq!(code(&bob.call("createGroup", again).await), 10021);

    // A Community's automatic ID has its own prefix; maxMemberNum is capped by the type's.
    let c = ok(alice
        .call(
            "createGroup",
            json!({"name": "c", "type": "Community", "maxMemberNum": 5}),
        )
        .await);
    assert!(c["group"]["groupID"]
        .as_str()
        .unwrap()
        .starts_with("@TGS#_"));
    assert_eq!(c["group"]["maxMemberCount"], 5);
    let w = ok(alice
        .call(
            "createGroup",
            json!({"name": "w", "maxMemberNum": 100000, "joinOption": "FreeAccess"}),
        )
        .await);
    assert_eq!(w["group"]["type"], "Private", "Work is the default type");
    assert_eq!(w["group"]["maxMemberCount"], 200);
    assert_eq!(w["group"]["joinOption"], "DisableApply", "fixed for Work");

    // A group with room for two: the third is over the limit.
    server.login("carol").await;
    let r = ok(alice
        .call("createGroup", json!({"name": "tiny", "maxMemberNum": 2, "memberList": [{"userID": "bob"}, {"userID": "carol"}]}))
        .await);
    assert_eq!(r["overLimitUserIDList"], json!(["carol"]));
    assert_eq!(r["group"]["memberCount"], 2);
}

#[tokio::test]
async fn join_follows_the_join_option_and_applications_are_handled() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let mut carol = server.login("carol").await;
    create(&mut alice, "work", "Private", &[]).await;
    create(&mut alice, "meet", "ChatRoom", &[]).await;
    create(&mut alice, "pub", "Public", &["carol"]).await;
    groups_changed(&mut carol).await;

    assert_eq!(
        code(&bob.call("joinGroup", json!({"groupID": "work"})).await),
        2601
    );
    assert_eq!(
        code(&bob.call("joinGroup", json!({"groupID": "nope"})).await),
        2660
    );
    let r = ok(bob.call("joinGroup", json!({"groupID": "meet"})).await);
    assert_eq!(r["status"], "JoinedSuccess");
    assert_eq!(r["group"]["memberCount"], 2);
    assert!(groups_changed(&mut bob).await);
    let r = ok(bob.call("joinGroup", json!({"groupID": "meet"})).await);
    assert_eq!(r["status"], "AlreadyInGroup");

    // NeedPermission: an application for the owner and admins, not for members.
    let r = ok(bob
        .call(
            "joinGroup",
            json!({"groupID": "pub", "applyMessage": "let me in"}),
        )
        .await);
    assert_eq!(r, json!({"status": "WaitAdminApproval"}));
    let list = ok(alice.call("getGroupApplicationList", json!({})).await);
    let application = list["applicationList"][0].clone();
    assert_eq!(application["applicant"], "bob", "{list}");
    assert_eq!(application["groupID"], "pub");
    assert_eq!(application["applyMessage"], "let me in");
    let none = ok(carol.call("getGroupApplicationList", json!({})).await);
    assert_eq!(none["applicationList"], json!([]));
    let handle = json!({"handleAction": "Agree", "application": application});
    assert_eq!(
        code(&carol.call("handleGroupApplication", handle.clone()).await),
        10007
    );
    let r = ok(alice.call("handleGroupApplication", handle.clone()).await);
    assert_eq!(r["group"]["memberCount"], 3);
    assert!(groups_changed(&mut bob).await);
    assert!(
        groups_changed(&mut carol).await,
        "members learn of the new one"
    );
    let list = ok(alice.call("getGroupApplicationList", json!({})).await);
    assert_eq!(list["applicationList"], json!([]), "handled once");
    assert_eq!(
        code(&alice.call("handleGroupApplication", handle).await),
        10004
    );

    // DisableApply: nobody gets in by asking.
    let change = json!({"groupID": "pub", "joinOption": "DisableApply"});
    ok(alice.call("updateGroupProfile", change).await);
    let mut dave = server.login("dave").await;
    assert_eq!(
        code(&dave.call("joinGroup", json!({"groupID": "pub"})).await),
        2660
    );

    // Rejected: no member, no application left.
    let change = json!({"groupID": "pub", "joinOption": "NeedPermission"});
    ok(alice.call("updateGroupProfile", change).await);
    ok(dave.call("joinGroup", json!({"groupID": "pub"})).await);
    let list = ok(alice.call("getGroupApplicationList", json!({})).await);
    let reject = json!({"handleAction": "Reject", "application": list["applicationList"][0]});
    ok(alice.call("handleGroupApplication", reject).await);
    let profile = ok(dave
        .call("getGroupProfile", json!({"groupID": "pub"}))
        .await);
    assert_eq!(profile["group"]["memberCount"], 3);
    assert_eq!(profile["group"]["selfInfo"], json!({}), "dave is not in it");
}

#[tokio::test]
async fn rights_follow_the_role_and_the_type() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &["--member-custom-field", "k"]);
    let mut owner = server.login("owner").await;
    let mut admin = server.login("admin").await;
    let mut member = server.login("member").await;
    let mut other = server.login("other").await;
    server.login("extra").await;
    create(&mut owner, "pub", "Public", &["admin", "member", "other"]).await;
    let role = |user: &str, role: &str| json!({"groupID": "pub", "userID": user, "role": role});

    // Roles: the owner only, Admin or Member, not oneself.
    assert_eq!(
        code(
            &admin
                .call("setGroupMemberRole", role("member", "Admin"))
                .await
        ),
        2681
    );
    assert_eq!(
        code(
            &owner
                .call("setGroupMemberRole", role("admin", "Owner"))
                .await
        ),
        2683
    );
    assert_eq!(
        code(
            &owner
                .call("setGroupMemberRole", role("owner", "Member"))
                .await
        ),
        2684
    );
    let r = ok(owner
        .call("setGroupMemberRole", role("admin", "Admin"))
        .await);
    assert_eq!(r["member"]["role"], "Admin");
    assert!(groups_changed(&mut member).await);

    // Profile: owner and admins edit it, members do not.
    let name = |n: &str| json!({"groupID": "pub", "name": n});
    assert_eq!(
        code(&member.call("updateGroupProfile", name("mine")).await),
        10007
    );
    let r = ok(admin.call("updateGroupProfile", name("renamed")).await);
    assert_eq!(r["group"]["name"], "renamed");
    assert_eq!(r["group"]["infoSequence"], 2);

    // Muting: admins mute ordinary members only; nobody mutes themselves.
    let mute = |user: &str, secs: i64| json!({"groupID": "pub", "userID": user, "muteTime": secs});
    assert_eq!(
        code(
            &admin
                .call("setGroupMemberMuteTime", mute("admin", 60))
                .await
        ),
        2685
    );
    assert_eq!(
        code(
            &member
                .call("setGroupMemberMuteTime", mute("other", 60))
                .await
        ),
        10007
    );
    let r = ok(admin
        .call("setGroupMemberMuteTime", mute("member", 60))
        .await);
    let until = r["member"]["muteUntil"].as_u64().unwrap();
    assert!(until >= now() + 59 && until <= now() + 61, "{r}");
    let r = ok(owner
        .call("setGroupMemberMuteTime", mute("member", 0))
        .await);
    assert_eq!(r["member"]["muteUntil"], 0);

    // Name cards: a member their own, an admin ordinary members', the owner anyone's.
    let card = |user: &str| json!({"groupID": "pub", "userID": user, "nameCard": "card"});
    assert_eq!(
        code(&member.call("setGroupMemberNameCard", card("other")).await),
        10007
    );
    assert_eq!(
        code(&admin.call("setGroupMemberNameCard", card("owner")).await),
        10007
    );
    ok(member
        .call(
            "setGroupMemberNameCard",
            json!({"groupID": "pub", "nameCard": "me"}),
        )
        .await);
    ok(admin.call("setGroupMemberNameCard", card("other")).await);
    ok(owner.call("setGroupMemberNameCard", card("admin")).await);
    let undeclared = json!({"groupID": "pub", "memberCustomField": [{"key": "x", "value": "v"}]});
    assert_eq!(
        code(&member.call("setGroupMemberCustomField", undeclared).await),
        10004
    );
    let fields = json!({"groupID": "pub", "memberCustomField": [{"key": "k", "value": "v"}]});
    let r = ok(member.call("setGroupMemberCustomField", fields).await);
    assert_eq!(
        r["member"]["memberCustomField"],
        json!([{"key": "k", "value": "v"}])
    );
    let profiles = ok(owner
        .call(
            "getGroupMemberProfile",
            json!({"groupID": "pub", "userIDList": ["member", "admin", "other"]}),
        )
        .await);
    let cards: Vec<_> = profiles["memberList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["nameCard"].clone())
        .collect();
    assert_eq!(cards, [json!("me"), json!("card"), json!("card")]);

    // Adding: owner and admins in a Public group; kicking: admins ordinary members only.
    let add = json!({"groupID": "pub", "userIDList": ["extra", "member", "ghost", "extra"]});
    assert_eq!(
        code(&member.call("addGroupMember", add.clone()).await),
        10007
    );
    let r = ok(admin.call("addGroupMember", add).await);
    assert_eq!(r["successUserIDList"], json!(["extra"]));
    assert_eq!(r["existedUserIDList"], json!(["member"]));
    assert_eq!(r["failureUserIDList"], json!(["ghost"]));
    assert_eq!(r["group"]["memberCount"], 5);
    let kick = |user: &str| json!({"groupID": "pub", "userIDList": [user]});
    assert_eq!(
        code(&admin.call("deleteGroupMember", kick("owner")).await),
        10007
    );
    assert_eq!(
        code(&member.call("deleteGroupMember", kick("other")).await),
        10007
    );
    let r = ok(admin.call("deleteGroupMember", kick("other")).await);
    assert_eq!(r["userIDList"], json!(["other"]));
    assert!(
        groups_changed(&mut other).await,
        "the removed member is told"
    );
    let list = ok(other.call("getGroupList", json!({})).await);
    assert_eq!(list["groupList"], json!([]));
    assert_eq!(
        code(&other.call("getGroupMemberProfile", kick("owner")).await),
        2623
    );

    // Handing over and leaving: the owner cannot quit a Public group, hands it over first.
    assert_eq!(code(&owner.call("quitGroup", json!("pub")).await), 10009);
    let give = |to: &str| json!({"groupID": "pub", "newOwnerID": to});
    assert_eq!(
        code(&owner.call("changeGroupOwner", give("owner")).await),
        2621
    );
    assert_eq!(
        code(&admin.call("changeGroupOwner", give("admin")).await),
        2621
    );
    assert_eq!(
        code(&admin.call("changeGroupOwner", give("member")).await),
        10007
    );
    assert_eq!(
        code(&owner.call("changeGroupOwner", give("other")).await),
        10007
    );
    let r = ok(owner.call("changeGroupOwner", give("admin")).await);
    assert_eq!(r["group"]["ownerID"], "admin");
    assert_eq!(r["group"]["selfInfo"]["role"], "Member");
    ok(owner.call("quitGroup", json!("pub")).await);
    assert_eq!(code(&owner.call("quitGroup", json!("pub")).await), 2623);

    // Dismissing: the owner only; everyone's list loses it.
    assert_eq!(
        code(&member.call("dismissGroup", json!("pub")).await),
        10007
    );
    groups_changed(&mut member).await;
    ok(admin.call("dismissGroup", json!("pub")).await);
    assert!(groups_changed(&mut member).await);
    assert_eq!(
        ok(member.call("getGroupList", json!({})).await)["groupList"],
        json!([])
    );
    assert_eq!(
        code(
            &member
                .call("getGroupProfile", json!({"groupID": "pub"}))
                .await
        ),
        10010
    );
}

#[tokio::test]
async fn work_groups_have_their_own_rules() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    server.login("carol").await;
    create(&mut alice, "w", "Private", &["bob"]).await;
    // Any member edits the profile and invites; nobody mutes; no admins; not dismissed here.
    ok(bob
        .call(
            "updateGroupProfile",
            json!({"groupID": "w", "notification": "hi"}),
        )
        .await);
    let r = ok(bob
        .call(
            "addGroupMember",
            json!({"groupID": "w", "userIDList": ["carol"]}),
        )
        .await);
    assert_eq!(r["successUserIDList"], json!(["carol"]));
    let mute = json!({"groupID": "w", "userID": "carol", "muteTime": 10});
    assert_eq!(
        code(&alice.call("setGroupMemberMuteTime", mute).await),
        10007
    );
    let role = json!({"groupID": "w", "userID": "bob", "role": "Admin"});
    assert_eq!(code(&alice.call("setGroupMemberRole", role).await), 2682);
    assert_eq!(code(&alice.call("dismissGroup", json!("w")).await), 2622);
    assert_eq!(code(&bob.call("searchGroupByID", json!("w")).await), 10007);
    // Only the owner removes members; the owner may quit, and the group goes on without one.
    let kick = json!({"groupID": "w", "userIDList": ["carol"]});
    assert_eq!(code(&bob.call("deleteGroupMember", kick).await), 10007);
    ok(alice.call("quitGroup", json!("w")).await);
    let g = ok(bob.call("getGroupProfile", json!({"groupID": "w"})).await);
    assert_eq!(g["group"]["ownerID"], "");
    assert_eq!(g["group"]["memberCount"], 2);
    assert_eq!(g["group"]["notification"], "hi");
}

#[tokio::test]
async fn member_lists_page_as_the_official() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut owner = server.login("owner").await;
    let users: Vec<String> = (0..34).map(|i| format!("u{i:02}")).collect();
    for u in &users {
        server.login(u).await;
    }
    let list: Vec<&str> = users.iter().map(String::as_str).collect();
    create(&mut owner, "big", "ChatRoom", &[]).await;
    let r = ok(owner
        .call(
            "addGroupMember",
            json!({"groupID": "big", "userIDList": list}),
        )
        .await);
    assert_eq!(r["successUserIDList"].as_array().unwrap().len(), 34);
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = ok(owner
            .call(
                "getGroupMemberList",
                json!({"groupID": "big", "offset": offset}),
            )
            .await);
        let members = page["memberList"].as_array().unwrap();
        assert!(members.len() <= 15, "the default page is 15");
        seen.extend(
            members
                .iter()
                .map(|m| m["userID"].as_str().unwrap().to_owned()),
        );
        offset = page["offset"].as_u64().unwrap();
        if offset == 0 {
            break;
        }
    }
    let mut expected = vec!["owner".to_owned()];
    expected.extend(users);
    assert_eq!(seen, expected, "every member once, in join order");
    let page = ok(owner
        .call(
            "getGroupMemberList",
            json!({"groupID": "big", "count": 1000}),
        )
        .await);
    assert_eq!(
        page["memberList"].as_array().unwrap().len(),
        35,
        "one page of at most 100"
    );
    assert_eq!(page["offset"], 0);
}

/// The REST API in Tencent's shape: a back end creates a group for an owner, adds and removes
/// members, reads it, and dismisses it (a Work group too, which only the app may); members'
/// lists follow as for the SDK's own calls.
#[tokio::test]
async fn an_app_back_end_manages_groups_over_rest() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    server.login("carol").await;
    let call = |command: &'static str, body: Value| {
        let server = &server;
        async move {
            let body = body.to_string();
            rest_of(
                server,
                "group_open_http_svc",
                command,
                "administrator",
                &body,
            )
            .await
        }
    };
    let r = call(
        "create_group",
        json!({"Owner_Account": "alice", "Type": "Work", "GroupId": "ops", "Name": "ops",
            "MemberList": [{"Member_Account": "bob"}]}),
    )
    .await;
    assert_eq!(r["ActionStatus"], "OK", "{r}");
    assert_eq!(r["GroupId"], "ops");
    assert!(groups_changed(&mut bob).await);
    let r = call(
        "add_group_member",
        json!({"GroupId": "ops", "MemberList": [{"Member_Account": "carol"}, {"Member_Account": "bob"}, {"Member_Account": "ghost"}]}),
    )
    .await;
    let results: Vec<_> = r["MemberList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Result"].clone())
        .collect();
    assert_eq!(results, [json!(1), json!(2), json!(0)], "{r}");
    let r = call(
        "delete_group_member",
        json!({"GroupId": "ops", "MemberToDel_Account": ["bob"]}),
    )
    .await;
    assert_eq!(r["ActionStatus"], "OK", "{r}");
    assert!(groups_changed(&mut bob).await);
    assert_eq!(
        ok(bob.call("getGroupList", json!({})).await)["groupList"],
        json!([])
    );
    let r = call("get_group_info", json!({"GroupIdList": ["ops", "none"]})).await;
    let info = &r["GroupInfo"];
    assert_eq!(info[0]["Type"], "Private");
    assert_eq!(info[0]["Owner_Account"], "alice");
    assert_eq!(info[0]["MemberNum"], 2);
    assert_eq!(
        ids(&info[0]["MemberList"], "Member_Account"),
        set(&["alice", "carol"])
    );
    assert_eq!(info[1]["ErrorCode"], 10010);
    // A Work group: its owner may not dismiss it, the app may.
    assert_eq!(code(&alice.call("dismissGroup", json!("ops")).await), 2622);
    groups_changed(&mut alice).await;
    let r = call("destroy_group", json!({"GroupId": "ops"})).await;
    assert_eq!(r["ActionStatus"], "OK", "{r}");
    assert!(groups_changed(&mut alice).await);
    assert_eq!(
        ok(alice.call("getGroupList", json!({})).await)["groupList"],
        json!([])
    );
    let r = call("destroy_group", json!({"GroupId": "ops"})).await;
    assert_eq!(r["ErrorCode"], 10010, "{r}");
}
