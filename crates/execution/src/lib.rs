//! emp-execution (under construction).
