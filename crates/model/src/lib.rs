//! emp-model (under construction).
