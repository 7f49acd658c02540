"""Intake: helping a screener make a situation file without writing YAML by hand.

`needs new` interviews the screener and writes the file as they answer; `needs template` prints
a form with every fact present as `unknown`. Both write commented YAML (document.py) laid out as
the model groups the facts (model/layout.py), and the file they write is read back by the same
reader `needs assess` uses.
"""
