"""Photo-like benchmark inputs, generated once and cached (deterministic: same seed, same bytes).

Real photos are smooth areas, edges and sensor noise; so are these: a blown-up random colour
field, a fractal, a few thousand shapes, a slight blur and Gaussian noise. A 6000 x 4000
one saves as a ~10 MB JPEG at quality 90, like a 24 MP camera's.
"""

import random
import tempfile
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

CACHE = Path(tempfile.gettempdir()) / "darkroom-bench"


def photo_like(width: int, height: int, seed: int = 1) -> Image.Image:
    rnd = random.Random(seed)
    field = Image.new("RGB", (8, 6))
    field.putdata([tuple(rnd.randrange(256) for _ in range(3)) for _ in range(48)])
    image = field.resize((width, height), Image.Resampling.BICUBIC)
    fractal = Image.effect_mandelbrot(
        (width // 4, height // 4), (-0.75, -0.2, -0.65, -0.12), 200
    ).resize((width, height), Image.Resampling.BILINEAR)
    image = Image.blend(
        image, Image.merge("RGB", (fractal, ImageChops.invert(fractal), fractal)), 0.25
    )
    draw = ImageDraw.Draw(image)
    scale = width / 6000
    for _ in range(int(4000 * scale * scale) or 1):
        x, y = rnd.randrange(width), rnd.randrange(height)
        r = int(rnd.randrange(4, 120) * scale) + 2
        colour = tuple(rnd.randrange(256) for _ in range(3))
        if rnd.random() < 0.5:
            draw.ellipse((x, y, x + r, y + r * rnd.uniform(0.3, 1.5)), fill=colour)
        else:
            end = (x + rnd.randrange(-300, 300), y + rnd.randrange(-300, 300))
            draw.line((x, y, *end), fill=colour, width=rnd.randrange(1, 6))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    noise = Image.effect_noise((width, height), 10).convert("L")
    return ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), scale=1.0, offset=-128)


# name -> (size, format, save options)
SAMPLES = {
    "photo-24mp.jpg": ((6000, 4000), "JPEG", {"quality": 90}),
    "photo-12mp.heic": ((4000, 3000), "HEIF", {"quality": 80}),
    "photo-12mp.png": ((4000, 3000), "PNG", {}),
    "photo-12mp.webp": ((4000, 3000), "WEBP", {"quality": 90}),
}


def sample(name: str) -> Path:
    """The cached sample file `name` (one of SAMPLES), generating it on first use."""
    path = CACHE / name
    if path.exists():
        return path
    size, fmt, options = SAMPLES[name]
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    photo_like(*size).save(partial, fmt, **options)
    partial.rename(path)
    return path
