"""Tmall over the TOP protocol: the envelope and signing both sides share, the client, marketplace
jobs, and the local TOP sandbox."""
