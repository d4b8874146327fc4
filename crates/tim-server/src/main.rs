//! The `tim-server` command: `serve` runs the server, `usersig` prints a UserSig.

use clap::{Parser, Subcommand};
use tim_server::config::ServeArgs;

#[derive(Parser)]
#[command(
    name = "tim-server",
    version,
    about = "The open IM server for the tim-wasm SDK"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(Box<ServeArgs>),
    /// Print a TLSSigAPIv2 UserSig, as Tencent's official generators make it.
    Usersig {
        #[arg(long)]
        sdkappid: u64,
        #[arg(long)]
        key: String,
        #[arg(long)]
        user: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 7 * 24 * 3600)]
        expire: u64,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let result = match Cli::parse().command {
        Command::Serve(args) => args.resolve().and_then(|cfg| {
            tokio::runtime::Runtime::new()
                .map_err(|e| e.to_string())?
                .block_on(tim_server::run(cfg))
        }),
        Command::Usersig {
            sdkappid,
            key,
            user,
            expire,
        } => {
            let now = tim_server::now_secs();
            println!(
                "{}",
                tim_server::usersig::generate(sdkappid, &key, &user, expire, now)
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tim-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
