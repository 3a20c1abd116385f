"""Who is looking: the user a workspace's services work for (DESIGN.md, "Roles").

Every service asks the workspace's :class:`Viewer` before it reads or changes a customer: an
admin or a manager sees every customer, a rep only the customers they own (``owner_id``), in
every list, report, drill-down, export and customer view. The rule lives here, below the
interfaces, so the CLI (``--as-user``), the API and the pages share it and no route can forget
it. A customer a rep may not see is reported as not found, exactly as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from keepwise._core.errors import PermissionDenied
from keepwise._core.i18n import Lang, register

ROLES = ("admin", "manager", "rep")

register(
    {
        # The roles' names wherever they are shown (command line, pages).
        "role.admin": {"zh": "管理员", "en": "admin"},
        "role.manager": {"zh": "经理", "en": "manager"},
        "role.rep": {"zh": "销售", "en": "rep"},
        "auth.forbidden": {
            "zh": "你的角色（{role}）不能执行此操作（需要：{needed}）",
            "en": "Your role ({role}) cannot do this (it needs: {needed})",
        },
    }
)


@dataclass(frozen=True)
class Viewer:
    """A user as the services see them. ``owner_id``: the owner (sales rep) the user is, in
    the imported ``owners``; a rep sees the customers whose current owner it is."""

    username: str
    role: str
    owner_id: str | None = None
    user_id: int | None = None
    lang: Lang = "en"

    @property
    def sees_everyone(self) -> bool:
        return self.role in ("admin", "manager")

    @property
    def owner_scope(self) -> str | None:
        """The owner whose customers this viewer sees; None: every customer. A rep with no
        owner sees nobody (the empty string matches no customer's owner)."""
        return None if self.sees_everyone else (self.owner_id or "")

    def require(self, *roles: str) -> None:
        """Raise :class:`PermissionDenied` unless the viewer has one of ``roles``."""
        if self.role not in roles:
            raise PermissionDenied("auth.forbidden", role=self.role, needed=", ".join(roles))


#: The viewer of a workspace opened without a user: the CLI run by whoever has the files (and
#: so the whole database) in hand, scripts and tests.
OPERATOR = Viewer("operator", "admin")
