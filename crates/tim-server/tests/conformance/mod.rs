//! The conformance suite every store backend must pass: the storage contract of each domain
//! trait, seen through the trait only. A backend's test file runs it with
//! `conformance_suite!(open)`, where `open(dir, bus).await` makes a fresh store in `dir` (or a
//! fresh database) that publishes its committed inbox items on `bus`.
#![allow(dead_code)] // each backend's test file instantiates the whole suite

pub mod model;

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tim_proto::relation::List;
use tim_proto::{Element, InboxEvent, InboxItem, Message, MessageBody, ModifyMessage};
use tim_server::bus::{Bus, Push, Target};
use tim_server::store::{
    ConversationChange, HistoryRange, Key, Kind, NewGroupMessage, NewMessage, Plan, Store,
    StoreError,
};

pub const APP: u64 = 1;

/// A bus that records every inbox item and group message published, in order.
#[derive(Default)]
pub struct Recorder(
    Mutex<Vec<(u64, String, InboxItem)>>,
    Mutex<Vec<(String, Message)>>,
);

impl Bus for Recorder {
    fn publish(&self, target: Target<'_>, push: Push) {
        match (target, push) {
            (Target::User { app, user }, Push::Inbox(item)) => {
                self.0.lock().unwrap().push((app, user.to_owned(), item))
            }
            (Target::User { user, .. }, Push::Group(message)) => {
                self.1.lock().unwrap().push((user.to_owned(), message))
            }
            _ => {}
        }
    }
}

impl Recorder {
    /// The group messages published for `user`: (group, sequence), in order.
    pub fn group_of(&self, user: &str) -> Vec<(String, u64)> {
        let all = self.1.lock().unwrap();
        all.iter()
            .filter(|(u, _)| u == user)
            .map(|(_, m)| (m.to.clone(), m.sequence))
            .collect()
    }

    /// The items published for `user`, in order.
    pub fn of(&self, user: &str) -> Vec<InboxItem> {
        let all = self.0.lock().unwrap();
        all.iter()
            .filter(|(app, u, _)| *app == APP && u == user)
            .map(|(_, _, i)| i.clone())
            .collect()
    }
}

/// Run one case on a fresh store, which `open` makes (asynchronously: a database server's
/// store connects) in a folder of its own.
pub fn run<S, F, Fut>(open: impl AsyncFnOnce(&Path, Arc<dyn Bus>) -> S, case: F)
where
    S: Store,
    F: FnOnce(S, Arc<Recorder>) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let bus = Arc::new(Recorder::default());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let store = open(dir.path(), bus.clone()).await;
            case(store, bus).await
        });
}

/// Instantiates every case of the suite as a test for the backend `open`.
#[macro_export]
macro_rules! conformance_suite {
    ($open:expr) => {
        $crate::conformance_suite!(@cases $open;
            sends_are_idempotent_and_numbered,
            a_send_to_an_unknown_user_stores_nothing,
            a_sender_past_the_quota_stores_nothing,
            deliveries_follow_the_inbox,
            inbox_pages_are_exact,
            history_pages_in_every_direction,
            revoke_rules,
            modify_rules,
            delete_messages_is_per_user_and_all_or_nothing,
            conversation_changes_are_all_or_nothing,
            a_read_tells_the_peer,
            set_all_read_reads_every_unread_conversation,
            message_control_info,
            profiles_merge_and_tell_only_their_user,
            relation_plans_apply_whole_or_not_at_all,
            a_blocked_sender_stores_nothing,
            group_messages_are_stored_once_per_group,
            group_messages_change_for_every_member,
            additions_all_count,
            concurrent_plans_about_one_group_lose_nothing,
        );
        proptest::proptest! {
            #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..Default::default() })]
            #[test]
            fn conversation_state_matches_the_model(ops in proptest::collection::vec(conformance::model::op(), 1..40)) {
                conformance::run($open, |store, _| conformance::model::run(store, ops));
            }
        }
    };
    (@cases $open:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                conformance::run($open, conformance::$case);
            }
        )*
    };
}

pub fn text(t: &str) -> MessageBody {
    MessageBody {
        elements: vec![Element::Text { text: t.into() }],
        ..MessageBody::default()
    }
}

pub async fn login_all<S: Store>(store: &S, users: &[&str]) {
    for u in users {
        store.login_user(APP, u).await.unwrap();
    }
}

pub async fn send<S: Store>(
    store: &S,
    from: &str,
    to: &str,
    cmid: &str,
    body: MessageBody,
) -> Message {
    store
        .send_c2c(NewMessage {
            app: APP,
            from: from.into(),
            to: to.into(),
            client_msg_id: cmid.into(),
            random: 7,
            body,
            quota_bytes: 0,
            name_card: String::new(),
        })
        .await
        .unwrap()
}

async fn history<S: Store>(store: &S, me: &str, peer: &str) -> Vec<Message> {
    let range = HistoryRange::BeforeSeq(None);
    store
        .history_c2c(APP, me, peer, range, 100)
        .await
        .unwrap()
        .0
}

fn ids(messages: &[Message]) -> Vec<&str> {
    messages.iter().map(|m| m.id.as_str()).collect()
}

async fn list<S: Store>(store: &S, user: &str) -> Vec<tim_proto::Conversation> {
    store
        .conversations(APP, user, None, 100)
        .await
        .unwrap()
        .conversations
}

async fn inbox<S: Store>(store: &S, user: &str) -> Vec<InboxItem> {
    store.inbox_after(APP, user, 0, 500).await.unwrap().items
}

