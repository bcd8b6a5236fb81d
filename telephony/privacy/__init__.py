"""Privacy: PCI redaction and recording pause, retention and per-caller erasure
(docs/privacy.md).
"""
