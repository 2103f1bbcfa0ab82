//! `webrunner dashboard`.

/// Arguments of `webrunner dashboard`.
#[derive(Debug, clap::Args)]
pub struct DashboardArgs {}

/// Runs the subcommand.
pub fn execute(_args: DashboardArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not built yet")
}
