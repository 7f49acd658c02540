"""Batch re-screening: a caseload file in (JSON Lines or CSV), one row per household out.

`reader` streams records, `columns` maps CSV headers onto the situation model, `screen`
turns one record into one row, `writer` formats rows, `state` checkpoints for `--resume`,
and `runner` ties them together across worker processes.
"""
