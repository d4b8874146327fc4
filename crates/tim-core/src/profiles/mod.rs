//! Profiles: the profile methods are stateless calls ([`crate::Core::call`]); what this domain
//! keeps is the profiles that changed since the last flush, for PROFILE_UPDATED.

use crate::engine::Engine;
use crate::output::Event;
use tim_proto::Json;

#[derive(Debug, Default)]
pub(crate) struct Profiles {
    changed: Vec<Json>,
}

impl Profiles {
    /// A `profile` inbox item: the user's own profile changed (from any session).
    pub fn item(&mut self, profile: Json) {
        self.changed.push(profile);
    }

    pub fn flush<W>(&mut self, eng: &mut Engine<W>) {
        if !self.changed.is_empty() {
            eng.emit(Event::ProfileUpdated(std::mem::take(&mut self.changed)));
        }
    }
}
