//! The `webrunner` command line: parses arguments and hands each subcommand to the library.
#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
