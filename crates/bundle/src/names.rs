//! Which entry names a bundle may hold: clean relative names with `/` between parts.

/// Why a name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameProblem {
    /// The name would land outside the bundle folder.
    Escapes(&'static str),
    /// The name stays inside but is not clean.
    Unclean(&'static str),
}

impl NameProblem {
    /// The reason in words.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            NameProblem::Escapes(r) | NameProblem::Unclean(r) => r,
        }
    }
}

/// The name of the manifest entry.
pub(crate) const MANIFEST_NAME: &str = "manifest.json";

/// Checks that `name` is a clean relative file name: no `..`, no leading `/`, no Windows
/// drive, no backslash, no empty or `.` part, no control character. A trailing `/` (a
/// folder entry) is allowed when `folder` is true.
pub(crate) fn check(name: &str, folder: bool) -> Result<(), NameProblem> {
    if name.is_empty() {
        return Err(NameProblem::Unclean("the name is empty"));
    }
    if name.starts_with('/') {
        return Err(NameProblem::Escapes("an absolute path"));
    }
    if name.contains('\\') {
        return Err(NameProblem::Escapes("a backslash"));
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err(NameProblem::Escapes("a Windows drive"));
    }
    if name.split('/').any(|part| part == "..") {
        return Err(NameProblem::Escapes("a \"..\" part"));
    }
    if name.chars().any(char::is_control) {
        return Err(NameProblem::Unclean("a control character"));
    }
    let body = match name.strip_suffix('/') {
        Some(body) if folder => body,
        _ => name,
    };
    for part in body.split('/') {
        if part.is_empty() {
            return Err(NameProblem::Unclean("an empty part"));
        }
        if part == "." {
            return Err(NameProblem::Unclean("a \".\" part"));
        }
    }
    Ok(())
}
