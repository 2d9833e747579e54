"""factory_boy factories for the web tests: users, and photos in each state of their life.

A photo starts as `photo_create` leaves it (uploading: a row, no original yet); a trait
moves it along, as the upload and the jobs would have:

    PhotoFactory(owner=alice)                   # uploading
    PhotoFactory(owner=alice, processing=True)  # original in the store, jobs running
    PhotoFactory(owner=alice, ready=True)       # renditions and metadata recorded
    PhotoFactory(owner=alice, failed=True, error="corrupt PNG")

`created_at` (or `age`, a timedelta: created, and uploaded, that long ago) may be given
although the column is auto_now_add (it is set after the insert), so tests can place photos
in time; any other column can be given as a keyword, as with the model.
"""

import uuid

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory, Password

from webapp.photos.models import Photo, PhotoStatus

ETAG = "0123456789abcdef0123456789abcdef"  # an MD5 hex digest, as S3 and the local store give
PASSWORD = "pw-factory-123"
PLACEHOLDER = "LEHV6nWB2yk8pyo0adR*.7kCMdnj"  # a real BlurHash
PLACEHOLDER_DATA_URL = "data:image/png;base64,iVBORw0KGgo="


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = Password(PASSWORD)


def renditions_of(photo_id, width: int = 6000, height: int = 4000) -> dict:
    """The renditions the job writes for a `width` x `height` photo: the thumb, medium and
    large sizes on the longest side, never upscaled (DESIGN.md's defaults)."""
    longest = max(width, height)
    out = {}
    for name, size in (("thumb", 256), ("medium", 1024), ("large", 2048)):
        scale = min(1, size / longest)
        out[name] = {
            "key": f"renditions/{photo_id}/{name}.webp",
            "width": round(width * scale),
            "height": round(height * scale),
        }
    return out


class PhotoFactory(DjangoModelFactory):
    class Meta:
        model = Photo

    class Params:
        # How long ago the photo was created (and, once uploaded, uploaded): a timedelta.
        age = None
        # The original arrived: the jobs are dispatched.
        processing = factory.Trait(
            status=PhotoStatus.PROCESSING,
            source_etag=ETAG,
            uploaded_at=factory.LazyAttribute(lambda o: o.created_at or timezone.now()),
        )
        # Both jobs done: renditions, placeholder and the metadata columns the pages show.
        ready = factory.Trait(
            processing=True,
            status=PhotoStatus.READY,
            processed_at=factory.LazyFunction(timezone.now),
            renditions=factory.LazyAttribute(lambda o: renditions_of(o.id, o.width, o.height)),
            placeholder=PLACEHOLDER,
            placeholder_data_url=PLACEHOLDER_DATA_URL,
            width=6000,
            height=4000,
            format="JPEG",
            mime="image/jpeg",
            bytes=factory.SelfAttribute("declared_size"),
        )
        # A job failed: the photo says why, and has no renditions.
        failed = factory.Trait(
            processing=True,
            status=PhotoStatus.FAILED,
            processed_at=factory.LazyFunction(timezone.now),
            error="not an image",
        )

    id = factory.LazyFunction(uuid.uuid4)
    owner = factory.SubFactory(UserFactory)
    filename = factory.Sequence(lambda n: f"IMG_{n:04d}.jpg")
    original_key = factory.LazyAttribute(lambda o: f"uploads/{o.id}/{o.filename}")
    content_type = "image/jpeg"
    declared_size = 123_456
    status = PhotoStatus.UPLOADING
    source_etag = ""

    # auto_now_add overwrites whatever the insert is given: _create sets it after the insert.
    created_at = factory.LazyAttribute(lambda o: timezone.now() - o.age if o.age else None)

    @classmethod
    def _create(cls, model_class, *args, created_at=None, **kwargs):
        photo = super()._create(model_class, *args, **kwargs)
        if created_at is not None:
            Photo.objects.filter(pk=photo.pk).update(created_at=created_at)
            photo.created_at = created_at
        return photo
