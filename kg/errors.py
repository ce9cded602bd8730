"""Exceptions raised by the kg package.

::

    KGError
    ├── InputError          an article file that cannot be read (path, reason)
    ├── GazetteerError      a gazetteer or curation table that is malformed
    ├── OntologyError       unknown class/property, or shapes that do not parse
    ├── AmbiguousEntity     one name matches several gazetteer entries
    ├── ExportError         an export format or destination that does not work
    └── QueryError          a SPARQL query that does not parse or is refused

Only ``kg.cli`` turns these into messages and exit codes.
"""

from __future__ import annotations


class KGError(Exception):
    """Root of every error the kg package raises on purpose."""


class InputError(KGError):
    """An article file could not be read.

    Parameters
    ----------
    path : str
        The file, as given by the user.
    reason : str
        What was wrong, in words a user can act on.
    """

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")


class GazetteerError(KGError):
    """A gazetteer or curation file is malformed."""


class OntologyError(KGError):
    """An unknown ontology term, or shapes that do not parse."""


class AmbiguousEntity(KGError):
    """A name matches several gazetteer entries and no rule decides."""


class ExportError(KGError):
    """An export format or destination that does not work."""


class QueryError(KGError):
    """A SPARQL query that does not parse, times out or is refused."""
