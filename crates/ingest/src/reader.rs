//! [`open`] and [`Reader`]: one file in, a stream of model records and quarantine rows out.

use std::collections::VecDeque;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use emp_model::{
    Bar, InstrumentId, MacroObservation, Price, Quantity, QuoteTick, Timeframe, TradeTick,
    UnixNanos,
};

use crate::dec::Dec;
use crate::error::{Error, Result, RowError, RowFault};
use crate::format::{Detection, Format};
use crate::options::{ReadOptions, file_stem, fx_pair_from_stem, symbol_from_stem};
use crate::readers::LineParser;
use crate::readers::dukascopy::{Document, DukascopyTicks};
use crate::readers::lean::{LeanLayout, LeanParser};
use crate::readers::macros::{FredParser, MacroTableParser, TreasuryParser};
use crate::readers::ohlcv::OhlcvParser;
use crate::readers::ticks::{HistDataParser, TrueFxParser};
use crate::row::RawRecord;
use crate::source::{self, Line, LineReader};
use crate::time::TimeZone;
use crate::validate::Validator;

/// One good record read from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Bar(Bar),
    Quote(QuoteTick),
    Trade(TradeTick),
    Macro(MacroObservation),
}

impl Record {
    pub fn ts(&self) -> UnixNanos {
        match self {
            Record::Bar(b) => b.ts_open,
            Record::Quote(q) => q.ts,
            Record::Trade(t) => t.ts,
            Record::Macro(m) => m.ts,
        }
    }
}

/// What happened while reading one file. Available during reading ([`Reader::summary`]) and
/// at the end ([`Reader::finish`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadSummary {
    pub file: PathBuf,
    pub format: Format,
    /// Set when the format was detected rather than given.
    pub detection: Option<Detection>,
    /// The instrument of a market-data file (`None` for macro files).
    pub instrument: Option<InstrumentId>,
    pub timeframe: Option<Timeframe>,
    /// The zone applied to times written without an offset.
    pub time_zone: TimeZone,
    /// Data rows read (lines other than the header and blank lines; ticks for Dukascopy).
    pub rows: u64,
    /// Good records returned (a macro row yields one per series).
    pub records: u64,
    /// Quarantine records returned.
    pub quarantined: u64,
    pub blank_lines: u64,
    /// Macro observations whose value is missing (`.`, empty cell).
    pub missing_values: u64,
    /// Quotes with bid > ask, kept as real market data (FXCM publishes many).
    pub crossed_quotes: u64,
    pub first_ts: Option<UnixNanos>,
    pub last_ts: Option<UnixNanos>,
    /// True once the whole file was read.
    pub complete: bool,
    pub notes: Vec<String>,
}

/// Everything except the input stream, so the stream can be borrowed while records are
/// pushed.
struct Sink {
    file: PathBuf,
    validator: Validator,
    instrument: Option<InstrumentId>,
    timeframe: Option<Timeframe>,
    pending: VecDeque<std::result::Result<Record, RowError>>,
    /// While the bar timeframe is still being inferred: validated rows not yet converted.
    held: Option<Vec<(u64, String, RawRecord)>>,
    summary: ReadSummary,
}

impl Sink {
    fn quarantine(&mut self, line: u64, fault: RowFault, raw: &str) {
        self.summary.quarantined += 1;
        self.pending.push_back(Err(RowError {
            file: self.file.clone(),
            line,
            column: fault.column,
            reason: fault.reason,
            raw: raw.to_string(),
        }));
    }

    fn accept(&mut self, raw: RawRecord, line: u64, text: &str) {
        if let Err(reason) = self.validator.accept(&raw) {
            return self.quarantine(line, RowFault::row(reason), text);
        }
        if let Some(held) = &mut self.held {
            held.push((line, text.to_string(), raw));
            return;
        }
        match self.convert(raw) {
            Ok(rec) => {
                let ts = rec.ts();
                self.summary.first_ts.get_or_insert(ts);
                self.summary.last_ts = Some(ts);
                self.summary.records += 1;
                self.pending.push_back(Ok(rec));
            }
            Err(reason) => self.quarantine(line, RowFault::row(reason), text),
        }
    }

