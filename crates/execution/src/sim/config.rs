//! Simulated venue configuration.

use emp_telemetry::{ConfigErrors, Violations};
use serde::{Deserialize, Serialize};

use super::fees::FeeConfig;
use super::fill_model::{FillMode, SessionCalendar};
use super::latency::LatencyConfig;
use crate::portfolio::PortfolioConfig;

/// Raw simulated-venue configuration (validate it to get a [`ValidatedSimVenueConfig`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimVenueConfig {
    /// Quotes, bar open, or bar OHLC path.
    pub fill_mode: FillMode,
    /// Command latency.
    pub latency: LatencyConfig,
    /// Fraction of the quote size / bar volume one fill may take (`None` = no cap).
    pub participation_rate: Option<f64>,
    /// Adverse slippage of taker fills, basis points.
    pub slippage_bps: f64,
    /// Fee schedule.
    pub fees: FeeConfig,
    /// The venue-side account used for margin checks.
    pub account: PortfolioConfig,
    /// Trading hours.
    pub session: SessionCalendar,
}

impl Default for SimVenueConfig {
    fn default() -> Self {
        SimVenueConfig {
            fill_mode: FillMode::Quotes,
            latency: LatencyConfig::default(),
            participation_rate: None,
            slippage_bps: 0.0,
            fees: FeeConfig::default(),
            account: PortfolioConfig::default(),
            session: SessionCalendar::default(),
        }
    }
}

/// A [`SimVenueConfig`] that passed validation.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidatedSimVenueConfig(SimVenueConfig);

impl ValidatedSimVenueConfig {
    /// The validated values.
    pub fn get(&self) -> &SimVenueConfig {
        &self.0
    }

    pub(crate) fn into_inner(self) -> SimVenueConfig {
        self.0
    }
}

impl SimVenueConfig {
    /// Checks every field, reporting all violations at once.
    pub fn validate(self) -> Result<ValidatedSimVenueConfig, ConfigErrors> {
        let mut v = Violations::new();
        if let Some(rate) = self.participation_rate {
            v.check(
                rate.is_finite() && rate > 0.0 && rate <= 1.0,
                "participation_rate",
                format!("must be in (0, 1], got {rate}"),
            );
        }
        v.check(
            self.slippage_bps.is_finite() && self.slippage_bps >= 0.0,
            "slippage_bps",
            format!("must be finite and >= 0, got {}", self.slippage_bps),
        );
        self.fees.check("fees", &mut v);
        self.latency.check("latency", &mut v);
        self.session.check("session", &mut v);
        v.nested_result("account", self.account.validate());
        v.into_result()?;
        Ok(ValidatedSimVenueConfig(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_violation_with_paths() {
        let mut c = SimVenueConfig {
            participation_rate: Some(1.5),
            slippage_bps: -1.0,
            ..SimVenueConfig::default()
        };
        c.fees.min_fee = f64::NAN;
        c.latency.jitter_nanos = -5;
        c.session.close_secs = 0;
        c.account.leverage = 0.0;
        let e = c.validate().unwrap_err();
        for path in [
            "participation_rate",
            "slippage_bps",
            "fees.min_fee",
            "latency.jitter_nanos",
            "session.close_secs",
            "account.leverage",
        ] {
            assert!(e.contains_path(path), "missing {path} in {e}");
        }
        assert_eq!(e.len(), 6);
        let yaml = r#"{"fill_mode":"bar_path","slippage_bps":2.0}"#;
        let c: SimVenueConfig = serde_json::from_str(yaml).unwrap();
        assert_eq!(c.fill_mode, FillMode::BarPath);
        assert!(serde_json::from_str::<SimVenueConfig>(r#"{"bogus":1}"#).is_err());
    }
}
