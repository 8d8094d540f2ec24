//! emp-bus (under construction).
