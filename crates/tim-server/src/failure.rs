//! A failed request: the official code and a message for the developer, and how store errors
//! become one.

use crate::store::StoreError;
use tim_proto::{codes, Response};

/// A failed request: an official code and a message for the developer.
#[derive(Debug)]
pub struct Failure(pub u32, pub String);

pub type Outcome = Result<Response, Failure>;

pub fn fail<T>(code: u32, message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(code, message.into()))
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UnknownUser(u) => Failure(
                codes::INVALID_USER_ID,
                format!("user {u:?} does not exist (it exists once it has logged in)"),
            ),
            StoreError::NotFound(what) => Failure(
                codes::CONVERSATION_NOT_FOUND,
                format!("{what} not found among your conversations"),
            ),
            StoreError::NotSender => Failure(
                codes::REVOKE_FAILED,
                "only the sender may revoke a message".into(),
            ),
            StoreError::RevokeTooLate => Failure(
                codes::REVOKE_TIME_LIMIT,
                "the message is older than the revoke time limit".into(),
            ),
            StoreError::ModifyConflict => Failure(
                codes::MODIFY_CONFLICT,
                "the message was modified since you saw it".into(),
            ),
            StoreError::QuotaExceeded(quota) => Failure(
                codes::BODY_SIZE_LIMIT,
                format!("your messages use up your storage quota of {quota} bytes"),
            ),
            StoreError::Invalid(why) => Failure(codes::INVALID_REQUEST, why),
            StoreError::Blocked => Failure(
                codes::MSG_IN_PEER_BLACKLIST,
                "the recipient has you in their blacklist".into(),
            ),
            StoreError::NotMember => Failure(
                codes::GROUP_PERMISSION_DENY,
                "only members send messages to a group".into(),
            ),
            // The relation ops read again on this; only a relation kept changing gets here.
            StoreError::Stale => Failure(codes::OVERLOAD, "the server is busy; retry".into()),
            // Concurrent writers kept conflicting past the store's retries: a passing state.
            StoreError::Conflict(e) => {
                tracing::warn!("storage, still conflicting after retries: {e}");
                Failure(codes::OVERLOAD, "the server is busy; retry".into())
            }
            StoreError::Internal(e) => {
                tracing::error!("storage: {e}");
                Failure(codes::INTERNAL_ERROR, "internal server error; retry".into())
            }
        }
    }
}
