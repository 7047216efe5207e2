//! What the service gives back: compliance workbooks, statements, the detail of hours (xlsx and
//! CSV) and the DECP open-data file. Each writer lays out figures gathered by `indicators` (the
//! same the API serves); none computes a figure of its own.

pub mod annual_report;
pub mod attestation;
pub mod clause_table;
pub mod compliance;
pub mod csv_safe;
pub mod decp;
pub mod detail;
pub mod followup;
pub mod sheet;
pub mod spaser;
pub mod statement;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("Le classeur n'a pas pu être produit : {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("Le fichier CSV n'a pas pu être produit : {0}")]
    Csv(#[from] csv::Error),
    #[error("Le fichier n'a pas pu être écrit : {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Storage(#[from] diesel::result::Error),
}