pub async fn sends_are_idempotent_and_numbered<S: Store>(store: S, _: Arc<Recorder>) {
    login_all(&store, &["ann", "ben"]).await;
    let first = send(&store, "ann", "ben", "c1", text("hi")).await;
    let again = send(&store, "ann", "ben", "c1", text("hi")).await;
    assert_eq!(again, first, "a retry answers the message stored first");
    // The clientMsgID reused for other content, or for another recipient: refused.
    login_all(&store, &["cat"]).await;
    for (to, body) in [("ben", text("something else")), ("cat", text("hi"))] {
        let reuse = store
            .send_c2c(NewMessage {
                app: APP,
                from: "ann".into(),
                to: to.into(),
                client_msg_id: "c1".into(),
                random: 7,
                body,
                quota_bytes: 0,
                name_card: String::new(),
            })
            .await;
        assert!(
            matches!(&reuse, Err(StoreError::Invalid(why)) if why.contains("clientMsgID")),
            "{reuse:?}"
        );
    }
    let second = send(&store, "ben", "ann", "c1", text("yo")).await;
    assert_eq!(
        (first.sequence, second.sequence),
        (1, 2),
        "one sequence per conversation"
    );
    assert_ne!(first.id, second.id);
    // IDs tell nothing of how many messages there are: rows 1 and 2 are not "1-…" and "2-…".
    let row_part = |m: &Message| m.id.split('-').next().unwrap().parse::<u64>().unwrap();
    assert!(
        row_part(&first) > 1 << 32 || row_part(&second) > 1 << 32,
        "{first:?} {second:?}"
    );
    assert_eq!(first.body, text("hi"));
    assert_eq!(
        (first.from.as_str(), first.to.as_str(), first.random),
        ("ann", "ben", 7)
    );
    for user in ["ann", "ben"] {
        let items = inbox(&store, user).await;
        assert_eq!(items.len(), 2, "{user}: the retry made no item");
        assert_eq!(items.iter().map(|i| i.seq).collect::<Vec<_>>(), [1, 2]);
    }
}

pub async fn a_sender_past_the_quota_stores_nothing<S: Store>(store: S, _: Arc<Recorder>) {
    login_all(&store, &["ann", "ben"]).await;
    let new = |from: &str, to: &str, cmid: &str| NewMessage {
        app: APP,
        from: from.into(),
        to: to.into(),
        client_msg_id: cmid.into(),
        random: 1,
        body: text(&"q".repeat(100)),
        // About 140 bytes a body as stored: two fit.
        quota_bytes: 300,
        name_card: String::new(),
    };
    store.send_c2c(new("ann", "ben", "q1")).await.unwrap();
    let second = store.send_c2c(new("ann", "ben", "q2")).await.unwrap();
    let r = store.send_c2c(new("ann", "ben", "q3")).await;
    assert!(matches!(r, Err(StoreError::QuotaExceeded(300))), "{r:?}");
    assert_eq!(
        inbox(&store, "ben").await.len(),
        2,
        "nothing of the third is stored"
    );
    // A retry of a stored one is no new bytes; the quota is each sender's own.
    let again = store.send_c2c(new("ann", "ben", "q2")).await.unwrap();
    assert_eq!(again, second);
    store.send_c2c(new("ben", "ann", "b1")).await.unwrap();
}

pub async fn a_send_to_an_unknown_user_stores_nothing<S: Store>(store: S, bus: Arc<Recorder>) {
    login_all(&store, &["ann"]).await;
    let r = store
        .send_c2c(NewMessage {
            app: APP,
            from: "ann".into(),
            to: "nobody".into(),
            client_msg_id: "c".into(),
            random: 1,
            body: text("x"),
            quota_bytes: 0,
            name_card: String::new(),
        })
        .await;
    assert!(matches!(r, Err(StoreError::UnknownUser(u)) if u == "nobody"));
    assert!(inbox(&store, "ann").await.is_empty());
    assert!(bus.of("ann").is_empty());
    // Another app's user of the same name is not this app's.
    store.login_user(APP + 1, "ben").await.unwrap();
    let r = store
        .send_c2c(NewMessage {
            app: APP,
            from: "ann".into(),
            to: "ben".into(),
            client_msg_id: "c".into(),
            random: 1,
            body: text("x"),
            quota_bytes: 0,
            name_card: String::new(),
        })
        .await;
    assert!(matches!(r, Err(StoreError::UnknownUser(_))), "{r:?}");
}

pub async fn deliveries_follow_the_inbox<S: Store>(store: S, bus: Arc<Recorder>) {
    login_all(&store, &["ann", "ben", "cat"]).await;
    for i in 0..10 {
        let (from, to) = [("ann", "ben"), ("ben", "cat"), ("cat", "ann")][i % 3];
        send(&store, from, to, &format!("c{i}"), text("m")).await;
    }
    let m = send(&store, "ann", "ben", "last", text("x")).await;
    store
        .change_conversations(APP, "ben", vec!["ann".into()], ConversationChange::Read)
        .await
        .unwrap();
    store.revoke(APP, "ann", &m.id, 3600).await.unwrap();
    // A message item reads back with the message as it is now (here: revoked), so items are
    // compared by sequence and kind.
    let shape = |items: Vec<InboxItem>| -> Vec<(u64, std::mem::Discriminant<InboxEvent>)> {
        items
            .iter()
            .map(|i| (i.seq, std::mem::discriminant(&i.event)))
            .collect()
    };
    for user in ["ann", "ben", "cat"] {
        let stored = inbox(&store, user).await;
        assert_eq!(
            shape(bus.of(user)),
            shape(stored.clone()),
            "{user}: every committed item, in inbox order"
        );
        let seqs: Vec<u64> = stored.iter().map(|i| i.seq).collect();
        assert_eq!(
            seqs,
            (1..=seqs.len() as u64).collect::<Vec<_>>(),
            "{user}: no gaps"
        );
    }
}

pub async fn inbox_pages_are_exact<S: Store>(store: S, _: Arc<Recorder>) {
    login_all(&store, &["ann", "ben"]).await;
    for i in 0..7 {
        send(&store, "ann", "ben", &format!("c{i}"), text("m")).await;
    }
    assert_eq!(
        store.login_user(APP, "ben").await.unwrap(),
        7,
        "login tells the inbox's end"
    );
    let mut after = 0;
    let mut seen = Vec::new();
    loop {
        let page = store.inbox_after(APP, "ben", after, 3).await.unwrap();
        assert!(page.items.len() <= 3);
        assert_eq!(page.inbox_seq, 7);
        seen.extend(page.items.iter().map(|i| i.seq));
        after = page.items.last().map_or(after, |i| i.seq);
        if page.complete {
            break;
        }
    }
    assert_eq!(seen, (1..=7).collect::<Vec<_>>());
    let end = store.inbox_after(APP, "ben", 7, 3).await.unwrap();
    assert!(end.items.is_empty() && end.complete);
    let huge = store.inbox_after(APP, "ben", u64::MAX, 3).await.unwrap();
    assert!(huge.items.is_empty());
}

