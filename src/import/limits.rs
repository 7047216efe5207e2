//! Bounds on what an import may cost, so that no file can exhaust the service.

#[derive(Debug, Clone)]
pub struct ImportLimits {
    /// Largest file accepted, in bytes (also the upload limit).
    pub max_file_bytes: usize,
    /// Largest total a spreadsheet archive may decompress to.
    pub max_uncompressed_bytes: u64,
    /// Largest decompressed ÷ compressed ratio of an archive entry over 1 MB.
    pub max_compression_ratio: u64,
    /// Most non-empty rows a file may hold.
    pub max_rows: usize,
    /// Most hours one participant may be declared for in a month (a statement above is refused).
    pub max_hours_per_month: crate::domain::Hours,
    /// Uploads from this size on are imported in the background: the API answers at once with
    /// the job to follow.
    pub background_from_bytes: usize,
    /// A running import silent for longer than this was cut off (its process is gone).
    pub stale_after: std::time::Duration,
    /// Imports running at once in this process, and for one account. Each holds a connection
    /// of the imports' own pool for as long as it runs.
    pub max_running: usize,
    pub max_running_per_account: usize,
    /// Days a refused file's error workbook is kept.
    pub error_workbook_days: u32,
    /// Hour entries an import writes per transaction before publishing them all at once.
    pub staging_chunk_rows: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_file_bytes: 20 * 1024 * 1024,
            max_uncompressed_bytes: 512 * 1024 * 1024,
            max_compression_ratio: 100,
            max_rows: 1_000_000,
            max_hours_per_month: crate::domain::Hours::from_whole(200).expect("200 hours"),
            background_from_bytes: 512 * 1024,
            stale_after: std::time::Duration::from_secs(120),
            max_running: 4,
            max_running_per_account: 2,
            error_workbook_days: 30,
            staging_chunk_rows: 100_000,
        }
    }
}
