"""Tmall over the TOP protocol: signing, the client, marketplace jobs, and the local TOP sandbox."""