    fn instrument(&self) -> std::result::Result<InstrumentId, String> {
        self.instrument
            .clone()
            .ok_or_else(|| "no instrument for market data".to_string())
    }

    fn convert(&mut self, raw: RawRecord) -> std::result::Result<Record, String> {
        let price = |d: Dec| Price::from_raw(d.raw, d.scale).map_err(|e| e.to_string());
        let qty = |d: Dec| {
            let raw = u64::try_from(d.raw).map_err(|_| format!("negative quantity {d:?}"))?;
            Quantity::from_raw(raw, d.scale).map_err(|e| e.to_string())
        };
        Ok(match raw {
            RawRecord::Bar(b) => {
                let tf = self.timeframe.ok_or("bar timeframe unknown")?;
                Record::Bar(
                    Bar::try_new(
                        self.instrument()?,
                        tf,
                        UnixNanos::new(b.ts),
                        price(b.open)?,
                        price(b.high)?,
                        price(b.low)?,
                        price(b.close)?,
                        qty(b.volume)?,
                    )
                    .map_err(|e| e.to_string())?,
                )
            }
            RawRecord::Quote(q) => {
                if q.bid > q.ask {
                    self.summary.crossed_quotes += 1;
                }
                // Built directly rather than with `QuoteTick::try_new`, which rejects crossed
                // books: 10% of FXCM's EURUSD ticks are crossed, and they are real quotes.
                // Positive prices were checked by the validator.
                Record::Quote(QuoteTick {
                    instrument: self.instrument()?,
                    ts: UnixNanos::new(q.ts),
                    bid: price(q.bid)?,
                    ask: price(q.ask)?,
                    bid_size: qty(q.bid_size)?,
                    ask_size: qty(q.ask_size)?,
                })
            }
            RawRecord::Trade(t) => Record::Trade(
                TradeTick::try_new(
                    self.instrument()?,
                    UnixNanos::new(t.ts),
                    price(t.price)?,
                    qty(t.size)?,
                    None,
                    None,
                )
                .map_err(|e| e.to_string())?,
            ),
            RawRecord::Macro(m) => {
                if m.value.is_none() {
                    self.summary.missing_values += 1;
                }
                Record::Macro(MacroObservation {
                    series_id: m.series.to_string(),
                    ts: UnixNanos::new(m.ts),
                    value: m.value,
                })
            }
        })
    }

    /// Ends the inference phase: picks the timeframe from the held rows and converts them.
    fn release_held(&mut self) -> Result<()> {
        let Some(held) = self.held.take() else {
            return Ok(());
        };
        if self.timeframe.is_none() {
            let tf = infer_timeframe(held.iter().map(|(_, _, r)| r.ts())).map_err(|reason| {
                Error::Layout {
                    file: self.file.clone(),
                    reason: format!("{reason}; pass a timeframe explicitly"),
                }
            })?;
            self.summary.notes.push(format!(
                "timeframe {tf} inferred from the spacing of the first {} bars",
                held.len()
            ));
            self.timeframe = Some(tf);
            self.summary.timeframe = Some(tf);
        }
        for (line, text, raw) in held {
            // Already validated: convert only.
            match self.convert(raw) {
                Ok(rec) => {
                    let ts = rec.ts();
                    self.summary.first_ts.get_or_insert(ts);
                    self.summary.last_ts = Some(ts);
                    self.summary.records += 1;
                    self.pending.push_back(Ok(rec));
                }
                Err(reason) => self.quarantine(line, RowFault::row(reason), &text),
            }
        }
        Ok(())
    }
}

