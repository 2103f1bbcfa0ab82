//! `webrunner commands`: the reference of every built-in command, as Markdown or JSON.

use clap::Args;

use super::Format;

/// Arguments of `webrunner commands`.
#[derive(Debug, Args)]
pub struct CommandsArgs {
    /// `text` (Markdown, as docs/commands.md) or `json` (names, aliases, parameters).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Prints the command reference.
pub fn execute(args: CommandsArgs) -> anyhow::Result<u8> {
    let registry = webrunner::CommandRegistry::with_builtins();
    match args.format {
        Format::Text => print!("{}", registry.reference_markdown()),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&registry.reference_json())?
        ),
    }
    Ok(super::EXIT_OK)
}
