//! Any text as a flow file (support staff replay these): parsed to a flow or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = guardian_core::flow::parse(&String::from_utf8_lossy(bytes));
});
