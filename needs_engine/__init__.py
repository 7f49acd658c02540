"""needs-engine: place each child, and the family, on the local Continuum of Need, and say why.

Decision support for children's services in England: it supports professional judgement, never
replaces it. Everything here is typed (the package ships ``py.typed``) and every result is a
frozen pydantic v2 model, so ``model_dump_json()`` gives the same JSON as ``needs assess
--format json`` and the HTTP service.

Assess a household::

    from needs_engine import assess, load_rulebook

    rulebook = load_rulebook("knowsley")          # load once and reuse (cached; immutable)
    assessment = assess(situation, rulebook)      # situation: a dict, Situation or Household
    assessment.level, assessment.label            # Level.targeted, 'Targeted Early Help (...)'
    assessment.possible_level                     # the level if every unknown went badly
    assessment.questions                          # what to ask next, most consequential first
    for child in assessment.children:             # ChildAssessment per child
        child.child_id, child.level, [d.id for d in child.fired]

A loaded Rulebook is immutable: share one between threads and call ``assess`` from as many
threads as you like. ``shipped_rulebooks()`` lists the ids shipped with the package;
``load_rulebook`` also takes a path to an authority's own rulebook.

Professional judgement::

    assess(situation, rulebook, override={"level": "targeted", "reason": "...", "by": "DS"})

Raising needs a reason; lowering also needs ``second_person``. Passed as a mapping, every
problem with an override raises ``InputError`` naming ``override.<field>``; an ``Override``
built directly is a pydantic model and raises ``pydantic.ValidationError`` for a bad field.

Errors: ``InputError`` (a situation or override that cannot be assessed as given) and
``RulebookError`` (a rulebook that does not load) are both ``NeedsError``; each carries
``problems``, a list of ``Problem(loc, msg, code, found, expected, suggestion)``.

Explain, what-if, compare and review (the CLI's `explain`, `what-if`, `compare` and `review`;
each returns the model its `--format json` prints)::

    from needs_engine import compare, explain, review, what_if

    explain(situation, rulebook, child="c1")                      # Explanation: why, near misses, counterfactuals
    what_if(situation, {"children.c1.education.attendance_percent": 97}, rulebook)   # WhatIf: before and after
    compare(situation, ["knowsley", "st-helens"])                 # Comparison: side by side, and what differs
    review(earlier, later, rulebook)                              # Review: step up, step down or stay, and why

Each takes a situation as a mapping, a ``Situation`` or a ``Household`` and a rulebook as a
``Rulebook`` or an id or path; a bad situation, change or child id raises ``InputError``.
``needs_engine.explain``, ``.compare`` and ``.review`` are these functions; their modules are
imported by their full names (``from needs_engine.compare import Comparison``).

Decision records::

    from needs_engine import make_record, replay, Situation

    situation = Situation.model_validate(document)
    record = make_record(situation, assess(situation, rulebook))   # DecisionRecord
    record.model_dump_json()                                       # store it
    report = replay(record, situation)                             # ReplayReport
    report.identical, [d.message for d in report.differences]
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # what type checkers and editors see; at run time each name is imported on first use
    from .engine.assess import assess
    from .errors import InputError, NeedsError, Problem, RulebookError
    from .explain.results import Explanation
    from .explain.why import explain
    from .model.assessment import Assessment, ChildAssessment, FiredDescriptor, Override, Question
    from .model.levels import Level
    from .model.situation import Situation
    from .rulebook.book import Rulebook
    from .rulebook.load import load_rulebook, shipped_rulebooks
    from .workflows.compare import Comparison
    from .workflows.functions import compare, review, what_if
    from .workflows.records import (
        DecisionRecord,
        Difference,
        ReplayReport,
        input_hash,
        make_record,
        read_record,
        replay,
        write_record,
    )
    from .workflows.review import Review
    from .workflows.whatif import WhatIf

_WHERE = {
    "Comparison": ".workflows.compare",
    "assess": ".engine.assess",
    "InputError": ".errors",
    "NeedsError": ".errors",
    "Problem": ".errors",
    "RulebookError": ".errors",
    "Explanation": ".explain.results",
    "WhatIf": ".workflows.whatif",
    "explain": ".explain.why",
    "compare": ".workflows.functions",
    "review": ".workflows.functions",
    "what_if": ".workflows.functions",
    "Assessment": ".model.assessment",
    "ChildAssessment": ".model.assessment",
    "FiredDescriptor": ".model.assessment",
    "Override": ".model.assessment",
    "Question": ".model.assessment",
    "Level": ".model.levels",
    "Situation": ".model.situation",
    "DecisionRecord": ".workflows.records",
    "Difference": ".workflows.records",
    "ReplayReport": ".workflows.records",
    "input_hash": ".workflows.records",
    "make_record": ".workflows.records",
    "read_record": ".workflows.records",
    "replay": ".workflows.records",
    "write_record": ".workflows.records",
    "Review": ".workflows.review",
    "Rulebook": ".rulebook.book",
    "load_rulebook": ".rulebook.load",
    "shipped_rulebooks": ".rulebook.load",
}
"""Each public name and the module it comes from. Importing `needs_engine` (as every `needs`
command does, `needs --help` too) imports none of them: the engine, pydantic and the rulebook
loader load when a name is first used (issue 16, section 4: a fast cold start)."""

_FUNCTIONS_NAMED_LIKE_MODULES = frozenset({"explain"})
"""`needs_engine.explain` is the function, though the package has a subpackage of that name
(imported by its full name: `from needs_engine.explain.why import ...`)."""


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use and kept in this module's namespace."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


class _Package(types.ModuleType):
    """This package's module type: importing a submodule sets it as an attribute of its package,
    which would hide the function of the same name (and stop `__getattr__` from finding it);
    for those names the package keeps the function, and the module stays in `sys.modules`."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS_NAMED_LIKE_MODULES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "Assessment",
    "ChildAssessment",
    "Comparison",
    "DecisionRecord",
    "Difference",
    "Explanation",
    "FiredDescriptor",
    "InputError",
    "Level",
    "NeedsError",
    "Override",
    "Problem",
    "Question",
    "ReplayReport",
    "Review",
    "Rulebook",
    "RulebookError",
    "Situation",
    "WhatIf",
    "__version__",
    "assess",
    "compare",
    "explain",
    "input_hash",
    "load_rulebook",
    "make_record",
    "read_record",
    "replay",
    "review",
    "shipped_rulebooks",
    "what_if",
    "write_record",
]
