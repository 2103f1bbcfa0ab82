//! `webrunner demo`: serves the built-in demo site on loopback and runs the bundled flow
//! against it (one step fails on purpose, one passes on retry), leaving the full output folder.

use webrunner::demo::DemoSite;
use webrunner::parse_flow;

use super::run::{interrupted_code, report, run_until_signal, RunFlags};
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
    let mut options = args.flags.options()?;
    options.title = "webrunner demo".into();
    let rt = super::runtime()?;
    let site = rt.block_on(DemoSite::start())?;
    let text = site.flow_text();
    let flow = parse_flow("demo-flow.json", &text)?;
    eprintln!("demo site: {}", site.base_url());
    let outcome = run_until_signal(options, &[flow], &rt)?;
    webrunner::report::write_file_atomic(&args.flags.out.join("demo-flow.json"), text.as_bytes())?;
    report(&outcome, args.flags.format)?;
    if let Some(code) = interrupted_code(&outcome) {
        return Ok(code);
    }
    let s = outcome.summary;
    if args.flags.format == super::Format::Text {
        println!(
            "The demo fails one step on purpose (the cart total) and passes one on retry (the late element); open {} to see them.",
            args.flags.out.join("replay.html").display()
        );
    }
    Ok(if s.failed == 1 && s.flaky >= 1 {
        EXIT_OK
    } else {
        super::EXIT_FAILED
    })
}
