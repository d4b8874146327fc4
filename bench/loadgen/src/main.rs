//! Load generator: N pairs of users, each user on its own WebSocket, exchanging 100-byte text
//! messages for a while after a warm-up; it reports delivered messages per second (to the
//! recipient only, not the sender's own echo), the server's CPU time per message and the
//! send → delivery latency. Closed loop: every message a user receives is answered by one back
//! (`--window` in flight per pair). Open loop (`--rate`): every user sends on a fixed schedule
//! and latency counts from the scheduled time, so a stalled server is not hidden (coordinated
//! omission). Targets: `tim` (a tim-server it starts, or `--url`), `relay` (a raw WebSocket
//! relay in a process of its own, the floor of what forwarding costs), `ejabberd` (a private
//! instance of Debian's ejabberd, XMPP over WebSocket, no storage).
//!
//! ```text
//! tim-loadgen [--target tim|relay|ejabberd] [--server PATH] [--url ws://HOST:PORT/v1/ws --pid PID]
//!             [--db URL] [--nodes N --bus nats://HOST:PORT]
//!             [--pairs 50] [--window 1] [--rate MSGS_PER_S] [--warmup 3] [--secs 15]
//!             [--body 100] [--check]
//! tim-loadgen relay            (the relay itself; prints `listening on ws://ADDR`)
//! ```
//!
//! `--db` gives the tim-server it starts that database instead of a temp SQLite file; with
//! `--nodes N` it starts N of them on it, joined by `--bus`, and user i connects to node
//! i mod N (so the two users of a pair are on different nodes); CPU is that of all nodes.
//!
//! `--check` exits non-zero when anything went wrong (inbox gaps, error or kicked frames, a
//! closed connection, nothing delivered): the test command runs a short check of both targets.

mod ejabberd;
mod relay;
mod tim;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What every connection counts, shared.
#[derive(Default)]
pub struct Counters {
    /// Messages delivered to their recipient during the measured window.
    pub delivered: AtomicU64,
    pub errors: AtomicU64,
    pub kicked: AtomicU64,
    pub gaps: AtomicU64,
    pub closed: AtomicU64,
    /// Send → delivery latencies (µs) during the measured window.
    pub latencies: Mutex<Vec<u32>>,
    /// While set, deliveries count.
    pub measuring: std::sync::atomic::AtomicBool,
}

impl Counters {
    pub fn delivered(&self, sent_at_ns: u64, clock: &Clock) {
        if self.measuring.load(Ordering::Relaxed) {
            self.delivered.fetch_add(1, Ordering::Relaxed);
            let us = clock.now_ns().saturating_sub(sent_at_ns) / 1000;
            self.latencies
                .lock()
                .unwrap()
                .push(us.min(u32::MAX as u64) as u32);
        }
    }
}

/// Nanoseconds since the run started: the timestamps messages carry.
#[derive(Clone, Copy)]
pub struct Clock(Instant);

impl Clock {
    pub fn now_ns(&self) -> u64 {
        self.0.elapsed().as_nanos() as u64
    }
}

/// The users of `pairs` pairs with their partners: `a0`↔`b0`, `a1`↔`b1`, … (a before b).
pub fn users(pairs: usize) -> Vec<(String, String)> {
    (0..pairs)
        .flat_map(|p| {
            [
                (format!("a{p}"), format!("b{p}")),
                (format!("b{p}"), format!("a{p}")),
            ]
        })
        .collect()
}

/// A message body of `size` bytes carrying its send time: `T<nanos>|xxx…`.
pub fn body(sent_at_ns: u64, size: usize) -> String {
    let mut b = format!("T{sent_at_ns}|");
    while b.len() < size {
        b.push('x');
    }
    b
}

/// The send time a body carries.
pub fn sent_at(body: &str) -> Option<u64> {
    body.strip_prefix('T')?.split('|').next()?.parse().ok()
}

#[derive(Clone)]
pub struct Options {
    pub target: String,
    pub server: String,
    pub url: Option<String>,
    pub pid: Option<u32>,
    pub db: Option<String>,
    pub nodes: usize,
    pub bus: Option<String>,
    pub pairs: usize,
    pub window: usize,
    pub rate: f64,
    pub warmup: f64,
    pub secs: f64,
    pub body: usize,
    pub check: bool,
}

fn options() -> Options {
    let mut o = Options {
        target: "tim".into(),
        server: "target/release/tim-server".into(),
        url: None,
        pid: None,
        db: None,
        nodes: 1,
        bus: None,
        pairs: 50,
        window: 1,
        rate: 0.0,
        warmup: 3.0,
        secs: 15.0,
        body: 100,
        check: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--target" => o.target = value(),
            "--server" => o.server = value(),
            "--url" => o.url = Some(value()),
            "--pid" => o.pid = Some(value().parse().expect("a pid")),
            "--db" => o.db = Some(value()),
            "--nodes" => o.nodes = value().parse().expect("a number"),
            "--bus" => o.bus = Some(value()),
            "--pairs" => o.pairs = value().parse().expect("a number"),
            "--window" => o.window = value().parse().expect("a number"),
            "--rate" => o.rate = value().parse().expect("a number"),
            "--warmup" => o.warmup = value().parse().expect("seconds"),
            "--secs" => o.secs = value().parse().expect("seconds"),
            "--body" => o.body = value().parse().expect("bytes"),
            "--check" => o.check = true,
            other => panic!("unknown argument {other:?}"),
        }
    }
    o
}

