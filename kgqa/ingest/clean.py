"""Find boilerplate that answers nothing: promotional sections (QR codes, free downloads, study-plan ads).

A section is promotional when it carries a marker phrase. When the last section of a
document is promotional, the whole tail from the first promotional section onwards is
dropped, because such tails mix ads with study-plan outlines that carry no marker of their own.

>>> from kgqa.ingest.structure import parse_sections
>>> secs = parse_sections("# 标题\\n正文。\\n# 广告\\n扫描下方二维码免费领取\\n")
>>> [s.heading for s in promotional_sections(secs)]
['广告']
"""

from __future__ import annotations

import re

from kgqa.ingest.structure import Section

# markers are whole phrases; a Latin marker must stand as a word of its own (``vx`` inside the password
# hash ``$1$vXGZLVbS$`` is not an advert), and matching is case-sensitive for it
PROMO = re.compile(
    r"二维码|免费领取|扫码|扫描下方|关注公众号|私信|点赞收藏|加微信|(?<![A-Za-z0-9$./])(?:vx|VX|V信)(?![A-Za-z0-9$./])"
    r"|学习资料.{0,10}(?:上传|分享)"
)


def is_promotional(section: Section) -> bool:
    text = "\n".join(ln.text for ln in section.lines)
    return bool(PROMO.search(section.heading) or PROMO.search(text))


def promotional_sections(sections: list[Section]) -> list[Section]:
    """The sections to keep out of the index, in document order."""
    flags = [is_promotional(s) for s in sections]
    if not any(flags):
        return []
    if flags[-1]:
        first = flags.index(True)
        # the tail starts at the section that opens the promotion (a heading that asks
        # "how to learn ..." followed by the ad); keep everything before it
        return sections[first:]
    return [s for s, f in zip(sections, flags, strict=True) if f]
