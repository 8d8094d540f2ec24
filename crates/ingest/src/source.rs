//! Opening a file as a stream of text lines, whatever its container.
//!
//! Plain text, `.gz`, single-entry `.zip` (Lean) and `.tar.gz` (pmdarima) are all streamed:
//! nothing is unpacked to memory or disk, so memory stays constant however large the file.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use flate2::read::{DeflateDecoder, GzDecoder};

use crate::error::Error;

/// The bytes a reader consumes, after any container has been opened.
pub(crate) struct Opened {
    pub(crate) reader: Box<dyn Read + Send>,
    /// The name of the entry inside a zip or tar, when there was one.
    pub(crate) entry_name: Option<String>,
}

fn lower_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Opens `path`, choosing the container by its name (`.zip`, `.tar.gz`/`.tgz`, `.gz`).
pub(crate) fn open(path: &Path) -> Result<Opened, Error> {
    let file = File::open(path).map_err(|source| Error::Open {
        file: path.into(),
        source,
    })?;
    let name = lower_name(path);
    if name.ends_with(".zip") {
        open_zip(path, file)
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        open_tar(path, Box::new(GzDecoder::new(BufReader::new(file))))
    } else if name.ends_with(".gz") {
        Ok(Opened {
            reader: Box::new(GzDecoder::new(BufReader::new(file))),
            entry_name: None,
        })
    } else {
        Ok(Opened {
            reader: Box::new(file),
            entry_name: None,
        })
    }
}

/// Locates the single data entry through the central directory, then streams its deflate
/// body from a second handle positioned at the entry's data. `ZipArchive::by_index` would
/// borrow the archive and make the reader self-referential; this keeps it an owned stream.
fn open_zip(path: &Path, file: File) -> Result<Opened, Error> {
    let layout = |reason: String| Error::Layout {
        file: path.into(),
        reason,
    };
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|source| Error::Zip {
        file: path.into(),
        source,
    })?;
    let mut chosen = None;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|source| Error::Zip {
            file: path.into(),
            source,
        })?;
        if entry.is_dir() || entry.name().starts_with("__MACOSX") {
            continue;
        }
        if chosen.is_some() {
            return Err(layout(
                "zip holds more than one data file (expected one CSV)".into(),
            ));
        }
        chosen = Some((
            entry.name().to_string(),
            entry.data_start(),
            entry.compressed_size(),
            entry.compression(),
        ));
    }
    let Some((name, start, size, method)) = chosen else {
        return Err(layout("zip archive is empty".into()));
    };
    let mut raw = File::open(path).map_err(|source| Error::Open {
        file: path.into(),
        source,
    })?;
    raw.seek(SeekFrom::Start(start))
        .map_err(|source| Error::Open {
            file: path.into(),
            source,
        })?;
    let body = BufReader::new(raw).take(size);
    let reader: Box<dyn Read + Send> = match method {
        zip::CompressionMethod::Stored => Box::new(body),
        zip::CompressionMethod::Deflated => Box::new(DeflateDecoder::new(body)),
        other => {
            return Err(layout(format!(
                "zip entry {name} uses unsupported compression {other}"
            )));
        }
    };
    Ok(Opened {
        reader,
        entry_name: Some(name),
    })
}

/// Minimal ustar walk: skips pax/GNU metadata and AppleDouble `._*` entries and streams the
/// first regular file.
fn open_tar(path: &Path, mut r: Box<dyn Read + Send>) -> Result<Opened, Error> {
    let layout = |reason: String| Error::Layout {
        file: path.into(),
        reason,
    };
    let io_err = |source: io::Error| Error::Read {
        file: path.into(),
        line: 0,
        source,
    };
    let mut header = [0u8; 512];
    loop {
        r.read_exact(&mut header).map_err(io_err)?;
        if header.iter().all(|b| *b == 0) {
            return Err(layout("tar archive holds no regular file".into()));
        }
        let name_end = header[..100].iter().position(|b| *b == 0).unwrap_or(100);
        let name = String::from_utf8_lossy(&header[..name_end]).into_owned();
        let size_field = String::from_utf8_lossy(&header[124..136]);
        let size = u64::from_str_radix(size_field.trim_matches(|c: char| c == '\0' || c == ' '), 8)
            .map_err(|_| layout(format!("tar header for {name:?} has a bad size field")))?;
        let kind = header[156];
        let base = name.rsplit('/').next().unwrap_or(&name);
        if (kind == b'0' || kind == 0) && !base.starts_with("._") {
            return Ok(Opened {
                reader: Box::new(r.take(size)),
                entry_name: Some(name),
            });
        }
        // Skip this entry's data, padded to 512-byte blocks.
        let padded = size.div_ceil(512) * 512;
        io::copy(&mut (&mut r).take(padded), &mut io::sink()).map_err(io_err)?;
    }
}

/// Reads lines as raw bytes (so one bad UTF-8 row is a quarantined row, not a failed file),
/// strips `\r\n`/`\n` and a leading UTF-8 byte-order mark, and counts line numbers.
pub(crate) struct LineReader {
    inner: BufReader<Box<dyn Read + Send>>,
    buf: Vec<u8>,
    line_no: u64,
}

pub(crate) enum Line<'a> {
    Text(&'a str),
    /// Not valid UTF-8; carries a lossy copy for the quarantine record.
    Invalid(String),
}

impl LineReader {
    pub(crate) fn new(reader: Box<dyn Read + Send>) -> Self {
        LineReader {
            inner: BufReader::with_capacity(64 * 1024, reader),
            buf: Vec::new(),
            line_no: 0,
        }
    }

    pub(crate) fn line_no(&self) -> u64 {
        self.line_no
    }

    /// The next line and its 1-based number, `Ok(None)` at end of input.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<(u64, Line<'_>)>> {
        self.buf.clear();
        let n = self.inner.read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        let mut end = self.buf.len();
        if end > 0 && self.buf[end - 1] == b'\n' {
            end -= 1;
        }
        if end > 0 && self.buf[end - 1] == b'\r' {
            end -= 1;
        }
        let start = if self.line_no == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let bytes = &self.buf[start..end.max(start)];
        let line = match std::str::from_utf8(bytes) {
            Ok(s) => Line::Text(s),
            Err(_) => Line::Invalid(String::from_utf8_lossy(bytes).into_owned()),
        };
        Ok(Some((self.line_no, line)))
    }
}

/// The first `max` decoded bytes of a file (after its container), for format detection.
pub(crate) fn head(path: &Path, max: usize) -> Result<(Vec<u8>, Option<String>), Error> {
    let opened = open(path)?;
    let mut buf = Vec::with_capacity(max);
    opened
        .reader
        .take(max as u64)
        .read_to_end(&mut buf)
        .map_err(|source| Error::Read {
            file: path.into(),
            line: 0,
            source,
        })?;
    Ok((buf, opened.entry_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_strip_crlf_and_bom() {
        let data = b"\xEF\xBB\xBFDate,x\r\n1,2\r\n\xFF\xFE\n3,4".to_vec();
        let mut r = LineReader::new(Box::new(io::Cursor::new(data)));
        let mut got = Vec::new();
        while let Some((_, l)) = r.next_line().unwrap() {
            got.push(match l {
                Line::Text(s) => format!("T:{s}"),
                Line::Invalid(s) => format!("I:{}", s.chars().count()),
            });
        }
        assert_eq!(got, ["T:Date,x", "T:1,2", "I:2", "T:3,4"]);
        assert_eq!(r.line_no(), 4);
    }
}
