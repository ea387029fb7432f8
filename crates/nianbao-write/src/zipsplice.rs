//! Copies a zip archive (a workbook rust_xlsxwriter saved) with one member's contents replaced
//! by deflate parts compressed independently, in parallel: how `分单位明细`, two million cells
//! at 10,000 units, is written on every core instead of on one.
//!
//! A part is a raw deflate stream of its own ended by a sync flush (an empty stored block: the
//! stream ends on a byte boundary, not final), and the last part ends with a final block; one
//! after another they are one valid deflate stream (pigz writes its blocks so). Each part's
//! CRC-32 is combined into the member's. The other members are copied byte for byte, their
//! central records with the new offsets; the replaced member is written with a data descriptor.

use std::io::{self, Read, Write};

use flate2::{Compress, Compression, FlushCompress, Status};

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const END_SIG: u32 = 0x0605_4b50;
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;
/// General-purpose flags: sizes and CRC in a data descriptor after the data; names in UTF-8.
const FLAG_DESCRIPTOR: u16 = 0x0008;
const FLAG_UTF8: u16 = 0x0800;
const DEFLATED: u16 = 8;

/// Why the archive could not be rewritten. Only an archive not written as rust_xlsxwriter writes
/// (zip64, several disks) or a member too large for a plain zip gives one.
#[derive(Debug, thiserror::Error)]
pub enum SpliceError {
    #[error("the workbook's zip is not as expected: {0}")]
    Format(&'static str),
    #[error("the workbook has no member {0}")]
    NoMember(String),
    #[error("{0} is larger than a zip without zip64 can hold")]
    TooLarge(String),
    #[error("writing the workbook: {0}")]
    Io(#[from] io::Error),
}

/// One independently compressed piece of the replaced member.
pub struct Part {
    deflated: Vec<u8>,
    crc: crc32fast::Hasher,
    len: u64,
    last: bool,
}

impl Part {
    /// `xml` deflated at `level`; `last` ends the stream.
    pub fn new(xml: &[u8], level: u32, last: bool) -> Part {
        Part::kept(xml, level, last, None)
    }

    /// The same, the deflated bytes taken from `memo` when it holds them for this XML, level
    /// and ending, and kept there when not.
    pub fn kept(xml: &[u8], level: u32, last: bool, memo: Option<&dyn DeflateMemo>) -> Part {
        let mut crc = crc32fast::Hasher::new();
        crc.update(xml);
        let deflated = match memo {
            None => deflate(xml, level, last),
            Some(memo) => {
                let key = memo_key(xml, level, last);
                memo.get(&key).unwrap_or_else(|| {
                    let deflated = deflate(xml, level, last);
                    memo.put(&key, &deflated);
                    deflated
                })
            }
        };
        Part {
            deflated,
            crc,
            len: xml.len() as u64,
            last,
        }
    }
}

/// Deflated parts kept by the caller between runs (a workspace's cache), so that a part whose
/// XML was deflated before is not deflated again: most of a re-run's units' rows are those of
/// the last run. Keys are the SHA-256 (64 hex digits) of the XML and of how it is deflated, so
/// that what the memo gives is what deflating would.
pub trait DeflateMemo: Send + Sync + std::fmt::Debug {
    /// The deflated bytes kept under `key`, if any.
    fn get(&self, key: &str) -> Option<Vec<u8>>;
    /// Keeps `deflated` under `key`.
    fn put(&self, key: &str, deflated: &[u8]);
}

/// The key of a part in a [`DeflateMemo`]: the hash of the XML, the level and whether the part
/// ends the stream.
fn memo_key(xml: &[u8], level: u32, last: bool) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    h.update(format!("deflate level {level} last {last}\n").as_bytes());
    h.update(xml);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A raw deflate stream of `input`, ended by a sync flush, or by a final block when `finish`.
fn deflate(input: &[u8], level: u32, finish: bool) -> Vec<u8> {
    let mut c = Compress::new(Compression::new(level), false);
    let flush = if finish {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    let mut out = Vec::with_capacity(input.len() / 4 + 64);
    loop {
        let done = c.total_in() as usize;
        // Errors only on misuse of the stream (a flush after Finish), which this loop avoids.
        let status = c
            .compress_vec(&input[done..], &mut out, flush)
            .expect("deflate of an in-memory buffer");
        let all_in = c.total_in() as usize == input.len();
        let flushed = match status {
            Status::StreamEnd => true,
            // zlib has flushed everything when it left room in the output.
            Status::Ok | Status::BufError => !finish && all_in && out.len() < out.capacity(),
        };
        if flushed {
            // Parts wait in memory until written in order: no room held beyond their bytes.
            out.shrink_to_fit();
            return out;
        }
        out.reserve(out.capacity().max(64));
    }
}

/// Where the replaced member's parts go, in order.
pub struct Parts<'p, 'w> {
    out: &'p mut Counter<'w>,
    crc: crc32fast::Hasher,
    len: u64,
    deflated: u64,
    ended: bool,
}

impl Parts<'_, '_> {
    /// Writes the next part.
    pub fn push(&mut self, part: Part) -> Result<(), SpliceError> {
        if self.ended {
            return Err(SpliceError::Format("a part after the last"));
        }
        self.out.write_all(&part.deflated)?;
        self.crc.combine(&part.crc);
        self.len += part.len;
        self.deflated += part.deflated.len() as u64;
        self.ended = part.last;
        Ok(())
    }
}

/// A writer that counts what it wrote (the offsets of the central directory).
pub struct Counter<'w> {
    out: &'w mut dyn Write,
    written: u64,
}

impl Write for Counter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A member of the archive: its central record and the span of its local header and data.
struct Member<'a> {
    name: &'a [u8],
    central: &'a [u8],
    local: usize,
    end: usize,
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, SpliceError> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or(SpliceError::Format("cut short"))
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, SpliceError> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or(SpliceError::Format("cut short"))
}

/// The members in archive order.
fn members(zip: &[u8]) -> Result<Vec<Member<'_>>, SpliceError> {
    // The end record: 22 bytes, no archive comment (rust_xlsxwriter writes none).
    let end = zip
        .len()
        .checked_sub(22)
        .ok_or(SpliceError::Format("no end record"))?;
    if u32_at(zip, end)? != END_SIG {
        return Err(SpliceError::Format("no end record"));
    }
    if u16_at(zip, end + 4)? != 0 || u16_at(zip, end + 6)? != 0 {
        return Err(SpliceError::Format("several disks"));
    }
    let count = usize::from(u16_at(zip, end + 10)?);
    let cd_start = u32_at(zip, end + 16)?;
    if cd_start == u32::MAX || count == usize::from(u16::MAX) {
        return Err(SpliceError::Format("zip64"));
    }
    let cd_start = cd_start as usize;
    let mut members = Vec::with_capacity(count);
    let mut at = cd_start;
    for _ in 0..count {
        if u32_at(zip, at)? != CENTRAL_SIG {
            return Err(SpliceError::Format("bad central record"));
        }
        let name_len = usize::from(u16_at(zip, at + 28)?);
        let extra_len = usize::from(u16_at(zip, at + 30)?);
        let comment_len = usize::from(u16_at(zip, at + 32)?);
        let local = u32_at(zip, at + 42)?;
        if local == u32::MAX || u32_at(zip, at + 20)? == u32::MAX {
            return Err(SpliceError::Format("zip64"));
        }
        let len = 46 + name_len + extra_len + comment_len;
        let central = zip
            .get(at..at + len)
            .ok_or(SpliceError::Format("cut short"))?;
        members.push(Member {
            name: &central[46..46 + name_len],
            central,
            local: local as usize,
            end: 0,
        });
        at += len;
    }
    if at != end {
        return Err(SpliceError::Format("central directory size"));
    }
    // Each member's span runs to the next one's local header (its data descriptor included).
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by_key(|&i| members[i].local);
    for (k, &i) in order.iter().enumerate() {
        let next = order.get(k + 1).map_or(cd_start, |&j| members[j].local);
        if next < members[i].local || u32_at(zip, members[i].local)? != LOCAL_SIG {
            return Err(SpliceError::Format("bad local header"));
        }
        members[i].end = next;
    }
    Ok(members)
}

