//! The server's frame decoder: any bytes a client sends as a WebSocket message get a request
//! or an `err` frame, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = tim_server::conn::parse(text, 4096);
    }
});
