//! Server settings from the command line, environment variables and an optional TOML file
//! (in that order of precedence), resolved into one [`Config`].

use crate::rate::Rate;
use crate::registry::LoginPolicy;
use clap::Args;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The app `--dev` adds, with a fixed key: dev mode hands out sigs to anyone anyway.
pub const DEV_SDKAPPID: u64 = 1_400_000_000;
pub const DEV_SECRET_KEY: &str = "tim-wasm-dev-secret-key-do-not-use-in-production";

#[derive(Debug, Clone)]
pub struct App {
    pub sdkappid: u64,
    pub key: String,
    /// How many web sessions one user may have at once; one more kicks the oldest.
    pub web_instances: usize,
    /// Which platforms one user may be online on together.
    pub login_policy: LoginPolicy,
    /// The administrator identifier the REST API accepts (Tencent's default: administrator).
    pub admin: String,
    /// How long after sending a message its sender may revoke it.
    pub revoke_limit_secs: u64,
    /// Only a message's sender may modify it (by default both sides may, as officially).
    pub modify_sender_only: bool,
    /// The custom profile fields users may set (full tags, `Tag_Profile_Custom_…`), as the
    /// official console registers them.
    pub profile_custom_fields: Vec<String>,
    /// The keys of the group custom fields and member custom fields groups and members may
    /// have, as the official console declares them.
    pub group_custom_fields: Vec<String>,
    pub member_custom_fields: Vec<String>,
    /// The most users one user may have in each of their friend list, blacklist and status
    /// subscriptions (the official friend limit: 3,000), so no account grows without bound.
    pub max_list_size: usize,
}

/// The official friend limit, and ours for the blacklist and status subscriptions.
pub const DEFAULT_MAX_LIST_SIZE: usize = 3000;

/// The official default revoke time limit: 2 minutes.
pub const DEFAULT_REVOKE_LIMIT_SECS: u64 = 120;

/// Tencent's default App administrator identifier.
pub const DEFAULT_ADMIN: &str = "administrator";

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub db: String,
    /// `nats://HOST:PORT`: the Bus between server nodes; none: this process alone.
    pub bus: Option<String>,
    pub apps: HashMap<u64, App>,
    pub dev: bool,
    pub static_dir: Option<PathBuf>,
    pub idle_timeout: Duration,
    /// How long a session whose connection dropped can be resumed.
    pub resume_grace: Duration,
    pub max_frame_bytes: usize,
    pub limits: Limits,
}

