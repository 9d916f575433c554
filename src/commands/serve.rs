//! `incident serve`: receive alert webhooks over HTTP. The server itself
//! is `crate::serve`; this is its command line.

use crate::context::Ctx;
use crate::error::usage;
use crate::serve::LogFormat;
use anyhow::Result;
use clap::Args;
use std::net::{SocketAddr, ToSocketAddrs};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  incident serve                                  # on 127.0.0.1:9095, for Alertmanager on this host
  INCIDENT_SERVE_TOKEN=\"$(cat /etc/incident/token)\" incident serve --listen 0.0.0.0:9095")]
pub struct ServeArgs {
    /// Where to listen: loopback unless a bearer token is configured
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9095")]
    pub listen: String,

    /// How each request is logged on stderr: a line of text, or a JSON object for log shippers
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log: LogFormat,
}

pub fn run(ctx: &Ctx, args: ServeArgs) -> Result<()> {
    let addr = listen_address(&args.listen)?;
    crate::serve::run(ctx, addr, args.log)
}

fn listen_address(text: &str) -> Result<SocketAddr> {
    text.to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| {
            usage(format!(
                "--listen '{}' is not an address to listen on; give HOST:PORT, e.g. 127.0.0.1:9095",
                crate::text::one_line(text)
            ))
        })
}
