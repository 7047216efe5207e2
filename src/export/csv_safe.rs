//! CSV cells that a spreadsheet would take for a formula are neutralised: a company called
//! "=HYPERLINK(…)" must open as text, not run (CSV injection).

use std::borrow::Cow;

/// The characters that make Excel or LibreOffice read a cell as a formula (tab and carriage
/// return too: some versions skip them before looking).
const TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// The cell as written: a leading apostrophe before a trigger character, the text otherwise.
pub fn cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(TRIGGERS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_neutralised_and_plain_text_is_left_alone() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+33 5 61"), "'+33 5 61");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\t=cmd"), "'\t=cmd");
        assert_eq!(cell("BATI SUD"), "BATI SUD");
        assert_eq!(cell("35,50"), "35,50");
        assert_eq!(cell(""), "");
    }
}
