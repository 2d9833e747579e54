"""Darkroom's side jobs: renditions and metadata for one uploaded original.

Django-free on purpose (Pillow, pillow-heif and boto3 only): the same functions run in a
Lambda fed by S3 events, in a Celery worker, in the web process's thread pool and on the
command line (`python -m jobs`).
"""