/// How many bars the timeframe inference looks at (constant memory).
const INFER_ROWS: usize = 32;

/// The smallest spacing between consecutive bars, if it is a standard timeframe.
fn infer_timeframe(ts: impl Iterator<Item = i64>) -> std::result::Result<Timeframe, String> {
    let v: Vec<i64> = ts.collect();
    let min = v.windows(2).map(|w| w[1] - w[0]).filter(|d| *d > 0).min();
    let Some(min) = min else {
        return Err("fewer than two bars, so the timeframe cannot be inferred".into());
    };
    let standard = [
        Timeframe::S1,
        Timeframe::M1,
        Timeframe::M5,
        Timeframe::M15,
        Timeframe::M30,
        Timeframe::H1,
        Timeframe::H4,
        Timeframe::D1,
        Timeframe::W1,
    ];
    // Daily files with few rows may only show gaps over weekends and holidays.
    let day = Timeframe::D1.as_nanos();
    if min % day == 0 && min < 7 * day {
        return Ok(Timeframe::D1);
    }
    standard
        .into_iter()
        .find(|tf| tf.as_nanos() == min)
        .ok_or_else(|| {
            format!(
                "bars are spaced irregularly (smallest gap {} ms)",
                min / 1_000_000
            )
        })
}

enum Step {
    Continue,
    End,
    Fatal(Error),
}

enum Source {
    Lines {
        lines: LineReader,
        parser: Box<dyn LineParser>,
        header_seen: bool,
    },
    Dukascopy(DukascopyTicks),
}

/// A streaming reader over one file: an iterator of good records and quarantine rows.
///
/// Iteration stops early only if the file becomes unreadable part-way (a corrupt archive,
/// an I/O error); [`Reader::finish`] then returns that error. Call `finish` after iterating
/// to learn the outcome and the counts.
pub struct Reader {
    source: Source,
    sink: Sink,
    fatal: Option<Error>,
    done: bool,
    buf: Vec<RawRecord>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("summary", &self.sink.summary)
            .field("done", &self.done)
            .finish()
    }
}

impl Reader {
    /// Counts so far (complete once the iterator is exhausted).
    pub fn summary(&self) -> &ReadSummary {
        &self.sink.summary
    }

    /// Ends reading: the summary, or the error that made the file unreadable part-way.
    pub fn finish(self) -> Result<ReadSummary> {
        match self.fatal {
            Some(e) => Err(e),
            None => Ok(self.sink.summary),
        }
    }

    fn step(&mut self) {
        match self.step_inner() {
            Step::Continue => {}
            Step::End => self.done = true,
            Step::Fatal(e) => {
                self.fatal = Some(e);
                self.done = true;
            }
        }
    }

    /// Reads one line (or tick) into the sink.
    fn step_inner(&mut self) -> Step {
        let sink = &mut self.sink;
        match &mut self.source {
            Source::Dukascopy(ticks) => match ticks.next() {
                None => return Step::End,
                Some((line, raw, res)) => {
                    sink.summary.rows += 1;
                    match res {
                        Ok(r) => sink.accept(r, line, &raw),
                        Err(f) => sink.quarantine(line, f, &raw),
                    }
                }
            },
            Source::Lines {
                lines,
                parser,
                header_seen,
            } => {
                let (line_no, line) = match lines.next_line() {
                    Ok(Some(l)) => l,
                    Ok(None) => return Step::End,
                    Err(source) => {
                        let line = lines.line_no();
                        return Step::Fatal(Error::Read {
                            file: sink.file.clone(),
                            line,
                            source,
                        });
                    }
                };
                let text = match line {
                    Line::Text(t) => t,
                    Line::Invalid(lossy) => {
                        sink.summary.rows += 1;
                        sink.quarantine(line_no, RowFault::row("line is not valid UTF-8"), &lossy);
                        return Step::Continue;
                    }
                };
                if text.trim().is_empty() {
                    sink.summary.blank_lines += 1;
                    return Step::Continue;
                }
                if !*header_seen {
                    *header_seen = true;
                    match parser.header(text) {
                        Ok(true) => return Step::Continue,
                        Ok(false) => {}
                        Err(reason) => {
                            return Step::Fatal(Error::Layout {
                                file: sink.file.clone(),
                                reason,
                            });
                        }
                    }
                }
                sink.summary.rows += 1;
                self.buf.clear();
                match parser.parse(text, &mut self.buf) {
                    Ok(()) => {
                        for r in self.buf.drain(..) {
                            sink.accept(r, line_no, text);
                        }
                    }
                    Err(f) => sink.quarantine(line_no, f, text),
                }
            }
        }
        Step::Continue
    }

