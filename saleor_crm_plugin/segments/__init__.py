"""Segments: a JSON rule language compiled to SQL, saved segments and their membership."""
