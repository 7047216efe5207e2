//! The records of a DECP file, one at a time, whatever its shape: the whole file is never held
//! as one JSON tree, so a national file is read with the memory of one record.
//!
//! Shapes recognised from the content:
//! - 2022/2024: `{"marches": {"marche": [...]}}` (and `"contrat-concession": [...]` beside);
//! - 2019: `{"marches": [...]}`, contracts and concessions in one list, told apart by `_type`
//!   or their fields (`autoriteConcedante`, `concessionnaires`);
//! - the flat list `[...]` of either.
//!
//! Each record is kept as its text (a `RawValue`) and only glanced at for its kind and its
//! buyer: in a national file nearly every record is another buyer's, and building each one's
//! whole tree would cost several times the parse itself.

use std::fmt;
use std::io::{BufReader, Read};

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// What a record is: a public contract, or a concession contract (2019 `contrat-concession`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Contract,
    Concession,
}

/// The shape the file showed, named in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"marches": {"marche": [...]}}` (2022 and 2024 formats).
    Nested,
    /// `{"marches": [...]}` (2019 format).
    Wrapped,
    /// `[...]`.
    List,
    /// An object with neither: no record found.
    Unknown,
}

/// What is read of a record before the rest: its kind and its buyer's id as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glance {
    pub kind: RecordKind,
    pub buyer: Option<String>,
}

/// Calls `visit` with each record: its position in the file (1 for the first), what was
/// glanced of it, and its text; returns the shape found. A record that is not a JSON object is
/// passed on as it is.
pub fn each_record(
    reader: impl Read,
    visit: &mut dyn FnMut(usize, Glance, Box<RawValue>),
) -> Result<Shape, serde_json::Error> {
    // serde_json reads a reader a byte at a time: the buffer spares the filters under it.
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(64 * 1024, reader));
    let mut walk = Walk { visit, position: 0 };
    let shape = Top(&mut walk).deserialize(&mut de)?;
    de.end()?;
    Ok(shape)
}

struct Walk<'v> {
    visit: &'v mut dyn FnMut(usize, Glance, Box<RawValue>),
    position: usize,
}

impl Walk<'_> {
    fn record(&mut self, told: Option<RecordKind>, raw: Box<RawValue>) {
        self.position += 1;
        let mut glance = glance(&raw);
        if let Some(kind) = told {
            glance.kind = kind;
        }
        (self.visit)(self.position, glance, raw);
    }
}

/// The few fields of a record read before the rest; any other field is skipped unbuilt.
#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    acheteur: Option<Party>,
    #[serde(default, rename = "_type")]
    said: Option<Value>,
    #[serde(default, rename = "autoriteConcedante", deserialize_with = "present")]
    authority: bool,
    #[serde(default, deserialize_with = "present")]
    concessionnaires: bool,
}

#[derive(Deserialize)]
struct Party {
    #[serde(default)]
    id: Option<Value>,
}

/// A field written, whatever its value (even `null`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

/// A record's kind and buyer, from its few fields; a record they do not fit (not an object,
/// a field twice, a buyer written oddly) is read whole to tell.
fn glance(raw: &RawValue) -> Glance {
    match serde_json::from_str::<Head>(raw.get()) {
        Ok(head) => {
            let concession = head.authority
                || head.concessionnaires
                || head.said.as_ref().is_some_and(says_concession);
            Glance {
                kind: if concession {
                    RecordKind::Concession
                } else {
                    RecordKind::Contract
                },
                buyer: head
                    .acheteur
                    .and_then(|a| a.id)
                    .and_then(|id| super::record::id_text(&id)),
            }
        }
        Err(_) => {
            let value: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
            Glance {
                kind: kind_of(&value),
                buyer: super::record::buyer_of(&value),
            }
        }
    }
}

fn says_concession(said: &Value) -> bool {
    said.as_str()
        .is_some_and(|t| t.to_lowercase().contains("concession"))
}

/// A record of a mixed list: a concession says so by its `_type` or its own fields.
fn kind_of(value: &Value) -> RecordKind {
    let said = value.get("_type").is_some_and(says_concession);
    if said || value.get("autoriteConcedante").is_some() || value.get("concessionnaires").is_some()
    {
        RecordKind::Concession
    } else {
        RecordKind::Contract
    }
}

