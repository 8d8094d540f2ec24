//! What the engine needs from a venue beyond [`emp_execution::Venue`]: listing
//! instruments and seeing market data (a simulated venue matches against it; a FIX venue
//! ignores it).

use emp_execution::{SimulatedVenue, Venue};
use emp_model::{InstrumentSpec, UnixNanos};

use crate::event::MarketEvent;

/// A venue the engine can drive with market data.
pub trait MarketVenue: Venue {
    /// Lists an instrument at the venue.
    fn list_instrument(&mut self, spec: &InstrumentSpec);
    /// One market event (resting orders may fill).
    fn on_market(&mut self, event: &MarketEvent);
    /// Advances venue time without data (commands in flight arrive).
    fn advance_to(&mut self, ts: UnixNanos);
}

impl MarketVenue for SimulatedVenue {
    fn list_instrument(&mut self, spec: &InstrumentSpec) {
        self.add_instrument(spec.clone());
    }

    fn on_market(&mut self, event: &MarketEvent) {
        match event {
            MarketEvent::Bar(b) => self.on_bar(b),
            MarketEvent::Quote(q) => self.on_quote(q),
            // The simulated venue fills against quotes or bars; a print only moves time.
            MarketEvent::Trade(t) => SimulatedVenue::advance_to(self, t.ts),
        }
    }

    fn advance_to(&mut self, ts: UnixNanos) {
        SimulatedVenue::advance_to(self, ts);
    }
}
