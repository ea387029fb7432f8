//! Roster matching, per-unit polars DataFrame and exact district totals
