//! Spreadsheet import: the main door into the system.
//!
//! A file goes one way through: recognition by content and hostile-file limits (`format`),
//! reading into sparse sheets (`reader`, or `decp` for a DECP JSON register), the header row
//! (`header`, matched through the kind's `profile`), typed cells and rows (`cells`, `rows`),
//! then the kind's own checks (`kinds`); `pipeline` chains these steps. Every problem is
//! collected; if there is any, nothing is written. Otherwise the rows and the import's outcome
//! are written in one transaction (`importer`); hour statements are first staged a chunk per
//! transaction, and that transaction publishes them. The import's record is committed first, as
//! a running job whose progress (`progress`) can be followed.

pub mod cells;
pub mod context;
pub mod decp;
pub mod duration;
pub mod error;
pub mod error_workbook;
pub mod examples;
pub mod format;
pub mod header;
pub mod importer;
pub mod kinds;
pub mod limits;
pub mod parsed;
pub mod pipeline;
pub mod problem;
pub mod profile;
pub mod profiles;
pub mod progress;
pub mod reader;
pub mod refusal;
pub mod report;
pub mod reporter;
pub mod robustness;
pub mod rows;
pub mod shared_records;
pub mod slots;
pub mod template;
pub mod upload;

pub use error::ImportError;
pub use importer::{Importer, Job};
pub use upload::Upload;
