//! Clusters a failure file and prints `cluster_summary` JSON: `cluster_file FILE [seed]`.
//! The same work as `webrunner cluster FILE --format json`, without the CLI.

use std::path::PathBuf;
use std::process::ExitCode;

use webrunner_cluster::{cluster_file, cluster_summary, summary_json, Rules};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(file) = args.next() else {
        eprintln!("usage: cluster_file FILE [seed|default]");
        return ExitCode::from(2);
    };
    let rules = match args.next().as_deref() {
        Some("seed") => Rules::Seed,
        _ => Rules::Default,
    };
    match cluster_file(&PathBuf::from(file), None, rules) {
        Ok(r) => {
            println!("{}", summary_json(&cluster_summary(&r.clusters)));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
