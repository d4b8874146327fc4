//! The store conformance suite on the PostgreSQL backend, on a private instance (tests/pg), and
//! what only a database shared by several nodes can show: writers on separate connections
//! (as separate nodes are) keep every sequence gap-free and exact.

mod conformance;
mod pg;

use std::path::Path;
use std::sync::Arc;
use tim_server::bus::Bus;
use tim_server::store::postgres::PgStore;
use tim_server::store::{InboxStore, MessageStore, NewMessage};

async fn open(_: &Path, bus: Arc<dyn Bus>) -> PgStore {
    let url = pg::fresh_database().await;
    PgStore::open(&url, bus).await.unwrap()
}

conformance_suite!(open);

/// Two stores on one database are two nodes: 4 senders on them write to one user at once;
/// the recipient's inbox and each conversation are numbered 1, 2, 3 … with no gap, and every
/// message is there once.
#[test]
fn concurrent_writers_on_two_nodes_keep_sequences_exact() {
    use conformance::{text, APP};
    const PER_SENDER: usize = 50;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = pg::fresh_database().await;
        let bus: Arc<dyn Bus> = Arc::new(conformance::Recorder::default());
        let nodes = [
            Arc::new(PgStore::open(&url, bus.clone()).await.unwrap()),
            Arc::new(PgStore::open(&url, bus.clone()).await.unwrap()),
        ];
        let senders = ["s1", "s2", "s3", "s4"];
        conformance::login_all(&*nodes[0], &["target"]).await;
        conformance::login_all(&*nodes[1], &senders).await;
        let mut tasks = Vec::new();
        for (i, sender) in senders.iter().enumerate() {
            let node = nodes[i % 2].clone();
            let sender = sender.to_string();
            tasks.push(tokio::spawn(async move {
                let mut seqs = Vec::new();
                for n in 0..PER_SENDER {
                    let m = node
                        .send_c2c(NewMessage {
                            app: APP,
                            from: sender.clone(),
                            to: "target".into(),
                            client_msg_id: format!("{sender}-{n}"),
                            random: n as u32,
                            body: text(&format!("{sender} {n}")),
                            quota_bytes: 0,
                            name_card: String::new(),
                        })
                        .await
                        .unwrap();
                    seqs.push(m.sequence);
                }
                seqs
            }));
        }
        for t in tasks {
            // Each sender's conversation with the target: 1..=PER_SENDER in order.
            let seqs = t.await.unwrap();
            assert_eq!(seqs, (1..=PER_SENDER as u64).collect::<Vec<_>>());
        }
        let total = senders.len() * PER_SENDER;
        let inbox = nodes[1]
            .inbox_after(APP, "target", 0, total as u32 + 10)
            .await
            .unwrap();
        let seqs: Vec<u64> = inbox.items.iter().map(|i| i.seq).collect();
        assert_eq!(
            seqs,
            (1..=total as u64).collect::<Vec<_>>(),
            "gap-free and exact"
        );
        assert_eq!(inbox.inbox_seq, total as u64);
        let mut ids: Vec<String> = inbox
            .items
            .iter()
            .filter_map(|i| match &i.event {
                tim_proto::InboxEvent::Message { message } => Some(message.client_msg_id.clone()),
                _ => None,
            })
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), total, "every message once");
    });
}
