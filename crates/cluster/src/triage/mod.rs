//! The default rules (placeholder while being written).
/// x
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation { pub signature: String, pub substitutions: Vec<Substitution>, pub dropped: Vec<&'static str> }
/// x
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substitution { pub placeholder: &'static str, pub original: String }
/// x
pub fn explain(message: &str) -> Explanation { Explanation { signature: crate::seed::normalise(message), ..Default::default() } }
