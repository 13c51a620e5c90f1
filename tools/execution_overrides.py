"""What each part of archive/graphql/execution.py gains, measured alone in one run.

The benchmark's queries (:func:`tools.benchmark.cases`) are run through the
schema as shipped, and with one part at a time put back to what strawberry
and strawberry-django do out of the box:

* ``fast fields``: :class:`ArchiveExecutionContext` answering plain leaves,
  links and prefetched rows itself (off: every field through graphql-core's
  ``execute_field``; the time-limit checks stay);
* ``optimizer hook``: :class:`FieldOptimizer`, the optimizer without its
  per-field ``resolve`` middleware (off: strawberry-django's own);
* ``validation cache``: :class:`CachedValidation` (off: every request validated);
* ``keys``: the :class:`Key` plan, measured on one more query, a page with
  ``id`` on every object as Relay and normalised caches ask (off: each ``id``
  through strawberry's ``Node.id`` and the rows' resolver).

The variants are measured in turn, ``--rounds`` times, so that a noisy minute
weighs on each alike; each figure is the median of every timed run. The
ratio is the variant's median over the shipped one's: 1.25 means the part
saves 20 % of the query's time. Run it on a generated archive::

    DATABASE_URL=sqlite:////tmp/archive-10k.sqlite3 \\
        .venv/bin/python -m tools.execution_overrides [--repeat 20] [--rounds 3]
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from tools import command_line


def ordinary_fields() -> type:
    """The execution context with its fast way off: every field through graphql-core."""
    from archive.graphql.execution import ArchiveExecutionContext

    class OrdinaryFields(ArchiveExecutionContext):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.fast = False

    return OrdinaryFields


def ordinary_keys() -> type:
    """The execution context with every ``id`` answered the ordinary way."""
    from archive.graphql.execution import ArchiveExecutionContext

    class OrdinaryKeys(ArchiveExecutionContext):
        def execute_field(self, parent_type, source, field_details_list, *args):
            if field_details_list[0].node.name.value == "id":
                return super(ArchiveExecutionContext, self).execute_field(
                    parent_type, source, field_details_list, *args
                )
            return super().execute_field(parent_type, source, field_details_list, *args)

    return OrdinaryKeys


def with_ids(case):
    """``case`` with ``id`` selected on every object, at a page size within the cost
    budget (a page of 100 with ids costs more than the budget)."""
    import re

    from tools.benchmark import Case

    query = re.sub(r"(\{\s*)(?=(?:slug|role) )", r"\1id ", case.query)
    query = query.replace("limit: 100", "limit: 50")
    return Case("documents page (50), ids", query, case.variables, case.baseline)


def variants() -> dict[str, dict]:
    """The schema's attributes for each variant (``shipped`` first)."""
    from strawberry_django.optimizer import DjangoOptimizerExtension

    from archive.graphql import execution
    from archive.graphql import schema as schema_module

    schema = schema_module.schema
    shipped = {
        "extensions": tuple(schema.extensions),
        "execution_context_class": schema.execution_context_class,
    }
    optimizer = tuple(
        DjangoOptimizerExtension if extension is execution.FieldOptimizer else extension
        for extension in shipped["extensions"]
    )
    validation = tuple(
        extension
        for extension in shipped["extensions"]
        if extension is not schema_module.cached_validation
    )
    assert len(validation) == len(shipped["extensions"]) - 1, "no validation cache to take out"
    return {
        "shipped": shipped,
        "fast fields off": shipped | {"execution_context_class": ordinary_fields()},
        "optimizer hook on": shipped | {"extensions": optimizer},
        "validation cache off": shipped | {"extensions": validation},
        "keys off": shipped | {"execution_context_class": ordinary_keys()},
    }


def timed(schema, case, repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = schema.execute_sync(case.query, variable_values=case.variables)
        timings.append((time.perf_counter() - started) * 1000)
        if result.errors:
            raise RuntimeError(f"{case.name}: {result.errors[0].message}")
    return timings


class Command(BaseCommand):
    help = __doc__.split("\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20, help="Timed runs per round.")
        parser.add_argument("--rounds", type=int, default=3)

    def handle(self, *args, repeat, rounds, **options):

        from archive.graphql.schema import schema
        from tools import benchmark

        cases = benchmark.cases()
        cases.append(with_ids(cases[0]))
        all_variants = variants()
        original = dict(all_variants["shipped"])
        timings = {(case.name, name): [] for case in cases for name in all_variants}
        answers = {}
        try:
            for _ in range(rounds):
                for case in cases:
                    for name, attributes in all_variants.items():
                        for attribute, value in attributes.items():
                            setattr(schema, attribute, value)
                        answer = schema.execute_sync(case.query, variable_values=case.variables)
                        # Every variant answers exactly the same.
                        assert answers.setdefault(case.name, answer.data) == answer.data, name
                        timings[case.name, name] += timed(schema, case, repeat)
        finally:
            for attribute, value in original.items():
                setattr(schema, attribute, value)
        names = [case.name for case in cases]
        lines = command_line.ratio_table(timings, names, list(all_variants), rounds, repeat)
        self.stdout.write("\n".join(lines))


if __name__ == "__main__":
    command_line.measuring_as_in_production("benchmark")
    command_line.run(Command, "tools.execution_overrides")
