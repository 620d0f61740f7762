"""The authoritative server database; every server SQL statement lives in this package."""
