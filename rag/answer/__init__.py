"""Answers from retrieved passages: question analysis, the figures table, shape-specific
composers, the extractive and grounded-LLM answerers behind one protocol (registry.py)."""
