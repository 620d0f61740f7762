"""The office: REST endpoints for the central office of a Tmall seller, behind office accounts.

Each part lives in its own module (`products`, `review`, `waves`, `printing`, `counts`, `transfers`,
`alerts`, `reports`, `permission_review`, `backups`) with its routes in `routes/<part>.py` and its
tables in `migrations/mNN_<part>.py`; `api.office_router` gathers every routes module it finds.
"""
