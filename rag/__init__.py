"""Retrieval-augmented Q&A over Ningbo manufacturing champion articles."""

__version__ = "0.1.0"
