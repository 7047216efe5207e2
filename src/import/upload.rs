//! What someone sends to import: the file and what they say it is.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::format::looks_like_json;
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
    /// The temporary file a file sent through the web was written to as it arrived, instead
    /// of being held in memory; removed once the upload is dropped.
    pub spool: Option<tempfile::TempPath>,
}

/// Bytes read from the start of a file to recognise it.
pub const HEAD_BYTES: usize = 64 * 1024;

impl Upload {
    /// Takes in a file on disk: a DECP register stays there and is read as it goes (a
    /// national file is several gigabytes), its start kept in `bytes` to recognise it; any
    /// other file is read whole, as the spreadsheet readers need it.
    pub fn read_from(&mut self, path: &Path) -> std::io::Result<()> {
        let mut head = Vec::with_capacity(HEAD_BYTES);
        std::fs::File::open(path)?
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)?;
        if self.kind == ImportKind::Contracts && looks_like_json(&head) {
            self.bytes = head;
            self.file = Some(path.to_owned());
        } else {
            self.bytes = std::fs::read(path)?;
        }
        Ok(())
    }

    /// Takes in the spooled file, if any (see [`Upload::read_from`]); one read whole is
    /// removed at once.
    pub fn take_spooled(&mut self) -> std::io::Result<()> {
        let Some(path) = self.spool.as_ref().map(|p| p.to_path_buf()) else {
            return Ok(());
        };
        self.read_from(&path)?;
        if self.file.is_none() {
            self.spool = None;
        }
        Ok(())
    }

    /// The file's size in bytes, spooled or held.
    pub fn size(&self) -> u64 {
        self.spool
            .as_ref()
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(self.bytes.len() as u64, |m| m.len())
    }

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
