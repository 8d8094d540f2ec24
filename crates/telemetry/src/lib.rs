//! emp-telemetry (under construction).
