"""Which roles a person holds today: their groups, plus the roles they act in (Plt./Plh.)."""

from __future__ import annotations

from sakip.accounts.models import ActingAssignment


def role_ids(user) -> set[int]:
    """Cached on the user object for the request: every permission check asks this."""
    cached = getattr(user, "_sakip_role_ids", None)
    if cached is None:
        if not user.is_authenticated:
            return set()
        cached = set(user.groups.values_list("pk", flat=True))
        cached |= set(ActingAssignment.objects.active().filter(person=user).values_list("role_id", flat=True))
        user._sakip_role_ids = cached
    return cached


def acting_assignment(user, role_id: int) -> ActingAssignment | None:
    """The assignment by which ``user`` holds ``role_id`` today, when they hold it only by acting."""
    if user.groups.filter(pk=role_id).exists():
        return None
    return ActingAssignment.objects.active().filter(person=user, role_id=role_id).first()
