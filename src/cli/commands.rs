//! `webrunner commands`: the reference of every built-in command, as Markdown.

/// Prints the command reference.
pub fn execute() -> anyhow::Result<u8> {
    print!(
        "{}",
        webrunner::CommandRegistry::with_builtins().reference_markdown()
    );
    Ok(super::EXIT_OK)
}
