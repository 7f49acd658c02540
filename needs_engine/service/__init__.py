"""The HTTP service (FastAPI); imported only when serving, so the CLI and library stay light."""
