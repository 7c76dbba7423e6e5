"""The tile-grid map of Japan: one equal square per prefecture, placed roughly where it lies.

Tile-grid maps trade shape for equal weight (a small prefecture is as visible as Hokkaido); the layout
follows the usual north-east to south-west arrangement of Japanese tile maps. Columns and rows count
from the top left; the national HQ gets a tile of its own beside Tokyo's neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

from cutover import sites

# JIS X 0401 code -> (column, row)
LAYOUT: dict[str, tuple[int, int]] = {
    "01": (11, 0),
    "02": (11, 1),
    "05": (10, 2), "03": (11, 2),
    "06": (10, 3), "04": (11, 3),
    "17": (7, 4), "16": (8, 4), "15": (9, 4), "07": (10, 4),
    "18": (6, 5), "21": (7, 5), "20": (8, 5), "10": (9, 5), "09": (10, 5),
    "35": (1, 6), "32": (2, 6), "31": (3, 6), "28": (4, 6), "26": (5, 6), "25": (6, 6), "19": (8, 6),
    "11": (9, 6), "08": (10, 6),
    "34": (2, 7), "33": (3, 7), "27": (4, 7), "29": (5, 7), "24": (6, 7), "23": (7, 7), "22": (8, 7),
    "13": (9, 7), "12": (10, 7),
    "41": (0, 8), "40": (1, 8), "38": (3, 8), "37": (4, 8), "30": (5, 8), "14": (9, 8),
    "42": (0, 9), "43": (1, 9), "44": (2, 9), "39": (3, 9), "36": (4, 9),
    "46": (1, 10), "45": (2, 10),
    "47": (0, 11),
}
HQ_POSITION = (11, 7)


@dataclass(frozen=True)
class Tile:
    site_id: str
    label_ja: str
    label_en: str
    column: int
    row: int


def tiles() -> list[Tile]:
    """The HQ's tile and the 47 prefectures', in JIS order after the HQ."""
    out = [Tile(sites.HQ, sites.HQ_NAME_JA, "HQ", *HQ_POSITION)]
    for prefecture in sites.PREFECTURES:
        short = prefecture.name_ja if prefecture.code == "01" else prefecture.name_ja[:-1]  # 東京都 -> 東京
        out.append(Tile(prefecture.site_id, short, prefecture.romaji.capitalize(), *LAYOUT[prefecture.code]))
    return out
