//! Balance rules (勾稽关系) evaluated on a unit's or the district's values