pub async fn history_pages_in_every_direction<S: Store>(store: S, _: Arc<Recorder>) {
    login_all(&store, &["ann", "ben", "cat"]).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        let (from, to) = if i % 2 == 0 {
            ("ann", "ben")
        } else {
            ("ben", "ann")
        };
        sent.push(send(&store, from, to, &format!("c{i}"), text(&format!("m{i}"))).await);
    }
    send(&store, "ann", "cat", "other", text("elsewhere")).await;
    let page = |range| store.history_c2c(APP, "ben", "ann", range, 2);
    let (newest, done) = page(HistoryRange::BeforeSeq(None)).await.unwrap();
    assert_eq!(
        (ids(&newest), done),
        (ids(&sent[3..5]), false),
        "newest page, oldest first"
    );
    let (older, done) = page(HistoryRange::BeforeSeq(Some(4))).await.unwrap();
    assert_eq!((ids(&older), done), (ids(&sent[1..3]), false));
    let (oldest, done) = page(HistoryRange::BeforeSeq(Some(2))).await.unwrap();
    assert_eq!((ids(&oldest), done), (ids(&sent[0..1]), true));
    let (newer, done) = page(HistoryRange::AfterSeq(1)).await.unwrap();
    assert_eq!((ids(&newer), done), (ids(&sent[1..3]), false));
    let (end, done) = page(HistoryRange::AfterSeq(4)).await.unwrap();
    assert_eq!((ids(&end), done), (ids(&sent[4..5]), true));
    let t = sent[0].time;
    let (before, _) = page(HistoryRange::BeforeTime(t + 1)).await.unwrap();
    assert!(before.iter().all(|m| m.time <= t) && !before.is_empty());
    let (after, _) = page(HistoryRange::AfterTime(t - 1)).await.unwrap();
    assert_eq!(after[0].id, sent[0].id);
    assert_eq!(
        history(&store, "ann", "ben").await,
        history(&store, "ben", "ann").await
    );
    // Only "me and the peer": cat sees none of ann and ben's conversation.
    assert!(history(&store, "cat", "ben").await.is_empty());
    let theirs = history(&store, "cat", "ann").await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].body, text("elsewhere"));
}

/// The row number of a message ID with its tail replaced: names no message.
fn wrong_tail(id: &str) -> String {
    format!("{}-1-1", id.split('-').next().unwrap())
}

pub async fn revoke_rules<S: Store>(store: S, bus: Arc<Recorder>) {
    login_all(&store, &["ann", "ben", "cat"]).await;
    let m = send(&store, "ann", "ben", "c1", text("oops")).await;
    let items = |user| bus.of(user).len();
    let before = (items("ann"), items("ben"));
    let refused = [
        ("ben", m.id.clone(), "the recipient"),
        ("cat", m.id.clone(), "a stranger"),
        ("ann", wrong_tail(&m.id), "a wrong ID with the right row"),
        ("ann", "not-an-id".into(), "garbage"),
    ];
    for (user, id, who) in refused {
        let r = store.revoke(APP, user, &id, 3600).await;
        match who {
            "the recipient" => assert!(matches!(r, Err(StoreError::NotSender)), "{who}: {r:?}"),
            _ => assert!(matches!(r, Err(StoreError::NotFound(_))), "{who}: {r:?}"),
        }
    }
    assert_eq!(
        (items("ann"), items("ben")),
        before,
        "a refused revoke changes nothing"
    );
    assert!(history(&store, "ben", "ann").await[0].revoker.is_empty());
    let revoked = store.revoke(APP, "ann", &m.id, 3600).await.unwrap();
    assert_eq!(revoked.revoker, "ann");
    for user in ["ann", "ben"] {
        let last = bus.of(user).pop().unwrap();
        assert_eq!(
            last.event,
            InboxEvent::Revoked {
                message: revoked.clone()
            },
            "{user}"
        );
        assert_eq!(
            history(&store, user, if user == "ann" { "ben" } else { "ann" }).await[0].revoker,
            "ann"
        );
    }
    let again = store.revoke(APP, "ann", &m.id, 3600).await.unwrap();
    assert_eq!(again, revoked);
    assert_eq!(
        (items("ann"), items("ben")),
        (before.0 + 1, before.1 + 1),
        "once"
    );
}

pub async fn modify_rules<S: Store>(store: S, bus: Arc<Recorder>) {
    login_all(&store, &["ann", "ben", "cat"]).await;
    let m = send(&store, "ann", "ben", "c1", text("draft")).await;
    let change = |id: &str, elements, version| ModifyMessage {
        message_id: id.into(),
        elements,
        cloud_custom_data: "ccd".into(),
        version,
    };
    let t = |s: &str| vec![Element::Text { text: s.into() }];
    // Where only senders may modify, the recipient may not.
    let refused = store
        .modify(APP, "ben", change(&m.id, t("final"), 0), true)
        .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    let changed = store
        .modify(APP, "ben", change(&m.id, t("final"), 0), false)
        .await
        .unwrap();
    assert_eq!(
        (changed.version, changed.body.elements.clone()),
        (1, t("final"))
    );
    assert_eq!(changed.modifier, "ben", "who modified it is recorded");
    assert_eq!(history(&store, "ann", "ben").await[0].modifier, "ben");
    assert_eq!(changed.body.cloud_custom_data, "ccd");
    for user in ["ann", "ben"] {
        let last = bus.of(user).pop().unwrap();
        assert_eq!(
            last.event,
            InboxEvent::Modified {
                message: changed.clone()
            },
            "{user}"
        );
    }
    let stale = store
        .modify(APP, "ann", change(&m.id, t("mine"), 0), false)
        .await;
    assert!(
        matches!(stale, Err(StoreError::ModifyConflict)),
        "{stale:?}"
    );
    let custom = vec![Element::Custom {
        data: "d".into(),
        description: String::new(),
        extension: String::new(),
    }];
    let retyped = store
        .modify(APP, "ann", change(&m.id, custom, 1), false)
        .await;
    assert!(
        matches!(retyped, Err(StoreError::Invalid(_))),
        "{retyped:?}"
    );
    for (user, id) in [("cat", m.id.clone()), ("ann", wrong_tail(&m.id))] {
        let r = store.modify(APP, user, change(&id, t("x"), 1), false).await;
        assert!(
            matches!(r, Err(StoreError::NotFound(_))),
            "{user} {id}: {r:?}"
        );
    }
    store.revoke(APP, "ann", &m.id, 3600).await.unwrap();
    let r = store
        .modify(APP, "ann", change(&m.id, t("x"), 1), false)
        .await;
    assert!(
        matches!(r, Err(StoreError::Invalid(_))),
        "a revoked message stays: {r:?}"
    );
    assert_eq!(
        history(&store, "ann", "ben").await[0].body.elements,
        t("final")
    );
}

