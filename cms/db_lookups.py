"""``field__any_of=ids``: ``IN`` for a long list of values, sent to PostgreSQL as one array
parameter (``field = ANY(%s)``) rather than one placeholder per value.

A bulk call names up to 10,000 records; as ``IN (%s, %s, …)`` each statement that names them
made Django prepare 10,000 parameters and psycopg scan a query of 10,000 placeholders (about a
quarter of a 10,000-record DELETE's time went there). Other databases get the plain ``IN``.
"""

from django.db.models import Field, ForeignObject
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any_of"

    def get_prep_lookup(self):
        if isinstance(self.rhs, (list, tuple, set, frozenset)):
            # Values are used as given (ids: strings), not prepared one by one.
            return [value for value in self.rhs if value is not None]
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        if not isinstance(self.rhs, list):  # a subquery: IN as usual
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)


def install() -> None:
    Field.register_lookup(AnyOf)
    ForeignObject.register_lookup(AnyOf)  # a foreign key keeps lookups of its own
