//! The `.bel` archive: an old-style tar (no ustar magic, no end-of-archive blocks) whose first entry is the
//! `BELENIOS` header and whose other entries are `<sha256-hex>.data.json` and `<sha256-hex>.event.json`, in
//! the canonical order Belenios rebuilds from the last event. [`Record`] holds the events and their data;
//! [`Record::to_bytes`] writes the canonical archive, and [`Record::from_bytes`] reads one and refuses
//! anything that is not exactly canonical.

use std::collections::HashMap;

use crate::election::sha256_hex;
use crate::formats::{to_json, ArchiveHeader, Event, EventType, Owned, SetupData, SizedEncryptedTally};
use crate::Error;

const BLOCK: usize = 512;

/// One tar entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub body: Vec<u8>,
}

fn octal(field: &mut [u8], value: u64, digits: usize) {
    let s = format!("{value:0digits$o}");
    field[..s.len()].copy_from_slice(s.as_bytes());
}

fn header(name: &str, size: usize, mtime: u64) -> [u8; BLOCK] {
    let mut h = [0u8; BLOCK];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    octal(&mut h[124..136], size as u64, 11);
    octal(&mut h[136..148], mtime, 11);
    h[156] = b'0';
    h[148..156].copy_from_slice(b"        ");
    let sum: u64 = h.iter().map(|b| u64::from(*b)).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
    h
}

/// Writes entries as Belenios does, every mtime equal to the archive timestamp.
pub fn write_entries(entries: &[Entry], mtime: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.iter().map(|e| BLOCK + e.body.len().div_ceil(BLOCK) * BLOCK).sum());
    for e in entries {
        out.extend_from_slice(&header(&e.name, e.body.len(), mtime));
        out.extend_from_slice(&e.body);
        let pad = (BLOCK - e.body.len() % BLOCK) % BLOCK;
        out.extend(std::iter::repeat_n(0u8, pad));
    }
    out
}

fn parse_octal(field: &[u8]) -> Option<u64> {
    let end = field.iter().position(|b| *b == 0 || *b == b' ').unwrap_or(field.len());
    let s = std::str::from_utf8(&field[..end]).ok()?;
    if s.is_empty() {
        return None;
    }
    u64::from_str_radix(s, 8).ok()
}

/// Reads the entries of a tar file (any tar whose entries are plain files).
pub fn read_entries(bytes: &[u8]) -> Result<Vec<Entry>, Error> {
    let mut entries = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let h = bytes.get(pos..pos + BLOCK).ok_or_else(|| Error(format!("the archive is cut short at byte {pos}")))?;
        if h.iter().all(|b| *b == 0) {
            return Err(Error(format!("an end-of-archive block at byte {pos}: Belenios archives have none")));
        }
        let name_end = h[..100].iter().position(|b| *b == 0).unwrap_or(100);
        let name = std::str::from_utf8(&h[..name_end])
            .map_err(|_| Error(format!("entry at byte {pos}: its name is not text")))?
            .to_owned();
        let size = parse_octal(&h[124..136]).ok_or_else(|| Error(format!("entry {name}: bad size")))? as usize;
        let body_start = pos + BLOCK;
        let body = bytes
            .get(body_start..body_start + size)
            .ok_or_else(|| Error(format!("entry {name}: the archive is cut short")))?
            .to_vec();
        entries.push(Entry { name, body });
        pos = body_start + size.div_ceil(BLOCK) * BLOCK;
    }
    Ok(entries)
}

/// An event with the data it brings, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventData {
    Setup { election: String, trustees: String, credentials: String },
    Ballot { ballot: String },
    EndBallots,
    EncryptedTally { encrypted_tally: String, num_tallied: u64, total_weight: u64 },
    PartialDecryption { owner: u32, partial_decryption: String },
    Result { result: String },
}

/// A Belenios election record: the timestamp and the events in chain order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub timestamp: u64,
    pub events: Vec<EventData>,
}

impl Record {
    pub fn new(timestamp: u64) -> Record {
        Record { timestamp, events: Vec::new() }
    }

