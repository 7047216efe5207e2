//! What someone sends to import: the file and what they say it is.

use crate::domain::{ImportKind, Siret};
use crate::storage::users::BuyerScope;

/// A file someone sends, with what they say it is.
pub struct Upload {
    pub kind: ImportKind,
    pub buyer: Option<Siret>,
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Import again a file already imported, instead of refusing it as a duplicate.
    pub replace: bool,
    /// The buyers the uploader may import for.
    pub scope: BuyerScope,
    /// DECP files: import the valid records and list the others, instead of refusing the file.
    pub skip_invalid: bool,
    /// DECP files: only the contracts carried out in this département.
    pub departement: Option<String>,
}
