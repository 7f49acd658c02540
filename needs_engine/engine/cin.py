"""A child's Children in Need census factors, from the national mapping arranged once per rulebook.

`CensusMapping.matches` decides, for every child, whether each code's condition reads a fact of
the child and then sorts what matched. Both are the same for every child: here the mapping is
split once into the conditions that read a child's facts and those that read only the household
(carers, the home), each household's codes are found once, and the codes are put in census order
by a position worked out once. The codes are the ones `matches` gives, in the same order
(`tests/unit/test_cin.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..language.compile import Env, Fast, reads_child
from ..rulebook.book import Derivation, Rulebook
from ..rulebook.census import CensusMapping, census_mapping, sort_codes


@dataclass(frozen=True)
class _Arranged:
    mapping: CensusMapping
    """The mapping this was made from: made again if the process's mapping is another."""
    child: tuple[tuple[str, Fast], ...]
    """The codes whose condition reads a fact of the child, with its fast closure."""
    household: tuple[tuple[str, Fast], ...]
    """The codes whose condition reads no fact of a child: the same for every child of a household."""
    position: dict[str, int]
    """Each code's place in census order."""


def cin_factors(env: Env, book: Rulebook, household_codes: dict[str, list[str]]) -> list[str]:
    """The census codes whose condition is true on the known facts of the child of `env`, in census
    order. `household_codes`, a dict kept across the children of one household, holds the codes
    that read no fact of a child, found for its first child."""
    arranged = _arranged(book)
    found = household_codes.get("codes")
    if found is None:
        found = household_codes["codes"] = [code for code, fast in arranged.household if fast(env) is True]
    codes = found + [code for code, fast in arranged.child if fast(env) is True]
    return sorted(codes, key=arranged.position.__getitem__)


def _arranged(book: Rulebook) -> _Arranged:
    """The mapping arranged for `cin_factors`, kept with the rulebook (arranged again should the
    process's one mapping be replaced)."""
    found = book.derive(CENSUS)
    if found.mapping is not census_mapping():
        found = book.derived.renew(CENSUS, book)
    return found


def _arrange(book: Rulebook) -> _Arranged:
    """The process's census mapping split into the codes that read a child's facts and those
    that read only the household's, with census order (the same for every rulebook)."""
    mapping = census_mapping()
    child: list[tuple[str, Fast]] = []
    household: list[tuple[str, Fast]] = []
    for factor in mapping.factors:
        if factor.condition is not None:
            (child if reads_child(factor.condition.facts) else household).append((factor.code, factor.condition.fast))
    position = {code: index for index, code in enumerate(sort_codes(mapping.codes))}
    return _Arranged(mapping, tuple(child), tuple(household), position)


CENSUS: Derivation[_Arranged] = Derivation("census codes arranged for cin_factors", _arrange)
