"""A BlurHash placeholder: ~30 characters the gallery paints while the thumbnail loads."""

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
