"""Data files shipped with lifecircle (taxonomy, messages, codes, the demo extract)."""
