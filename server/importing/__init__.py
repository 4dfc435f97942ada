"""Bulk import of master data from CSV and XLSX: every row checked, all or nothing."""
