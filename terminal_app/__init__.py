"""The Textual scanning client for handheld terminals (screens arrive with issue 5)."""
