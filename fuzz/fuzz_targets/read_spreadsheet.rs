#![no_main]
//! Any bytes, as an upload: recognition by content, limits, then reading. Must never panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    suivi_clauses::import::robustness::read_anything(bytes);
});
