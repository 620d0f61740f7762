"""One module per office part, each defining `router = APIRouter(tags=[...])`; gathered by `api.py`."""
