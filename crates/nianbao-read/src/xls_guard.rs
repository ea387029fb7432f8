//! Checks an .xls file's OLE container and cell positions before calamine reads it.
//!
//! calamine 0.38 follows sector chains without a loop check (the directory chain with no length
//! limit at all: one sector pointing to itself grows memory until the process dies), reserves
//! room for whatever a DIMENSIONS record declares (2^32 rows: a 44 TB allocation) and builds a
//! dense range over the cells' bounding box (one cell at column 65,535: 137 GB). A failed
//! allocation aborts the process rather than panicking, so `catch_unwind` cannot help: such
//! files are refused here. Files calamine refuses anyway (bad header, no Workbook stream) pass
//! through, to get calamine's own error.

use crate::load::{LoadError, MAX_CELLS};

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
/// Sector ids from here up are markers, not sectors.
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
/// Streams shorter than this live in the mini stream.
const MINI_CUTOFF: usize = 4096;
/// BIFF8's sheet: 65,536 rows × 256 columns.
const BIFF_ROWS: u64 = 65_536;
const BIFF_COLS: u64 = 256;

fn refuse(why: &str) -> LoadError {
    LoadError::Corrupt(why.to_string())
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

struct Ole<'a> {
    bytes: &'a [u8],
    size: usize,
}

impl Ole<'_> {
    /// Sector `id` as calamine reads it (cut short, or empty, past the end of the file).
    fn sector(&self, id: u32) -> &[u8] {
        let start = (id as usize + 1).saturating_mul(self.size);
        let end = start.saturating_add(self.size).min(self.bytes.len());
        self.bytes.get(start..end).unwrap_or(&[])
    }

    /// The sector ids of a chain; an error when it loops or points outside `next`.
    fn chain(&self, start: u32, next: &[u32]) -> Result<Vec<u32>, LoadError> {
        let mut seen = vec![false; next.len()];
        let mut out = Vec::new();
        let mut id = start;
        while id != ENDOFCHAIN {
            let i = id as usize;
            if i >= next.len() {
                return Err(refuse("OLE sector chain points outside the file"));
            }
            if std::mem::replace(&mut seen[i], true) {
                return Err(refuse("OLE sector chain loops"));
            }
            out.push(id);
            id = next[i];
        }
        Ok(out)
    }

    fn read(&self, chain: &[u32]) -> Vec<u8> {
        chain
            .iter()
            .flat_map(|&id| self.sector(id))
            .copied()
            .collect()
    }
}

