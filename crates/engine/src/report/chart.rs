//! `equity.png`: equity line on top, drawdown panel below, with the bundled DejaVu Sans.

use std::path::Path;
use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use super::stats::drawdowns;
use crate::engine::EquitySample;
use crate::error::{Error, Result};

/// DejaVu Sans (licence: `assets/DejaVuSans.LICENSE`), so charts render identically on
/// machines without system fonts.
static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
const FAMILY: &str = "emp-sans";

fn ensure_font() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    *OK.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok())
}

fn chart_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Chart {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Draws a 1200×800 PNG: title, an equity panel (x: years since the first sample, y:
/// equity) and a drawdown panel (y: drawdown in %, drawn downwards), both axes labelled.
pub fn write_equity_chart(path: &Path, equity: &[EquitySample], title: &str) -> Result<()> {
    if !ensure_font() {
        return Err(chart_error(path, "bundled font could not be registered"));
    }
    let t0 = equity.first().map_or(0, |s| s.ts.as_i64());
    let xs: Vec<f64> = equity
        .iter()
        .map(|s| (s.ts.as_i64() - t0) as f64 / (365.25 * 86_400.0 * 1e9))
        .collect();
    let dd = drawdowns(equity);
    let x_max = xs.last().copied().unwrap_or(0.0).max(1e-9);
    let (mut lo, mut hi) = equity
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), s| {
            (l.min(s.equity), h.max(s.equity))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(hi.abs() * 1e-6).max(1e-9);
    let dd_max = dd.iter().copied().fold(0.0, f64::max).max(1e-6) * 100.0 * 1.05;

    let root = BitMapBackend::new(path, (1200, 800)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| chart_error(path, e))?;
    let root = root
        .titled(title, (FAMILY, 28).into_font())
        .map_err(|e| chart_error(path, e))?;
    let (top, bottom) = root.split_vertically(520);

    let mut upper = ChartBuilder::on(&top)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..x_max, (lo - pad)..(hi + pad))
        .map_err(|e| chart_error(path, e))?;
    upper
        .configure_mesh()
        .x_desc("years since start")
        .y_desc("equity")
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_label_formatter(&|v| format!("{v:.1}"))
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(|e| chart_error(path, e))?;
    upper
        .draw_series(LineSeries::new(
            xs.iter().copied().zip(equity.iter().map(|s| s.equity)),
            &BLUE,
        ))
        .map_err(|e| chart_error(path, e))?;

    let mut lower = ChartBuilder::on(&bottom)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..x_max, -dd_max..0.0)
        .map_err(|e| chart_error(path, e))?;
    lower
        .configure_mesh()
        .x_desc("years since start")
        .y_desc("drawdown %")
        .y_label_formatter(&|v| format!("{v:.1}"))
        .x_label_formatter(&|v| format!("{v:.1}"))
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(|e| chart_error(path, e))?;
    lower
        .draw_series(LineSeries::new(
            xs.iter().copied().zip(dd.iter().map(|d| -d * 100.0)),
            &RED,
        ))
        .map_err(|e| chart_error(path, e))?;
    root.present().map_err(|e| chart_error(path, e))?;
    Ok(())
}
