"""Site identifiers: one spelling everywhere (CLI, stacks, reports).

A *site* is the national HQ (``hq``) or a prefectural HQ identified by its JIS X 0401 code.
Canonical site ids are ``hq`` and ``pref-01-hokkaido`` … ``pref-47-okinawa``. People may also
type the bare code (``13``), ``13-tokyo`` (the inventory folder name) or the romaji name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Prefecture:
    code: str  # two digits, JIS X 0401
    romaji: str
    name_ja: str  # e.g. 東京都

    @property
    def site_id(self) -> str:
        return f"pref-{self.code}-{self.romaji}"

    @property
    def folder(self) -> str:
        return f"{self.code}-{self.romaji}"


_TABLE = """
01 hokkaido 北海道
02 aomori 青森県
03 iwate 岩手県
04 miyagi 宮城県
05 akita 秋田県
06 yamagata 山形県
07 fukushima 福島県
08 ibaraki 茨城県
09 tochigi 栃木県
10 gunma 群馬県
11 saitama 埼玉県
12 chiba 千葉県
13 tokyo 東京都
14 kanagawa 神奈川県
15 niigata 新潟県
16 toyama 富山県
17 ishikawa 石川県
18 fukui 福井県
19 yamanashi 山梨県
20 nagano 長野県
21 gifu 岐阜県
22 shizuoka 静岡県
23 aichi 愛知県
24 mie 三重県
25 shiga 滋賀県
26 kyoto 京都府
27 osaka 大阪府
28 hyogo 兵庫県
29 nara 奈良県
30 wakayama 和歌山県
31 tottori 鳥取県
32 shimane 島根県
33 okayama 岡山県
34 hiroshima 広島県
35 yamaguchi 山口県
36 tokushima 徳島県
37 kagawa 香川県
38 ehime 愛媛県
39 kochi 高知県
40 fukuoka 福岡県
41 saga 佐賀県
42 nagasaki 長崎県
43 kumamoto 熊本県
44 oita 大分県
45 miyazaki 宮崎県
46 kagoshima 鹿児島県
47 okinawa 沖縄県
"""

PREFECTURES: tuple[Prefecture, ...] = tuple(
    Prefecture(*line.split()) for line in _TABLE.strip().splitlines()
)
BY_CODE: dict[str, Prefecture] = {p.code: p for p in PREFECTURES}
HQ = "hq"
HQ_NAME_JA = "本部"
ALL_SITE_IDS: tuple[str, ...] = (HQ, *(p.site_id for p in PREFECTURES))

_PATTERNS = (
    re.compile(r"^pref-(?P<code>\d{2})-(?P<romaji>[a-z]+)$"),
    re.compile(r"^(?P<code>\d{1,2})-(?P<romaji>[a-z]+)$"),
    re.compile(r"^(?P<code>\d{1,2})$"),
)


class UnknownSiteError(ValueError):
    """Raised when a site name matches no site."""


def canonical_site_id(text: str) -> str:
    """Return the canonical id (``hq`` or ``pref-NN-romaji``) for anything a person may type.

    >>> canonical_site_id("13")
    'pref-13-tokyo'
    >>> canonical_site_id("01-hokkaido")
    'pref-01-hokkaido'
    """
    raw = text.strip().lower()
    if raw in (HQ, "00", "0", "honbu"):
        return HQ
    for pattern in _PATTERNS:
        match = pattern.match(raw)
        if not match:
            continue
        code = match.group("code").zfill(2)
        pref = BY_CODE.get(code)
        romaji = match.groupdict().get("romaji")
        if pref is None or (romaji is not None and romaji != pref.romaji):
            break
        return pref.site_id
    for pref in PREFECTURES:
        if raw == pref.romaji:
            return pref.site_id
    raise UnknownSiteError(
        f"unknown site {text!r}: expected 'hq', a JIS X 0401 code 01-47, "
        "'pref-NN-romaji' or 'NN-romaji' (for example 13, pref-13-tokyo, 13-tokyo)"
    )


def site_folder(site_id: str) -> str:
    """Inventory folder name of a site: ``hq`` or ``NN-romaji``."""
    if site_id == HQ:
        return HQ
    return BY_CODE[site_id.split("-")[1]].folder


def site_code(site_id: str) -> str:
    """``hq`` or the two-digit prefecture code."""
    return HQ if site_id == HQ else site_id.split("-")[1]


def site_sort_key(site_id: str) -> tuple[int, str]:
    return (0 if site_id == HQ else int(site_code(site_id)), site_id)