/// The deadlines and caps that keep connections from holding the server (docs/ARCHITECTURE.md,
/// "Limits and defences").
#[derive(Debug, Clone)]
pub struct Limits {
    /// A request's head (an upgrade's included) must arrive within this.
    pub header_timeout: Duration,
    /// A connection must be logged in this long after it opened.
    pub login_timeout: Duration,
    /// A write to a client that does not read ends its connection after this.
    pub write_timeout: Duration,
    /// Connections open at once, in total and from one address.
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
    /// Requests one connection may make, and messages one user may send (all sessions).
    pub requests_per_sec: Rate,
    pub messages_per_sec: Rate,
    /// Failed logins (and resumes) from one address answered at once; later ones wait 250 ms,
    /// doubling up to 8 s, until the address has failed none for 10 minutes.
    pub free_login_failures: u32,
    /// The most bytes of message bodies one user may have stored (0: no limit).
    pub user_quota_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            login_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            max_connections: 20_000,
            max_connections_per_ip: 256,
            requests_per_sec: Rate { per_sec: 100 },
            messages_per_sec: Rate { per_sec: 50 },
            free_login_failures: 5,
            user_quota_bytes: 1 << 30,
        }
    }
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// TOML file with any of the settings below (flags and env vars win over it).
    #[arg(long, env = "TIM_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free one [default: 127.0.0.1:8080].
    #[arg(long, env = "TIM_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Database URL [default: sqlite://./tim-data/tim.db].
    #[arg(long, env = "TIM_DB")]
    pub db: Option<String>,
    /// The bus between server nodes, nats://HOST:PORT [default: none, one process].
    #[arg(long, env = "TIM_BUS")]
    pub bus: Option<String>,
    /// An app as SDKAPPID:SECRETKEY; repeat for several (env: comma-separated).
    #[arg(long = "app", env = "TIM_APPS", value_delimiter = ',')]
    pub apps: Vec<String>,
    /// Web sessions allowed per user for apps given with --app [default: 1].
    #[arg(long, env = "TIM_WEB_INSTANCES")]
    pub web_instances: Option<usize>,
    /// Which platforms a user may be online on together, for apps given with --app (and
    /// --dev) [default: multi].
    #[arg(long, env = "TIM_LOGIN_POLICY", value_enum)]
    pub login_policy: Option<LoginPolicy>,
    /// Also run the development app and serve GET /dev/usersig to mint its UserSigs.
    #[arg(long, env = "TIM_DEV")]
    pub dev: bool,
    /// Serve this folder over HTTP on the same port.
    #[arg(long = "static", env = "TIM_STATIC")]
    pub static_dir: Option<PathBuf>,
    /// Close connections silent for this many seconds [default: 30].
    #[arg(long, env = "TIM_IDLE_TIMEOUT")]
    pub idle_timeout: Option<u64>,
    /// Keep a session whose connection dropped resumable this many seconds [default: 60].
    #[arg(long, env = "TIM_RESUME_GRACE")]
    pub resume_grace: Option<u64>,
    /// The REST API administrator identifier for apps given with --app [default: administrator].
    #[arg(long, env = "TIM_ADMIN")]
    pub admin: Option<String>,
    /// Let only a message's sender modify it, for apps given with --app (and --dev).
    #[arg(long, env = "TIM_MODIFY_SENDER_ONLY")]
    pub modify_sender_only: bool,
    /// A custom profile field users may set, for apps given with --app (and --dev): its full
    /// tag (`Tag_Profile_Custom_Hobby`); repeat for several.
    #[arg(long = "profile-custom-field", value_name = "TAG")]
    pub profile_custom_fields: Vec<String>,
    /// A group custom field's key groups may have, for apps given with --app (and --dev);
    /// repeat for several.
    #[arg(long = "group-custom-field", value_name = "KEY")]
    pub group_custom_fields: Vec<String>,
    /// A member custom field's key group members may have, for apps given with --app (and
    /// --dev); repeat for several.
    #[arg(long = "member-custom-field", value_name = "KEY")]
    pub member_custom_fields: Vec<String>,
    /// The most users in one user's friend list, blacklist and status subscriptions, for apps
    /// given with --app (and --dev) [default: 3000].
    #[arg(long, env = "TIM_MAX_LIST_SIZE")]
    pub max_list_size: Option<usize>,
    /// Seconds a request's headers may take to arrive [default: 10].
    #[arg(long, env = "TIM_HEADER_TIMEOUT")]
    pub header_timeout: Option<u64>,
    /// Seconds a connection may stay open without logging in [default: 10].
    #[arg(long, env = "TIM_LOGIN_TIMEOUT")]
    pub login_timeout: Option<u64>,
    /// Seconds a write may wait for a client that does not read [default: 10].
    #[arg(long, env = "TIM_WRITE_TIMEOUT")]
    pub write_timeout: Option<u64>,
    /// Connections open at once [default: 20000].
    #[arg(long, env = "TIM_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Connections open at once from one IP address [default: 256].
    #[arg(long, env = "TIM_MAX_CONNECTIONS_PER_IP")]
    pub max_connections_per_ip: Option<usize>,
    /// Requests a second one connection may make, bursts of twice that; 0: no limit [default: 100].
    #[arg(long, env = "TIM_REQUESTS_PER_SEC")]
    pub requests_per_sec: Option<u32>,
    /// Messages a second one user may send, bursts of twice that; 0: no limit [default: 50].
    #[arg(long, env = "TIM_MESSAGES_PER_SEC")]
    pub messages_per_sec: Option<u32>,
    /// Failed logins from one address answered at once before each waits longer [default: 5].
    #[arg(long, env = "TIM_FREE_LOGIN_FAILURES")]
    pub free_login_failures: Option<u32>,
    /// Bytes of message bodies one user may have stored; 0: no limit [default: 1 GiB].
    #[arg(long, env = "TIM_USER_QUOTA_BYTES")]
    pub user_quota_bytes: Option<u64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<SocketAddr>,
    db: Option<String>,
    bus: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(rename = "static")]
    static_dir: Option<PathBuf>,
    idle_timeout: Option<u64>,
    resume_grace: Option<u64>,
    max_frame_bytes: Option<usize>,
    header_timeout: Option<u64>,
    login_timeout: Option<u64>,
    write_timeout: Option<u64>,
    max_connections: Option<usize>,
    max_connections_per_ip: Option<usize>,
    requests_per_sec: Option<u32>,
    messages_per_sec: Option<u32>,
    free_login_failures: Option<u32>,
    user_quota_bytes: Option<u64>,
    #[serde(default)]
    app: Vec<FileApp>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileApp {
    sdkappid: u64,
    key: String,
    web_instances: Option<usize>,
    login_policy: Option<LoginPolicy>,
    admin: Option<String>,
    revoke_limit: Option<u64>,
    #[serde(default)]
    modify_sender_only: bool,
    #[serde(default)]
    profile_custom_fields: Vec<String>,
    #[serde(default)]
    group_custom_fields: Vec<String>,
    #[serde(default)]
    member_custom_fields: Vec<String>,
    max_list_size: Option<usize>,
}

