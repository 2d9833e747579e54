"""One JSON log format: a line of the web function (Django's LOGGING) and a line of a job
function (jobs.logs.configure) carry the same keys, so one Logs Insights query covers both."""

import io
import json
import logging
import logging.config

from django.conf import settings

from jobs import logs
from webapp.logging import log_context


def _web_line(message: str) -> dict:
    config = dict(settings.LOGGING)
    stream = io.StringIO()
    formatter = logging.config.DictConfigurator(config).configure_custom(
        dict(config["formatters"]["json"])
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(logs.LogContextFilter())
    logger = logging.getLogger("webapp.photos.test")
    logger.addHandler(handler)
    try:
        with log_context(photo_id="p-1", job="metadata"):
            logger.warning(message)
    finally:
        logger.removeHandler(handler)
    return json.loads(stream.getvalue())


def _job_line(message: str) -> dict:
    stream = io.StringIO()
    handler = logs.configure("darkroom-jobs", stream=stream)
    try:
        with logs.log_fields(photo_id="p-1", job="metadata"):
            logging.getLogger("jobs.test").warning(message)
    finally:
        logging.getLogger("jobs").removeHandler(handler)
    return json.loads(stream.getvalue())


def test_a_web_line_and_a_job_line_have_the_same_keys():
    web, job = _web_line("from the web"), _job_line("from a job")

    assert set(web) == set(job)
    assert set(logs.KEYS) <= set(web)
    assert (web["photo_id"], web["job"]) == (job["photo_id"], job["job"]) == ("p-1", "metadata")
    assert (web["message"], job["message"]) == ("from the web", "from a job")
    assert web["service"] == "darkroom-web" and job["service"] == "darkroom-jobs"


def test_lines_outside_any_job_still_name_every_key():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter("darkroom-web"))
    logger = logging.getLogger("webapp.test.outside")
    logger.addHandler(handler)
    try:
        logger.error("no photo here")
    finally:
        logger.removeHandler(handler)

    line = json.loads(stream.getvalue())
    assert {key: line[key] for key in ("photo_id", "job", "exception")} == dict.fromkeys(
        ("photo_id", "job", "exception")
    )
