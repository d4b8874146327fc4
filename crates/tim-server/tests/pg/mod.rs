//! A private PostgreSQL for the tests: one instance per test binary, made with Debian's initdb
//! in a temp folder (as the `postgres` user when run as root: initdb refuses root), on a free
//! port, never the system's cluster; stopped and removed when the binary exits. Each caller
//! gets a fresh database of its own. `TIM_TEST_POSTGRES=postgres://…` uses a server you run
//! instead (its databases named tim_test_* are made and left there).
#![allow(dead_code)] // each test binary uses what it needs

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

struct Instance {
    /// `postgres://postgres@127.0.0.1:PORT` (no database).
    base: String,
}

/// The data folder of the instance this binary started, for the exit handler.
static STARTED: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();

fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path().join("bin")))
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions.pop().unwrap_or_else(|| {
        panic!(
            "PostgreSQL is missing: install Debian's postgresql package (./scripts/setup.sh does)"
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `program args` as the postgres user when this process is root.
fn as_owner(program: &Path, args: &[&str]) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program).args(args);
        c
    } else {
        let mut c = Command::new(program);
        c.args(args);
        c
    }
}

fn run(mut c: Command, what: &str) {
    let out = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

extern "C" fn stop_at_exit() {
    if let Some((pg_ctl, data)) = STARTED.get() {
        let data = data.to_string_lossy();
        let _ = as_owner(pg_ctl, &["-D", &data, "stop", "-m", "immediate", "-s"]).output();
        if let Some(dir) = Path::new(&*data).parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

extern "C" {
    fn atexit(f: extern "C" fn()) -> i32;
}

fn start() -> Instance {
    let bin = bin_dir();
    let dir = tempfile::Builder::new()
        .prefix("tim-pg-")
        .tempdir()
        .unwrap()
        .keep();
    let data = dir.join("data");
    if is_root() {
        run(
            {
                let mut c = Command::new("chown");
                c.args(["postgres:postgres"]).arg(&dir);
                c
            },
            "chown",
        );
    }
    let data_s = data.to_string_lossy().into_owned();
    run(
        as_owner(
            &bin.join("initdb"),
            &[
                "-D",
                &data_s,
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        ),
        "initdb",
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The tests are not about durability: no fsync, to keep them quick.
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
        dir.display()
    );
    let log = dir.join("log").to_string_lossy().into_owned();
    let pg_ctl = bin.join("pg_ctl");
    STARTED.set((pg_ctl.clone(), data.clone())).ok();
    // SAFETY: registering a plain extern "C" function with the C library's atexit.
    unsafe { atexit(stop_at_exit) };
    run(
        as_owner(
            &pg_ctl,
            &[
                "-D", &data_s, "-l", &log, "-o", &options, "-w", "-s", "start",
            ],
        ),
        "pg_ctl start",
    );
    Instance {
        base: format!("postgres://postgres@127.0.0.1:{port}"),
    }
}

fn instance() -> &'static Instance {
    static PG: OnceLock<Instance> = OnceLock::new();
    PG.get_or_init(|| match std::env::var("TIM_TEST_POSTGRES") {
        Ok(url) => Instance {
            base: url.trim_end_matches('/').to_owned(),
        },
        Err(_) => start(),
    })
}

/// The URL of a fresh, empty database on the test instance.
pub async fn fresh_database() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let base = &instance().base;
    let name = format!(
        "tim_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let (client, conn) =
        tokio_postgres::connect(&format!("{base}/postgres"), tokio_postgres::NoTls)
            .await
            .expect("connecting to the test PostgreSQL");
    let task = tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("CREATE DATABASE");
    drop(client);
    let _ = task.await;
    format!("{base}/{name}")
}
