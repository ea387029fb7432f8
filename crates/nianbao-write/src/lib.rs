//! Writes the combined workbook (rust_xlsxwriter) and the JSON report, atomically