pub async fn delete_messages_is_per_user_and_all_or_nothing<S: Store>(store: S, _: Arc<Recorder>) {
    login_all(&store, &["ann", "ben", "cat"]).await;
    let a = send(&store, "ann", "ben", "a", text("one")).await;
    let b = send(&store, "ben", "ann", "b", text("two")).await;
    let c = send(&store, "cat", "ann", "c", text("three")).await;
    let r = store
        .delete_messages(APP, "ann", vec![b.id.clone(), wrong_tail(&a.id)])
        .await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
    assert_eq!(
        history(&store, "ann", "ben").await.len(),
        2,
        "nothing was hidden"
    );
    let r = store.delete_messages(APP, "cat", vec![a.id.clone()]).await;
    assert!(
        matches!(r, Err(StoreError::NotFound(_))),
        "not cat's: {r:?}"
    );
    let changed = store
        .delete_messages(APP, "ann", vec![b.id.clone(), c.id.clone()])
        .await
        .unwrap();
    assert_eq!(ids(&history(&store, "ann", "ben").await), [a.id.as_str()]);
    assert_eq!(
        history(&store, "ben", "ann").await.len(),
        2,
        "the peer keeps them"
    );
    let lasts: Vec<(String, Option<String>)> = changed
        .page
        .conversations
        .iter()
        .map(|c| {
            (
                c.id.to_id_string(),
                c.last_message.as_ref().map(|m| m.id.clone()),
            )
        })
        .collect();
    assert_eq!(
        lasts,
        [
            ("C2Cben".into(), Some(a.id.clone())),
            ("C2Ccat".into(), None)
        ]
    );
}

pub async fn conversation_changes_are_all_or_nothing<S: Store>(store: S, _: Arc<Recorder>) {
    login_all(&store, &["ann", "ben", "cat"]).await;
    send(&store, "ben", "ann", "b", text("hi")).await;
    send(&store, "cat", "ann", "c", text("hey")).await;
    let r = store
        .change_conversations(
            APP,
            "ann",
            vec!["ben".into(), "nobody".into()],
            ConversationChange::Pin(true),
        )
        .await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
    assert!(
        list(&store, "ann").await.iter().all(|c| !c.is_pinned),
        "nothing changed"
    );
    for change in [
        ConversationChange::Pin(true),
        ConversationChange::Mark(5, true),
        ConversationChange::Mark(1, false),
        ConversationChange::CustomData("draft".into()),
    ] {
        let page = store
            .change_conversations(APP, "ann", vec!["ben".into()], change)
            .await
            .unwrap();
        assert_eq!(page.conversations.len(), 1);
    }
    let inbox = store.inbox_after(APP, "ann", 0, 100).await.unwrap();
    let seqs: Vec<u64> = inbox.items.iter().map(|i| i.seq).collect();
    assert_eq!(
        seqs,
        (1..=inbox.inbox_seq).collect::<Vec<_>>(),
        "the refused change left no gap in the inbox"
    );
    let ben = list(&store, "ann")
        .await
        .into_iter()
        .find(|c| c.id.to_id_string() == "C2Cben")
        .unwrap();
    assert_eq!(
        (
            ben.is_pinned,
            ben.mark,
            ben.custom_data.as_str(),
            ben.unread_count
        ),
        (true, 4, "draft", 1)
    );
    store
        .change_conversations(APP, "ann", vec!["cat".into()], ConversationChange::Delete)
        .await
        .unwrap();
    assert_eq!(
        list(&store, "ann").await.len(),
        1,
        "a deleted conversation leaves the list"
    );
    assert!(history(&store, "ann", "cat").await.is_empty());
    send(&store, "cat", "ann", "c2", text("back")).await;
    let back = list(&store, "ann").await;
    assert_eq!(back.len(), 2, "until a new message comes");
    store
        .change_conversations(
            APP,
            "ann",
            vec!["ben".into()],
            ConversationChange::ClearHistory,
        )
        .await
        .unwrap();
    assert!(history(&store, "ann", "ben").await.is_empty());
    assert_eq!(
        history(&store, "ben", "ann").await.len(),
        1,
        "the peer keeps theirs"
    );
    let page = store
        .conversations(APP, "ann", Some("ben".into()), 10)
        .await
        .unwrap();
    assert_eq!(page.conversations.len(), 1, "a page after a peer");
    assert!(page.complete);
}

pub async fn a_read_tells_the_peer<S: Store>(store: S, bus: Arc<Recorder>) {
    login_all(&store, &["ann", "ben"]).await;
    send(&store, "ann", "ben", "1", text("a")).await;
    let second = send(&store, "ann", "ben", "2", text("b")).await;
    let page = store
        .change_conversations(APP, "ben", vec!["ann".into()], ConversationChange::Read)
        .await
        .unwrap();
    assert_eq!(page.conversations[0].unread_count, 0);
    let told = bus.of("ann").pop().unwrap();
    let want = InboxEvent::PeerRead {
        conversation_id: tim_proto::ConversationId::C2C("ben".into()),
        read_seq: second.sequence,
    };
    assert_eq!(told.event, want);
    let anns = store.conversations(APP, "ann", None, 10).await.unwrap();
    assert_eq!(anns.conversations[0].peer_read_seq, second.sequence);
    assert_eq!(
        page.inbox_seq,
        inbox(&store, "ben").await.last().unwrap().seq
    );
}

