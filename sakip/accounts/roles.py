"""Which roles a person holds today: their groups, plus the roles they act in (Plt./Plh.)."""

from __future__ import annotations

from django.db.models import Q, Value

from sakip.accounts.models import ActingAssignment


def role_ids(user) -> set[int]:
    """Cached on the user object for the request: every permission check asks this."""
    cached = getattr(user, "_sakip_role_ids", None)
    if cached is None:
        if not user.is_authenticated:
            return set()
        groups = user.groups.order_by().annotate(by_acting=Value(False)).values_list("pk", "by_acting")
        acting = (
            ActingAssignment.objects.active()
            .filter(person=user)
            .order_by()
            .annotate(by_acting=Value(True))
            .values_list("role_id", "by_acting")
        )
        rows = list(groups.union(acting))  # one query for both
        cached = {pk for pk, _ in rows}
        user._sakip_role_ids = cached
        # The roles held as a member of the group, not only by acting: acting_assignment() reads them.
        user._sakip_group_ids = {pk for pk, by_acting in rows if not by_acting}
    return cached


def holds_role(user, field: str) -> Q:
    """A filter: ``field`` (a path to a Group id) is one of the roles ``user`` holds today.

    Once role_ids() has been asked in this request, its answer is used; otherwise the roles are
    subqueries of the one SQL statement, so that a page listing documents pays no query for them.
    """
    cached = getattr(user, "_sakip_role_ids", None)
    if cached is not None or not user.is_authenticated:
        return Q(**{f"{field}__in": role_ids(user)})
    groups = user.groups.order_by().values("pk")
    acting = ActingAssignment.objects.active().filter(person=user).order_by().values("role_id")
    return Q(**{f"{field}__in": groups}) | Q(**{f"{field}__in": acting})


def acting_assignment(user, role_id: int) -> ActingAssignment | None:
    """The assignment by which ``user`` holds ``role_id`` today, when they hold it only by acting."""
    group_ids = getattr(user, "_sakip_group_ids", None)
    if group_ids is None:
        if user.groups.filter(pk=role_id).exists():
            return None
    elif role_id in group_ids:
        return None
    return ActingAssignment.objects.active().filter(person=user, role_id=role_id).first()