fn parse_app(spec: &str, web_instances: usize, admin: &str) -> Result<App, String> {
    // The caller sets the flags' per-app settings (policy, modify rule) over this.
    let (id, key) = spec
        .split_once(':')
        .ok_or_else(|| format!("--app {spec:?}: expected SDKAPPID:SECRETKEY"))?;
    let sdkappid = id
        .trim()
        .parse()
        .map_err(|_| format!("--app {spec:?}: SDKAppID must be a number"))?;
    if key.is_empty() {
        return Err(format!("--app {spec:?}: empty secret key"));
    }
    Ok(App {
        sdkappid,
        key: key.to_owned(),
        web_instances,
        login_policy: LoginPolicy::default(),
        admin: admin.to_owned(),
        revoke_limit_secs: DEFAULT_REVOKE_LIMIT_SECS,
        modify_sender_only: false,
        profile_custom_fields: Vec::new(),
        group_custom_fields: Vec::new(),
        member_custom_fields: Vec::new(),
        max_list_size: DEFAULT_MAX_LIST_SIZE,
    })
}

impl ServeArgs {
    pub fn resolve(self) -> Result<Config, String> {
        let file: FileConfig = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("reading {}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let web_instances = self.web_instances.unwrap_or(1);
        let login_policy = self.login_policy.unwrap_or_default();
        let admin = self.admin.as_deref().unwrap_or(DEFAULT_ADMIN);
        let max_list_size = self.max_list_size.unwrap_or(DEFAULT_MAX_LIST_SIZE);
        let mut apps = HashMap::new();
        for a in file.app {
            apps.insert(
                a.sdkappid,
                App {
                    sdkappid: a.sdkappid,
                    key: a.key,
                    web_instances: a.web_instances.unwrap_or(web_instances),
                    login_policy: a.login_policy.unwrap_or(login_policy),
                    admin: a.admin.unwrap_or_else(|| admin.to_owned()),
                    revoke_limit_secs: a.revoke_limit.unwrap_or(DEFAULT_REVOKE_LIMIT_SECS),
                    modify_sender_only: a.modify_sender_only,
                    profile_custom_fields: a.profile_custom_fields,
                    group_custom_fields: a.group_custom_fields,
                    member_custom_fields: a.member_custom_fields,
                    max_list_size: a.max_list_size.unwrap_or(DEFAULT_MAX_LIST_SIZE),
                },
            );
        }
        for spec in &self.apps {
            let app = App {
                modify_sender_only: self.modify_sender_only,
                profile_custom_fields: self.profile_custom_fields.clone(),
                group_custom_fields: self.group_custom_fields.clone(),
                member_custom_fields: self.member_custom_fields.clone(),
                login_policy,
                max_list_size,
                ..parse_app(spec, web_instances, admin)?
            };
            apps.insert(app.sdkappid, app);
        }
        let dev = self.dev || file.dev;
        if dev {
            apps.entry(DEV_SDKAPPID).or_insert(App {
                sdkappid: DEV_SDKAPPID,
                key: DEV_SECRET_KEY.into(),
                web_instances,
                login_policy,
                admin: admin.to_owned(),
                revoke_limit_secs: DEFAULT_REVOKE_LIMIT_SECS,
                modify_sender_only: self.modify_sender_only,
                profile_custom_fields: self.profile_custom_fields.clone(),
                group_custom_fields: self.group_custom_fields.clone(),
                member_custom_fields: self.member_custom_fields.clone(),
                max_list_size,
            });
        }
        if apps.is_empty() {
            return Err("no app configured: pass --app SDKAPPID:SECRETKEY, or --dev".into());
        }
        Ok(Config {
            addr: self
                .addr
                .or(file.addr)
                .unwrap_or_else(|| "127.0.0.1:8080".parse().expect("valid address")),
            db: self
                .db
                .or(file.db)
                .unwrap_or_else(|| "sqlite://./tim-data/tim.db".into()),
            bus: self.bus.or(file.bus),
            apps,
            dev,
            static_dir: self.static_dir.or(file.static_dir),
            idle_timeout: Duration::from_secs(
                self.idle_timeout.or(file.idle_timeout).unwrap_or(30),
            ),
            resume_grace: Duration::from_secs(
                self.resume_grace.or(file.resume_grace).unwrap_or(60),
            ),
            max_frame_bytes: file.max_frame_bytes.unwrap_or(64 * 1024),
            limits: {
                let d = Limits::default();
                // The flag (or its environment variable), else the file, else the default.
                fn pick<T>(flag: Option<T>, file: Option<T>, default: T) -> T {
                    flag.or(file).unwrap_or(default)
                }
                let secs = |flag: Option<u64>, file: Option<u64>, default: Duration| {
                    pick(
                        flag.map(Duration::from_secs),
                        file.map(Duration::from_secs),
                        default,
                    )
                };
                let rate = |per_sec| Rate { per_sec };
                Limits {
                    header_timeout: secs(
                        self.header_timeout,
                        file.header_timeout,
                        d.header_timeout,
                    ),
                    login_timeout: secs(self.login_timeout, file.login_timeout, d.login_timeout),
                    write_timeout: secs(self.write_timeout, file.write_timeout, d.write_timeout),
                    max_connections: pick(
                        self.max_connections,
                        file.max_connections,
                        d.max_connections,
                    ),
                    max_connections_per_ip: pick(
                        self.max_connections_per_ip,
                        file.max_connections_per_ip,
                        d.max_connections_per_ip,
                    ),
                    requests_per_sec: pick(
                        self.requests_per_sec.map(rate),
                        file.requests_per_sec.map(rate),
                        d.requests_per_sec,
                    ),
                    messages_per_sec: pick(
                        self.messages_per_sec.map(rate),
                        file.messages_per_sec.map(rate),
                        d.messages_per_sec,
                    ),
                    free_login_failures: pick(
                        self.free_login_failures,
                        file.free_login_failures,
                        d.free_login_failures,
                    ),
                    user_quota_bytes: pick(
                        self.user_quota_bytes,
                        file.user_quota_bytes,
                        d.user_quota_bytes,
                    ),
                }
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_defaults_fill_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tim.toml");
        std::fs::write(
            &file,
            "addr = \"127.0.0.1:9000\"\ndb = \"sqlite://x.db\"\n[[app]]\nsdkappid = 5\nkey = \"k5\"\nweb_instances = 3\n",
        )
        .unwrap();
        let cfg = ServeArgs {
            config: Some(file),
            addr: Some("127.0.0.1:0".parse().unwrap()),
            apps: vec!["6:k6".into()],
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(cfg.addr.port(), 0);
        assert_eq!(cfg.db, "sqlite://x.db");
        assert_eq!(cfg.apps[&5].web_instances, 3);
        assert_eq!(cfg.apps[&6].key, "k6");
        assert_eq!(cfg.apps[&6].web_instances, 1);
        assert_eq!(cfg.idle_timeout, Duration::from_secs(30));
        assert!(!cfg.apps.contains_key(&DEV_SDKAPPID));
    }

    #[test]
    fn bad_settings_are_refused_with_a_reason() {
        assert!(ServeArgs::default()
            .resolve()
            .unwrap_err()
            .contains("no app"));
        let bad = ServeArgs {
            apps: vec!["abc:key".into()],
            ..Default::default()
        };
        assert!(bad.resolve().unwrap_err().contains("number"));
    }
}
