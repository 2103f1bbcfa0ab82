//! `webrunner replay`.

/// Arguments of `webrunner replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {}

/// Runs the subcommand.
pub fn execute(_args: ReplayArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not built yet")
}
