"""实地走访定位核验: an on-site visit's position checked against the enterprise's location on file."""

from __future__ import annotations

import math
from dataclasses import dataclass

LOCATION_CHECKS = ("ok", "far", "poor_accuracy", "missing")
EARTH_RADIUS_M = 6_371_008.8


@dataclass
class Thresholds:
    max_distance_m: float = 2000.0
    max_accuracy_m: float = 500.0


thresholds = Thresholds()


def configure(*, max_distance_m: float | None = None, max_accuracy_m: float | None = None) -> None:
    """Override the location check's thresholds (distance from the enterprise, GPS accuracy)."""
    if max_distance_m is not None:
        thresholds.max_distance_m = float(max_distance_m)
    if max_accuracy_m is not None:
        thresholds.max_accuracy_m = float(max_accuracy_m)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def check(*, method: str, latitude: float | None, longitude: float | None, accuracy_m: float | None,
          site_latitude: float | None, site_longitude: float | None,
          limits: Thresholds | None = None) -> str | None:
    """None for visits not made on site; otherwise, in this order:
    missing — the visit has no position, or the enterprise none on file (nothing to compare);
    poor_accuracy — the accuracy is unknown or worse than max_accuracy_m;
    far — farther than max_distance_m from the enterprise; ok — otherwise."""
    if method != "on_site":
        return None
    limits = limits or thresholds
    if latitude is None or longitude is None or site_latitude is None or site_longitude is None:
        return "missing"
    if accuracy_m is None or accuracy_m > limits.max_accuracy_m:
        return "poor_accuracy"
    if distance_m(latitude, longitude, site_latitude, site_longitude) > limits.max_distance_m:
        return "far"
    return "ok"