/// Refuses the .xls files calamine would loop on or allocate without bound for.
pub fn check_xls(bytes: &[u8]) -> Result<(), LoadError> {
    let size = match u16_at(bytes, 30) {
        Some(9) => 512,
        Some(12) => 4096,
        _ => return Ok(()),
    };
    if bytes.len() < size {
        return Ok(());
    }
    let ole = Ole { bytes, size };
    let sectors = bytes.len() / size;

    // The FAT's own sectors: 109 in the header, the rest along the DIFAT chain.
    let mut difat: Vec<u32> = u32s(&bytes[76..512]).collect();
    let mut id = u32_at(bytes, 68).unwrap_or(ENDOFCHAIN);
    let mut hops = 0;
    while id < RESERVED {
        hops += 1;
        if hops > sectors + 1 {
            return Err(refuse("OLE DIFAT chain loops"));
        }
        difat.extend(u32s(ole.sector(id)));
        id = difat.pop().unwrap_or(ENDOFCHAIN);
    }
    let fat_sectors: Vec<u32> = difat.into_iter().filter(|&id| id < DIFSECT).collect();
    if fat_sectors.len() > sectors {
        return Err(refuse("OLE file lists more FAT sectors than it has"));
    }
    let mut listed = vec![false; sectors + 1];
    let mut fat = Vec::new();
    for &id in &fat_sectors {
        match listed.get_mut(id as usize) {
            Some(seen) if !*seen => *seen = true,
            _ => return Err(refuse("OLE FAT sector listed twice or outside the file")),
        }
        fat.extend(u32s(ole.sector(id)));
    }

    // Directory, then the mini stream and its FAT when there is one.
    let dir = ole.read(&ole.chain(u32_at(bytes, 48).unwrap_or(ENDOFCHAIN), &fat)?);
    let entries: Vec<&[u8]> = dir.chunks_exact(128).collect();
    let Some(root) = entries.first() else {
        return Ok(());
    };
    let entry_len = |e: &[u8]| -> usize {
        if size == 512 {
            u32_at(e, 120).unwrap_or(0) as usize
        } else {
            usize::try_from(
                u32_at(e, 120).unwrap_or(0) as u64 | (u64::from(u32_at(e, 124).unwrap_or(0)) << 32),
            )
            .unwrap_or(usize::MAX)
        }
    };
    let has_mini = u32_at(bytes, 64).unwrap_or(0) > 0;
    let (mini_stream, mini_fat) = if has_mini {
        let stream = ole.read(&ole.chain(u32_at(root, 116).unwrap_or(ENDOFCHAIN), &fat)?);
        let minifat_chain = ole.chain(u32_at(bytes, 60).unwrap_or(ENDOFCHAIN), &fat)?;
        (
            stream,
            u32s(&ole.read(&minifat_chain)).collect::<Vec<u32>>(),
        )
    } else {
        (Vec::new(), Vec::new())
    };

    // The workbook stream, as calamine picks it.
    let name_of = |e: &[u8]| -> String {
        let units: Vec<u16> = e[..64]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        String::from_utf16_lossy(&units)
    };
    let find = |want: &str| {
        entries
            .iter()
            .find(|e| name_of(e).eq_ignore_ascii_case(want))
    };
    let Some(book) = find("Workbook").or_else(|| find("Book")) else {
        return Ok(());
    };
    let len = entry_len(book);
    let start = u32_at(book, 116).unwrap_or(ENDOFCHAIN);
    let mut stream = if len < MINI_CUTOFF {
        let chain = ole.chain(start, &mini_fat)?;
        chain
            .iter()
            .flat_map(|&id| {
                let s = (id as usize).saturating_mul(64);
                mini_stream
                    .get(s..s.saturating_add(64).min(mini_stream.len()))
                    .unwrap_or(&[])
            })
            .copied()
            .collect()
    } else {
        ole.read(&ole.chain(start, &fat)?)
    };
    stream.truncate(len);
    check_biff(&stream)
}

/// BIFF records as calamine's `RecordIter` reads them: (type, data), until one is cut short.
fn records(s: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let typ = u16_at(rest, 0)?;
        let len = usize::from(u16_at(rest, 2)?);
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        Some((typ, data))
    })
}

/// A sheet's declared dimensions and the bounding box of its cells must not exceed a BIFF8
/// sheet's 65,536 × 256 cells, and the boxes of all sheets together must hold at most
/// [`MAX_CELLS`]: calamine reserves the former and allocates the latter densely, every sheet at
/// once (one cell in a sheet's far corner took 1.05 GB and 0.8 s; in three sheets, 2.1 GB).
/// calamine reads each sheet from the offset its BoundSheet8 record gives, aligned with the
/// records before it or not, so the sheets are checked from those offsets too.
fn check_biff(s: &[u8]) -> Result<(), LoadError> {
    let mut starts = Vec::new();
    for (typ, r) in records(s) {
        match typ {
            0x0085 => starts.extend(u32_at(r, 0)),
            0x000A => break,
            _ => {}
        }
    }
    // calamine reads every sheet in `Xls::new`, so their dense ranges are all held at once:
    // together they count against the cells a file may hold (63 bytes a cell, measured).
    let mut total = 0;
    for pos in starts {
        if let Some(sheet) = s.get(pos as usize..) {
            total += check_sheet(sheet)?;
        }
    }
    if total > MAX_CELLS as u64 {
        return Err(LoadError::XlsSpread(total));
    }
    Ok(())
}

const MAX_AREA: u64 = BIFF_ROWS * BIFF_COLS;

