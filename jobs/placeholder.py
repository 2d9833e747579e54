"""The placeholder the gallery paints while the thumbnail loads: a BlurHash (~30 characters,
for clients that decode it) and the same blur as a tiny PNG data URL (for the pages, which
paint it as is). Both are made here, in the renditions job, from pixels it already decoded,
so the web process never decodes an image.
"""

import base64
import io

import blurhash
from PIL import Image

from jobs.imaging import fit, flatten

# The BlurHash encoder is pure Python (cost grows with pixels x components); 24 px holds
# far more detail than 4 x 3 cosine components can carry.
SAMPLE_PX = 24

# Transparent areas read as this light neutral grey on light and dark pages alike.
BACKGROUND = (192, 192, 192)


def components_for(size: tuple[int, int]) -> tuple[int, int]:
    """More components along the longer side: 4 x 3 landscape, 3 x 4 portrait, 4 x 4 square."""
    width, height = size
    return (4 if width >= height else 3), (4 if height >= width else 3)


def blurhash_for(image: Image.Image) -> str:
    """The BlurHash of `image` (any working mode; alpha composited over a neutral grey).

    At most 4 x 4 components: at most 36 characters, decodable by any BlurHash decoder.
    """
    sample = image.resize(fit(image.size, SAMPLE_PX), Image.Resampling.BOX)
    sample = flatten(sample, BACKGROUND)
    width, height = sample.size
    data = sample.tobytes()
    rows = [
        [tuple(data[i : i + 3]) for i in range(row * width * 3, (row + 1) * width * 3, 3)]
        for row in range(height)
    ]
    components_x, components_y = components_for(image.size)
    return blurhash.encode(rows, components_x, components_y)


# The data URL's width: a few hundred bytes of PNG, stretched by the browser's own smoothing.
DATA_URL_WIDTH = 32


def data_url_for(hash_: str, size: tuple[int, int]) -> str:
    """The BlurHash `hash_` painted as a PNG DATA_URL_WIDTH px wide with the aspect of
    `size` (the upright rendition's), as a data: URL; "" when there is no hash."""
    if not hash_:
        return ""
    width, height = size
    aspect = height / width if width and height else 1.0
    out_height = max(1, min(128, round(DATA_URL_WIDTH * aspect)))
    rows = blurhash.decode(hash_, DATA_URL_WIDTH, out_height)
    image = Image.new("RGB", (DATA_URL_WIDTH, out_height))
    image.putdata([tuple(int(c) for c in pixel[:3]) for row in rows for pixel in row])
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
