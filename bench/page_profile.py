"""Where an uncached article page's time goes: bench/pages.py --profile renders it in this
process under cProfile and prints the costs of its parts and the top functions.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time

# Where the uncached article's time goes: (label, end of the file name, function).
PROFILE_PARTS = [
    ("the whole request (test client)", "django/test/client.py", "request"),
    ("render the template", "django/template/loader.py", "render_to_string"),
    ("  |date filters", "django/template/defaultfilters.py", "date"),
    ("  |linebreaks filters", "django/template/defaultfilters.py", "linebreaks_filter"),
    ("  {% translate %} tags", "django/templatetags/i18n.py", "render"),
    ("  the comment form's fields", "django/forms/boundfield.py", "as_widget"),
    ("  |json_ld (JSON-LD script)", "newsroom/templatetags/newsroom.py", "json_ld"),
    ("comment_section() (query, tree)", "newsroom/views/articles.py", "comment_section"),
    ("seo.article_json_ld()", "newsroom/seo.py", "article_json_ld"),
    ("SQL (execute and fetch)", "django/db/models/sql/compiler.py", "execute_sql"),
]


def profile_article(path: str, rounds: int = 20) -> None:
    """Render the uncached article in this process under cProfile; print the top costs."""
    from django.db import connection
    from django.test import Client

    client = Client()
    assert client.get(path).status_code == 200  # warm the template and URL caches
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(path)
    started = time.process_time()
    for _ in range(rounds):
        client.get(path)
    plain = (time.process_time() - started) / rounds
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    print(
        f"\nProfile of {path} rendered in-process with the page cache off: "
        f"{plain * 1000:.1f} ms of CPU a page without the profiler, {len(queries)} queries."
    )
    total = max(
        cumulative
        for (filename, _line, name), (*_calls, cumulative, _callers) in stats.stats.items()
        if filename.endswith(PROFILE_PARTS[0][1]) and name == PROFILE_PARTS[0][2]
    )
    print(f"\nWhere the time goes under cProfile ({rounds} renders; shares of the request):")
    for label, file_end, function in PROFILE_PARTS:
        cumulative = sum(
            entry[3]
            for (filename, _line, name), entry in stats.stats.items()
            if filename.endswith(file_end) and name == function
        )
        print(f"  {label:<36} {cumulative / rounds * 1000:7.1f} ms  {cumulative / total:6.1%}")
    out = io.StringIO()
    stats.stream = out
    stats.strip_dirs().sort_stats("tottime").print_stats(20)
    print(f"\nTop 20 functions by own time ({rounds} renders):")
    print("\n".join(out.getvalue().splitlines()[5:]).rstrip())
