"""``filter[fields][<lat_lon>][near]``: records whose point lies within a radius (metres).

Distances are great-circle distances on a sphere of the Earth's mean radius (haversine),
the same formula on both databases: SQL on PostgreSQL, :func:`distance` on SQLite
(registered on each connection by :mod:`items.sql_functions`).

On PostgreSQL the field's index (``items.field_indexes``, kind ``lat_lon``) holds the
point's latitude and longitude: a bounding box around the circle, a range of each, reads
it, and the exact distance is computed only for the points inside the box. No PostGIS.
"""

import math

from django.db.models import FloatField, Func, Q, Value
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

EARTH_RADIUS = 6_371_008.8  # metres, the mean radius (IUGG)
#: Degrees added around the box: floating-point rounding never leaves a point out.
MARGIN = 1e-9


def distance(lat1, lon1, lat2, lon2) -> float | None:
    """Haversine distance in metres between two points given in degrees."""
    if None in (lat1, lon1, lat2, lon2):
        return None
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(h)))


class Coordinate(Func):
    """A point's ``latitude`` or ``longitude`` as a double: on PostgreSQL exactly the
    expression the field's index holds (``((data -> 'id') ->> 'latitude')::double
    precision``), so the planner matches it."""

    output_field = FloatField()

    def __init__(self, data, field_id: str, locale: str | None, key: str):
        super().__init__(data)
        self.path = [field_id, *([locale] if locale else []), key]

    def as_postgresql(self, compiler, connection):
        data, params = compiler.compile(self.source_expressions[0])
        *objects, key = self.path
        sql = data
        for _ in objects:
            sql = f"({sql} -> %s)"
        return f"(({sql} ->> %s))::double precision", [*params, *objects, key]

    def as_sqlite(self, compiler, connection):
        data, params = compiler.compile(self.source_expressions[0])
        path = "$" + "".join(f'."{part}"' for part in self.path)
        return f"JSON_EXTRACT({data}, %s)", [*params, path]


class Distance(Func):
    """Metres from (latitude, longitude) expressions to a fixed point."""

    output_field = FloatField()

    def __init__(self, latitude, longitude, to_latitude: float, to_longitude: float):
        super().__init__(latitude, longitude, Value(to_latitude), Value(to_longitude))

    def as_sqlite(self, compiler, connection):
        return self.as_sql(compiler, connection, function="CMS_DISTANCE")

    def as_postgresql(self, compiler, connection):
        (lat, lat_p), (lon, lon_p), (lat0, lat0_p), (lon0, lon0_p) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        pieces = [
            ("(2 * %s * asin(least(1.0, sqrt(power(sin(radians(", [EARTH_RADIUS]),
            (lat, lat_p),
            (" - ", []),
            (lat0, lat0_p),
            (") / 2), 2) + cos(radians(", []),
            (lat0, lat0_p),
            (")) * cos(radians(", []),
            (lat, lat_p),
            (")) * power(sin(radians(", []),
            (lon, lon_p),
            (" - ", []),
            (lon0, lon0_p),
            (") / 2), 2)))))", []),
        ]
        return "".join(sql for sql, _ in pieces), [p for _, ps in pieces for p in ps]


def near(data, field_id: str, locale: str | None, lat: float, lon: float, radius: float) -> Q:
    """Points within ``radius`` metres of (lat, lon): the box, then the exact distance."""
    latitude = Coordinate(data, field_id, locale, "latitude")
    longitude = Coordinate(data, field_id, locale, "longitude")
    exact = LessThanOrEqual(Distance(latitude, longitude, lat, lon), radius)
    return _bounding_box(latitude, longitude, lat, lon, radius) & Q(exact)


def _bounding_box(latitude, longitude, lat: float, lon: float, radius: float) -> Q:
    """A box holding every point within ``radius`` of (lat, lon), as ranges of the two
    coordinates (two ranges of longitude when it crosses the antimeridian)."""
    angle = radius / EARTH_RADIUS  # the circle's angular radius
    dlat = math.degrees(angle) + MARGIN
    condition = Q(GreaterThanOrEqual(latitude, max(-90.0, lat - dlat))) & Q(
        LessThanOrEqual(latitude, min(90.0, lat + dlat))
    )
    if lat - dlat <= -90 or lat + dlat >= 90 or angle >= math.pi / 2:
        return condition  # the circle holds a pole: every longitude
    # The widest longitude a point of the circle has (exact on a sphere).
    dlon = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(lat)))))
    dlon += MARGIN
    west, east = lon - dlon, lon + dlon
    if west < -180:
        lons = Q(GreaterThanOrEqual(longitude, west + 360)) | Q(LessThanOrEqual(longitude, east))
    elif east > 180:
        lons = Q(GreaterThanOrEqual(longitude, west)) | Q(LessThanOrEqual(longitude, east - 360))
    else:
        lons = Q(GreaterThanOrEqual(longitude, west)) & Q(LessThanOrEqual(longitude, east))
    return condition & lons