pub async fn set_all_read_reads_every_unread_conversation<S: Store>(store: S, bus: Arc<Recorder>) {
    login_all(&store, &["ann", "ben", "cat", "dan"]).await;
    send(&store, "ben", "ann", "b", text("1")).await;
    send(&store, "cat", "ann", "c", text("2")).await;
    send(&store, "ann", "dan", "d", text("3")).await;
    let page = store.set_all_read(APP, "ann").await.unwrap();
    let read: Vec<String> = page
        .conversations
        .iter()
        .map(|c| c.id.to_id_string())
        .collect();
    assert_eq!(
        read,
        ["C2Cben", "C2Ccat"],
        "only those with unread messages"
    );
    let all = store.conversations(APP, "ann", None, 10).await.unwrap();
    assert!(all.conversations.iter().all(|c| c.unread_count == 0));
    for peer in ["ben", "cat"] {
        assert!(
            matches!(
                bus.of(peer).pop().unwrap().event,
                InboxEvent::PeerRead { .. }
            ),
            "{peer}"
        );
    }
    assert!(store
        .set_all_read(APP, "ann")
        .await
        .unwrap()
        .conversations
        .is_empty());
}

pub async fn message_control_info<S: Store>(store: S, _: Arc<Recorder>) {
    login_all(&store, &["ann", "ben"]).await;
    let shown = send(&store, "ann", "ben", "1", text("shown")).await;
    let quiet = MessageBody {
        excluded_from_unread: true,
        excluded_from_last_message: true,
        need_read_receipt: true,
        at_user_list: vec!["ben".into(), "cat".into()],
        cloud_custom_data: "ccd".into(),
        ..text("quiet")
    };
    let q = send(&store, "ann", "ben", "2", quiet.clone()).await;
    assert_eq!(q.body, quiet, "the body comes back as sent");
    assert_eq!(
        history(&store, "ben", "ann").await[1].body,
        quiet,
        "and as stored"
    );
    let bens = store.conversations(APP, "ben", None, 10).await.unwrap();
    let c = &bens.conversations[0];
    assert_eq!(c.unread_count, 1, "not counted as unread");
    assert_eq!(
        c.last_message.as_ref().map(|m| &m.id),
        Some(&shown.id),
        "not the last message"
    );
}

fn patch(v: serde_json::Value) -> tim_server::store::ProfilePatch {
    v.as_object().unwrap().clone()
}

pub async fn profiles_merge_and_tell_only_their_user<S: Store>(store: S, bus: Arc<Recorder>) {
    login_all(&store, &["ann", "ben"]).await;
    let none = store.profiles(APP, vec!["ann".into()]).await.unwrap();
    assert_eq!(none[0].nick, "");
    assert_eq!(none[0].last_updated_time, 0);
    let p = store
        .update_profile(
            APP,
            "ann",
            patch(
                serde_json::json!({"nick": "Ann", "level": 3, "profileCustomField": [
                {"key": "Tag_Profile_Custom_B", "value": "2"},
                {"key": "Tag_Profile_Custom_A", "value": "1"}]}),
            ),
        )
        .await
        .unwrap();
    assert_eq!((p.nick.as_str(), p.level), ("Ann", 3));
    assert!(p.last_updated_time > 0);
    let p = store
        .update_profile(
            APP,
            "ann",
            patch(
                serde_json::json!({"avatar": "a.png", "profileCustomField": [
                {"key": "Tag_Profile_Custom_A", "value": ""},
                {"key": "Tag_Profile_Custom_C", "value": "3"}]}),
            ),
        )
        .await
        .unwrap();
    let keys: Vec<_> = p.profile_custom_field.iter().map(|f| &f.key[..]).collect();
    assert_eq!(keys, ["Tag_Profile_Custom_B", "Tag_Profile_Custom_C"]);
    assert_eq!((p.nick.as_str(), p.avatar.as_str()), ("Ann", "a.png"));
    // No change: no item.
    store
        .update_profile(APP, "ann", patch(serde_json::json!({"nick": "Ann"})))
        .await
        .unwrap();
    let items = inbox(&store, "ann").await;
    assert_eq!(items.len(), 2, "one item per change");
    assert!(
        matches!(&items[1].event, InboxEvent::Profile { profile } if profile.0.contains("a.png"))
    );
    assert_eq!(bus.of("ann").len(), 2);
    assert!(bus.of("ben").is_empty());
    let both = store
        .profiles(APP, vec!["ben".into(), "nobody".into(), "ann".into()])
        .await
        .unwrap();
    let users: Vec<_> = both.iter().map(|p| &p.user_id[..]).collect();
    assert_eq!(users, ["ben", "ann"], "existing users, in the order asked");
    assert!(matches!(
        store
            .update_profile(APP, "nobody", patch(serde_json::json!({"nick": "N"})))
            .await,
        Err(StoreError::UnknownUser(_))
    ));
}

fn changed_lists(items: &[InboxItem]) -> Vec<List> {
    items
        .iter()
        .filter_map(|i| match i.event {
            InboxEvent::Changed { list } => Some(list),
            _ => None,
        })
        .collect()
}

