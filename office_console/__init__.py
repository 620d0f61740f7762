"""The office console: a Textual app over the office API (`kucun office`), in a terminal or a browser."""
