"""The web function's entry point on AWS Lambda: Zappa's handler, with the whole app built while
the module is imported, in Lambda's init phase, so that SnapStart snapshots it.

Started from nothing, the web function costs a second of CPU or so before it answers: about a
thousand modules (Zappa, boto3, Django, psycopg), Zappa's remote_env (the secrets, an S3 GET),
Django's start (settings, models, URLconf, middleware, templates). At the recommended 1024 MB
(0.58 of a vCPU) a visitor would wait well over a second. With SnapStart (zappa_settings.json:
`"snap_start": "PublishedVersions"`; Zappa points API Gateway at its `snapstart` alias) Lambda
runs this init once per published version, snapshots the memory, and starts every new
environment from the snapshot: a visitor's cold start is the restore and the request itself.
So everything a request needs is done here rather than on the first request, which is what
Zappa's handler would otherwise do (tests/bench/cold_start.py measures both halves).

The garbage collector: the import builds hundreds of thousands of objects that live as long as
the process, and the collector, run every 700 allocations, would keep walking them and find
next to nothing to free (50 to 85 ms of a start). It stays off until the app is built, which
then moves into the permanent generation that later collections never walk (`gc.freeze`, as
pre-forking servers do), and runs as usual from there on.

Restored environments all start from the same memory, so whatever was random at init is the
same in each: the after-restore hook reseeds `random`. Django and this project draw tokens,
keys and ids from `secrets`/`os.urandom`, which the snapshot does not freeze, and no database
connection is opened during init (Django connects on a request's first query), so none is
shared between environments either. The hooks library is part of Lambda's Python runtime; a
function started without SnapStart (the stream's batches and the sweep's schedule call the
unqualified function) simply runs the same init in its own cold start.

The app comes from the zappa package's handler, whose bytecode the package ships, rather than
from the copy `zappa package` writes into the zip's root, which has none (1980-dated sources)
and would be compiled at every start.
"""

import gc
import random

gc.disable()

from zappa.handler import LambdaHandler, lambda_handler  # noqa: E402  (after gc.disable)

# Zappa's handler is a singleton: this builds the instance every event then uses (remote_env,
# environment, Django's WSGI app).
LambdaHandler()

from webapp.warm_up import warm_up  # noqa: E402  (Django is set up by now)

warm_up()
gc.freeze()
gc.enable()


def reseed_after_restore() -> None:
    random.seed()


try:
    from snapshot_restore_py import register_after_restore
except ImportError:  # not Lambda's runtime: a plain process, no snapshot
    pass
else:
    register_after_restore(reseed_after_restore)

__all__ = ["lambda_handler"]