    /// The canonical entries: the header, then per event its data and the event, chained by hashes.
    pub fn entries(&self) -> Vec<Entry> {
        let head = to_json(&ArchiveHeader { version: 1, timestamp: self.timestamp.to_string() });
        let mut out = vec![Entry { name: "BELENIOS".into(), body: head.into_bytes() }];
        let mut parent: Option<String> = None;
        for (height, ev) in self.events.iter().enumerate() {
            let mut data = |body: &str| -> String {
                let h = sha256_hex(body.as_bytes());
                out.push(Entry { name: format!("{h}.data.json"), body: body.as_bytes().to_vec() });
                h
            };
            let (kind, payload) = match ev {
                EventData::Setup { election, trustees, credentials } => {
                    let e = data(election);
                    let t = data(trustees);
                    let c = data(credentials);
                    let setup = to_json(&SetupData { election: e, trustees: t, credentials: c });
                    (EventType::Setup, Some(data(&setup)))
                }
                EventData::Ballot { ballot } => (EventType::Ballot, Some(data(ballot))),
                EventData::EndBallots => (EventType::EndBallots, None),
                EventData::EncryptedTally { encrypted_tally, num_tallied, total_weight } => {
                    let t = data(encrypted_tally);
                    let sized = to_json(&SizedEncryptedTally {
                        num_tallied: *num_tallied,
                        total_weight: *total_weight,
                        encrypted_tally: t,
                    });
                    (EventType::EncryptedTally, Some(data(&sized)))
                }
                EventData::PartialDecryption { owner, partial_decryption } => {
                    let p = data(partial_decryption);
                    let owned = to_json(&Owned { owner: *owner, payload: p });
                    (EventType::PartialDecryption, Some(data(&owned)))
                }
                EventData::Result { result } => (EventType::Result, Some(data(result))),
            };
            let event = to_json(&Event { parent: parent.clone(), height: height as u64, kind, payload });
            let h = sha256_hex(event.as_bytes());
            out.push(Entry { name: format!("{h}.event.json"), body: event.into_bytes() });
            parent = Some(h);
        }
        out
    }

