//! `webrunner monitor`.

/// Arguments of `webrunner monitor`.
#[derive(Debug, clap::Args)]
pub struct MonitorArgs {}

/// Runs the subcommand.
pub fn execute(_args: MonitorArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not built yet")
}
