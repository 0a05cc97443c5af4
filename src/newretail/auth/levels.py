"""A guide's level in their brand, which commission rules may name."""

from enum import StrEnum


class GuideLevel(StrEnum):
    JUNIOR = "junior"
    SENIOR = "senior"
    STAR = "star"
