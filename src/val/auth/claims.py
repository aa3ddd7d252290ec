"""What a verified OpenID token says of a person: who they are and the one VAL role they act in.

Pure: the claims arrive already verified (val.auth.oidc), and nothing here reads or writes anything."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from val.auth.roles import PERSON_ROLES, Role

# The claim values that name VAL's roles when a deployment maps nothing itself.
DEFAULT_ROLE_VALUES = "coordinator=coordinator,board=board,admin=admin"


class RoleRefused(ValueError):
    """The token is genuine, but its roles give the person no one VAL role (403)."""


@dataclass(frozen=True)
class Identity:
    """A person as their organisation's identity provider names them: issuer and subject identify them for good;
    name and email are what the provider says today."""

    issuer: str
    subject: str
    name: str
    email: str | None


def parse_role_values(text: str) -> dict[str, Role]:
    """`VAL.Coordinator=coordinator,VAL.Board=board` → {claim value: role}. Only the roles people hold may be
    mapped: intake systems and providers keep their machine keys."""
    mapping: dict[str, Role] = {}
    for pair in (part.strip() for part in text.split(",")):
        if not pair:
            continue
        value, sep, role_name = (p.strip() for p in pair.partition("="))
        if not sep or not value or not role_name:
            raise ValueError(f"{pair!r} is not claim-value=role")
        try:
            role = Role(role_name)
        except ValueError:
            raise ValueError(f"{role_name!r} is not a VAL role") from None
        if role not in PERSON_ROLES:
            raise ValueError(f"{role_name!r} is a machine role; people may hold only {_names(PERSON_ROLES)}")
        mapping[value] = role
    if not mapping:
        raise ValueError("no claim value is mapped to a VAL role")
    return mapping


def claim_values(claims: Mapping[str, Any], path: str) -> list[str]:
    """The strings at a dotted path (`roles`, `realm_access.roles`): a list, or one space-separated string."""
    found: Any = claims
    for step in path.split("."):
        if not isinstance(found, Mapping) or step not in found:
            return []
        found = found[step]
    if isinstance(found, str):
        return found.split()
    if isinstance(found, list):
        return [value for value in found if isinstance(value, str)]
    return []


def role_of(claims: Mapping[str, Any], path: str, mapping: Mapping[str, Role]) -> Role:
    """The one VAL role the token's role claim maps to.

    Two roles are refused rather than merged: a Board member must never also see personal data through the
    same sign-in (the Board's figures are protected against differencing on that assumption), and picking
    one would make the person's rights depend on an order nobody chose."""
    roles = {mapping[value] for value in claim_values(claims, path) if value in mapping}
    if not roles:
        raise RoleRefused(f"The token's {path!r} claim gives no VAL role.")
    if len(roles) > 1:
        raise RoleRefused(
            f"The token's {path!r} claim gives more than one VAL role ({_names(roles)}); "
            "a person acts in one role, so their organisation must assign just one."
        )
    return roles.pop()


def identity_of(claims: Mapping[str, Any]) -> Identity:
    """Who the token names. Entra ID sends `name` and `preferred_username` (often the email); Keycloak sends
    `name`, `preferred_username` and `email`."""
    email = _text(claims.get("email")) or _text(claims.get("upn"))
    username = _text(claims.get("preferred_username"))
    if email is None and username is not None and "@" in username:
        email = username
    given_and_family = " ".join(
        part for part in (_text(claims.get("given_name")), _text(claims.get("family_name"))) if part
    )
    name = _text(claims.get("name")) or given_and_family or username or email or str(claims["sub"])
    return Identity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        name=name[:200],
        email=email[:320] if email else None,
    )


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _names(roles: Any) -> str:
    return ", ".join(sorted(str(role) for role in roles))