    /// The canonical `.bel` bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        write_entries(&self.entries(), self.timestamp)
    }

    /// The hash of the last event (the chain's head), if any.
    pub fn head(&self) -> Option<String> {
        self.entries().iter().rev().find(|e| e.name.ends_with(".event.json")).map(|e| e.name[..64].to_owned())
    }

    /// Reads a `.bel` archive: every entry's name is its hash, the events chain from height 0, and the
    /// archive is byte for byte the canonical one for these events (as `belenios-tool election verify` checks).
    pub fn from_bytes(bytes: &[u8]) -> Result<Record, Error> {
        let entries = read_entries(bytes)?;
        let first = entries.first().ok_or_else(|| Error("the archive is empty".into()))?;
        if first.name != "BELENIOS" {
            return Err(Error("the archive does not start with its BELENIOS header".into()));
        }
        let head: ArchiveHeader = serde_json::from_slice(&first.body)
            .map_err(|e| Error(format!("the BELENIOS header does not parse: {e}")))?;
        if head.version != 1 {
            return Err(Error(format!("archive version {} is not 1", head.version)));
        }
        let timestamp: u64 =
            head.timestamp.parse().map_err(|_| Error("the archive timestamp is not a number".into()))?;
        let mut data: HashMap<String, String> = HashMap::new();
        let mut events: Vec<(String, Event)> = Vec::new();
        for e in &entries[1..] {
            let hash = sha256_hex(&e.body);
            let text = String::from_utf8(e.body.clone()).map_err(|_| Error(format!("entry {} is not text", e.name)))?;
            let (named, kind) =
                e.name.split_once('.').ok_or_else(|| Error(format!("entry {} is not named by its hash", e.name)))?;
            if named != hash {
                return Err(Error(format!("entry {}: hash {hash} found instead of {named}", e.name)));
            }
            match kind {
                "data.json" => {
                    data.insert(hash, text);
                }
                "event.json" => {
                    let ev: Event = serde_json::from_str(&text)
                        .map_err(|err| Error(format!("event {hash} does not parse: {err}")))?;
                    events.push((hash, ev));
                }
                _ => return Err(Error(format!("entry {} is neither data nor an event", e.name))),
            }
        }
        let get = |h: &Option<String>, what: &str, height: u64| -> Result<String, Error> {
            let h = h.as_ref().ok_or_else(|| Error(format!("event at height {height} has no {what}")))?;
            data.get(h).cloned().ok_or_else(|| Error(format!("event at height {height}: {what} {h} not found")))
        };
        let parse_hash_ref = |s: &str, what: &str, height: u64| -> Result<String, Error> {
            data.get(s).cloned().ok_or_else(|| Error(format!("event at height {height}: {what} {s} not found")))
        };
        let mut record = Record::new(timestamp);
        let mut parent: Option<String> = None;
        for (i, (hash, ev)) in events.iter().enumerate() {
            let height = i as u64;
            if ev.height != height || ev.parent != parent {
                return Err(Error(format!("inconsistency at height {height}: the chain of events is broken")));
            }
            let item = match ev.kind {
                EventType::Setup => {
                    let s: SetupData = serde_json::from_str(&get(&ev.payload, "setup data", height)?)
                        .map_err(|e| Error(format!("setup data does not parse: {e}")))?;
                    EventData::Setup {
                        election: parse_hash_ref(&s.election, "election", height)?,
                        trustees: parse_hash_ref(&s.trustees, "trustees", height)?,
                        credentials: parse_hash_ref(&s.credentials, "public credentials", height)?,
                    }
                }
                EventType::Ballot => EventData::Ballot { ballot: get(&ev.payload, "ballot", height)? },
                EventType::EndBallots => EventData::EndBallots,
                EventType::EncryptedTally => {
                    let s: SizedEncryptedTally = serde_json::from_str(&get(&ev.payload, "sized tally", height)?)
                        .map_err(|e| Error(format!("the sized encrypted tally does not parse: {e}")))?;
                    EventData::EncryptedTally {
                        encrypted_tally: parse_hash_ref(&s.encrypted_tally, "encrypted tally", height)?,
                        num_tallied: s.num_tallied,
                        total_weight: s.total_weight,
                    }
                }
                EventType::PartialDecryption => {
                    let o: Owned = serde_json::from_str(&get(&ev.payload, "owned payload", height)?)
                        .map_err(|e| Error(format!("a partial decryption's owner does not parse: {e}")))?;
                    EventData::PartialDecryption {
                        owner: o.owner,
                        partial_decryption: parse_hash_ref(&o.payload, "partial decryption", height)?,
                    }
                }
                EventType::Result => EventData::Result { result: get(&ev.payload, "result", height)? },
                EventType::Shuffle | EventType::EndShuffles => {
                    return Err(Error(format!(
                        "event at height {height}: shuffles are not supported (homomorphic questions only)"
                    )))
                }
            };
            record.events.push(item);
            parent = Some(hash.clone());
        }
        let canonical = record.to_bytes();
        if canonical != bytes {
            let at = canonical.iter().zip(bytes).position(|(a, b)| a != b).unwrap_or(canonical.len().min(bytes.len()));
            return Err(Error(format!(
                "the archive is not in the canonical layout (it differs from the one rebuilt from its events at byte {at})"
            )));
        }
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SINGLE: &[u8] = include_bytes!("../tests/fixtures/single-qn174aJGv3BpMM.bel");
    const THRESHOLD: &[u8] = include_bytes!("../tests/fixtures/threshold-7HtxeqxP6RcKFD.bel");

    #[test]
    fn belenios_archives_read_and_write_back_byte_for_byte() {
        for bytes in [SINGLE, THRESHOLD] {
            let r = Record::from_bytes(bytes).expect("reads");
            assert_eq!(r.to_bytes(), bytes);
        }
    }

    #[test]
    fn a_flipped_byte_names_the_entry() {
        let mut bytes = SINGLE.to_vec();
        let at = bytes.windows(9).position(|w| w == b"\"alpha\":\"").expect("a ciphertext") + 9;
        bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
        let err = Record::from_bytes(&bytes).expect_err("refused");
        assert!(err.0.contains("found instead of"), "{err}");
    }

    #[test]
    fn end_of_archive_blocks_are_refused() {
        let mut bytes = SINGLE.to_vec();
        bytes.extend(std::iter::repeat_n(0u8, 1024));
        assert!(Record::from_bytes(&bytes).is_err());
    }

    #[test]
    fn gnu_tar_reads_our_headers() {
        // The checksum field is computed over the header with 8 spaces in it.
        let h = header("x.data.json", 5, 1_700_000_000);
        let mut spaced = h;
        spaced[148..156].copy_from_slice(b"        ");
        let sum: u64 = spaced.iter().map(|b| u64::from(*b)).sum();
        assert_eq!(parse_octal(&h[148..156]), Some(sum));
    }
}
