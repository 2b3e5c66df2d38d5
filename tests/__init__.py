"""Test package (a package so its conftest does not clash with notebooks/conftest.py)."""
