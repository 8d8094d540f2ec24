//! Reader throughput: decode the 13 FXCM EURUSD tick zips (1,144,807 ticks) five times and
//! print the median ticks/s. Run with `cargo bench -p emp-ingest --bench readers`.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Instant;

use emp_ingest::{BarAggregator, PriceSide, ReadOptions, Record, open};
use emp_model::Timeframe;

fn main() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/fx/lean/forex/fxcm/tick/eurusd"
    ));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        13,
        "expected 13 FXCM tick zips in {}",
        dir.display()
    );
    let opts = ReadOptions::default();

    let run = |aggregate: bool| -> (u64, f64) {
        let start = Instant::now();
        let mut ticks = 0u64;
        let mut bars = 0u64;
        for f in &files {
            let mut reader = open(f, &opts).unwrap();
            let mut agg = aggregate.then(|| {
                BarAggregator::new(
                    reader.summary().instrument.clone().unwrap(),
                    Timeframe::M1,
                    PriceSide::Mid,
                )
            });
            for item in reader.by_ref() {
                if let Ok(Record::Quote(q)) = item {
                    ticks += 1;
                    if let Some(a) = agg.as_mut() {
                        bars += u64::from(a.push_quote(&q).unwrap().is_some());
                    }
                }
            }
            if let Some(a) = agg.as_mut() {
                bars += u64::from(a.flush().unwrap().is_some());
            }
            reader.finish().unwrap();
        }
        std::hint::black_box(bars);
        (ticks, start.elapsed().as_secs_f64())
    };

    // Reference floor in the same run: inflate each zip with the `zip` crate and split lines,
    // no parsing. The ratio shows what parsing, validation and model conversion cost.
    let floor = || -> (u64, f64) {
        use std::io::BufRead;
        let start = Instant::now();
        let mut lines = 0u64;
        for f in &files {
            let mut z = zip::ZipArchive::new(std::fs::File::open(f).unwrap()).unwrap();
            let entry = std::io::BufReader::new(z.by_index(0).unwrap());
            lines += entry
                .split(b'\n')
                .map(|l| u64::from(!l.unwrap().is_empty()))
                .sum::<u64>();
        }
        (lines, start.elapsed().as_secs_f64())
    };
    let mut floor_rates: Vec<f64> = (0..5)
        .map(|_| {
            let (n, secs) = floor();
            assert_eq!(n, 1_144_807);
            n as f64 / secs
        })
        .collect();
    floor_rates.sort_by(f64::total_cmp);
    println!(
        "readers/floor (inflate + split lines only): median of 5: {:.0} lines/s",
        floor_rates[2]
    );

    for (label, aggregate) in [("decode", false), ("decode+aggregate 1m mid", true)] {
        let mut rates = Vec::new();
        let mut count = 0;
        for _ in 0..5 {
            let (n, secs) = run(aggregate);
            count = n;
            rates.push(n as f64 / secs);
        }
        rates.sort_by(f64::total_cmp);
        let median = rates[2];
        println!(
            "readers/{label}: {count} ticks from {} FXCM zips, median of 5: {:.0} ticks/s ({:.3} s/run; min {:.0}, max {:.0})",
            files.len(),
            median,
            count as f64 / median,
            rates[0],
            rates[4]
        );
        println!(
            "  ratio to the inflate+split floor: {:.2}x of its speed",
            median / floor_rates[2]
        );
        assert_eq!(count, 1_144_807);
    }
}
