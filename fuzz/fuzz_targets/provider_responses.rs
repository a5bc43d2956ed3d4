//! Any bytes as a provider response body: each decodes to a value or an error, never a panic.
#![no_main]

use guardian_domain as d;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = serde_json::from_slice::<d::ChangePage>(bytes);
    let _ = serde_json::from_slice::<d::Page<d::Child>>(bytes);
    let _ = serde_json::from_slice::<d::Page<d::Contact>>(bytes);
    let _ = serde_json::from_slice::<d::Page<d::PolicyVersion>>(bytes);
    let _ = serde_json::from_slice::<d::Page<d::DeletionRequest>>(bytes);
    let _ = serde_json::from_slice::<d::ConsentLedger>(bytes);
    let _ = serde_json::from_slice::<d::ErrorBody>(bytes);
});
