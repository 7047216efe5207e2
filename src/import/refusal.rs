//! Why a kind's check refuses a row: the column at fault, the value shown, and what to change.
//! Checks return it rather than report it, so that each can be tested on its own.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The column's key in the profile.
    pub key: &'static str,
    pub value: Option<String>,
    pub message: String,
}

impl Refusal {
    pub fn new(key: &'static str, value: Option<String>, message: impl Into<String>) -> Refusal {
        Refusal {
            key,
            value,
            message: message.into(),
        }
    }
}
