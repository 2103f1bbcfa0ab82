//! `webrunner har-diff`.

/// Arguments of `webrunner har-diff`.
#[derive(Debug, clap::Args)]
pub struct HarDiffArgs {}

/// Runs the subcommand.
pub fn execute(_args: HarDiffArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not built yet")
}
