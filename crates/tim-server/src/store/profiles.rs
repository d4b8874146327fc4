//! Profiles: each user's official Profile fields, stored as one JSON object of the fields set
//! (the others have their defaults); [`rules::apply_profile`](super::rules::apply_profile)
//! merges a change into it the same way on every backend.

use super::StoreResult;
use serde_json::{Map, Value};
use std::future::Future;
use tim_proto::profile::Profile;

/// Checked fields to set, by their official names (`profileCustomField` merged by key).
pub type ProfilePatch = Map<String, Value>;

pub trait ProfileStore: Send + Sync + 'static {
    /// The profiles of those of `users` that exist, in the order asked.
    fn profiles(
        &self,
        app: u64,
        users: Vec<String>,
    ) -> impl Future<Output = StoreResult<Vec<Profile>>> + Send;

    /// Applies `patch` to an existing user's profile and returns it; when a value changed, the
    /// inbox of the user and of everyone who has the user as a friend gets a `profile` item
    /// (which their sessions fire PROFILE_UPDATED for).
    fn update_profile(
        &self,
        app: u64,
        user: &str,
        patch: ProfilePatch,
    ) -> impl Future<Output = StoreResult<Profile>> + Send;
}
