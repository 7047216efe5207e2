//! What someone sends to import: the file and what they say it is.

use std::io::Read;

use sha2::{Digest, Sha256};

use crate::domain::{ImportKind, Role, Siret};
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
    /// A DECP file read from disk as it goes (the command line's national files, of any
    /// size): `bytes` then holds only its start, for recognising it.
    pub file: Option<std::path::PathBuf>,
    /// The uploader's role: a facilitateur's own hours may be validated at import.
    pub role: Role,
}

/// Bytes read from the start of a file to recognise it.
pub const HEAD_BYTES: usize = 64 * 1024;

impl Upload {
    /// The file's SHA-256, in hexadecimal: of the file on disk when read from there.
    pub fn sha256(&self) -> std::io::Result<String> {
        let mut hasher = Sha256::new();
        match &self.file {
            Some(path) => {
                let mut file = std::fs::File::open(path)?;
                let mut buffer = vec![0; 1024 * 1024];
                loop {
                    let n = file.read(&mut buffer)?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buffer[..n]);
                }
            }
            None => hasher.update(&self.bytes),
        }
        Ok(hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    }
}
