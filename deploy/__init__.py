"""Darkroom's deployment tool: provisioning, teardown and the IAM policies of the three Lambda
functions. Run as `python -m deploy provision|teardown|policies` (or `make provision`,
`make teardown`). It is never part of a Lambda zip (zappa_settings.json excludes it) and the
web app never imports it."""
