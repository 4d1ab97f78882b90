"""Exports: rows once (tables.py of each feature), many writers (CSV, XLSX, PDF)."""
