"""Rebuild the synthetic_* corpus photos: EXIF cases the real camera files do not cover.

Run from the repository root: `.venv/bin/python tests/data/corpus/make_synthetic.py`. The output
is committed; this script is how it was made (pixels are a flat colour, the EXIF is the point).
"""

from pathlib import Path

from PIL import Image, TiffImagePlugin

HERE = Path(__file__).resolve().parent
EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def rational(value: float, denominator: int = 1000) -> TiffImagePlugin.IFDRational:
    return TiffImagePlugin.IFDRational(round(value * denominator), denominator)


def dms(degrees: float) -> tuple:
    whole = int(degrees)
    minutes = int((degrees - whole) * 60)
    seconds = (degrees - whole - minutes / 60) * 3600
    return (rational(whole, 1), rational(minutes, 1), rational(seconds, 10000))


def camera_exif(*, make, model, taken, subsec, offset, lat, lon, alt, orientation=1):
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = model
    exif[0x0112] = orientation
    exif[0x0131] = "Darkroom make_synthetic.py"
    ifd = exif.get_ifd(EXIF_IFD)
    ifd[0x829A] = TiffImagePlugin.IFDRational(1, 250)  # ExposureTime
    ifd[0x829D] = rational(2.8)  # FNumber
    ifd[0x8827] = 3200  # ISO
    ifd[0x9003] = taken  # DateTimeOriginal
    ifd[0x9011] = offset  # OffsetTimeOriginal
    ifd[0x9291] = subsec  # SubSecTimeOriginal
    ifd[0x920A] = rational(35)  # FocalLength
    ifd[0xA434] = "Synthetic 35mm F2.8"  # LensModel
    gps = exif.get_ifd(GPS_IFD)
    gps[0x0000] = b"\x02\x03\x00\x00"
    gps[0x0001] = "N" if lat >= 0 else "S"
    gps[0x0002] = dms(abs(lat))
    gps[0x0003] = "E" if lon >= 0 else "W"
    gps[0x0004] = dms(abs(lon))
    gps[0x0005] = b"\x01" if alt < 0 else b"\x00"
    gps[0x0006] = rational(abs(alt), 10)
    return exif


def main() -> None:
    # Badwater Basin, Death Valley: west of Greenwich and 86 m below sea level.
    below_sea = camera_exif(
        make="Darkroom",
        model="Synthetic W",
        taken="2024:02:29 06:07:08",
        subsec="05",
        offset="-08:00",
        lat=36.2299,
        lon=-116.7677,
        alt=-85.9,
    )
    Image.new("RGB", (64, 48), (90, 120, 160)).save(
        HERE / "synthetic_below_sea_level.jpg", exif=below_sea
    )
    # Rio de Janeiro: south and west; portrait photo stored landscape (orientation 6).
    south_west = camera_exif(
        make="Darkroom",
        model="Synthetic SW",
        taken="2023:12:31 23:59:59",
        subsec="123456",
        offset="-03:00",
        lat=-22.951916,
        lon=-43.210487,
        alt=710.0,
        orientation=6,
    )
    Image.new("RGB", (64, 48), (200, 150, 90)).save(
        HERE / "synthetic_south_west.jpg", exif=south_west
    )
    # The same in a WebP and an AVIF: EXIF outside JPEG. Pillow's AVIF writer turns
    # orientation 6 into the container's rotation (irot), the way phones write HEIF/AVIF.
    Image.new("RGB", (64, 48), (120, 200, 90)).save(
        HERE / "synthetic_south_west.webp", exif=south_west
    )
    Image.new("RGB", (64, 48), (120, 90, 200)).save(
        HERE / "synthetic_rotated.avif", exif=south_west, quality=50
    )


if __name__ == "__main__":
    main()
