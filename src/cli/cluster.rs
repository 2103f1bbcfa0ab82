//! `webrunner cluster`.

/// Arguments of `webrunner cluster`.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {}

/// Runs the subcommand.
pub fn execute(_args: ClusterArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not built yet")
}
