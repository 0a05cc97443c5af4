"""The vendored chart library is the file its README names, with its licence beside it."""

import hashlib
import re

from newretail.web.templating import STATIC_DIR

ECHARTS = STATIC_DIR / "vendor" / "echarts"


def test_the_vendored_echarts_matches_the_hash_and_version_in_its_readme() -> None:
    readme = (ECHARTS / "README.md").read_text(encoding="utf-8")
    recorded = re.findall(r"sha256 `([0-9a-f]{64})`", readme)
    actual = hashlib.sha256((ECHARTS / "echarts.common.min.js").read_bytes()).hexdigest()

    assert recorded == [actual]
    assert re.findall(r"version \*\*(\d+\.\d+\.\d+)\*\*", readme) == ["6.1.0"]


def test_the_licence_and_notice_ship_with_it() -> None:
    assert "Apache License" in (ECHARTS / "LICENSE").read_text(encoding="utf-8")
    assert "Apache ECharts" in (ECHARTS / "NOTICE").read_text(encoding="utf-8")
