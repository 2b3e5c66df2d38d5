"""journeylib: touchpoint scores versus the journey as a whole.

The public API is re-exported here; see the README for a tour.
"""

from .scales import (
    CANONICAL_FACES,
    FACES,
    SCALES,
    face_score,
    from_valence,
    get_scale,
    nps_category,
    valence,
)
from .schema import JourneyDataError, validate

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "CANONICAL_FACES",
    "FACES",
    "SCALES",
    "JourneyDataError",
    "face_score",
    "from_valence",
    "get_scale",
    "nps_category",
    "valence",
    "validate",
]
