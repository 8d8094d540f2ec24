//! Bad rows become quarantine records; unreadable files are clear errors.

use std::io::Write;

use emp_ingest::{Error, Format, ReadOptions, open};

use crate::common::*;

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn one_bad_row_never_sinks_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = b"\xEF\xBB\xBFDate,Open,High,Low,Close,Volume\r\n".to_vec();
    body.extend_from_slice(
        b"2020-01-02,10,11,9,10.5,100\r\n\
          2020-01-03,10,9,11,10,100\r\n\
          2020-01-06,-1,11,9,10,100\r\n\
          2020-13-07,10,11,9,10,100\r\n\
          \r\n\
          2020-01-07,10,11,9,10,100\r\n\
          2020-01-07,10,11,9,10,100\r\n\
          2020-01-03,10,11,9,10,100\r\n\
          2020-01-08,10,11,9,10\r\n\
          2020-01-09,1\xFF,11,9,10,100\r\n\
          2020-01-10,10,11,9,abc,100\r\n\
          2020-01-13,10,11,9,10,100",
    );
    let path = write(&dir, "abc.csv", &body);
    let mut reader = open(&path, &opts_tf("1d")).unwrap();
    let items: Vec<_> = reader.by_ref().collect();
    let s = reader.finish().unwrap();
    let errs: Vec<(u64, Option<usize>, String)> = items
        .iter()
        .filter_map(|i| i.as_ref().err())
        .map(|e| (e.line, e.column, e.reason.clone()))
        .collect();
    let want: &[(u64, Option<usize>, &str)] = &[
        (3, None, "high < low"),
        (4, None, "non-positive open price"),
        (5, Some(1), "no such date 2020-13-07"),
        (8, None, "duplicate timestamp"),
        (9, None, "out-of-order timestamp"),
        (10, None, "expected 6 fields as in the header, got 5"),
        (11, None, "line is not valid UTF-8"),
        (12, Some(5), "not a number"),
    ];
    assert_eq!(errs.len(), want.len(), "{errs:?}");
    for ((line, col, reason), (wl, wc, wr)) in errs.iter().zip(want) {
        assert_eq!((line, col), (wl, wc), "{reason}");
        assert!(
            reason.contains(wr),
            "line {line}: {reason:?} should contain {wr:?}"
        );
    }
    // The quarantine record carries the file and the raw text.
    let first = items.iter().find_map(|i| i.as_ref().err()).unwrap();
    assert_eq!(first.file, path);
    assert_eq!(first.raw, "2020-01-03,10,9,11,10,100");
    assert!(first.to_string().contains("abc.csv:3: high < low"));
    assert_eq!(
        (s.rows, s.records, s.quarantined, s.blank_lines),
        (11, 3, 8, 1)
    );
    assert_eq!(s.instrument.unwrap().as_str(), "ABC");
}

#[test]
fn unreadable_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.csv");
    let e = open(&missing, &auto()).unwrap_err();
    assert!(
        matches!(e, Error::Open { .. }) && e.to_string().contains("nope.csv"),
        "{e}"
    );

    let zip = write(&dir, "20140501_quote.zip", b"this is not a zip");
    let e = open(
        &zip,
        &ReadOptions {
            format: Some(Format::Lean),
            ..auto()
        },
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::Zip { .. }) && e.to_string().contains("20140501_quote.zip"),
        "{e}"
    );

    let unknown = write(&dir, "x.csv", b"hello,world\n1,2\n");
    let e = open(&unknown, &auto()).unwrap_err();
    assert!(matches!(e, Error::UnknownFormat { .. }), "{e}");

    // An explicit format that does not fit: a clear layout error at the header.
    let e = (|| -> Result<(), Error> {
        let mut r = open(
            data("fx/nautilus_trader/truefx-usdjpy-ticks.csv"),
            &ReadOptions {
                format: Some(Format::HistData),
                ..auto()
            },
        )?;
        assert!(r.next().is_none());
        r.finish().map(|_| ())
    })()
    .unwrap_err();
    assert!(
        matches!(e, Error::Layout { .. }) && e.to_string().contains("no header"),
        "{e}"
    );

    let bad_json = write(
        &dir,
        "ticks-EUR-USD.json",
        b"{\"timestamp\": 1, \"multiplier\": ",
    );
    let e = open(
        &bad_json,
        &ReadOptions {
            format: Some(Format::Dukascopy),
            ..auto()
        },
    )
    .unwrap_err();
    assert!(matches!(e, Error::Json { .. }), "{e}");
}

