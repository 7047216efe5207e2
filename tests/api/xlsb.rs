//! A minimal Excel binary workbook (.xlsb) writer, for tests: no crate writes the format and
//! LibreOffice only reads it. It follows MS-XLSB: a zip of BIFF12 record streams — the workbook
//! (`BrtBundleSh` per sheet), its relationships, and the sheet (`BrtRowHdr` then one record per
//! cell: `BrtCellReal` for numbers, `BrtCellSt` for text).

use std::io::Write;

pub enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Empty,
}

/// One BIFF12 record: type and size as 7-bit groups (low first, high bit = more), then data.
fn record(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    if kind < 0x80 {
        out.push(kind as u8);
    } else {
        out.push((kind & 0x7F) as u8 | 0x80);
        out.push((kind >> 7) as u8);
    }
    let mut size = data.len();
    loop {
        let byte = (size & 0x7F) as u8;
        size >>= 7;
        if size == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(data);
}

/// XLWideString: a character count, then UTF-16LE.
fn wide(text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut out = (units.len() as u32).to_le_bytes().to_vec();
    for unit in units {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

fn workbook_bin(sheet_name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    record(&mut out, 0x0083, &[]); // BrtBeginBook
    record(&mut out, 0x008F, &[]); // BrtBeginBundleShs
    let mut sheet = Vec::new();
    sheet.extend_from_slice(&0u32.to_le_bytes()); // visible
    sheet.extend_from_slice(&1u32.to_le_bytes()); // iTabID
    sheet.extend(wide("rId1"));
    sheet.extend(wide(sheet_name));
    record(&mut out, 0x009C, &sheet); // BrtBundleSh
    record(&mut out, 0x0090, &[]); // BrtEndBundleShs
    record(&mut out, 0x009D, &[0; 26]); // BrtCalcProp
    record(&mut out, 0x0084, &[]); // BrtEndBook
    out
}

fn sheet_bin(rows: &[&[Cell<'_>]]) -> Vec<u8> {
    let mut out = Vec::new();
    record(&mut out, 0x0081, &[]); // BrtBeginSheet
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(1).max(1);
    let mut dimension = Vec::new();
    for bound in [0, rows.len().max(1) - 1, 0, width - 1] {
        dimension.extend_from_slice(&(bound as u32).to_le_bytes());
    }
    record(&mut out, 0x0094, &dimension); // BrtWsDim
    record(&mut out, 0x0091, &[]); // BrtBeginSheetData
    for (r, cells) in rows.iter().enumerate() {
        let mut header = (r as u32).to_le_bytes().to_vec();
        header.extend_from_slice(&[0; 13]);
        record(&mut out, 0x0000, &header); // BrtRowHdr
        for (c, cell) in cells.iter().enumerate() {
            let mut data = (c as u32).to_le_bytes().to_vec();
            data.extend_from_slice(&0u32.to_le_bytes()); // style 0, no flags
            match cell {
                Cell::Number(value) => {
                    data.extend_from_slice(&value.to_le_bytes());
                    record(&mut out, 0x0005, &data); // BrtCellReal
                }
                Cell::Text(text) => {
                    data.extend(wide(text));
                    record(&mut out, 0x0006, &data); // BrtCellSt
                }
                Cell::Empty => {}
            }
        }
    }
    record(&mut out, 0x0092, &[]); // BrtEndSheetData
    record(&mut out, 0x0082, &[]); // BrtEndSheet
    out
}

/// A one-sheet .xlsb holding `rows` from A1.
pub fn workbook(sheet_name: &str, rows: &[&[Cell<'_>]]) -> Vec<u8> {
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut add = |name: &str, bytes: &[u8]| {
        archive.start_file(name, options).unwrap();
        archive.write_all(bytes).unwrap();
    };
    add(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/></Types>"#,
    );
    add(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>"#,
    );
    add(
        "xl/_rels/workbook.bin.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#,
    );
    add("xl/workbook.bin", &workbook_bin(sheet_name));
    add("xl/worksheets/sheet1.bin", &sheet_bin(rows));
    archive.finish().unwrap().into_inner()
}
