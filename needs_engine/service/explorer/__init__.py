"""The threshold explorer (`/explorer`): a page for the training room and for a screener who prefers a form.

`router` holds its routes; `service/app.py` mounts it. Templates and static files ship inside
this package (see pages.py).
"""

from .pages import router

__all__ = ["router"]
