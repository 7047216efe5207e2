//! Recognising a file from its content, never its name, and refusing hostile archives before
//! any spreadsheet reader opens them.

use std::io::{Cursor, Read};

use super::limits::ImportLimits;
use super::problem::FileProblem;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    /// Also .xlsm: same container.
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Csv,
    /// DECP open data, 2019 or 2022/2024 format (contracts register only).
    Json,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Entries below this size are not held to the ratio limit: small XML compresses very well.
const RATIO_CHECK_FROM_BYTES: u64 = 1024 * 1024;

pub fn detect(bytes: &[u8], limits: &ImportLimits) -> Result<FileFormat, FileProblem> {
    if bytes.len() > limits.max_file_bytes {
        return Err(FileProblem::TooLarge {
            size_mb: (bytes.len() as u64).div_ceil(1024 * 1024),
            max_mb: (limits.max_file_bytes as u64) / (1024 * 1024),
        });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FileProblem::Empty);
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return detect_archive(bytes, limits);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Ok(FileFormat::Xls);
    }
    let head = &bytes[..bytes.len().min(8 * 1024)];
    if head.starts_with(b"%PDF") {
        return Err(FileProblem::NotASpreadsheet {
            hint: " (c'est un PDF)".to_owned(),
        });
    }
    // Excel's « Texte Unicode » export: tab-separated UTF-16 text after its byte-order mark.
    if utf16_encoding(bytes).is_some() {
        return Ok(FileFormat::Csv);
    }
    if looks_like_json(head) {
        return Ok(FileFormat::Json);
    }
    // Text has no NUL byte (UTF-16 without a byte-order mark does, but nothing writes it).
    if head.contains(&0) {
        return Err(FileProblem::NotASpreadsheet {
            hint: String::new(),
        });
    }
    Ok(FileFormat::Csv)
}

/// UTF-16, little- or big-endian, when the text starts with that byte-order mark.
pub fn utf16_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    encoding_rs::Encoding::for_bom(bytes)
        .map(|(encoding, _)| encoding)
        .filter(|encoding| *encoding != encoding_rs::UTF_8)
}

/// Whether the bytes look like JSON rather than CSV: the first character is a brace or a
/// bracket (a DECP flat list).
pub fn looks_like_json(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    text.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[')
}

fn detect_archive(bytes: &[u8], limits: &ImportLimits) -> Result<FileFormat, FileProblem> {
    let damaged = |e: zip::result::ZipError| FileProblem::Damaged(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    let names: Vec<String> = archive
        .file_names()
        .map(|name| name.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(damaged)?;
    let format = if names.iter().any(|n| n == "xl/workbook.xml") {
        FileFormat::Xlsx
    } else if names.iter().any(|n| n == "xl/workbook.bin") {
        FileFormat::Xlsb
    } else if names.iter().any(|n| n == "content.xml") && names.iter().any(|n| n == "mimetype") {
        FileFormat::Ods
    } else {
        return Err(FileProblem::NotASpreadsheet {
            hint: " (c'est une archive zip)".to_owned(),
        });
    };
    check_decompressed_sizes(&mut archive, limits)?;
    Ok(format)
}

/// Checks what each entry claims, then what it really yields: a forged header cannot hide a
/// bomb, since the real bytes are counted, and counting stops at the limit.
fn check_decompressed_sizes(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    limits: &ImportLimits,
) -> Result<(), FileProblem> {
    let mut declared_total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| FileProblem::Damaged(e.to_string()))?;
        declared_total = declared_total.saturating_add(entry.size());
        let ratio_too_high = entry.size() >= RATIO_CHECK_FROM_BYTES
            && entry.size() / entry.compressed_size().max(1) > limits.max_compression_ratio;
        if declared_total > limits.max_uncompressed_bytes || ratio_too_high {
            return Err(FileProblem::CompressionBomb);
        }
    }
    let mut remaining = limits.max_uncompressed_bytes;
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| FileProblem::Damaged(e.to_string()))?;
        let declared = entry.size();
        let read = std::io::copy(&mut entry.take(remaining + 1), &mut std::io::sink())
            .map_err(|e| FileProblem::Damaged(e.to_string()))?;
        if read > remaining || read > declared {
            return Err(FileProblem::CompressionBomb);
        }
        remaining -= read;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buffer = Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap();
        buffer.into_inner()
    }

    #[test]
    fn recognises_formats_by_content() {
        let limits = ImportLimits::default();
        assert_eq!(
            detect(&zip_with(&[("xl/workbook.xml", b"<x/>")]), &limits),
            Ok(FileFormat::Xlsx)
        );
        assert_eq!(
            detect(&zip_with(&[("xl/workbook.bin", b"\x00")]), &limits),
            Ok(FileFormat::Xlsb)
        );
        assert_eq!(
            detect(
                &zip_with(&[
                    (
                        "mimetype",
                        b"application/vnd.oasis.opendocument.spreadsheet"
                    ),
                    ("content.xml", b"<x/>")
                ]),
                &limits
            ),
            Ok(FileFormat::Ods)
        );
        assert_eq!(
            detect(&[OLE_MAGIC, b"rest"].concat(), &limits),
            Ok(FileFormat::Xls)
        );
        assert_eq!(
            detect(b"SIRET;Raison sociale\n", &limits),
            Ok(FileFormat::Csv)
        );
        assert_eq!(
            detect(b"\xFF\xFES\x00I\x00\t\x00N\x00", &limits),
            Ok(FileFormat::Csv)
        );
        assert_eq!(
            detect(b"\xFE\xFF\x00S\x00I\x00\t\x00N", &limits),
            Ok(FileFormat::Csv)
        );
    }

    #[test]
    fn refuses_what_is_not_a_spreadsheet() {
        let limits = ImportLimits::default();
        assert!(matches!(
            detect(b"%PDF-1.7 ...", &limits),
            Err(FileProblem::NotASpreadsheet { .. })
        ));
        assert!(matches!(
            detect(&zip_with(&[("photo.jpg", b"jpeg")]), &limits),
            Err(FileProblem::NotASpreadsheet { .. })
        ));
        assert!(matches!(
            detect(b"\x00\x01\x02binary", &limits),
            Err(FileProblem::NotASpreadsheet { .. })
        ));
        assert_eq!(detect(b"  \n ", &limits), Err(FileProblem::Empty));
        assert!(matches!(
            detect(b"PK\x03\x04 truncated", &limits),
            Err(FileProblem::Damaged(_))
        ));
        let small = ImportLimits {
            max_file_bytes: 10,
            ..ImportLimits::default()
        };
        assert!(matches!(
            detect(b"SIRET;Raison sociale\n", &small),
            Err(FileProblem::TooLarge { .. })
        ));
    }

    #[test]
    fn refuses_archives_that_decompress_too_much() {
        let zeros = vec![0u8; 8 * 1024 * 1024];
        let bomb = zip_with(&[
            ("xl/workbook.xml", b"<x/>"),
            ("xl/worksheets/sheet1.xml", &zeros),
        ]);
        assert_eq!(
            detect(&bomb, &ImportLimits::default()),
            Err(FileProblem::CompressionBomb)
        );
        let tight = ImportLimits {
            max_uncompressed_bytes: 1_000,
            max_compression_ratio: 1_000_000,
            ..ImportLimits::default()
        };
        let big = zip_with(&[("xl/workbook.xml", &vec![b'a'; 5_000])]);
        assert_eq!(detect(&big, &tight), Err(FileProblem::CompressionBomb));
    }
}
