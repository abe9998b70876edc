"""Mobilitas: international relations office and university alliance platform."""
