"""Data integrity: the quarantine for rows no rule can keep, with their original values."""
