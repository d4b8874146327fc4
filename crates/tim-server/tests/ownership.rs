//! The ownership matrix: every op of the protocol (enumerated from `Op::ALL`, so a new op does
//! not compile until it has a case here) tried by carol against what belongs to alice and bob,
//! then alice's and bob's data checked whole.

mod common;
use common::*;
use serde_json::{json, Value};
use tim_proto::Op;

#[tokio::test]
async fn no_op_reaches_what_belongs_to_someone_else() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("tim.db"), &[]);
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    let r = alice.send_text("bob", "m1", "for bob only").await;
    let message = r["data"]["message"].clone();
    let id = message["ID"].as_str().unwrap().to_owned();
    // alice and bob are friends, bob in alice's group "work"; alice blocked dave; erin asked
    // bob to be friends.
    let add = json!({"to": "bob", "source": "AddSource_Type_web"});
    assert_eq!(alice.call("addFriend", add).await["data"]["code"], 30539);
    let accept = json!({"userID": "alice", "type": "Response_Action_AgreeAndAdd"});
    assert_eq!(
        bob.call("acceptFriendApplication", accept).await["type"],
        "ok"
    );
    let work = json!({"name": "work", "userIDList": ["bob"]});
    assert_eq!(alice.call("createFriendGroup", work).await["type"], "ok");
    server.login("dave").await;
    let block = json!({"userIDList": ["dave"]});
    assert_eq!(alice.call("addToBlacklist", block).await["type"], "ok");
    let mut erin = server.login("erin").await;
    let add = json!({"to": "bob", "source": "AddSource_Type_web"});
    assert_eq!(erin.call("addFriend", add).await["data"]["code"], 30539);
    let fav = json!({"groupName": "fav", "conversationIDList": ["C2Cbob"]});
    assert_eq!(
        alice.call("createConversationGroup", fav).await["type"],
        "ok"
    );
    // alice owns a Public group with bob in it, and a Work group with bob.
    for (id, kind) in [("pub1", "Public"), ("work1", "Private")] {
        let create =
            json!({"groupID": id, "name": id, "type": kind, "memberList": [{"userID": "bob"}]});
        assert_eq!(alice.call("createGroup", create).await["type"], "ok");
    }
    let to_group = json!({"conversationType": "GROUP", "to": "pub1", "clientMsgID": "g1",
                          "random": 1, "elements": [{"type": "TIMTextElem",
                          "content": {"text": "for the group only"}}]});
    assert_eq!(alice.call("sendMessage", to_group).await["type"], "ok");
    let alice_before = relations_of(&mut alice).await;
    let bob_before = relations_of(&mut bob).await;
    let mut carol = server.login("carol").await;

    let text = json!([{"type": "TIMTextElem", "content": {"text": "carol was here"}}]);
    for &op in Op::ALL {
        let (data, check): (Value, fn(&Value) -> bool) = match op {
            // A UserSig of carol's cannot log in as alice.
            Op::Login => (
                json!({"protocol": 1, "SDKAppID": APP, "userID": "alice", "userSig": sig("carol")}),
                |r| r["code"] == 70013,
            ),
            // A token carol made up leads to no session.
            Op::Resume => (json!({"token": "0".repeat(32)}), |r| r["code"] == 70052),
            // carol's own session only (checked below: alice still gets pushes).
            Op::Logout | Op::Heartbeat => (Value::Null, |r| r["type"] == "ok"),
            Op::Sync => (json!({"after": 0}), |r| {
                !r.to_string().contains("for bob only")
            }),
            // There is no sender field: whatever carol claims, she is the sender.
            Op::SendMessage => (
                json!({"conversationType": "C2C", "to": "bob", "from": "alice",
                       "clientMsgID": "m1", "random": 1, "elements": text}),
                |r| r["data"]["message"]["from"] == "carol",
            ),
            Op::GetHistory => (json!({"conversationID": "C2Cbob", "count": 100}), |r| {
                r["type"] == "ok" && !r.to_string().contains("for bob only")
            }),
            Op::RevokeMessage => (json!({"messageID": id}), |r| r["code"] == 2500),
            Op::ModifyMessage => (
                json!({"messageID": id, "elements": text, "version": 0}),
                |r| r["code"] == 2500,
            ),
            Op::DeleteMessages => (json!({"messageIDList": [id]}), |r| r["code"] == 2500),
            // Only the caller's groups: carol is in none.
            Op::SyncGroups => (json!({"cursors": [["pub1", 0], ["work1", 0]]}), |r| {
                r["data"] == json!({"messages": [], "groups": [], "complete": true})
            }),
            Op::GetConversations => (json!({"limit": 100}), |r| {
                r["type"] == "ok" && !r.to_string().contains("for bob only")
            }),
            Op::SetRead | Op::DeleteConversation | Op::ClearHistory => {
                (json!({"conversationID": "C2Calice"}), |_| true)
            }
            Op::SetAllRead => (Value::Null, |r| r["type"] == "ok"),
            Op::PinConversation => (
                json!({"conversationID": "C2Calice", "isPinned": true}),
                |_| true,
            ),
            Op::MarkConversations => (
                json!({"conversationIDList": ["C2Calice", "C2Cbob"], "markType": 1, "enableMark": true}),
                |_| true,
            ),
            Op::SetCustomData => (
                json!({"conversationIDList": ["C2Calice", "C2Cbob"], "customData": "carol"}),
                |_| true,
            ),
            // Only ever the caller's own profile.
            Op::GetMyProfile => (json!({}), |r| r["data"]["userID"] == "carol"),
            Op::UpdateMyProfile => (json!({"nick": "carol was here"}), |r| {
                r["data"]["userID"] == "carol"
            }),
            // Profiles are public (as the official): reading them changes nothing.
            Op::GetUserProfile => (json!({"userIDList": ["alice", "bob"]}), |r| {
                r["type"] == "ok"
            }),
            // Relations: only ever the caller's own lists and rows.
            Op::GetBlacklist | Op::GetFriendList | Op::GetFriendGroupList => {
                (json!({}), |r| r["data"] == json!([]))
            }
            Op::AddToBlacklist => (json!({"userIDList": ["alice"]}), |r| {
                r["data"] == json!(["alice"])
            }),
            Op::RemoveFromBlacklist => (json!({"userIDList": ["alice", "dave"]}), |r| {
                r["data"] == json!([])
            }),
            // Whatever carol claims, the request is hers.
            Op::AddFriend => (
                json!({"to": "dave", "from": "alice", "source": "AddSource_Type_web"}),
                |r| r["data"]["code"] == 30539,
            ),
            Op::DeleteFriend | Op::GetFriendProfile => (json!({"userIDList": ["bob"]}), |r| {
                r["data"]["failureUserIDList"][0]["code"] == 2700
            }),
            Op::CheckFriend => (json!({"userIDList": ["alice", "bob"]}), |r| {
                r["data"]["successUserIDList"].as_array().is_some_and(|l| {
                    l.iter()
                        .all(|c| c["relation"] == "CheckResult_Type_NoRelation")
                })
            }),
            Op::UpdateFriend => (json!({"userID": "bob", "remark": "carol"}), |r| {
                r["code"] == 2700
            }),
            Op::GetFriendApplicationList => (json!({}), |r| {
                r["type"] == "ok" && !r.to_string().contains("erin")
            }),
            Op::AcceptFriendApplication
            | Op::RefuseFriendApplication
            | Op::DeleteFriendApplication => (json!({"userID": "erin"}), |r| r["code"] == 2716),
            Op::SetFriendApplicationRead => (json!({}), |r| r["type"] == "ok"),
            // carol's own group of that name, without bob, who is not her friend.
            Op::CreateFriendGroup => (work_group(), |r| {
                r["data"]["friendGroup"]["userIDList"] == json!([])
                    && r["data"]["failureUserIDList"][0]["code"] == 2700
            }),
            Op::DeleteFriendGroup => (work_group(), |r| r["data"]["userIDList"] == json!([])),
            Op::RenameFriendGroup => (json!({"oldName": "work", "newName": "mine"}), |r| {
                r["code"] == 2711
            }),
            // Status: carol sets her own; reading and watching others' is open to all (as
            // profiles), and changes nothing of theirs.
            Op::SetSelfStatus => (json!({"customStatus": "carol was here"}), |r| {
                r["data"]["userID"] == "carol"
            }),
            Op::GetUserStatus | Op::SubscribeUserStatus | Op::UnsubscribeUserStatus => {
                (json!({"userIDList": ["alice"]}), |r| r["type"] == "ok")
            }
            // Conversation groups: carol's own only (hers made, read and deleted, alice's
            // not found).
            Op::CreateConversationGroup => (
                json!({"groupName": "fav", "conversationIDList": ["C2Calice"]}),
                |r| r["type"] == "ok",
            ),
            Op::GetConversationGroupList => (json!({}), |r| r["data"] == json!(["fav"])),
            Op::DeleteConversationGroup => (json!("fav"), |r| r["type"] == "ok"),
            Op::RenameConversationGroup => (json!({"oldName": "fav", "newName": "mine"}), |r| {
                r["code"] == 51009
            }),
            Op::AddConversationsToGroup | Op::DeleteConversationsFromGroup => (
                json!({"groupName": "fav", "conversationIDList": ["C2Cbob"]}),
                |r| r["code"] == 51009,
            ),
            Op::AddToFriendGroup | Op::RemoveFromFriendGroup => {
                (work_group(), |r| r["code"] == 2711)
            }
            // Groups: carol is in none of alice's; she may read a group's public profile.
            Op::CreateGroup => (json!({"groupID": "pub1", "name": "mine"}), |r| {
                r["code"] == 10021
            }),
            Op::GetGroupList => (json!({}), |r| r["data"]["groupList"] == json!([])),
            Op::GetGroupProfile => (json!({"groupID": "pub1"}), |r| {
                r["data"]["group"]["selfInfo"] == json!({})
            }),
            Op::SearchGroupById => (json!("work1"), |r| r["code"] == 10007),
            Op::JoinGroup => (json!({"groupID": "work1"}), |r| r["code"] == 2601),
            Op::GetGroupApplicationList => {
                (json!({}), |r| r["data"]["applicationList"] == json!([]))
            }
            Op::GetGroupMemberList => (json!({"groupID": "pub1"}), |r| {
                r["data"]["memberList"] == json!([])
            }),
            Op::QuitGroup | Op::DismissGroup => (json!("pub1"), |r| r["code"] == 2623),
            // The group's message at sequence 2, by its place: carol is no member (10007).
            Op::SendMessageReadReceipt | Op::GetMessageReadReceiptList => (
                json!([{"ID": "any", "conversationID": "GROUPpub1", "sequence": 2}]),
                |r| r["code"] == 10007,
            ),
            // alice's group's attributes and counters: carol is no member.
            Op::InitGroupAttributes
            | Op::SetGroupAttributes
            | Op::DeleteGroupAttributes
            | Op::GetGroupAttributes => (
                json!({"groupID": "pub1", "groupAttributes": {"k": "carol"}, "keyList": []}),
                |r| r["code"] == 2642,
            ),
            Op::SetGroupCounters
            | Op::IncreaseGroupCounter
            | Op::DecreaseGroupCounter
            | Op::GetGroupCounters => (
                json!({"groupID": "pub1", "counters": {"k": 1}, "key": "k", "value": 1}),
                |r| r["code"] == 10007,
            ),
            Op::GetGroupOnlineMemberCount => {
                (json!("pub1"), |r| r["data"] == json!({"memberCount": 0}))
            }
            Op::GetGroupMessageReadMemberList => (
                json!({"message": {"ID": "any", "conversationID": "GROUPpub1", "sequence": 2}}),
                |r| r["code"] == 10007,
            ),
            Op::UpdateGroupProfile
            | Op::ChangeGroupOwner
            | Op::HandleGroupApplication
            | Op::SetMessageRemindType
            | Op::GetGroupMemberProfile
            | Op::AddGroupMember
            | Op::DeleteGroupMember
            | Op::SetGroupMemberRole
            | Op::SetGroupMemberMuteTime
            | Op::SetGroupMemberNameCard
            | Op::SetGroupMemberCustomField => (
                json!({
                    "groupID": "pub1", "name": "carol's", "newOwnerID": "bob",
                    "handleAction": "Agree", "application": {"groupID": "pub1", "applicant": "carol"},
                    "messageRemindType": "Discard", "userIDList": ["bob", "carol"], "userID": "bob",
                    "role": "Admin", "muteTime": 60, "nameCard": "carol was here",
                    "memberCustomField": [{"key": "k", "value": "carol"}],
                }),
                |r| r["code"] == 2623,
            ),
        };
        // Logging in and resuming are for connections not logged in yet.
        let r = match op {
            Op::Login | Op::Resume => server.connect().await.call(op.name(), data).await,
            _ => carol.call(op.name(), data).await,
        };
        assert!(check(&r), "{}: {r}", op.name());
        if op == Op::Logout {
            assert_eq!(carol.login("carol").await["type"], "ok");
        }
    }

    // alice and bob are as they were: the message is theirs, unchanged, unread by bob, and
    // their conversation carries nothing of carol's (her own message to bob is her own).
    for (me, peer) in [(&mut alice, "bob"), (&mut bob, "alice")] {
        let h = me
            .call(
                "getHistory",
                json!({"conversationID": format!("C2C{peer}"), "count": 100}),
            )
            .await;
        assert_eq!(h["data"]["messages"], json!([message]), "{h}");
        let list = me.call("getConversations", json!({"limit": 100})).await;
        let convs = list["data"]["conversations"].as_array().unwrap();
        let c = convs
            .iter()
            .find(|c| c["conversationID"] == format!("C2C{peer}"))
            .unwrap_or_else(|| panic!("no conversation with {peer}: {list}"));
        assert_eq!(c["lastMessage"], message, "{c}");
        assert_ne!(c["isPinned"], true, "{c}");
        assert_eq!(c["mark"], 0, "{c}");
        assert!(c["customData"].as_str().is_none_or(str::is_empty), "{c}");
        let profile = me.call("getMyProfile", json!({})).await;
        assert_eq!(profile["data"]["nick"], "", "{profile}");
    }
    let status = alice
        .call("getUserStatus", json!({"userIDList": ["alice", "bob"]}))
        .await;
    for s in status["data"]["successUserList"].as_array().unwrap() {
        assert_eq!(s["customStatus"], "", "{status}");
    }
    assert_eq!(relations_of(&mut alice).await, alice_before);
    let groups = alice.call("getConversationGroupList", json!({})).await;
    assert_eq!(groups["data"], json!(["fav"]), "{groups}");
    let page = alice.call("getConversations", json!({"limit": 100})).await;
    assert_eq!(
        page["data"]["conversationGroups"],
        json!([{"name": "fav", "conversationIDList": ["C2Cbob"]}])
    );
    assert_eq!(relations_of(&mut bob).await, bob_before);
    assert_eq!(alice_before["friends"][0]["groupList"], json!(["work"]));
    assert_eq!(alice_before["blacklist"], json!(["dave"]));
    let bob_applications = &bob_before["applications"]["friendApplicationList"];
    assert_eq!(bob_applications[0]["userID"], "erin", "{bob_before}");
    let list = bob.call("getConversations", json!({"limit": 100})).await;
    let with_alice = list["data"]["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["conversationID"] == "C2Calice")
        .cloned();
    assert_eq!(with_alice.unwrap()["unreadCount"], 1, "{list}");
    // alice's session was not ended by carol's logout: a push still reaches it.
    bob.send_text("alice", "b1", "still here").await;
    loop {
        let p = alice.next_push().await;
        if p["type"] == "inbox" && p["message"]["from"] == "bob" {
            break;
        }
    }
}

fn work_group() -> Value {
    json!({"name": "work", "userIDList": ["bob"]})
}

/// A user's four relation lists, as their own session reads them.
async fn relations_of(client: &mut Client) -> Value {
    let mut all = serde_json::Map::new();
    for (name, op) in [
        ("blacklist", "getBlacklist"),
        ("friends", "getFriendList"),
        ("applications", "getFriendApplicationList"),
        ("groups", "getFriendGroupList"),
        ("joinedGroups", "getGroupList"),
        ("groupApplications", "getGroupApplicationList"),
    ] {
        let r = client.call(op, json!({})).await;
        assert_eq!(r["type"], "ok", "{op}: {r}");
        all.insert(name.into(), r["data"].clone());
    }
    let members = json!({"groupID": "pub1", "count": 100});
    let r = client.call("getGroupMemberList", members).await;
    all.insert("pub1 members".into(), r["data"].clone());
    Value::Object(all)
}
