"""FlaskBB 2.2.0 under Python 3.12/3.13: names its annotations use but never import.

Several FlaskBB modules import names only under `if TYPE_CHECKING:` and annotate with
them without `from __future__ import annotations`, so `import flaskbb` raises NameError
on every Python before 3.14 (which defers annotations), although the package says it
needs 3.12. Each such name is given here as a builtin placeholder before FlaskBB is
imported: a module's own globals still win over builtins, so only those annotations
see the placeholder, and FlaskBB's released code runs unmodified.
"""

from __future__ import annotations

import builtins

# The names FlaskBB 2.2.0 imports under TYPE_CHECKING only.
TYPE_ONLY_NAMES = (
    "AccountActivator", "Category", "Distribution", "FlaskBBPluginManager", "Forum",
    "ForumsRead", "Group", "LocalProxy", "PluginAuthenticationManager",
    "PluginReauthenticationManager", "RegistrationService", "ResetPasswordService", "Session",
    "Topic", "TopicsRead", "User",
)  # fmt: skip


class TypeOnly:
    """Stands for a class that only a type checker imports."""

    def __class_getitem__(cls, item: object) -> type[TypeOnly]:
        return cls


for name in TYPE_ONLY_NAMES:
    if not hasattr(builtins, name):
        # Named as the class it stands for: SQLAlchemy reads `Mapped[User]` by the name
        # and finds the real mapped class in its registry.
        setattr(builtins, name, type(name, (TypeOnly,), {}))
