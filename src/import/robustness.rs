//! No input may crash the importer: random bytes, and valid files cut or altered anywhere, go
//! through recognition and reading and come out as a result, never a panic. (The fuzz target in
//! `fuzz/` runs the same path for longer.)

/// Recognises and reads `bytes` under the default limits, as an upload would be.
pub fn read_anything(bytes: &[u8]) {
    let limits = super::limits::ImportLimits::default();
    if let Ok(format) = super::format::detect(bytes, &limits) {
        let _ = super::reader::read(bytes, format, &limits);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_xlsxwriter::Workbook;

    use super::read_anything;

    fn small_xlsx() -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "SIRET").unwrap();
        sheet.write_string(0, 1, "Raison sociale").unwrap();
        sheet.write_number(1, 0, 44306184100047.0).unwrap();
        sheet.write_string(1, 1, "Intérim Insertion").unwrap();
        book.save_to_buffer().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            read_anything(&bytes);
        }

        #[test]
        fn csv_like_text_never_panics(text in "[ -~\\n\\r;,\\t\"éà€]{0,2000}") {
            read_anything(text.as_bytes());
        }

        #[test]
        fn altered_workbooks_never_panic(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = small_xlsx();
            for (at, value) in edits {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            read_anything(&bytes);
            let len = cut.index(bytes.len());
            read_anything(&bytes[..len]);
        }
    }
}
