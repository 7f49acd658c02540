"""needs-engine: place each child, and the family, on the local Continuum of Need.

Public API::

    from needs_engine import assess, load_rulebook, Situation
    rulebook = load_rulebook("knowsley")          # load once, reuse; thread-safe
    assessment = assess(situation_dict, rulebook)  # -> Assessment
    print(assessment.level, assessment.label)
"""

from ._version import __version__
from .engine.assess import assess
from .errors import InputError, NeedsError, Problem, RulebookError
from .model.assessment import Assessment, ChildAssessment, Override, Question
from .model.levels import Level
from .model.situation import Situation
from .rulebook.load import Rulebook, load_rulebook, shipped_rulebooks

__all__ = [
    "Assessment",
    "ChildAssessment",
    "InputError",
    "Level",
    "NeedsError",
    "Override",
    "Problem",
    "Question",
    "Rulebook",
    "RulebookError",
    "Situation",
    "__version__",
    "assess",
    "load_rulebook",
    "shipped_rulebooks",
]