    fn collect_notes(&mut self) {
        if let Source::Lines { parser, .. } = &self.source {
            for n in parser.notes() {
                if !self.sink.summary.notes.contains(&n) {
                    self.sink.summary.notes.push(n);
                }
            }
        }
    }
}

impl Iterator for Reader {
    type Item = std::result::Result<Record, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.sink.pending.pop_front() {
                return Some(item);
            }
            if self.done {
                if !self.sink.summary.complete && self.fatal.is_none() {
                    self.sink.summary.complete = true;
                    self.collect_notes();
                }
                return None;
            }
            self.step();
        }
    }
}

fn symbol(file: &Path, name: String) -> Result<InstrumentId> {
    InstrumentId::try_new(&name).map_err(|source| Error::Symbol {
        file: file.into(),
        symbol: name,
        source,
    })
}

/// Opens `path` and prepares to stream its records. Detects the format unless
/// `options.format` is set; infers the symbol from the path, and a bar timeframe from the
/// path (Lean) or from the first bars' spacing, unless given.
pub fn open(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Reader> {
    let path = path.as_ref();
    options.validate()?;
    let (format, detection) = match options.format {
        Some(f) => (f, None),
        None => {
            let (head, _) = source::head(path, 4096)?;
            let d = Format::detect(path, &head).map_err(|reason| Error::UnknownFormat {
                file: path.into(),
                reason,
            })?;
            (d.format, Some(d))
        }
    };
    let stem = file_stem(path);
    let opened = source::open(path)?;
    let order = options.date_order;
    let tz_opt = options.time_zone;
    let mut timeframe = options.timeframe;
    let mut instrument = None;
    let market_symbol = |fallback: String| -> Result<Option<InstrumentId>> {
        Ok(Some(symbol(
            path,
            options.symbol.clone().unwrap_or(fallback),
        )?))
    };

    let (source, tz): (Source, TimeZone) = match format {
        Format::Dukascopy => {
            let doc: Document =
                serde_json::from_reader(BufReader::new(opened.reader)).map_err(|source| {
                    Error::Json {
                        file: path.into(),
                        source,
                    }
                })?;
            let ticks = DukascopyTicks::new(doc).map_err(|reason| Error::Layout {
                file: path.into(),
                reason,
            })?;
            instrument =
                market_symbol(fx_pair_from_stem(&stem).unwrap_or_else(|| symbol_from_stem(&stem)))?;
            (Source::Dukascopy(ticks), TimeZone::Utc)
        }
        _ => {
            let (parser, tz): (Box<dyn LineParser>, TimeZone) = match format {
                Format::OhlcvCsv => {
                    let tz = tz_opt.unwrap_or_default();
                    let entry_stem = opened
                        .entry_name
                        .as_deref()
                        .map(|e| file_stem(Path::new(e)));
                    instrument =
                        market_symbol(symbol_from_stem(entry_stem.as_deref().unwrap_or(&stem)))?;
                    (Box::new(OhlcvParser::new(tz, order)), tz)
                }
                Format::Lean => {
                    let layout = LeanLayout::from_path(path, opened.entry_name.as_deref())
                        .map_err(|reason| Error::Layout {
                            file: path.into(),
                            reason,
                        })?;
                    if timeframe.is_none() {
                        timeframe = layout
                            .resolution
                            .timeframe()
                            .and_then(|t| Timeframe::parse(t).ok());
                    }
                    instrument = market_symbol(layout.symbol.clone())?;
                    let tz = tz_opt.unwrap_or(layout.default_tz);
                    (
                        Box::new(LeanParser::new(layout, Some(tz), options.price_side)),
                        tz,
                    )
                }
                Format::HistData => {
                    let tz = tz_opt.unwrap_or(TimeZone::EST_FIXED);
                    instrument = market_symbol(
                        fx_pair_from_stem(&stem).unwrap_or_else(|| symbol_from_stem(&stem)),
                    )?;
                    (Box::new(HistDataParser::new(Some(tz))), tz)
                }
                Format::TrueFx => {
                    let tz = tz_opt.unwrap_or_default();
                    let in_file = source::head(path, 256).ok().and_then(|(h, _)| {
                        TrueFxParser::pair_in_first_line(&String::from_utf8_lossy(&h))
                    });
                    let name = in_file
                        .or_else(|| fx_pair_from_stem(&stem))
                        .unwrap_or_else(|| symbol_from_stem(&stem));
                    instrument = market_symbol(name)?;
                    (Box::new(TrueFxParser::new(Some(tz), order)), tz)
                }
                Format::Fred => {
                    let tz = tz_opt.unwrap_or_default();
                    (Box::new(FredParser::new(Some(tz), order)), tz)
                }
                Format::TreasuryCurve => {
                    let tz = tz_opt.unwrap_or_default();
                    (Box::new(TreasuryParser::new(Some(tz))), tz)
                }
                Format::MacroTable => {
                    let tz = tz_opt.unwrap_or_default();
                    (Box::new(MacroTableParser::new(&stem, Some(tz))), tz)
                }
                Format::Dukascopy => unreachable_dukascopy(path)?,
            };
            (
                Source::Lines {
                    lines: LineReader::new(opened.reader),
                    parser,
                    header_seen: false,
                },
                tz,
            )
        }
    };

    let infer = format == Format::OhlcvCsv && timeframe.is_none();
    let summary = ReadSummary {
        file: path.to_path_buf(),
        format,
        detection,
        instrument: instrument.clone(),
        timeframe,
        time_zone: tz,
        rows: 0,
        records: 0,
        quarantined: 0,
        blank_lines: 0,
        missing_values: 0,
        crossed_quotes: 0,
        first_ts: None,
        last_ts: None,
        complete: false,
        notes: Vec::new(),
    };
    let sink = Sink {
        file: path.to_path_buf(),
        validator: Validator::default(),
        instrument,
        timeframe,
        pending: VecDeque::new(),
        held: infer.then(Vec::new),
        summary,
    };
    let mut reader = Reader {
        source,
        sink,
        fatal: None,
        done: false,
        buf: Vec::new(),
    };
    if infer {
        while !reader.done
            && reader
                .sink
                .held
                .as_ref()
                .is_some_and(|h| h.len() < INFER_ROWS)
        {
            reader.step();
        }
        if let Some(e) = reader.fatal.take() {
            return Err(e);
        }
        reader.sink.release_held()?;
    }
    Ok(reader)
}

/// Dukascopy is handled before the line formats; reaching here is a logic slip, reported
/// as an error rather than a panic.
fn unreachable_dukascopy(path: &Path) -> Result<(Box<dyn LineParser>, TimeZone)> {
    Err(Error::Layout {
        file: path.into(),
        reason: "internal: dukascopy is not line-based".into(),
    })
}

/// Shared by tests and the aggregator: the exact decimal of a model price.
pub(crate) fn dec_of(p: Price) -> Dec {
    Dec::new(p.raw(), p.precision())
}
