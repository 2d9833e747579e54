"""The web function's entry point on AWS Lambda: Zappa's handler, with Python's cyclic garbage
collector held off until the function has started.

A cold start imports about a thousand modules (Zappa, boto3, Django, psycopg) and builds
Django's app (settings, models, URLconf, middleware, templates): hundreds of thousands of
objects that live as long as the process, while the collector, run every 700 allocations, keeps
walking them and finds next to nothing to free: 50 to 85 ms of a 500 to 580 ms cold start
(tests/bench/cold_start.py, medians of 7 interleaved runs, on a busy machine). So it waits
until the first event is answered, which is when Zappa builds the app, whatever the event (a
page, keep_warm, a stream batch, the sweep). Then everything alive moves into the permanent
generation, which later collections never walk (`gc.freeze`, as pre-forking servers do), and
the collector runs as usual for the rest of the process. Measured, the alternatives are worse:
collecting before the freeze costs the first request about 70 ms, and not freezing hands the
same full collection to the second. The price is start-up's own cyclic garbage, frozen with the
rest: about 12 MB of memory (peak RSS 97 MB instead of 85), once and for all.

Everything else is Zappa's own handler: it dispatches every event (API Gateway, keep_warm,
the DynamoDB stream, the schedules, `zappa manage`/`invoke`), reads remote_env and starts
Django. It is imported from the zappa package, whose bytecode the package ships, rather than
as the copy `zappa package` writes into the zip's root, which has none (1980-dated sources)
and would be compiled at every cold start; nothing imports that copy any more (Zappa answers
keep_warm's `handler.keep_warm_callback` without importing it), so the function keeps one
Zappa handler and one Django app.
"""

import gc

gc.disable()

from zappa.handler import lambda_handler as zappa_lambda_handler  # noqa: E402  (after gc.disable)

_started = False


def lambda_handler(event, context):
    global _started
    try:
        return zappa_lambda_handler(event, context)
    finally:
        if not _started:
            _started = True
            gc.freeze()
            gc.enable()
