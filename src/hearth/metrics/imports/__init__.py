"""Imports of platform exports and CSV files: parse and check everything, then write.

Each importer has ``parse_*`` (pure: bytes → rows, or ImportProblem naming every bad line)
and ``import_*`` (writes through hearth.metrics.recording; the caller holds one transaction,
so a file is imported whole or not at all). Re-importing the same file changes nothing.
"""