/// The top of the file: a list of records, or an object holding `marches`.
struct Top<'w, 'v>(&'w mut Walk<'v>);

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = Shape;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Shape, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = Shape;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un objet {\"marches\": …} ou une liste de marchés")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Shape, A::Error> {
        Records(self.0, None).visit_seq(seq)?;
        Ok(Shape::List)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut shape = Shape::Unknown;
        while let Some(key) = map.next_key::<String>()? {
            if key == "marches" {
                shape = map.next_value_seed(Marches(self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(shape)
    }
}

/// The value of `marches`: the 2019 list, or the 2022/2024 object of lists by kind.
struct Marches<'w, 'v>(&'w mut Walk<'v>);

impl<'de> DeserializeSeed<'de> for Marches<'_, '_> {
    type Value = Shape;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Shape, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Marches<'_, '_> {
    type Value = Shape;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("une liste de marchés, ou un objet {\"marche\": […]}")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Shape, A::Error> {
        Records(self.0, None).visit_seq(seq)?;
        Ok(Shape::Wrapped)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let kind = match key.as_str() {
                "marche" => RecordKind::Contract,
                "contrat-concession" | "contratConcession" => RecordKind::Concession,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            map.next_value_seed(Records(self.0, Some(kind)))?;
        }
        Ok(Shape::Nested)
    }
}

/// A list of records, of the kind its key says (or each its own).
struct Records<'w, 'v>(&'w mut Walk<'v>, Option<RecordKind>);

impl<'de> DeserializeSeed<'de> for Records<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Records<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("une liste de marchés")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            self.0.record(self.1, raw);
        }
        Ok(())
    }
    /// A list of one record is sometimes written as the record itself.
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let value = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        let raw = serde_json::value::to_raw_value(&value).map_err(de::Error::custom)?;
        self.0.record(self.1, raw);
        Ok(())
    }
}

/// JSON written by tools that put `NaN` where a number is unknown: outside strings, the bare
/// token `NaN` reads as `null`.
pub struct NanAsNull<R> {
    inner: R,
    buffer: Vec<u8>,
    at: usize,
    filled: usize,
    in_string: bool,
    escaped: bool,
    /// Bytes of `NaN` left to skip once `null` is given.
    skip: usize,
    pending: &'static [u8],
}

impl<R: Read> NanAsNull<R> {
    pub fn new(inner: R) -> Self {
        NanAsNull {
            inner,
            buffer: vec![0; 64 * 1024],
            at: 0,
            filled: 0,
            in_string: false,
            escaped: false,
            skip: 0,
            pending: &[],
        }
    }

    /// The next byte of the source, `None` at its end.
    fn next_byte(&mut self) -> std::io::Result<Option<u8>> {
        if self.at == self.filled {
            self.filled = self.inner.read(&mut self.buffer)?;
            self.at = 0;
            if self.filled == 0 {
                return Ok(None);
            }
        }
        self.at += 1;
        Ok(Some(self.buffer[self.at - 1]))
    }

    /// What one byte of the source becomes.
    fn pass(&mut self, byte: u8) -> Option<u8> {
        if self.skip > 0 {
            self.skip -= 1;
            return None;
        }
        if self.in_string {
            match (self.escaped, byte) {
                (true, _) => self.escaped = false,
                (false, b'\\') => self.escaped = true,
                (false, b'"') => self.in_string = false,
                _ => {}
            }
            return Some(byte);
        }
        match byte {
            b'"' => self.in_string = true,
            b'N' => {
                self.skip = 2;
                self.pending = b"ull";
                return Some(b'n');
            }
            _ => {}
        }
        Some(byte)
    }
}

impl<R: Read> Read for NanAsNull<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut written = 0;
        while written < out.len() {
            if let Some((first, rest)) = self.pending.split_first() {
                out[written] = *first;
                written += 1;
                self.pending = rest;
                continue;
            }
            // Whole runs of plain bytes are copied at once.
            if self.at < self.filled && self.skip == 0 {
                let run = self.plain_run(out.len() - written);
                if run > 0 {
                    out[written..written + run]
                        .copy_from_slice(&self.buffer[self.at..self.at + run]);
                    self.at += run;
                    written += run;
                    continue;
                }
            }
            match self.next_byte()? {
                Some(byte) => {
                    if let Some(b) = self.pass(byte) {
                        out[written] = b;
                        written += 1;
                    }
                }
                None => break,
            }
        }
        Ok(written)
    }
}

