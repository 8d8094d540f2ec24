//! emp-sensory (under construction).
