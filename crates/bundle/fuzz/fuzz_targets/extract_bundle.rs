//! Fuzzes reading a failure bundle: any bytes must give a bundle or an error, never a panic,
//! a hang or unbounded memory; an accepted bundle must hold what its manifest says.

#![no_main]

use libfuzzer_sys::fuzz_target;
use webrunner_bundle::{extract_bundle_from_bytes, ExtractLimits};

fuzz_target!(|data: &[u8]| {
    let limits = ExtractLimits::default();
    let Ok(bundle) = extract_bundle_from_bytes(data, &limits) else {
        return;
    };
    let mut total = bundle.manifest_json.len() as u64;
    for artifact in &bundle.manifest.artifacts {
        let file = &bundle.files[&artifact.name];
        assert_eq!(file.len() as u64, artifact.size);
    }
    for (name, file) in &bundle.files {
        assert!(!name.starts_with('/') && !name.contains('\\'), "{name:?}");
        assert!(name.split('/').all(|part| !part.is_empty() && part != "." && part != ".."), "{name:?}");
        total += file.len() as u64;
    }
    assert!(total <= limits.max_total_bytes);
});
