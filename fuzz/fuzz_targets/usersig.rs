//! The UserSig decoder and check: any string is a clear refusal (or the sig of the key), never
//! a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sig) = std::str::from_utf8(data) {
        let _ = tim_server::usersig::document(sig);
        let _ = tim_server::usersig::verify(sig, 1_400_000_001, "fuzz-key", "alice", 1_800_000_000);
    }
});
