//! The SDK core reading what a server sends: each line of the input that reads as a server
//! frame (as the wasm reader hands them over) goes to a logged-in core, with time passing
//! between them; whatever the frames say, the core does not panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tim_core::Core;
use tim_proto::ServerFrame;

fuzz_target!(|data: &[u8]| {
    let mut core = Core::new(1_400_000_001, 7);
    let mut now = 1_000;
    let _ = core.login(now, "alice", "sig", None);
    for line in data.split(|&b| b == b'\n') {
        while core.poll_effect().is_some() {}
        if let Ok(frame) = serde_json::from_slice::<ServerFrame>(line) {
            core.on_frame(now, frame);
        } else if line == b"close" {
            core.on_close(now);
        }
        now += 250;
        core.tick(now);
    }
    while core.poll_effect().is_some() {}
});
