# ruff: noqa: F811 (the AWS fixtures are imported by name, then requested by name)
"""Issue 11, "Pages the browser can cache", in a real Chromium: with the photos in S3 (moto's
server behind a counting proxy, so every byte the browser fetches is seen), the gallery is
loaded twice and the second load fetches no rendition from storage: its links are the
first load's (signed at the window's start) and S3 served them with a long-lived
Cache-Control. Before, every page view signed new URLs and every thumbnail came again."""

import copy
import io
import os
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aws_fixtures import aws_env, photo_bucket, s3  # noqa: F401
from factories import PhotoFactory

from webapp.photos.aws import clients

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = pytest.mark.browser


class CountingProxy:
    """A pass-through HTTP proxy to moto that counts the rendition GETs it forwards."""

    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self.rendition_gets: list[tuple[str, int]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self, method: str):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                request = urllib.request.Request(
                    proxy.upstream + self.path, data=body, method=method
                )
                for name, value in self.headers.items():
                    if name.lower() not in ("host", "connection", "accept-encoding"):
                        request.add_header(name, value)
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        status, headers, data = answer.status, answer.headers, answer.read()
                except urllib.error.HTTPError as error:
                    status, headers, data = error.code, error.headers, error.read()
                if method == "GET" and "/renditions/" in self.path:
                    proxy.rendition_gets.append((self.path.split("?")[0], status))
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(data)

            def do_GET(self):
                self._forward("GET")

            def do_HEAD(self):
                self._forward("HEAD")

            def do_PUT(self):
                self._forward("PUT")

            def do_POST(self):
                self._forward("POST")

            def do_DELETE(self):
                self._forward("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counted_s3(aws_env, photo_bucket, monkeypatch, settings):
    proxy = CountingProxy(aws_env)
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    clients._client.cache_clear()
    # The page's Content-Security-Policy admits images from the storage's origin, as
    # settings.py derives it in S3 mode from the endpoint (here the proxy's).
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"] = [*policy["DIRECTIVES"]["img-src"], proxy.url]
    settings.CONTENT_SECURITY_POLICY = policy
    yield proxy
    proxy.close()
    clients._client.cache_clear()


def _webp(color) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "WEBP")
    return out.getvalue()


@pytest.mark.timeout(120)
def test_second_gallery_load_fetches_no_rendition_bytes(
    browser, live_server, transactional_db, alice, counted_s3, s3, photo_bucket
):
    # given three ready photos whose renditions are in the bucket
    colours = ["red", "green", "blue"]
    for colour in colours:
        photo = PhotoFactory(owner=alice, ready=True, filename=f"{colour}.jpg")
        for rendition in photo.renditions.values():
            s3.put_object(
                Bucket=photo_bucket,
                Key=rendition["key"],
                Body=_webp(colour),
                ContentType="image/webp",
            )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("pw-alice-123")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".photo-card")).to_have_count(3)

    def all_images_loaded():
        page.wait_for_function(
            """() => {
                const imgs = [...document.querySelectorAll('.photo-card__img')];
                return imgs.length === 3 && imgs.every(i => i.complete && i.naturalWidth > 0);
            }"""
        )

    all_images_loaded()
    first = list(counted_s3.rendition_gets)
    assert first and all(status == 200 for _, status in first)

    # when: the gallery again, a few seconds later (botocore alone would sign anew)
    time.sleep(1.5)
    page.goto(f"{live_server.url}/")
    all_images_loaded()
    time.sleep(0.5)

    # then: every rendition came from the browser's cache
    assert counted_s3.rendition_gets == first
    context.close()
