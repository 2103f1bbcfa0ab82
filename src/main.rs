//! The `webrunner` command line: parses arguments and hands each subcommand to the library.
#![forbid(unsafe_code)]

mod cli;

/// mimalloc: the clusterer and the JSON readers allocate many small strings from several
/// threads at once, which glibc's allocator serves markedly slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
