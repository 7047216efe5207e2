//! What each kind of file means once its rows are parsed: checks across rows, then writing.

pub mod contracts;
pub mod hours;
pub mod participants;
pub mod structures;