/// Checks one sheet; its cells' bounding box, in cells (what calamine allocates for it).
fn check_sheet(s: &[u8]) -> Result<u64, LoadError> {
    let too_big = || refuse("an .xls sheet spans more than 65,536 × 256 cells");
    // (first row, last row, first column, last column) of the cells seen.
    let mut bbox: Option<(u64, u64, u64, u64)> = None;
    let mut cells = |row: u64, first: u64, last: u64| -> Result<(), LoadError> {
        let (r0, r1, c0, c1) = bbox.unwrap_or((row, row, first, last));
        let b = (r0.min(row), r1.max(row), c0.min(first), c1.max(last));
        bbox = Some(b);
        if (b.1 - b.0 + 1) * (b.3 - b.2 + 1) > MAX_AREA {
            return Err(too_big());
        }
        Ok(())
    };
    // Nested substreams (embedded charts) are skipped, as calamine skips them.
    let mut seen_bof = false;
    let mut depth = 0usize;
    for (typ, r) in records(s) {
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let at = |i: usize| u16_at(r, i).map_or(0, u64::from);
        match typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            // Number, Label, RString, BoolErr, Rk, LabelSst, Formula: row, column first.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                cells(at(0), at(2), at(2))?;
            }
            // MulRk: row, first column, …, last column.
            0x00BD => {
                let (first, last) = (at(2), at(r.len().saturating_sub(2)));
                cells(at(0), first.min(last), first.max(last))?;
            }
            0x0200 => {
                let (rf, rl, mut cf, cl) = match r.len() {
                    10 => (at(0), at(2), at(4), at(6)),
                    14 | 16 => (
                        u32_at(r, 0).map_or(0, u64::from),
                        u32_at(r, 4).map_or(0, u64::from),
                        at(8),
                        at(10),
                    ),
                    _ => continue, // calamine refuses it
                };
                if cf > 0xFF || cl < cf {
                    cf = 0; // as calamine does
                }
                // calamine takes (rl - 1) - rf + 1 rows and (cl - 1) - cf + 1 columns, in u32.
                if rl >= 1 && cl >= 1 && (rf >= rl || cf >= cl || (rl - rf) * (cl - cf) > MAX_AREA)
                {
                    return Err(too_big());
                }
            }
            _ => {}
        }
    }
    Ok(bbox.map_or(0, |(r0, r1, c0, c1)| (r1 - r0 + 1) * (c1 - c0 + 1)))
}

#[cfg(test)]
mod tests {
    use super::check_xls;
    use crate::load::LoadError;

    const FIXTURE: &[u8] =
        include_bytes!("../../../fixtures/jinshan-2022/U28-区退役军人事务局.xls");

    /// The fixture with its first sheet's last shared-string cell moved to (row, col).
    fn with_far_cell(row: u16, col: u16) -> Vec<u8> {
        let mut xls = FIXTURE.to_vec();
        let bof = |i: &usize| {
            xls[*i..].starts_with(b"\x09\x08\x10\x00") && xls[i + 6..i + 8] == [0x10, 0]
        };
        let sheets: Vec<usize> = (0..xls.len() - 8).filter(bof).collect();
        let label = (sheets[0]..sheets[1])
            .rev()
            .find(|&i| xls[i..].starts_with(b"\xfd\x00\x0a\x00"))
            .unwrap();
        xls[label + 4..label + 6].copy_from_slice(&row.to_le_bytes());
        xls[label + 6..label + 8].copy_from_slice(&col.to_le_bytes());
        xls
    }

    #[test]
    fn sheets_spanning_more_cells_than_a_file_may_hold_are_refused() {
        assert_eq!(check_xls(FIXTURE), Ok(()));
        // A stray cell far down, in the tables' columns: 65,536 × ~16 cells, read.
        assert_eq!(check_xls(&with_far_cell(0xFFFF, 10)), Ok(()));
        // In the far corner: 65,536 × 256 cells, 1 GB in calamine.
        assert!(matches!(
            check_xls(&with_far_cell(0xFFFF, 0xFF)),
            Err(LoadError::XlsSpread(n)) if n > 16_000_000
        ));
        // Each sheet within the format, three at once: 2.1 GB in calamine.
        let far = include_bytes!("../tests/crashers/xls-sheets-far-corners.xls");
        assert!(matches!(check_xls(far), Err(LoadError::XlsSpread(_))));
    }
}