#[test]
fn a_file_truncated_mid_stream_keeps_its_good_rows_and_fails_at_finish() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(data("equity/arch/sp500.csv.gz")).unwrap();
    let cut = write(&dir, "sp500.csv.gz", &bytes[..bytes.len() / 2]);
    let mut reader = open(&cut, &auto()).unwrap();
    let good = reader.by_ref().filter(Result::is_ok).count();
    assert!(good > 1000, "{good}");
    let e = reader.finish().unwrap_err();
    assert!(
        matches!(e, Error::Read { .. }) && e.to_string().contains("sp500.csv.gz"),
        "{e}"
    );
}

#[test]
fn lean_zip_outside_the_tree_uses_the_entry_name() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read(data("fx/lean/forex/oanda/minute/eurusd/20140505_quote.zip")).unwrap();
    let p = write(&dir, "copy.zip", &src);
    let a = {
        let mut r = open(
            &p,
            &ReadOptions {
                format: Some(Format::Lean),
                ..auto()
            },
        )
        .unwrap();
        let n = r.by_ref().filter(Result::is_ok).count();
        (n, r.finish().unwrap())
    };
    assert_eq!(a.1.instrument.unwrap().as_str(), "EURUSD");
    assert_eq!(a.1.timeframe.unwrap().to_string(), "1m");
    assert_eq!(a.0 as u64, a.1.rows);

    // A zip whose file and entry names carry no date cannot be placed in time.
    let mut z = zip::ZipWriter::new(std::fs::File::create(dir.path().join("plain.zip")).unwrap());
    z.start_file("data.csv", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"0,1,2\n").unwrap();
    z.finish().unwrap();
    let e = open(
        dir.path().join("plain.zip"),
        &ReadOptions {
            format: Some(Format::Lean),
            ..auto()
        },
    )
    .unwrap_err();
    assert!(matches!(e, Error::Layout { .. }), "{e}");
}

#[test]
fn explicit_symbol_and_invalid_symbol() {
    let a = read(
        "equity/arch/sp500.csv.gz",
        &ReadOptions {
            symbol: Some("spx.idx".into()),
            ..auto()
        },
    );
    assert_eq!(a.summary.instrument.unwrap().as_str(), "SPX.IDX");
    let e = open(
        data("equity/arch/sp500.csv.gz"),
        &ReadOptions {
            symbol: Some("bad symbol!".into()),
            ..auto()
        },
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::InvalidOptions { .. }) && e.to_string().contains("symbol:"),
        "{e}"
    );
    // An inferred symbol that is not a valid instrument id is a clear error too.
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "a b.csv",
        b"Date,Open,High,Low,Close\n2020-01-02,1,1,1,1\n2020-01-03,1,1,1,1\n",
    );
    let e = open(&p, &auto()).unwrap_err();
    assert!(
        matches!(e, Error::Symbol { .. }) && e.to_string().contains("pass one explicitly"),
        "{e}"
    );
}

#[test]
fn reader_can_move_to_another_thread() {
    fn is_send<T: Send>(_: &T) {}
    let r = open(
        data("fx/lean/forex/oanda/tick/eurusd/20140505_quote.zip"),
        &auto(),
    )
    .unwrap();
    is_send(&r);
    let n = std::thread::spawn(move || r.count()).join().unwrap();
    assert!(n > 10_000);
}
