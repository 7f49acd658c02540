"""Response tiers: what an indicator needs done, the substance every local scheme shares.

Publishers agree much more on the response a need calls for than on the number of their level.
Each local scheme then draws its levels across these tiers in its own way (Knowsley's Safeguarding
is every Children's Social Care response, s17 and s47 together; St Helens splits them into Levels
3 and 4), so a descriptor states its tier and a rulebook maps tiers to its levels.
"""

from __future__ import annotations

from enum import Enum


class Tier(str, Enum):
    """A response tier, ordered from least to most intrusive."""

    universal = "universal"
    """Needs met by the family and universal services; no additional need."""
    single_agency = "single_agency"
    """Early help from one agency: a setting's own additional support (school, health visitor, GP)."""
    multi_agency = "multi_agency"
    """Multi-agency early help: an early help assessment, a lead professional, a team around the family."""
    child_in_need = "child_in_need"
    """Statutory Child in Need: a Children's Social Care assessment under section 17 of the Children Act 1989."""
    child_protection = "child_protection"
    """Child protection: reasonable cause to suspect significant harm, enquiries under section 47."""
    emergency = "emergency"
    """Immediate danger: police (999) or emergency protection now."""

    @property
    def rank(self) -> int:
        """Position on the scale: 0 for universal up to 5 for emergency (looked up, not searched
        for: every child's tier compares the tiers of all that fired)."""
        return _RANKS[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return _RANKS[self] < _RANKS[other]

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return _RANKS[self] <= _RANKS[other]

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return _RANKS[self] > _RANKS[other]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return _RANKS[self] >= _RANKS[other]


TIERS: tuple[Tier, ...] = tuple(Tier)
_RANKS: dict[Tier, int] = {tier: place for place, tier in enumerate(TIERS)}

TIER_LABELS: dict[Tier, str] = {
    Tier.universal: "Universal services",
    Tier.single_agency: "Early help from one agency",
    Tier.multi_agency: "Multi-agency early help",
    Tier.child_in_need: "Child in Need (s17)",
    Tier.child_protection: "Child protection (s47)",
    Tier.emergency: "Emergency (police / 999)",
}