/// User + system CPU time of a process, from /proc (Linux).
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name in parentheses; utime and stime are the 14th and 15th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Linux reports clock ticks of 1/100 s (USER_HZ).
    Some(Duration::from_millis(ticks * 10))
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// A target under load: how to reach it and which process to measure.
pub struct Target {
    pub url: String,
    pub pid: Option<u32>,
    /// More nodes of a tim-server cluster (users go round-robin over `url` and these).
    pub more: Vec<Node>,
    /// Kept to stop the server when the run ends.
    pub child: Option<tokio::process::Child>,
    pub dir: Option<tempfile::TempDir>,
    /// How to stop a server that runs as a daemon, given its folder.
    pub stop: Option<Stop>,
}

pub type Stop = Box<dyn FnOnce(&std::path::Path) + Send>;

/// Another node of the server: where users connect to it, and its process.
pub struct Node {
    pub url: String,
    pub child: tokio::process::Child,
}

impl Target {
    /// Where the `i`-th user connects.
    pub fn url_of(&self, i: usize) -> &str {
        match i % (self.more.len() + 1) {
            0 => &self.url,
            k => &self.more[k - 1].url,
        }
    }

    /// The CPU time of the server: every node's.
    fn cpu(&self) -> Option<Duration> {
        let first = self.pid.and_then(cpu_time)?;
        self.more.iter().try_fold(first, |sum, n| {
            n.child.id().and_then(cpu_time).map(|c| sum + c)
        })
    }
}

#[tokio::main]
async fn main() {
    if std::env::args().nth(1).as_deref() == Some("relay") {
        return relay::serve().await;
    }
    let o = options();
    let target = match o.target.as_str() {
        "tim" => tim::start(&o).await,
        "relay" => relay::start(&o).await,
        "ejabberd" => ejabberd::start(&o).await,
        other => panic!("unknown target {other:?}: tim, relay or ejabberd"),
    };
    let clock = Clock(Instant::now());
    let counters = Arc::new(Counters::default());
    match o.target.as_str() {
        "tim" => tim::run(&o, &target, clock, counters.clone()).await,
        "ejabberd" => ejabberd::run(&o, &target, clock, counters.clone()).await,
        _ => relay::run(&o, &target, clock, counters.clone()).await,
    }
    tokio::time::sleep(Duration::from_secs_f64(o.warmup)).await;
    let cpu0 = target.cpu();
    let t0 = Instant::now();
    counters.measuring.store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs_f64(o.secs)).await;
    counters.measuring.store(false, Ordering::Relaxed);
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = target.cpu().zip(cpu0).map(|(b, a)| b - a);
    let delivered = counters.delivered.load(Ordering::Relaxed);
    let mut lat = std::mem::take(&mut *counters.latencies.lock().unwrap());
    lat.sort_unstable();
    let cpu_per_msg = cpu.map_or(f64::NAN, |c| {
        c.as_secs_f64() * 1e6 / delivered.max(1) as f64
    });
    let (errors, kicked, gaps, closed) = (
        counters.errors.load(Ordering::Relaxed),
        counters.kicked.load(Ordering::Relaxed),
        counters.gaps.load(Ordering::Relaxed),
        counters.closed.load(Ordering::Relaxed),
    );
    let mode = if o.rate > 0.0 {
        format!("rate={}", o.rate)
    } else {
        format!("window={}", o.window)
    };
    let nodes = if target.more.is_empty() {
        String::new()
    } else {
        format!(" nodes={}", target.more.len() + 1)
    };
    println!(
        "target={}{nodes} pairs={} {mode} delivered/s={:.0} cpu_us/msg={:.1} p50_ms={:.2} p99_ms={:.2} p999_ms={:.2} max_ms={:.2} gaps={gaps} errors={errors} kicked={kicked} closed={closed}",
        o.target,
        o.pairs,
        delivered as f64 / elapsed,
        cpu_per_msg,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 0.999),
        percentile(&lat, 1.0),
    );
    // Stop the server and remove its folder now: `exit` below runs no destructor (the
    // connections' tasks would otherwise keep the runtime busy).
    if let (Some(stop), Some(dir)) = (target.stop, &target.dir) {
        stop(dir.path());
    }
    let children = target
        .child
        .into_iter()
        .chain(target.more.into_iter().map(|n| n.child));
    for mut child in children {
        let _ = child.start_kill();
        let _ = child.wait().await;
    }
    if let Some(dir) = target.dir {
        let _ = dir.close();
    }
    if o.check && (delivered == 0 || errors + kicked + gaps + closed > 0) {
        eprintln!("check failed");
        std::process::exit(1);
    }
    std::process::exit(0);
}
