//! emp-ingest (under construction).
