"""The central kucun server: sync API, office API, permissions, audit and the authoritative store."""
