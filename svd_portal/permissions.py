"""The check every workflow service makes of who is acting, with the same `rules`
permissions the views ask, so that a service called from a shell, a task or a future
view cannot act for the wrong person."""

from django.core.exceptions import PermissionDenied


def require_perm(user, perm: str, obj=None, *, message: str = "") -> None:
    """Raises PermissionDenied unless `user` holds `perm` (on `obj`)."""
    if user is None or not user.is_authenticated or not user.has_perm(perm, obj):
        raise PermissionDenied(message or f"You may not do this ({perm})")
