//! The upload form a file comes in, for the API and the imports page alike, and its limits.
//! The file is written to a temporary file as it arrives, never held whole in memory.

use std::path::PathBuf;

use actix_multipart::form::tempfile::{TempFile, TempFileConfig};
use actix_multipart::form::text::Text;
use actix_multipart::form::{MultipartForm, MultipartFormConfig};

use crate::app::imports::UploadInput;
use crate::app::{AppError, ErrorCode};

#[derive(MultipartForm, utoipa::ToSchema)]
pub struct UploadForm {
    /// contracts, structures, participants, hours or work_contracts (or their French labels).
    #[schema(value_type = String)]
    pub kind: Text<String>,
    /// SIRET of the buyer the file is about, where the kind needs one.
    #[schema(value_type = Option<String>)]
    pub buyer: Option<Text<String>>,
    /// "true" to import again a file already imported.
    #[schema(value_type = Option<bool>)]
    pub replace: Option<Text<bool>>,
    /// "true", for a DECP file: import its valid records and list the others, instead of
    /// refusing the whole file.
    #[schema(value_type = Option<bool>)]
    pub skip_invalid: Option<Text<bool>>,
    /// The spreadsheet: .xlsx, .xlsm, .xlsb, .xls, .ods or .csv (or DECP JSON for a register).
    #[schema(value_type = String, format = Binary)]
    pub file: TempFile,
    /// Sent by the HTML upload form only: the session's anti-CSRF token (API clients send
    /// the X-CSRF-Token header instead, or a bearer token).
    #[schema(value_type = Option<String>)]
    pub csrf_token: Option<Text<String>>,
}

impl UploadForm {
    /// The file and its fields, as the import use case takes them.
    pub fn input(self) -> UploadInput {
        UploadInput {
            kind: self.kind.to_string(),
            buyer: self.buyer.as_ref().map(|b| b.to_string()),
            file_name: self
                .file
                .file_name
                .clone()
                .unwrap_or_else(|| "fichier".to_owned()),
            bytes: Vec::new(),
            replace: self.replace.as_ref().is_some_and(|r| **r),
            skip_invalid: self.skip_invalid.as_ref().is_some_and(|s| **s),
            departement: None,
            spooled: Some(self.file.file.into_temp_path()),
        }
    }
}

/// The form's fields other than the file, held in memory: a few short texts.
const FIELDS_BYTES: usize = 64 * 1024;

/// Where files are written as they arrive: under the data directory, not the system's
/// temporary directory, which is often in memory.
pub fn spool_directory(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("envois")
}

/// Removes the files a previous run left in the spool directory: an upload is removed once
/// read, so any file found there at startup belongs to a request cut short by a crash.
/// A file that cannot be removed is logged, not fatal: it only takes disk space.
pub fn clear_spool(directory: &std::path::Path) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(directory)? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => removed += 1,
            Err(error) => {
                tracing::warn!(%error, file = %entry.path().display(), "leftover upload not removed")
            }
        }
    }
    Ok(removed)
}

/// Files are spooled to `directory`.
pub fn spool_config(directory: PathBuf) -> TempFileConfig {
    TempFileConfig::default().directory(directory)
}

/// Uploads past the import limit get 413; a malformed form gets a French 400.
pub fn upload_config(max_file_bytes: usize) -> MultipartFormConfig {
    // Room for the other fields and the multipart framing around the file.
    let total = max_file_bytes.saturating_add(FIELDS_BYTES);
    let max_mb = max_file_bytes / (1024 * 1024);
    MultipartFormConfig::default().total_limit(total).memory_limit(FIELDS_BYTES).error_handler(move |error, _req| {
        match error {
            actix_multipart::MultipartError::Payload(actix_web::error::PayloadError::Overflow) => AppError::with(
                ErrorCode::FileTooLarge,
                format!("Le fichier dépasse la limite de {max_mb} Mo : découpez-le en plusieurs fichiers."),
            )
            .into(),
            other => AppError::bad_request(format!(
                "Le formulaire d'envoi est incorrect ({other}) : joignez le fichier dans le champ « file » et son type dans « kind »."
            ))
            .into(),
        }
    })
}