pub async fn relation_plans_apply_whole_or_not_at_all<S: Store>(store: S, bus: Arc<Recorder>) {
    login_all(&store, &["ann", "ben", "cid"]).await;
    let friend = |owner: &str, other: &str| Key::new(owner, Kind::Friend, other);
    let mut plan = Plan::default();
    plan.expect(friend("ann", "ben"), None);
    plan.put(
        friend("ann", "ben"),
        r#"{"remark":"B"}"#.into(),
        List::Friends,
    );
    plan.put(friend("ben", "ann"), "{}".into(), List::Friends);
    plan.put(friend("ann", "cid"), "{}".into(), List::Friends);
    // A user unknown to the store is told nothing (and fails nothing).
    plan.tell("nobody", List::Friends);
    store.relate(APP, plan).await.unwrap();
    let anns = store.relations(APP, "ann", Kind::Friend).await.unwrap();
    let others: Vec<_> = anns.iter().map(|r| &r.other[..]).collect();
    assert_eq!(others, ["ben", "cid"]);
    assert_eq!(store.count(APP, "ann", Kind::Friend).await.unwrap(), 2);
    assert_eq!(store.count(APP, "ann", Kind::Black).await.unwrap(), 0);
    assert_eq!(anns[0].data, r#"{"remark":"B"}"#);
    assert!(anns[0].time > 0);
    assert_eq!(
        changed_lists(&inbox(&store, "ann").await),
        [List::Friends],
        "one item a list"
    );
    assert_eq!(changed_lists(&inbox(&store, "ben").await), [List::Friends]);
    assert_eq!(bus.of("ben").len(), 1, "published once committed");
    assert!(store
        .relations(APP, "ann", Kind::Black)
        .await
        .unwrap()
        .is_empty());
    let at = store
        .relations_at(
            APP,
            vec![
                friend("cid", "ann"),
                friend("ben", "ann"),
                friend("ann", "ben"),
            ],
        )
        .await
        .unwrap();
    assert!(at[0].is_none());
    assert_eq!(at[1].as_ref().unwrap().data, "{}");
    assert_eq!(at[2].as_ref().unwrap().other, "ben");
    // Who watches ann's status: ben (her friend's owner) and cid once subscribed, each once.
    assert_eq!(store.watchers(APP, "ann").await.unwrap(), ["ben"]);
    let mut plan = Plan::default();
    plan.set(Key::new("cid", Kind::Subscribe, "ann"), Some("{}".into()));
    plan.set(Key::new("ben", Kind::Subscribe, "ann"), Some("{}".into()));
    store.relate(APP, plan).await.unwrap();
    let mut watchers = store.watchers(APP, "ann").await.unwrap();
    watchers.sort();
    assert_eq!(watchers, ["ben", "cid"]);
    assert!(
        inbox(&store, "cid").await.is_empty(),
        "a subscription tells nobody"
    );
    let mut plan = Plan::default();
    plan.set(Key::new("cid", Kind::Subscribe, "ann"), None);
    plan.set(Key::new("ben", Kind::Subscribe, "ann"), None);
    store.relate(APP, plan).await.unwrap();
    // A profile change tells the user and those who have the user as a friend.
    let before = (
        inbox(&store, "ben").await.len(),
        inbox(&store, "cid").await.len(),
    );
    store
        .update_profile(APP, "ann", patch(serde_json::json!({"nick": "Ann"})))
        .await
        .unwrap();
    let ben = inbox(&store, "ben").await;
    assert_eq!(ben.len(), before.0 + 1);
    assert!(
        matches!(&ben[ben.len() - 1].event, InboxEvent::Profile { profile } if profile.0.contains("Ann"))
    );
    assert_eq!(
        inbox(&store, "cid").await.len(),
        before.1,
        "ann is not in cid's friend list"
    );

    // An expectation not met: Stale, and nothing of the plan written or told.
    let mut plan = Plan::default();
    plan.expect(friend("ann", "ben"), None);
    plan.delete(friend("ann", "cid"), List::Friends);
    plan.put(friend("cid", "ann"), "{}".into(), List::Friends);
    assert!(matches!(
        store.relate(APP, plan).await,
        Err(StoreError::Stale)
    ));
    let mut plan = Plan::default();
    let stale = tim_server::store::Relation {
        other: "ben".into(),
        data: "{}".into(),
        time: 0,
    };
    plan.expect(friend("ann", "ben"), Some(&stale));
    plan.put(friend("cid", "ann"), "{}".into(), List::Friends);
    assert!(matches!(
        store.relate(APP, plan).await,
        Err(StoreError::Stale)
    ));
    assert_eq!(
        store
            .relations(APP, "ann", Kind::Friend)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(store
        .relations(APP, "cid", Kind::Friend)
        .await
        .unwrap()
        .is_empty());
    assert!(inbox(&store, "cid").await.is_empty());

    // Met: a change of data keeps the row's time; a delete removes it.
    let mut plan = Plan::default();
    plan.expect(friend("ann", "ben"), Some(&anns[0]));
    plan.put(
        friend("ann", "ben"),
        r#"{"remark":"C"}"#.into(),
        List::Friends,
    );
    plan.delete(friend("ann", "cid"), List::Friends);
    plan.tell("cid", List::FriendGroups);
    store.relate(APP, plan).await.unwrap();
    let anns2 = store.relations(APP, "ann", Kind::Friend).await.unwrap();
    assert_eq!(anns2.len(), 1);
    assert_eq!(anns2[0].data, r#"{"remark":"C"}"#);
    assert_eq!(anns2[0].time, anns[0].time);
    assert_eq!(
        changed_lists(&inbox(&store, "cid").await),
        [List::FriendGroups]
    );
    // Rows are per kind and per app.
    assert!(store
        .relations(APP + 1, "ann", Kind::Friend)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .relations(APP, "ann", Kind::FriendGroup)
        .await
        .unwrap()
        .is_empty());
}

pub async fn a_blocked_sender_stores_nothing<S: Store>(store: S, bus: Arc<Recorder>) {
    login_all(&store, &["ann", "ben"]).await;
    let mut plan = Plan::default();
    plan.put(
        Key::new("ann", Kind::Black, "ben"),
        "{}".into(),
        List::Blacklist,
    );
    store.relate(APP, plan).await.unwrap();
    let before = bus.of("ann").len();
    let r = store
        .send_c2c(NewMessage {
            app: APP,
            from: "ben".into(),
            to: "ann".into(),
            client_msg_id: "b1".into(),
            random: 7,
            body: text("let me in"),
            quota_bytes: 0,
            name_card: String::new(),
        })
        .await;
    assert!(matches!(r, Err(StoreError::Blocked)), "{r:?}");
    assert!(history(&store, "ben", "ann").await.is_empty());
    assert!(history(&store, "ann", "ben").await.is_empty());
    assert_eq!(bus.of("ann").len(), before);
    assert!(bus.of("ben").is_empty());
    // The blocker still reaches the blocked.
    send(&store, "ann", "ben", "a1", text("no")).await;
    assert_eq!(history(&store, "ben", "ann").await.len(), 1);
}

async fn say<S: Store>(store: &S, from: &str, cmid: &str, t: &str) -> Result<Message, StoreError> {
    let message = NewMessage {
        app: APP,
        from: from.into(),
        to: "g".into(),
        client_msg_id: cmid.into(),
        random: 7,
        body: text(t),
        quota_bytes: 0,
        name_card: format!("{from} card"),
    };
    let members: Vec<String> = vec!["ann".into(), "ben".into()];
    let new = NewGroupMessage {
        message,
        members: members.into(),
        from_member: true,
    };
    store.send_group(new).await
}

fn seqs(messages: &[Message]) -> Vec<u64> {
    messages.iter().map(|m| m.sequence).collect()
}

pub async fn group_messages_are_stored_once_per_group<S: Store>(store: S, bus: Arc<Recorder>) {
    login_all(&store, &["ann", "ben", "cid"]).await;
    let mut plan = Plan::default();
    for user in ["ann", "ben"] {
        plan.set(Key::new("g", Kind::Member, user), Some("{}".into()));
    }
    store.relate(APP, plan).await.unwrap();

    let first = say(&store, "ann", "a1", "one").await.unwrap();
    assert_eq!((first.sequence, first.to.as_str()), (1, "g"));
    assert_eq!(first.conversation_type, tim_proto::ConversationType::Group);
    assert_eq!(
        first.name_card, "ann card",
        "stamped with the sender's name card"
    );
    let second = say(&store, "ben", "b1", "two").await.unwrap();
    assert_eq!(second.sequence, 2);
    let again = say(&store, "ann", "a1", "one").await.unwrap();
    assert_eq!((again.id, again.sequence), (first.id.clone(), 1), "a retry");
    let r = say(&store, "cid", "c1", "let me in").await;
    assert!(matches!(r, Err(StoreError::NotMember)), "{r:?}");

    let pushed = [("g".to_owned(), 1), ("g".to_owned(), 2)];
    assert_eq!(bus.group_of("ben"), pushed, "once each, in order");
    assert_eq!(bus.group_of("ann"), pushed);
    assert!(bus.group_of("cid").is_empty());
    // Nothing per member: no inbox item, no conversation row.
    assert!(inbox(&store, "ben").await.is_empty());
    assert!(list(&store, "ben").await.is_empty());

    let seqs_now = store.group_seqs(APP, vec!["g".into(), "none".into()]);
    assert_eq!(seqs_now.await.unwrap(), [2, 0]);
    assert_eq!(
        seqs(&store.group_after(APP, "g", 0, 10).await.unwrap()),
        [1, 2]
    );
    assert_eq!(
        seqs(&store.group_after(APP, "g", 1, 10).await.unwrap()),
        [2]
    );
    assert_eq!(seqs(&store.group_after(APP, "g", 0, 1).await.unwrap()), [1]);
    let read_back = store.group_after(APP, "g", 0, 1).await.unwrap();
    assert_eq!(read_back[0].name_card, "ann card", "and read back with it");
    let newest = store.group_history(APP, ("ben", "g", 0), HistoryRange::BeforeSeq(None), 1);
    let (page, complete) = newest.await.unwrap();
    assert_eq!((seqs(&page), complete), (vec![2], false));
    let older = store.group_history(APP, ("ben", "g", 0), HistoryRange::BeforeSeq(Some(2)), 5);
    let (page, complete) = older.await.unwrap();
    assert_eq!((seqs(&page), complete), (vec![1], true));
    let newer = store.group_history(APP, ("ben", "g", 0), HistoryRange::AfterSeq(1), 5);
    assert_eq!(seqs(&newer.await.unwrap().0), [2]);

    // Each member's view: the last message after what they cleared, and the others' messages
    // after what they read.
    let view = |me: &'static str, read: u64, cleared: u64| {
        let store = &store;
        async move {
            let v = store.group_view(APP, me, "g", read, cleared).await.unwrap();
            (v.last.map(|m| m.sequence), v.unread)
        }
    };
    assert_eq!(
        view("ben", 0, 0).await,
        (Some(2), 1),
        "ben's own message is not unread"
    );
    assert_eq!(view("ann", 0, 0).await, (Some(2), 1));
    assert_eq!(view("ann", 2, 0).await, (Some(2), 0));
    assert_eq!(view("ann", 0, 2).await, (None, 0), "cleared is read too");
    let mut quiet = text("not last, not unread");
    quiet.excluded_from_last_message = true;
    quiet.excluded_from_unread = true;
    let message = NewMessage {
        app: APP,
        from: "ann".into(),
        to: "g".into(),
        client_msg_id: "a-quiet".into(),
        random: 7,
        body: quiet,
        quota_bytes: 0,
        name_card: String::new(),
    };
    let members: Vec<String> = vec!["ann".into(), "ben".into()];
    let new = NewGroupMessage {
        message,
        members: members.into(),
        from_member: true,
    };
    assert_eq!(store.send_group(new).await.unwrap().sequence, 3);
    assert_eq!(view("ben", 0, 0).await, (Some(2), 1), "excluded from both");

    // A member no more: refused, and nothing taken of the sequence.
    let mut plan = Plan::default();
    plan.set(Key::new("g", Kind::Member, "ann"), None);
    store.relate(APP, plan).await.unwrap();
    let r = say(&store, "ann", "a2", "gone").await;
    assert!(matches!(r, Err(StoreError::NotMember)), "{r:?}");
    assert_eq!(say(&store, "ben", "b2", "four").await.unwrap().sequence, 4);

    // A plan's posts (a group's tips) go into the group's sequence with its rows, from a
    // sender who need not be a member; a stale plan posts nothing and takes no number.
    let post = |cmid: &str| NewGroupMessage {
        message: NewMessage {
            app: APP,
            from: "ann".into(),
            to: "g".into(),
            client_msg_id: cmid.into(),
            random: 7,
            body: text("a tip"),
            quota_bytes: 0,
            name_card: String::new(),
        },
        members: vec!["ben".to_owned(), "cid".to_owned()].into(),
        from_member: false,
    };
    let cid = Key::new("g", Kind::Member, "cid");
    let mut plan = Plan::default();
    plan.expect(cid.clone(), None);
    plan.set(cid.clone(), Some("{}".into()));
    plan.post(post("t1"));
    store.relate(APP, plan).await.unwrap();
    let posted = store.group_after(APP, "g", 4, 10).await.unwrap();
    assert_eq!((seqs(&posted), posted[0].from.as_str()), (vec![5], "ann"));
    assert_eq!(bus.group_of("cid"), [("g".to_owned(), 5)], "pushed once");
    let mut stale = Plan::default();
    stale.expect(cid, None);
    stale.post(post("t2"));
    let r = store.relate(APP, stale).await;
    assert!(matches!(r, Err(StoreError::Stale)), "{r:?}");
    let now = store.group_seqs(APP, vec!["g".into()]).await.unwrap();
    assert_eq!(now, [5], "nothing posted");
    assert_eq!(say(&store, "cid", "c2", "six").await.unwrap().sequence, 6);

    // A view lists the unread messages with an atUserList too, newest kept.
    let mut body = text("@ben");
    body.at_user_list = vec!["ben".into()];
    let message = NewMessage {
        app: APP,
        from: "cid".into(),
        to: "g".into(),
        client_msg_id: "c-at".into(),
        random: 7,
        body,
        quota_bytes: 0,
        name_card: String::new(),
    };
    let new = NewGroupMessage {
        message,
        members: vec!["ben".to_owned()].into(),
        from_member: true,
    };
    assert_eq!(store.send_group(new).await.unwrap().sequence, 7);
    let mentioning = |me: &'static str, read: u64| {
        let store = &store;
        async move {
            let v = store.group_view(APP, me, "g", read, 0).await.unwrap();
            seqs(&v.mentioning)
        }
    };
    assert_eq!(mentioning("ben", 0).await, [7]);
    assert_eq!(mentioning("ben", 7).await, Vec::<u64>::new(), "read");
    assert_eq!(mentioning("cid", 0).await, Vec::<u64>::new(), "one's own");
}

/// Revoke, modify and delete-for-me of a group message: by members (managers revoke others'),
/// each change an inbox item of every member; nobody else, not even a user named like the group.
pub async fn group_messages_change_for_every_member<S: Store>(store: S, bus: Arc<Recorder>) {
    login_all(&store, &["ann", "ben", "cid", "g"]).await;
    let mut plan = Plan::default();
    for (user, role) in [("ann", "Owner"), ("ben", "Member"), ("cid", "Member")] {
        let row = format!(r#"{{"role":"{role}"}}"#);
        plan.set(Key::new("g", Kind::Member, user), Some(row));
    }
    store.relate(APP, plan).await.unwrap();
    let m = say(&store, "ben", "b1", "hello").await.unwrap();
    let change = |version| ModifyMessage {
        message_id: m.id.clone(),
        elements: vec![Element::Text {
            text: "edited".into(),
        }],
        cloud_custom_data: String::new(),
        version,
    };
    let members = ["ann", "ben", "cid"];
    let last_of = |user: &str| bus.of(user).pop().map(|i| i.event);

    let outsider = store.modify(APP, "g", change(0), false).await;
    assert!(
        matches!(outsider, Err(StoreError::NotFound(_))),
        "{outsider:?}"
    );
    let outsider = store.delete_messages(APP, "g", vec![m.id.clone()]).await;
    assert!(
        matches!(outsider, Err(StoreError::NotFound(_))),
        "{outsider:?}"
    );
    assert!(
        bus.of("g").is_empty(),
        "the user named like the group hears nothing"
    );

    let changed = store.modify(APP, "cid", change(0), false).await.unwrap();
    assert_eq!((changed.version, changed.modifier.as_str()), (1, "cid"));
    for user in members {
        let modified = InboxEvent::Modified {
            message: changed.clone(),
        };
        assert_eq!(last_of(user), Some(modified), "{user}");
    }
    let sender_only = store.modify(APP, "cid", change(1), true).await;
    assert!(
        matches!(sender_only, Err(StoreError::Invalid(_))),
        "{sender_only:?}"
    );

    let not_theirs = store.revoke(APP, "cid", &m.id, 120).await;
    assert!(
        matches!(not_theirs, Err(StoreError::NotSender)),
        "{not_theirs:?}"
    );
    let revoked = store.revoke(APP, "ann", &m.id, 0).await.unwrap();
    assert_eq!(
        revoked.revoker, "ann",
        "the owner revokes a member's message, at any time"
    );
    for user in members {
        let event = InboxEvent::Revoked {
            message: revoked.clone(),
        };
        assert_eq!(last_of(user), Some(event), "{user}");
    }

    let deleted = store
        .delete_messages(APP, "cid", vec![m.id.clone()])
        .await
        .unwrap();
    assert_eq!(deleted.groups, ["g"]);
    assert!(deleted.page.conversations.is_empty());
    let page = |user| store.group_history(APP, (user, "g", 0), HistoryRange::BeforeSeq(None), 9);
    assert!(page("cid").await.unwrap().0.is_empty(), "gone for cid");
    assert_eq!(page("ben").await.unwrap().0.len(), 1, "kept for the others");
}

/// `add` is atomic: 50 concurrent additions to one counter end at their exact sum, each
/// answered with a distinct running total; past the range of an i64 nothing changes.
pub async fn additions_all_count<S: Store>(store: S, _: Arc<Recorder>) {
    let key = || Key::new("g", Kind::Counter, "likes");
    // Positive, so the running totals rise in whatever order the additions run.
    let deltas: Vec<i64> = (1..=50).collect();
    let adds = deltas.iter().map(|d| store.add(APP, key(), *d));
    let mut sums: Vec<i64> = futures_util::future::join_all(adds)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let total: i64 = deltas.iter().sum();
    assert_eq!(
        sums.iter().max(),
        Some(&total),
        "the last one sees them all"
    );
    sums.sort_unstable();
    sums.dedup();
    assert_eq!(sums.len(), 50, "each answered with its own running total");
    let row = store
        .relations_at(APP, vec![key()])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(row.unwrap().data, total.to_string());
    let over = store.add(APP, key(), i64::MAX).await;
    assert!(matches!(over, Err(StoreError::Invalid(_))), "{over:?}");
    assert_eq!(
        store.add(APP, key(), 0).await.unwrap(),
        total,
        "nothing changed"
    );
    assert_eq!(
        store
            .add(APP, Key::new("g", Kind::Counter, "new"), -2)
            .await
            .unwrap(),
        -2
    );
}

/// Plans that read a group's row and write it again, 20 at once, each tried again when stale
/// (as ops do): none is lost, so the row counts them all.
pub async fn concurrent_plans_about_one_group_lose_nothing<S: Store>(store: S, _: Arc<Recorder>) {
    let key = || Key::new("g", Kind::Attribute, "n");
    let bump = || async {
        loop {
            let row = store
                .relations_at(APP, vec![key()])
                .await
                .unwrap()
                .remove(0);
            let n: u64 = row.as_ref().map_or(0, |r| r.data.parse().unwrap());
            let mut plan = Plan::default();
            plan.expect(key(), row.as_ref());
            plan.set(key(), Some((n + 1).to_string()));
            match store.relate(APP, plan).await {
                Ok(()) => return,
                Err(StoreError::Stale) => continue,
                Err(e) => panic!("{e:?}"),
            }
        }
    };
    futures_util::future::join_all((0..20).map(|_| bump())).await;
    let row = store
        .relations_at(APP, vec![key()])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(row.unwrap().data, "20");
}
