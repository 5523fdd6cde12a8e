"""What ``toolkit check`` finds: one :class:`Finding` per problem, in a :class:`Report`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["Finding", "Report", "Severity", "error", "warning"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem: how bad, which check found it, the file and the field."""

    severity: Severity
    #: The check that found it: "config", "fields", "limits", "artwork", ...
    check: str
    path: Path
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: "
        if self.field:
            where += f"field '{self.field}': "
        return f"{self.severity}: {where}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "check": self.check,
            "path": str(self.path),
            "field": self.field,
            "message": self.message,
        }


def error(check: str, path: Path, field: str | None, message: str) -> Finding:
    return Finding("error", check, path, field, message)


def warning(check: str, path: Path, field: str | None, message: str) -> Finding:
    return Finding("warning", check, path, field, message)


@dataclass
class Report:
    """Every finding of one run, in the order the checks ran."""

    show_dir: Path
    site: Path | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return not self.errors

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "show": str(self.show_dir),
            "site": str(self.site) if self.site is not None else None,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
        }
