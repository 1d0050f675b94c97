use std::{process::ExitCode, time::Duration};

use anyhow::Context;
use clap::{Parser, error::ErrorKind};
use trackside::{
    bridge::{self, Bridge},
    config::{Cli, Command},
    serve, shutdown, simulate,
};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // One line, as the usage text would bury the reason.
            let first = e.render().to_string().lines().next().unwrap_or("error: bad arguments").to_owned();
            eprintln!("{first} (see `trackside --help`)");
            return ExitCode::from(2);
        }
    };
    trackside::logging::init(cli.log_format);
    // Test builds only: fail points named in FAILPOINTS (the browser tests stall the group
    // consumer this way). In the builds users run this is not compiled at all.
    #[cfg(feature = "failpoints")]
    let _failpoints = fail::FailScenario::setup();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let result = runtime.block_on(run_command(cli));
    // Leaving a consumer group whose broker is gone can hold a librdkafka thread for
    // minutes; by now everything owed to users is done, so don't wait for it.
    runtime.shutdown_timeout(Duration::from_millis(500));
    result
}

async fn run_command(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let listener = tokio::net::TcpListener::bind(args.listen)
                .await
                .with_context(|| format!("cannot listen on {}", args.listen))?;
            let server = serve::Server::build(listener, args)?;
            println!("Trackside is serving the dashboard at http://{}/", server.local_addr()?);
            server.run(shutdown::signal()).await?;
        }
        Command::Simulate(args) => {
            simulate::run(args, shutdown::signal()).await?;
        }
        Command::Bridge(args) => {
            let source = bridge::Source::open(&args).await?;
            let bridge = Bridge::build(args, source)?;
            if let Some(addr) = bridge.local_addr() {
                println!("Trackside is bridging game telemetry sent to udp://{addr}");
            }
            bridge.run(shutdown::signal()).await?;
        }
    }
    Ok(())
}