impl<R> NanAsNull<R> {
    /// How many bytes from the current one change nothing of the state (up to `room`).
    fn plain_run(&self, room: usize) -> usize {
        let available = &self.buffer[self.at..self.filled];
        let limit = available.len().min(room);
        let special: &[u8] = if self.in_string { b"\"\\" } else { b"\"N" };
        available[..limit]
            .iter()
            .position(|b| special.contains(b))
            .unwrap_or(limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> (Shape, Vec<(usize, RecordKind, String)>) {
        let mut seen = Vec::new();
        let shape = each_record(NanAsNull::new(json.as_bytes()), &mut |p, g, raw| {
            let v: Value = serde_json::from_str(raw.get()).unwrap();
            seen.push((p, g.kind, v["id"].to_string()));
        })
        .unwrap();
        (shape, seen)
    }

    #[test]
    fn every_shape_gives_its_records_in_order() {
        let nested = r#"{"marches": {"marche": [{"id": "A"}, {"id": "B"}], "contrat-concession": [{"id": "C"}]}}"#;
        let (shape, seen) = read(nested);
        assert_eq!(shape, Shape::Nested);
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[2], (3, RecordKind::Concession, "\"C\"".to_owned()));
        let wrapped = r#"{"marches": [{"id": "A", "_type": "Marché"}, {"id": "B", "_type": "Contrat de concession"}]}"#;
        let (shape, seen) = read(wrapped);
        assert_eq!(shape, Shape::Wrapped);
        assert_eq!(seen[0].1, RecordKind::Contract);
        assert_eq!(seen[1].1, RecordKind::Concession);
        let (shape, seen) = read(r#"[{"id": "A"}, {"id": "B", "autoriteConcedante": {}}]"#);
        assert_eq!(shape, Shape::List);
        assert_eq!(seen[1].1, RecordKind::Concession);
        assert_eq!(read(r#"{"autre": 1}"#), (Shape::Unknown, Vec::new()));
    }

    #[test]
    fn the_glance_reads_the_buyer_and_kind_however_written() {
        let glances = |json: &str| {
            let mut seen = Vec::new();
            each_record(json.as_bytes(), &mut |_, g, _| seen.push(g)).unwrap();
            seen
        };
        let contract = |buyer: Option<&str>| Glance {
            kind: RecordKind::Contract,
            buyer: buyer.map(str::to_owned),
        };
        assert_eq!(
            glances(
                r#"[{"objet": "x", "acheteur": {"id": " 123 45"}}, {"acheteur": {"id": 678}},
                {"acheteur": {"id": "NC"}}, {"acheteur": "123"}, "texte", {"acheteur": {"id": "1"}, "acheteur": {"id": "9"}}]"#
            ),
            [
                contract(Some("12345")),
                contract(Some("678")),
                contract(None),
                contract(None),
                contract(None),
                // A field written twice is read whole, the last one standing.
                contract(Some("9")),
            ]
        );
        let kinds: Vec<RecordKind> = glances(
            r#"[{"autoriteConcedante": null}, {"concessionnaires": []}, {"_type": "Contrat de concession"}, {"_type": 3}]"#,
        )
        .into_iter()
        .map(|g| g.kind)
        .collect();
        assert_eq!(
            kinds,
            [
                RecordKind::Concession,
                RecordKind::Concession,
                RecordKind::Concession,
                RecordKind::Contract
            ]
        );
    }

    #[test]
    fn nan_outside_strings_reads_as_null() {
        let json = r#"[{"id": "NaN \"N\" x", "dureeMois": NaN, "montant": [NaN,NaN]}]"#;
        let mut values = Vec::new();
        each_record(NanAsNull::new(json.as_bytes()), &mut |_, _, raw| {
            values.push(serde_json::from_str::<Value>(raw.get()).unwrap())
        })
        .unwrap();
        assert_eq!(values[0]["id"], "NaN \"N\" x");
        assert_eq!(values[0]["dureeMois"], Value::Null);
        assert_eq!(values[0]["montant"], serde_json::json!([null, null]));
    }

    #[test]
    fn nan_split_across_reads_still_reads_as_null() {
        // A reader giving one byte at a time cuts every token.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                match self.0.split_first() {
                    Some((b, rest)) if !out.is_empty() => {
                        out[0] = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let mut text = String::new();
        NanAsNull::new(Trickle(br#"{"a": NaN, "b": "NaN"}"#))
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, r#"{"a": null, "b": "NaN"}"#);
    }
}
