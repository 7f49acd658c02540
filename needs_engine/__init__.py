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
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # what type checkers and editors see; at run time each name is imported on first use
    from .engine.assess import assess
    from .errors import InputError, NeedsError, Problem, RulebookError
    from .model.assessment import Assessment, ChildAssessment, FiredDescriptor, Override, Question
    from .model.levels import Level
    from .model.situation import Situation
    from .records import DecisionRecord, Difference, ReplayReport, input_hash, make_record, read_record, replay, write_record
    from .rulebook.load import Rulebook, load_rulebook, shipped_rulebooks

_WHERE = {
    "assess": ".engine.assess",
    "InputError": ".errors",
    "NeedsError": ".errors",
    "Problem": ".errors",
    "RulebookError": ".errors",
    "Assessment": ".model.assessment",
    "ChildAssessment": ".model.assessment",
    "FiredDescriptor": ".model.assessment",
    "Override": ".model.assessment",
    "Question": ".model.assessment",
    "Level": ".model.levels",
    "Situation": ".model.situation",
    "DecisionRecord": ".records",
    "Difference": ".records",
    "ReplayReport": ".records",
    "input_hash": ".records",
    "make_record": ".records",
    "read_record": ".records",
    "replay": ".records",
    "write_record": ".records",
    "Rulebook": ".rulebook.load",
    "load_rulebook": ".rulebook.load",
    "shipped_rulebooks": ".rulebook.load",
}
"""Each public name and the module it comes from. Importing `needs_engine` (as every `needs`
command does, `needs --help` too) imports none of them: the engine, pydantic and the rulebook
loader load when a name is first used (issue 16, section 4: a fast cold start)."""


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


__all__ = [
    "Assessment",
    "ChildAssessment",
    "DecisionRecord",
    "Difference",
    "FiredDescriptor",
    "InputError",
    "Level",
    "NeedsError",
    "Override",
    "Problem",
    "Question",
    "ReplayReport",
    "Rulebook",
    "RulebookError",
    "Situation",
    "__version__",
    "assess",
    "input_hash",
    "load_rulebook",
    "make_record",
    "read_record",
    "replay",
    "shipped_rulebooks",
    "write_record",
]
