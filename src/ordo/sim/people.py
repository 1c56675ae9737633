"""Synthetic people: Chinese names, well-formed fake mobile numbers, street addresses.

Everything here is drawn from a ``random.Random`` the caller owns, so a seed fixes
every name. It never reads the clock or the store, and it never produces a real
person's data on purpose: names are combined from common characters, numbers from
valid prefixes and random digits.
"""

from __future__ import annotations

import random

# Weights follow the rough frequency of China's commonest surnames (王李张 ≈ 7% each).
_SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1),
    ("李", 7.0),
    ("张", 6.8),
    ("刘", 5.4),
    ("陈", 4.6),
    ("杨", 3.1),
    ("黄", 2.4),
    ("赵", 2.3),
    ("吴", 2.1),
    ("周", 2.1),
    ("徐", 1.7),
    ("孙", 1.5),
    ("马", 1.5),
    ("朱", 1.4),
    ("胡", 1.3),
    ("郭", 1.2),
    ("何", 1.2),
    ("林", 1.2),
    ("高", 1.1),
    ("罗", 1.1),
    ("郑", 1.0),
    ("梁", 1.0),
    ("谢", 0.8),
    ("宋", 0.8),
    ("唐", 0.8),
    ("许", 0.7),
    ("韩", 0.7),
    ("冯", 0.7),
    ("邓", 0.7),
    ("曹", 0.7),
    ("彭", 0.6),
    ("曾", 0.6),
    ("肖", 0.6),
    ("田", 0.6),
    ("董", 0.5),
    ("潘", 0.5),
    ("袁", 0.5),
    ("蔡", 0.5),
    ("蒋", 0.5),
    ("余", 0.5),
    ("于", 0.5),
    ("杜", 0.5),
    ("叶", 0.5),
    ("程", 0.5),
    ("魏", 0.4),
    ("苏", 0.4),
    ("吕", 0.4),
    ("丁", 0.4),
    ("任", 0.4),
    ("卢", 0.4),
    ("姚", 0.4),
    ("沈", 0.4),
    ("钟", 0.4),
    ("姜", 0.4),
    ("崔", 0.3),
    ("谭", 0.3),
    ("陆", 0.3),
    ("范", 0.3),
    ("汪", 0.3),
    ("廖", 0.3),
    ("石", 0.3),
    ("金", 0.3),
    ("贾", 0.3),
    ("夏", 0.3),
    ("方", 0.3),
    ("邹", 0.3),
    ("熊", 0.3),
    ("白", 0.3),
    ("孟", 0.3),
    ("秦", 0.3),
    ("欧阳", 0.05),
    ("司马", 0.02),
    ("上官", 0.02),
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚英华建国志红海丹琳鹏飞晓燕宁"
    "子涵浩宇欣怡梓轩诺思雨佳俊博文晨嘉婷雪慧颖玉兰秀凤梅云辉斌鑫宏亮龙"
)
_SURNAME_NAMES = tuple(s for s, _ in _SURNAMES)
_SURNAME_CUM = tuple(sum(w for _, w in _SURNAMES[: i + 1]) for i in range(len(_SURNAMES)))

# fmt: off
# Number segments the three operators (and the virtual operators) actually assign.
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "150",
    "151", "152", "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177",
    "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "193",
    "195", "196", "198", "199",
)

_ROADS = (
    "人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "长江路", "黄河路", "文化路",
    "学府路", "科技路", "工业大道", "滨江路", "花园路", "迎宾大道", "世纪大道", "青年路", "体育路",
    "胜利路", "幸福路", "光明路", "朝阳路",
)
_COMMUNITIES = (
    "阳光花园", "锦绣家园", "翠苑小区", "金色家园", "万科城", "碧桂园", "绿地新都会", "保利花园",
    "幸福里", "香樟苑", "丽景湾", "书香门第", "东方明珠苑", "滨江一号", "龙湖天街", "和谐家园",
    "春晓苑", "紫薇花园",
)
_OFFICES = (
    "科技园", "创业大厦", "国际中心", "金融大厦", "软件园", "商务中心",
)
# fmt: on


def person_name(rng: random.Random) -> str:
    surname = rng.choices(_SURNAME_NAMES, cum_weights=_SURNAME_CUM)[0]
    # Two-character given names are the modern norm; one character is still common.
    length = 2 if rng.random() < 0.7 else 1
    return surname + "".join(rng.choice(_GIVEN) for _ in range(length))


def mobile(rng: random.Random) -> str:
    """A well-formed 11-digit mainland mobile number (fake: random subscriber digits)."""
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def street_address(rng: random.Random) -> str:
    """A plausible street-level address: road, number, then a home or an office."""
    road = f"{rng.choice(_ROADS)}{rng.randint(1, 999)}号"
    if rng.random() < 0.8:
        return (
            f"{road}{rng.choice(_COMMUNITIES)}{rng.randint(1, 30)}栋"
            f"{rng.randint(1, 4)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
        )
    return f"{road}{rng.choice(_OFFICES)}{rng.randint(2, 40)}楼"
