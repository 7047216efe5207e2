//! An import undone, as the API answers it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::app::import_undo::UndoneImport;

/// What undoing an import changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct UndoneImportJson {
    /// The import, now `undone`.
    pub import: i64,
    /// Hour entries the import had created, removed.
    pub removed_entries: usize,
    /// Hour entries it had replaced, restored as they were before it.
    pub restored_entries: usize,
    /// The hours the import held, in hundredths of an hour.
    pub hours_hundredths: i64,
}

impl From<&UndoneImport> for UndoneImportJson {
    fn from(u: &UndoneImport) -> UndoneImportJson {
        UndoneImportJson {
            import: u.id.get(),
            removed_entries: u.removed,
            restored_entries: u.restored,
            hours_hundredths: u.hours.hundredths(),
        }
    }
}
