//! emp-risk (under construction).
