"""kucun engine: domain model, hybrid logical clock, the sync wire format and client.

Exports live in their own modules: `engine.model` (domain types), `engine.hlc` (clock),
`engine.protocol` (wire format parsing), `engine.conflict` (pure rules), `engine.replica`
(the terminal's SQLite copy).
"""
