//! `webrunner demo`: serves the built-in demo site on loopback and runs the bundled flow
//! against it (one step fails on purpose, one passes on retry), leaving the full output folder.

use webrunner::demo::DemoSite;
use webrunner::parse_flow;
use webrunner::run::run_flows;

use super::run::{report, RunFlags};
use super::EXIT_OK;

/// Arguments of `webrunner demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub flags: RunFlags,
}

/// Runs the subcommand. Exits 0 when the demo behaved as designed (exactly its one
/// deliberate failure), 1 otherwise.
pub fn execute(args: DemoArgs) -> anyhow::Result<u8> {
    let rt = super::runtime()?;
    rt.block_on(async {
        let site = DemoSite::start().await?;
        let text = site.flow_text();
        let flow = parse_flow("demo-flow.json", &text)?;
        eprintln!("demo site: {}", site.base_url());
        let outcome = run_flows(&[flow], args.flags.options()).await?;
        std::fs::write(args.flags.out.join("demo-flow.json"), &text)?;
        report(&outcome, args.flags.format)?;
        let s = outcome.summary;
        if args.flags.format == super::Format::Text {
            println!(
                "The demo fails one step on purpose (the cart total) and passes one on retry (the late element); open {} to see them.",
                args.flags.out.display()
            );
        }
        Ok(if s.failed == 1 && s.flaky >= 1 { EXIT_OK } else { super::EXIT_FAILED })
    })
}
