//! Arbitrary bytes never panic a reader: every format either reads rows (good or
//! quarantined) or returns an error.

use std::io::Write;

use emp_ingest::{Format, ReadOptions, open};
use proptest::prelude::*;

fn drain(path: &std::path::Path, format: Format) {
    let opts = ReadOptions {
        format: Some(format),
        timeframe: Some(emp_model::Timeframe::M1),
        ..ReadOptions::default()
    };
    if let Ok(mut r) = open(path, &opts) {
        let n = r.by_ref().count() as u64;
        if let Ok(s) = r.finish() {
            assert_eq!(s.records + s.quarantined, n);
        }
    }
}

/// Lines that look roughly like our formats, with random damage.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,8},[0-9.]{1,8},[0-9.]{1,8}",
        "[0-9]{8} [0-9]{9},[0-9.]{1,8},[0-9.]{1,8},0",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9],[0-9.,-]{0,40}",
        "[0-9/: .TZ+-]{0,24},[0-9.e-]{0,10},[0-9.]{0,10},[0-9.]{0,10},[0-9.]{0,10}",
        "[ -~]{0,60}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_panics_on_damaged_text(header in "[ -~]{0,60}", lines in proptest::collection::vec(line(), 0..20), junk in proptest::collection::vec(any::<u8>(), 0..64)) {
        let dir = tempfile::tempdir().unwrap();
        let mut text = header.into_bytes();
        for l in &lines {
            text.push(b'\n');
            text.extend_from_slice(l.as_bytes());
        }
        text.extend_from_slice(&junk);
        let plain = dir.path().join("eurusd.csv");
        std::fs::write(&plain, &text).unwrap();
        for f in Format::ALL {
            drain(&plain, f);
        }
        // The same text inside a Lean zip (minute and tick layouts).
        for res in ["minute", "tick"] {
            let sub = dir.path().join(format!("forex/oanda/{res}/eurusd"));
            std::fs::create_dir_all(&sub).unwrap();
            let zpath = sub.join("20140501_quote.zip");
            let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).unwrap());
            z.start_file(format!("20140501_eurusd_{res}_quote.csv"), zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(&text).unwrap();
            z.finish().unwrap();
            drain(&zpath, Format::Lean);
        }
        // And as a gzip stream cut short.
        let gz = dir.path().join("eurusd.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&text).unwrap();
        let bytes = enc.finish().unwrap();
        std::fs::write(&gz, &bytes[..bytes.len() * 2 / 3]).unwrap();
        drain(&gz, Format::OhlcvCsv);
    }
}