/// The uncompressed contents of a member (a small one: its size is checked against `max`).
fn inflate(zip: &[u8], m: &Member<'_>, max: u64) -> Result<Vec<u8>, SpliceError> {
    let method = u16_at(m.central, 10)?;
    let size = u64::from(u32_at(m.central, 24)?);
    let csize = u32_at(m.central, 20)? as usize;
    if size > max {
        return Err(SpliceError::Format("member too large to splice"));
    }
    let start = m.local
        + 30
        + usize::from(u16_at(zip, m.local + 26)?)
        + usize::from(u16_at(zip, m.local + 28)?);
    let data = zip
        .get(start..start + csize)
        .ok_or(SpliceError::Format("cut short"))?;
    let mut out = Vec::with_capacity(size as usize);
    match method {
        0 => out.extend_from_slice(data),
        DEFLATED => {
            flate2::read::DeflateDecoder::new(data)
                .take(max + 1)
                .read_to_end(&mut out)?;
        }
        _ => return Err(SpliceError::Format("compression method")),
    }
    if out.len() as u64 != size {
        return Err(SpliceError::Format("member size"));
    }
    Ok(out)
}

/// Writes `zip` to `out` with the members named in `replaced` replaced by the parts `fill`
/// pushes, given the index in `replaced` of each (name, most bytes of its original contents)
/// and its original contents, in archive order. The other members keep their order, bytes and
/// names.
pub fn replace_members<E: From<SpliceError>>(
    zip: &[u8],
    replaced: &[(&str, u64)],
    out: &mut dyn Write,
    mut fill: impl FnMut(usize, &[u8], &mut Parts<'_, '_>) -> Result<(), E>,
) -> Result<(), E> {
    let members = members(zip)?;
    let index_of = |m: &Member<'_>| replaced.iter().position(|(n, _)| m.name == n.as_bytes());
    for (name, _) in replaced {
        if !members.iter().any(|m| m.name == name.as_bytes()) {
            return Err(SpliceError::NoMember((*name).to_string()).into());
        }
    }
    let mut counter = Counter { out, written: 0 };
    let mut offsets = Vec::with_capacity(members.len());
    // The replaced members' new central records, built once their sizes are known.
    let mut records: Vec<Option<Vec<u8>>> = vec![None; members.len()];
    for (i, m) in members.iter().enumerate() {
        offsets.push(counter.written);
        let Some(k) = index_of(m) else {
            counter
                .write_all(&zip[m.local..m.end])
                .map_err(SpliceError::from)?;
            continue;
        };
        let (name, max_original) = replaced[k];
        let original = inflate(zip, m, max_original)?;
        let flags = (u16_at(m.central, 8)? & FLAG_UTF8) | FLAG_DESCRIPTOR;
        let time = u32_at(m.central, 12)?;
        let name_len = m.name.len() as u16;
        let mut header = Vec::with_capacity(30 + m.name.len());
        header.extend_from_slice(&LOCAL_SIG.to_le_bytes());
        header.extend_from_slice(&20u16.to_le_bytes()); // version needed: deflate
        header.extend_from_slice(&flags.to_le_bytes());
        header.extend_from_slice(&DEFLATED.to_le_bytes());
        header.extend_from_slice(&time.to_le_bytes()); // time and date
        header.extend_from_slice(&[0; 12]); // CRC and sizes: in the data descriptor
        header.extend_from_slice(&name_len.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes()); // no extra field
        header.extend_from_slice(m.name);
        counter.write_all(&header).map_err(SpliceError::from)?;

        let mut parts = Parts {
            out: &mut counter,
            crc: crc32fast::Hasher::new(),
            len: 0,
            deflated: 0,
            ended: false,
        };
        fill(k, &original, &mut parts)?;
        if !parts.ended {
            return Err(SpliceError::Format("the parts did not end the stream").into());
        }
        let crc = parts.crc.clone().finalize();
        let too_large = || SpliceError::TooLarge(name.to_string());
        let size = u32::try_from(parts.len)
            .ok()
            .filter(|&s| s != u32::MAX)
            .ok_or_else(too_large)?;
        let csize = u32::try_from(parts.deflated)
            .ok()
            .filter(|&s| s != u32::MAX)
            .ok_or_else(too_large)?;
        let mut descriptor = Vec::with_capacity(16);
        for v in [DESCRIPTOR_SIG, crc, csize, size] {
            descriptor.extend_from_slice(&v.to_le_bytes());
        }
        counter.write_all(&descriptor).map_err(SpliceError::from)?;

        // The central record: the original's version made by and attributes, the new sizes.
        let mut record = Vec::with_capacity(46 + m.name.len());
        record.extend_from_slice(&m.central[..6]); // signature, version made by
        record.extend_from_slice(&20u16.to_le_bytes());
        record.extend_from_slice(&flags.to_le_bytes());
        record.extend_from_slice(&DEFLATED.to_le_bytes());
        record.extend_from_slice(&time.to_le_bytes());
        for v in [crc, csize, size] {
            record.extend_from_slice(&v.to_le_bytes());
        }
        record.extend_from_slice(&name_len.to_le_bytes());
        record.extend_from_slice(&[0; 4]); // no extra field, no comment
        record.extend_from_slice(&m.central[34..42]); // disk, internal and external attributes
        record.extend_from_slice(&[0; 4]); // local header offset, set below
        record.extend_from_slice(m.name);
        records[i] = Some(record);
    }
    let too_large = || SpliceError::TooLarge("the workbook".to_string());
    let cd_start = counter.written;
    for (i, m) in members.iter().enumerate() {
        let record = records[i].as_deref().unwrap_or(m.central);
        let offset = u32::try_from(offsets[i])
            .ok()
            .filter(|&o| o != u32::MAX)
            .ok_or_else(too_large)?;
        counter
            .write_all(&record[..42])
            .map_err(SpliceError::from)?;
        counter
            .write_all(&offset.to_le_bytes())
            .map_err(SpliceError::from)?;
        counter
            .write_all(&record[46..])
            .map_err(SpliceError::from)?;
    }
    let cd_size = counter.written - cd_start;
    let cd_start = u32::try_from(cd_start)
        .ok()
        .filter(|&o| o != u32::MAX)
        .ok_or_else(too_large)?;
    let count = members.len() as u16;
    let mut end = Vec::with_capacity(22);
    end.extend_from_slice(&END_SIG.to_le_bytes());
    end.extend_from_slice(&[0; 4]); // this disk, the central directory's disk
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&count.to_le_bytes());
    end.extend_from_slice(&(cd_size as u32).to_le_bytes());
    end.extend_from_slice(&cd_start.to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes()); // no comment
    counter.write_all(&end).map_err(SpliceError::from)?;
    counter.flush().map_err(SpliceError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read, Write};

    use super::*;

    fn archive(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in members {
            zip.start_file(*name, opts).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn contents(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut a = zip::ZipArchive::new(Cursor::new(zip)).expect("a valid zip");
        (0..a.len())
            .map(|i| {
                let mut f = a.by_index(i).unwrap();
                let mut v = Vec::new();
                f.read_to_end(&mut v).expect("its CRC and size check out");
                (f.name().unwrap().to_string(), v)
            })
            .collect()
    }

    #[test]
    fn a_member_is_replaced_by_its_parts_and_the_others_kept() {
        let big: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("<c r=\"A{i}\"><v>{}</v></c>", i % 97).into_bytes())
            .collect();
        let zip = archive(&[
            ("a.xml", b"first"),
            ("sheet.xml", b"<head/>|<tail/>"),
            ("z.xml", b"last"),
        ]);
        let mut out = Vec::new();
        let replaced = [("z.xml", 100), ("sheet.xml", 1 << 20)];
        replace_members::<SpliceError>(&zip, &replaced, &mut out, |k, orig, parts| {
            if k == 0 {
                parts.push(Part::new(b"new ", 3, false))?;
                return parts.push(Part::new(orig, 3, true));
            }
            let (head, tail) = orig.split_at(7);
            parts.push(Part::new(head, 3, false))?;
            for chunk in big.chunks(100_003) {
                parts.push(Part::new(chunk, 3, false))?;
            }
            parts.push(Part::new(&tail[1..], 3, true))?;
            Ok(())
        })
        .unwrap();
        let mut expected = b"<head/>".to_vec();
        expected.extend_from_slice(&big);
        expected.extend_from_slice(b"<tail/>");
        let got = contents(&out);
        assert_eq!(got[0], ("a.xml".to_string(), b"first".to_vec()));
        assert_eq!(got[1].0, "sheet.xml");
        assert!(got[1].1 == expected, "the parts read back as one stream");
        assert_eq!(got[2], ("z.xml".to_string(), b"new last".to_vec()));
        assert!(out.len() < big.len() / 4, "deflated");
    }

    #[test]
    fn parts_must_end_the_stream_and_the_member_must_exist() {
        let zip = archive(&[("a.xml", b"first")]);
        let replace = |zip: &[u8], name: &str, max: u64, last: bool| {
            replace_members::<SpliceError>(zip, &[(name, max)], &mut Vec::new(), |_, o, p| {
                p.push(Part::new(o, 3, last))
            })
        };
        assert!(replace(&zip, "a.xml", 100, true).is_ok());
        let unended = replace(&zip, "a.xml", 100, false);
        assert!(matches!(unended, Err(SpliceError::Format(_))));
        let missing = replace(&zip, "b.xml", 100, true);
        assert!(matches!(missing, Err(SpliceError::NoMember(_))));
        let too_big = replace(&zip, "a.xml", 2, true);
        assert!(matches!(too_big, Err(SpliceError::Format(_))));
        for cut in [0, 10, zip.len() - 1] {
            assert!(replace(&zip[..cut], "a.xml", 100, true).is_err());
        }
    }
}
