//! emp-engine (under construction).
