//! emp-store (under construction).
